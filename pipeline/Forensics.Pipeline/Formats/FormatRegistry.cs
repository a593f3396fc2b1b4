namespace Forensics.Pipeline.Formats;

/// <summary>Every input format, in the order ties are broken. Adding a format adds one line here.</summary>
public static class FormatRegistry
{
    public static IReadOnlyList<ILogFormat> All { get; } =
    [
        new Syslog.SyslogFormat(),
        new Journal.JournalBinaryFormat(),
        new Journal.JournalExportFormat(),
        new Journal.JournalJsonFormat(),
        new Journal.JournalTextFormat(),
        new Web.WerkzeugFormat(),
        new Web.AccessLogFormat(),
        new Web.WebErrorLogFormat(),
        new Audit.AuditFormat(),
        new Utmp.UtmpFormat(Utmp.UtmpFileKind.Wtmp),
        new Utmp.UtmpFormat(Utmp.UtmpFileKind.Btmp),
        new Utmp.LastlogFormat(),
        new Bodyfile.BodyfileFormat(),
    ];

    public static ILogFormat? ById(string id) => All.FirstOrDefault(f => f.Id == id);

    /// <summary>Minimum sniff confidence for a file to be parsed as a format.</summary>
    public const int MinConfidence = 30;

    /// <summary>The most confident format for a file's head, or null when none reaches <see cref="MinConfidence"/>.</summary>
    public static (ILogFormat? Format, int Confidence) Detect(ReadOnlySpan<byte> head, string fileName)
    {
        ILogFormat? best = null;
        int bestScore = 0;
        foreach (var f in All)
        {
            int score = f.Sniff(head, fileName);
            if (score > bestScore) { best = f; bestScore = score; }
        }
        return bestScore >= MinConfidence ? (best, bestScore) : (null, bestScore);
    }
}
