using System.Diagnostics;
using System.Globalization;
using Forensics.Pipeline.Formats;
using Forensics.Pipeline.Formats.Utmp;
using Forensics.Pipeline.Model;
using Forensics.Tests.Support;

namespace Forensics.Tests.Formats.Utmp;

/// <summary>
/// Runs util-linux tools (utmpdump, last, lastb; Debian 12: util-linux 2.38.1) with TZ=UTC, and renders our
/// events and sessions in the same text, so tests compare whole outputs line by line.
/// </summary>
internal static class UtmpOracle
{
    public static string Run(string tool, params string[] args)
    {
        Skip.IfNot(File.Exists("/usr/bin/" + tool), $"{tool} (util-linux) is not installed; listed in .ci/apt-packages");
        var psi = new ProcessStartInfo("/usr/bin/" + tool) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["TZ"] = "UTC";
        psi.Environment["LC_ALL"] = "C";
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        _ = stderr.Result;
        return stdout;
    }

    public static string[] Lines(string text) => text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToArray();

    /// <summary>The line utmpdump prints for a record (utmpdump.c print_utline, 2.38).</summary>
    public static string UtmpdumpLine(ForensicEvent e)
    {
        int type = UtmpFormat.TypeNames.ToList().IndexOf((string)e.Get(UtmpFormat.UtmpType)!);
        long sec = Math.DivRem(e.TsMicros!.Value, 1_000_000, out long usec);
        return Utmpdump(type, (int)e.Pid!.Value, S(e, UtmpFormat.UtmpId), e.User ?? "", S(e, UtmpFormat.UtmpLine), S(e, UtmpFormat.UtmpHost),
            (string?)e.Get(UtmpFormat.Addr) ?? "0.0.0.0", UtmpText.IsoComma(sec, usec));
    }

    public static string AllZeroUtmpdumpLine() => Utmpdump(0, 0, "", "", "", "", "0.0.0.0", UtmpText.IsoComma(0, 0));

    private static string Utmpdump(int type, int pid, string id, string user, string line, string host, string addr, string time) =>
        string.Create(CultureInfo.InvariantCulture,
            $"[{type}] [{pid:D5}] [{Cut(id, 4),-4}] [{Cut(user, 32),-8}] [{Cut(line, 32),-12}] [{Cut(host, 256),-20}] [{addr,-15}] [{time}]");

    private static string S(ForensicEvent e, ExtraColumn c) => (string?)e.Get(c) ?? "";
    private static string Cut(string s, int n) => s.Length > n ? s[..n] : s;

    /// <summary>C's ctime() text without the newline: <c>Sun Mar  3 07:03:58 2024</c>.</summary>
    public static string CTime(long micros)
    {
        var t = DateTime.UnixEpoch.AddSeconds(Math.Floor(micros / 1e6));
        return string.Create(CultureInfo.InvariantCulture, $"{t:ddd MMM} {t.Day,2} {t:HH:mm:ss yyyy}");
    }

    /// <summary>
    /// What <c>last -F -w</c> prints for our session rows (last.c list(), full time format): newest login first.
    /// A phantom session's end prints as "gone - no logout" whatever we call it: last cannot see that evidence
    /// sessions are over, it decides by the analysing machine's boot time (is_phantom()).
    /// </summary>
    public static List<string> LastLines(SideTable sessions)
    {
        var cols = sessions.Columns.Select(c => c.Column).ToList();
        int Col(string name) => cols.IndexOf(name);
        var rows = sessions.Rows.OrderByDescending(r => (long)r[Col("start_offset")]!).ToList();
        var lines = new List<string>();
        foreach (var r in rows)
        {
            long start = (long)r[Col("session_start")]!;
            long? end = (long?)r[Col("session_end")];
            string reason = (string)r[Col("end_reason")]!;
            bool boot = (string)r[Col("kind")]! == "boot";
            string user = (string?)r[Col("user")] ?? "";
            string line = boot ? "system boot" : (string?)r[Col("line")] ?? "";
            string host = (string?)r[Col("host")] ?? "";
            string logout, length = "";
            if (end is { } e)
            {
                long secs = (long)Math.Floor(e / 1e6) - (long)Math.Floor(start / 1e6);
                long mins = secs / 60 % 60, hours = secs / 3600 % 24, days = secs / 86400;
                length = days != 0 ? $"({days}+{C02(Math.Abs(hours))}:{C02(Math.Abs(mins))})"
                    : hours != 0 ? $" ({C02(hours)}:{C02(Math.Abs(mins))})"
                    : secs >= 0 ? $" ({C02(hours)}:{C02(mins)})"
                    : $" (-00:{C02(Math.Abs(mins))})";
                // A boot row ends at the next shutdown; last prints that time, not "down".
                logout = boot ? "- " + CTime(e) : reason switch { "crash" => "- crash", "down" => "- down ", _ => "- " + CTime(e) };
            }
            else logout = boot ? "  still running" : "  gone - no logout";
            lines.Add($"{user,-8} {(line.Length > 12 ? line[..12] : line),-12} {host,-16} {CTime(start)} {logout,-26} {length}".TrimEnd());
        }
        return lines;
    }

    /// <summary>C printf("%02d"): width 2 including the sign.</summary>
    private static string C02(long v) => v < 0 ? v.ToString(CultureInfo.InvariantCulture).PadLeft(2) : v.ToString("00", CultureInfo.InvariantCulture);

    public sealed record Result(List<ForensicEvent> Events, List<Reject> Rejects, List<SideTable> Tables);

    /// <summary>Frame + Parse with a side-table sink (FormatHarness has none), checking records = events + rejects.</summary>
    public static Result Parse(ILogFormat format, string path) => Parse(format, File.ReadAllBytes(path), Path.GetFileName(path));

    public static Result Parse(ILogFormat format, byte[] content, string fileName)
    {
        var sink = new Sink();
        using var stream = new MemoryStream(content, writable: false);
        var ctx = new FileContext
        {
            SourceFile = fileName, SourceSha256 = new string('0', 64), FileName = fileName, Zone = TimeZoneInfo.Utc,
            ZoneSource = "test", Length = content.Length, SideTables = sink,
        };
        var events = new List<ForensicEvent>();
        var rejects = new List<Reject>();
        foreach (var batch in format.Frame(stream, ctx, CancellationToken.None))
        {
            var output = new ParseOutput();
            format.Parse(batch, ctx, output);
            Assert.Equal(batch.Count, output.Events.Count + output.Rejects.Count);
            events.AddRange(output.Events);
            rejects.AddRange(output.Rejects);
            batch.Release();
        }
        return new Result(events, rejects, sink.Tables);
    }

    private sealed class Sink : ISideTableSink
    {
        public List<SideTable> Tables { get; } = [];
        public void Add(SideTable table) => Tables.Add(table);
    }
}
