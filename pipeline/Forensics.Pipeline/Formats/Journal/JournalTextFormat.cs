using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Forensics.Pipeline.Formats.Classify;
using Forensics.Pipeline.Formats.Syslog;
using Forensics.Pipeline.Framing;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats.Journal;

/// <summary>
/// journalctl's text outputs (systemd src/shared/logs-show.c output_short, v252):
/// <c>short</c> "Dec 15 23:44:03 host ident[pid]: msg", <c>short-precise</c> "Dec 15 23:44:03.814918 …",
/// <c>short-iso</c> "2023-04-10T20:56:30+0000 …", <c>short-iso-precise</c> "2023-04-10T20:56:30.138000+0000 …",
/// <c>short-full</c> "Fri 2023-12-15 23:44:03 UTC …".
/// Quirks:
/// - A multi-line MESSAGE is printed as continuation lines indented with spaces to the message column
///   (print_multiline); they join the record, and the indentation is removed to restore the message.
/// - journalctl adds decoration lines that are not entries: "-- Boot &lt;id&gt; --", "-- No entries --",
///   "-- Logs begin at … --" / "-- Journal begins at … --", "-- Reboot --". Decision: they become rejects with
///   the reason "journalctl decoration line", so events = entries of the journal (counted by the tests), and
///   nothing is silently dropped.
/// - short/short-precise carry neither year nor zone: the zone is the case zone (journalctl printed local time
///   unless --utc), and the year is inferred by the shared Formats/Syslog YearInference (backwards from the file's
///   reference time over Dec→Jan rollovers).
/// - short-full's zone is an abbreviation; only UTC/GMT is trusted, others use the case zone (zone_assumed).
/// </summary>
public sealed class JournalTextFormat : ILogFormat
{
    private static readonly LineFramingOptions Framing = new()
    {
        IsContinuation = static line => line.Length > 0 && line[0] == (byte)' ',
    };

    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    public string Id => "journal_text";
    public string Description => "journalctl text output (short, short-precise, short-iso, short-iso-precise, short-full)";
    public IReadOnlyList<ExtraColumn> ExtraColumns => MessageClassifier.Columns;

    public int Sniff(ReadOnlySpan<byte> head, string fileName)
    {
        // Content: a journalctl decoration line is unique to journalctl; ISO/full stamps with a numeric zone
        // and "host ident[pid]:" are also what syslog files may contain, so those only score mid-range. The
        // year-less short form looks like a syslog file; it is journalctl's when the head shows one of its
        // marks: short-precise's microseconds on a year-less stamp (rsyslog's precise form is RFC 3339), a
        // decoration line anywhere ("-- Boot …" separates boots since systemd 250 dropped the header), a
        // zero-padded day ("May 01"), or a continuation line indented exactly to the message column
        // (print_multiline; rsyslog escapes newlines as #012).
        int score = 0;
        if (head.StartsWith("-- Logs begin at "u8) || head.StartsWith("-- Journal begins at "u8) || head.StartsWith("-- Boot "u8) || head.StartsWith("-- No entries --"u8))
            score = 90;
        else
        {
            int nl = head.IndexOf((byte)'\n');
            var first = nl < 0 ? head : head[..nl];
            if (TryStamp(first, TimeZoneInfo.Utc, null, null, out _, out _, out int used, out _) && used > 0)
            {
                var rest = first[used..];
                // journalctl writes the ISO zone as +hhmm; rsyslog's RFC 3339 (+hh:mm) does not parse here.
                bool isoZone = first[10] == (byte)'T';
                bool full = first.Length > 8 && first[3] == (byte)' ' && first[8] == (byte)'-';
                bool precise = !isoZone && !full && used == 23 && first[15] == (byte)'.';
                if (rest.IndexOf(": "u8) > 0)
                    score = isoZone || full ? 85 // above syslog's 80: the +hhmm zone / weekday-date form is journalctl's own
                        : precise || HasJournalctlMarks(head) ? 95 : 25;
            }
        }
        if (score > 0 && fileName.Contains("journalctl", StringComparison.OrdinalIgnoreCase)) score += 10;
        return Math.Min(score, 100);
    }

    /// <summary>A decoration line, a zero-padded day, or a continuation indented to the message column of the line before it.</summary>
    private static bool HasJournalctlMarks(ReadOnlySpan<byte> head)
    {
        int messageColumn = -1;
        foreach (var range in head.Split((byte)'\n'))
        {
            var line = head[range];
            if (line.StartsWith("-- "u8) && line.EndsWith(" --"u8)) return true;
            if (messageColumn > 0 && line.Length > messageColumn && line[..messageColumn].IndexOfAnyExcept((byte)' ') < 0 && line[messageColumn] != (byte)' ')
                return true;
            if (line.Length > 0 && line[0] == (byte)' ') continue;
            messageColumn = -1;
            if (TryStamp(line, TimeZoneInfo.Utc, null, null, out _, out _, out int used, out _) && line[used..].IndexOf(": "u8) is var colon and > 0)
            {
                // journalctl writes days 1–9 as "May 01" (strftime %d); syslog daemons write "May  1" (or "May 1").
                if (line[3] == (byte)' ' && line[4] == (byte)'0') return true;
                messageColumn = used + colon + 2;
            }
        }
        return false;
    }

    public IEnumerable<RecordBatch> Frame(Stream input, FileContext file, CancellationToken cancel)
    {
        // Year-less short/short-precise stamps: the same backwards walk over rollovers as syslog files
        // (Formats/Syslog/YearInference): a first pass over the stamps, then one year per record in order.
        var years = new YearInference();
        var reader = new ChunkedLineReader(input, 1 << 20);
        while (reader.TryReadLine(out var slice, out long lineOffset, out _))
            years.Observe(YearInference.StampOf(reader.Get(slice)), lineOffset);
        if (!years.HasObservations) { input.Seek(0, SeekOrigin.Begin); return LineFramer.Frame(input, Framing, cancel); }
        years.Start(file.ReferenceTimeUtc, file.ForcedYear, file.Zone);
        if (years.Note is { } note) file.Note?.Invoke(note);
        input.Seek(0, SeekOrigin.Begin);
        var options = new LineFramingOptions
        {
            IsContinuation = Framing.IsContinuation,
            Hint = (line, _) => years.Next(YearInference.StampOf(line)),
        };
        return LineFramer.Frame(input, options, cancel);
    }

    public void Parse(RecordBatch batch, FileContext file, ParseOutput output)
    {
        for (int i = 0; i < batch.Count; i++)
        {
            var raw = batch.Record(i);
            long off = batch.Offset(i);
            if (batch.Truncated(i)) { output.Reject(off, "line longer than the framing limit", raw); continue; }
            if (raw.StartsWith("-- "u8) && raw.EndsWith(" --"u8)) { output.Reject(off, "journalctl decoration line (boot/no-entries/range marker), not a journal entry", raw); continue; }
            int inferredYear = batch.Hint(i);
            if (!TryStamp(raw, file.Zone, file.ForcedYear, file.ReferenceTimeUtc, out long ts, out string quality, out int used, out string? stampError, inferredYear))
            { output.Reject(off, stampError ?? "no journalctl timestamp at line start", raw); continue; }
            var rest = raw[used..];
            int sp = rest.IndexOf((byte)' ');
            int colon = rest.IndexOf(": "u8);
            if (sp <= 0 || colon < sp) { output.Reject(off, "expected 'host ident[pid]: message' after the timestamp", raw); continue; }
            var e = output.NewEvent(off);
            e.TsMicros = ts;
            e.TsQuality = quality;
            e.Host = Encoding.UTF8.GetString(rest[..sp]);
            var ident = rest[(sp + 1)..colon];
            int br = ident.IndexOf((byte)'[');
            if (br > 0 && ident[^1] == (byte)']' && Utf8Parser.TryParse(ident[(br + 1)..^1], out long pid, out int pu) && pu == ident.Length - br - 2)
            {
                e.Pid = pid;
                ident = ident[..br];
            }
            // journalctl prints "unknown" when the entry has neither SYSLOG_IDENTIFIER nor _COMM (logs-show.c): no process.
            e.Process = ident.IsEmpty || ident.SequenceEqual("unknown"u8) ? null : Encoding.UTF8.GetString(ident);
            int msgColumn = used + colon + 2;
            e.Message = Dedent(raw[msgColumn..], msgColumn);
            if (e.Process is not null) MessageClassifier.Classify(e, e.Process, e.Message);
        }
    }

    /// <summary>Removes the message-column indentation journalctl adds to continuation lines.</summary>
    private static string Dedent(ReadOnlySpan<byte> message, int column)
    {
        if (message.IndexOf((byte)'\n') < 0) return Encoding.UTF8.GetString(message);
        var sb = new StringBuilder(message.Length);
        bool first = true;
        foreach (var range in message.Split((byte)'\n'))
        {
            var line = message[range];
            if (!first)
            {
                sb.Append('\n');
                int k = 0;
                while (k < column && k < line.Length && line[k] == (byte)' ') k++;
                line = line[k..];
            }
            sb.Append(Encoding.UTF8.GetString(line));
            first = false;
        }
        return sb.ToString();
    }

    /// <summary>Parses any of the five stamps at the line start; <paramref name="used"/> includes the following space.</summary>
    internal static bool TryStamp(ReadOnlySpan<byte> s, Time.LocalZone zone, int? forcedYear, DateTime? reference,
        out long micros, out string quality, out int used, out string? error, int inferredYear = 0)
    {
        micros = 0; quality = TsQuality.Exact; used = 0; error = null;
        if (s.Length < 16) return false;
        if (char.IsAsciiDigit((char)s[0]))
        {
            // short-iso(-precise): yyyy-MM-ddTHH:mm:ss[.ffffff]+zzzz
            if (s.Length < 24 || s[4] != '-' || s[7] != '-' || s[10] != 'T') return false;
            if (!Num(s, 0, 4, out int y) || !Num(s, 5, 2, out int mo) || !Num(s, 8, 2, out int d)) return false;
            int p = 11;
            if (!Clock(s, ref p, out int hh, out int mi, out int ss, out long frac)) return false;
            if (p + 5 > s.Length || (s[p] != '+' && s[p] != '-') || !Num(s, p + 1, 2, out int zh) || !Num(s, p + 3, 2, out int zm)) return false;
            int sign = s[p] == '+' ? 1 : -1;
            p += 5;
            if (!Build(y, mo, d, hh, mi, ss, frac, out var local)) { error = "invalid date"; return false; }
            micros = ForensicEvent.ToMicros(local) - sign * (zh * 3600L + zm * 60L) * 1_000_000L;
            used = p < s.Length && s[p] == ' ' ? p + 1 : p;
            return true;
        }
        if (s.Length > 8 && s[3] == ' ' && char.IsAsciiDigit((char)s[4]) && s[8] == '-')
        {
            // short-full: "Fri 2023-12-15 23:44:03 UTC"
            if (s.Length < 24 || !Num(s, 4, 4, out int y) || s[8] != '-' || !Num(s, 9, 2, out int mo) || s[11] != '-' || !Num(s, 12, 2, out int d) || s[14] != ' ') return false;
            int p = 15;
            if (!Clock(s, ref p, out int hh, out int mi, out int ss, out long frac)) return false;
            if (p >= s.Length || s[p] != ' ') return false;
            int zs = p + 1, ze = s[zs..].IndexOf((byte)' ');
            if (ze < 0) return false;
            var abbr = s.Slice(zs, ze);
            if (!Build(y, mo, d, hh, mi, ss, frac, out var local)) { error = "invalid date"; return false; }
            if (abbr.SequenceEqual("UTC"u8) || abbr.SequenceEqual("GMT"u8)) micros = ForensicEvent.ToMicros(local);
            else { micros = ToUtc(local, zone); quality = TsQuality.ZoneAssumed; }
            used = zs + ze + 1;
            return true;
        }
        // short / short-precise: "Dec 15 23:44:03[.814918]"
        int month = Array.IndexOf(Months, Encoding.ASCII.GetString(s[..3])) + 1;
        if (month == 0 || s[3] != ' ') return false;
        int day;
        if (s[4] == ' ' && Num(s, 5, 1, out int d1)) day = d1;
        else if (!Num(s, 4, 2, out day)) return false;
        if (s[6] != ' ') return false;
        int q = 7;
        if (!Clock(s, ref q, out int h2, out int m2, out int s2, out long f2)) return false;
        // inferredYear comes from YearInference in Frame (rollover-aware); the fallback serves Sniff only.
        int year;
        if (inferredYear > 0) year = inferredYear;
        else if (forcedYear is { } fy) year = fy;
        else
        {
            var refTime = reference ?? DateTime.UtcNow;
            year = refTime.Year;
            if (month > refTime.Month || (month == refTime.Month && day > refTime.Day + 1)) year--;
        }
        if (!Build(year, month, day, h2, m2, s2, f2, out var loc)) { error = $"invalid date for inferred year {year}"; return false; }
        micros = ToUtc(loc, zone);
        quality = TsQuality.Combine(yearInferred: forcedYear is null, zoneAssumed: true);
        used = q < s.Length && s[q] == ' ' ? q + 1 : q;
        return true;
    }

    private static long ToUtc(DateTime local, Time.LocalZone zone) =>
        (zone.ToUtcTicks(local.Ticks) - DateTime.UnixEpoch.Ticks) / 10;

    private static bool Build(int y, int mo, int d, int h, int mi, int s, long fracMicros, out DateTime dt)
    {
        dt = default;
        if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > DateTime.DaysInMonth(y, mo) || h > 23 || mi > 59 || s > 60) return false;
        dt = new DateTime(y, mo, d, h, mi, Math.Min(s, 59), DateTimeKind.Utc).AddTicks(fracMicros * 10);
        return true;
    }

    private static bool Clock(ReadOnlySpan<byte> s, ref int p, out int h, out int m, out int sec, out long frac)
    {
        h = m = sec = 0; frac = 0;
        if (p + 8 > s.Length || !Num(s, p, 2, out h) || s[p + 2] != ':' || !Num(s, p + 3, 2, out m) || s[p + 5] != ':' || !Num(s, p + 6, 2, out sec)) return false;
        p += 8;
        if (p < s.Length && s[p] == '.')
        {
            int start = ++p, digits = 0;
            while (p < s.Length && char.IsAsciiDigit((char)s[p])) { if (digits < 6) { frac = frac * 10 + (s[p] - '0'); digits++; } p++; }
            if (p == start) return false;
            for (; digits < 6; digits++) frac *= 10;
        }
        return true;
    }

    private static bool Num(ReadOnlySpan<byte> s, int at, int len, out int value)
    {
        value = 0;
        if (at + len > s.Length) return false;
        for (int i = at; i < at + len; i++)
        {
            if (!char.IsAsciiDigit((char)s[i])) return false;
            value = value * 10 + (s[i] - '0');
        }
        return true;
    }
}
