using Forensics.Pipeline.Formats.Classify;
using Forensics.Pipeline.Framing;
using Forensics.Pipeline.Model;
using Forensics.Pipeline.Text;

namespace Forensics.Pipeline.Formats.Syslog;

/// <summary>
/// Syslog files as rsyslog/syslog-ng/FreeBSD syslogd write them (<c>secure</c>, <c>auth.log</c>,
/// <c>messages</c>, <c>syslog</c>). Header shapes: see <see cref="SyslogLine"/>. A line that does not start
/// with a timestamp continues the previous record (rsyslog writes embedded newlines as is, e.g. plaso's
/// <c>syslog_rsyslog_traditional</c> AptDaemon entry), so it is joined, not rejected.
/// </summary>
public sealed class SyslogFormat : ILogFormat
{
    public static readonly ExtraColumn Priority = new("priority", ColumnType.Int32, "syslog severity 0..7 from <PRI> when the line has one");
    public static readonly ExtraColumn Facility = new("facility", ColumnType.Int32, "syslog facility from <PRI> when the line has one");
    public static readonly ExtraColumn MsgId = new("msgid", ColumnType.String, "RFC 5424 MSGID");
    public static readonly ExtraColumn StructuredData = new("structured_data", ColumnType.String, "RFC 5424 STRUCTURED-DATA, verbatim");

    public string Id => "syslog";
    public string Description => "syslog files (RFC 3164, RFC 3339 high-precision, RFC 5424): secure, auth.log, messages, syslog";
    public IReadOnlyList<ExtraColumn> ExtraColumns { get; } = [Priority, Facility, MsgId, StructuredData, .. MessageClassifier.Columns];

    public int Sniff(ReadOnlySpan<byte> head, string fileName)
    {
        int lines = 0, parsed = 0;
        foreach (var line in SniffLines(head, 20))
        {
            lines++;
            if (SyslogLine.TryParse(line, out var l, out _) && (!l.Host.IsEmpty || l.IsRfc5424)) parsed++;
        }
        if (parsed == 0) return 0;
        int score = 20 + 60 * parsed / lines;
        var name = fileName.ToLowerInvariant();
        if (name.Contains("secure") || name.Contains("auth") || name.Contains("messages") || name.Contains("syslog")) score += 10;
        return Math.Min(score, 90);
    }

    /// <summary>Complete lines of a sniff buffer (the last, possibly cut, line is left out when there are others).</summary>
    internal static IEnumerable<byte[]> SniffLines(ReadOnlySpan<byte> head, int max)
    {
        var list = new List<byte[]>();
        while (list.Count < max && !head.IsEmpty)
        {
            int nl = head.IndexOf((byte)'\n');
            if (nl < 0) { if (list.Count == 0) list.Add(head.ToArray()); break; }
            var line = head[..nl];
            if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
            if (!line.IsEmpty) list.Add(line.ToArray());
            head = head[(nl + 1)..];
        }
        return list;
    }

    public IEnumerable<RecordBatch> Frame(Stream input, FileContext file, CancellationToken cancel)
    {
        var years = new YearInference();
        // First pass over the year-less stamps: rollovers, the newest stamp, and whether the file is in time order.
        var reader = new ChunkedLineReader(input, 1 << 20);
        while (reader.TryReadLine(out var slice, out long lineOffset, out _))
        {
            var line = reader.Get(slice);
            if (line.Length >= 14 && line[0] != (byte)'<') years.Observe(YearInference.StampOf(line), lineOffset);
        }
        years.Start(file.ReferenceTimeUtc, file.ForcedYear, file.Zone);
        if (years.Note is { } note) file.Note?.Invoke(note);
        input.Seek(0, SeekOrigin.Begin);

        var options = new LineFramingOptions
        {
            IsContinuation = static line => !StartsRecord(line),
            Hint = (line, _) => years.Next(line.Length >= 14 && line[0] != (byte)'<' ? YearInference.StampOf(line) : default),
        };
        return LineFramer.Frame(input, options, cancel);
    }

    /// <summary>
    /// Lines that are not continuations: a record start, a blank line (its own, rejected, record), or a '#' comment. Real syslog never writes '#' lines,
    /// but annotated test logs (fail2ban's test files) do; they are rejected one by one with a clear reason
    /// instead of being glued into the previous record's message.
    /// </summary>
    private static bool StartsRecord(ReadOnlySpan<byte> line) =>
        line.IsEmpty || (line[0] == (byte)'#' || SyslogTimestamp.TryParse(line, out _) || (line[0] == (byte)'<' && line.IndexOf((byte)'>') is > 1 and < 5));

    public void InOrder(EventBatch events, FileContext file)
    {
        if (events.HasPeerRoles) ((SshdPeers)(file.OrderedState ??= new SshdPeers())).Apply(events);
    }

    public void Parse(RecordBatch batch, FileContext file, ParseOutput output)
    {
        var cache = StringCache.Current;
        for (int i = 0; i < batch.Count; i++)
        {
            long offset = batch.Offset(i);
            var record = batch.Record(i);
            if (batch.Truncated(i)) { output.Reject(offset, "line longer than the 1 MiB limit (cut)", record); continue; }
            if (record.IsEmpty) { output.Reject(offset, "empty line", record); continue; }
            if (record[0] == (byte)'#') { output.Reject(offset, "comment line (starts with '#'), not a syslog record", record); continue; }
            if (!SyslogLine.TryParse(record, out var line, out var error))
            {
                output.Reject(offset, error ?? "not a syslog line", record);
                continue;
            }
            long? ts;
            string quality;
            if (line.Time.HasYear) { ts = line.Time.UtcMicros; quality = TsQuality.Exact; }
            else
            {
                int year = batch.Hint(i);
                ts = SyslogTimestamp.ToUtcMicros(line.Time, year, file.Zone);
                if (ts is null)
                {
                    output.Reject(offset, $"day {line.Time.Day} of month {line.Time.Month} does not exist in the inferred year {year}", record);
                    continue;
                }
                quality = file.ForcedYear is null ? TsQuality.YearInferredZoneAssumed : TsQuality.ZoneAssumed;
            }
            var e = output.NewEvent(offset);
            e.TsMicros = ts;
            e.TsQuality = quality;
            e.Host = line.Host.IsEmpty ? file.DefaultHost : cache.Get(line.Host);
            e.Process = line.Tag.IsEmpty ? null : cache.Get(line.Tag);
            e.Pid = line.Pid >= 0 ? line.Pid : null;
            e.SetMessage(line.Message);
            if (line.Priority >= 0)
            {
                e.Set(Priority, line.Priority & 7);
                e.Set(Facility, line.Priority >> 3);
            }
            if (!line.MsgId.IsEmpty) e.Set(MsgId, Utf8Text.Decode(line.MsgId));
            if (!line.StructuredData.IsEmpty) e.Set(StructuredData, Utf8Text.Decode(line.StructuredData));
            if (e.Process is not null) MessageClassifier.Classify(e, e.Process, e.MessageChars.TrimStart());
            SshdPeers.Mark(e);
        }
    }
}
