using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats.Classify;

/// <summary>
/// Classifies a log message by the program that wrote it, whatever carried it (syslog file, journal, journal
/// text): sshd lines in the journal give the same events as in auth.log. Formats call this after filling the
/// spine, and declare <see cref="Columns"/> among their extra columns.
/// </summary>
public static class MessageClassifier
{
    public static IReadOnlyList<ExtraColumn> Columns { get; } =
        [.. SshdClassifier.Columns, .. SystemdClassifier.Columns, .. AuditRecordClassifier.Columns];

    /// <summary>Sets <c>event</c>, <c>user</c>, <c>src_ip</c>, <c>src_port</c>, <c>unit</c> and classifier columns when recognised.</summary>
    /// <param name="process">The syslog identifier / program name (e.g. <c>sshd</c>, <c>sshd-session</c>, <c>systemd</c>, <c>audit</c>).</param>
    public static void Classify(ForensicEvent e, ReadOnlySpan<char> process, ReadOnlySpan<char> message)
    {
        // Some syslog daemons bracket the tag ("[sshd]: User root from ..."); the program is what is inside.
        if (process.Length > 2 && process[0] == '[' && process[^1] == ']') process = process[1..^1];
        if (process.IsEmpty) return;
        if (process.SequenceEqual("sshd") || process.SequenceEqual("sshd-session") || process.StartsWith("sshd"))
            SshdClassifier.Classify(e, message);
        else if (process.SequenceEqual("systemd") || process.SequenceEqual("systemd-logind") || process.SequenceEqual("init"))
            SystemdClassifier.Classify(e, process, message);
        else if (process.SequenceEqual("audit") || process.SequenceEqual("kernel") && message.StartsWith("audit:"))
            AuditRecordClassifier.Classify(e, message);
        else if (process.SequenceEqual("sudo") || process.SequenceEqual("su") || process.StartsWith("pam"))
            SshdClassifier.ClassifyPam(e, message);
    }
}
