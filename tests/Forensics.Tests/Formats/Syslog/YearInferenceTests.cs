using System.Text;
using Forensics.Pipeline.Formats.Syslog;
using Forensics.Pipeline.Model;
using Forensics.Tests.Support;


namespace Forensics.Tests.Formats.Syslog;

public class YearInferenceTests
{
    private static readonly SyslogFormat Format = new();

    private static List<DateTime?> Times(string text, DateTime reference, out FormatHarness.Result result)
    {
        result = FormatHarness.Run(Format, Encoding.UTF8.GetBytes(text), "auth.log", referenceTime: reference);
        return result.Events.Select(e => ForensicEvent.ToDateTime(e.TsMicros)).ToList();
    }

    [Fact]
    public void December_to_January_rollover_walks_back_from_the_file_time()
    {
        var text = "Dec 30 23:59:58 h a: one\nDec 31 23:59:59 h a: two\nJan  1 00:00:01 h a: three\nFeb  2 10:00:00 h a: four\n";
        var times = Times(text, new DateTime(2025, 2, 10, 0, 0, 0, DateTimeKind.Utc), out var r);
        Assert.Equal([new DateTime(2024, 12, 30, 23, 59, 58), new DateTime(2024, 12, 31, 23, 59, 59), new DateTime(2025, 1, 1, 0, 0, 1), new DateTime(2025, 2, 2, 10, 0, 0)],
            times.Select(t => t!.Value).ToList());
        Assert.All(r.Events, e => Assert.Equal(TsQuality.YearInferredZoneAssumed, e.TsQuality));
    }

    [Fact]
    public void Last_record_after_the_reference_month_belongs_to_the_previous_year()
    {
        // Copied in January: a file ending in December was written the year before.
        var times = Times("Dec 31 10:00:00 h a: x\n", new DateTime(2025, 1, 3, 0, 0, 0, DateTimeKind.Utc), out _);
        Assert.Equal(2024, times.Single()!.Value.Year);
    }

    [Fact]
    public void Two_rollovers_span_three_years()
    {
        var times = Times("Nov  1 00:00:00 h a: x\nJan  1 00:00:00 h a: x\nDec  1 00:00:00 h a: x\nJan  2 00:00:00 h a: x\n", new DateTime(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc), out _);
        Assert.Equal([2023, 2024, 2024, 2025], times.Select(t => t!.Value.Year).ToList());
    }

    [Fact]
    public void Small_month_decrease_is_out_of_order_lines_not_a_new_year()
    {
        var times = Times("Mar  1 00:00:00 h a: x\nFeb 28 23:59:59 h a: late line\nMar  1 00:00:02 h a: x\n", new DateTime(2024, 3, 5, 0, 0, 0, DateTimeKind.Utc), out _);
        Assert.All(times, t => Assert.Equal(2024, t!.Value.Year));
    }

    [Fact]
    public void Feb_29_in_a_non_leap_inferred_year_is_a_reject_with_the_reason()
    {
        var r = FormatHarness.Run(Format, "Feb 29 12:00:00 h a: leap\n"u8.ToArray(), "auth.log", referenceTime: new DateTime(2023, 3, 1, 0, 0, 0, DateTimeKind.Utc));
        var reject = Assert.Single(r.Rejects);
        Assert.Contains("does not exist in the inferred year 2023", reject.Reason);
        var ok = FormatHarness.Run(Format, "Feb 29 12:00:00 h a: leap\n"u8.ToArray(), "auth.log", referenceTime: new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc));
        Assert.Equal(new DateTime(2024, 2, 29, 12, 0, 0), ForensicEvent.ToDateTime(Assert.Single(ok.Events).TsMicros));
    }

    [Fact]
    public void Forced_year_names_the_first_records_year()
    {
        var r = FormatHarness.Run(Format, "Dec 31 00:00:00 h a: x\nJan  1 00:00:00 h a: y\n"u8.ToArray(), "auth.log", year: 2019);
        Assert.Equal([2019, 2020], r.Events.Select(e => ForensicEvent.ToDateTime(e.TsMicros)!.Value.Year).ToList());
        Assert.All(r.Events, e => Assert.Equal(TsQuality.ZoneAssumed, e.TsQuality));
    }

    [Fact]
    public void Local_time_is_converted_with_the_case_zone()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var r = FormatHarness.Run(Format, "Jul  1 12:00:00 h a: summer\nJan 15 12:00:00 h a: winter\n"u8.ToArray(), "auth.log", zone: berlin, year: 2024);
        Assert.Equal(new DateTime(2024, 7, 1, 10, 0, 0), ForensicEvent.ToDateTime(r.Events[0].TsMicros));
        // Jan after Jul is a rollover: 2025, CET (+1)
        Assert.Equal(new DateTime(2025, 1, 15, 11, 0, 0), ForensicEvent.ToDateTime(r.Events[1].TsMicros));
    }

    [Fact]
    public void No_record_is_dated_after_the_reference_time_plus_the_stated_skew()
    {
        // Written 2025-03-10: "Mar 20" cannot be 2025-03-20 (ten days after the file's last write).
        var reference = new DateTime(2025, 3, 10, 12, 0, 0, DateTimeKind.Utc);
        Assert.Equal(new DateTime(2024, 3, 20, 8, 0, 0), Times("Mar 20 08:00:00 h a: x\n", reference, out _).Single());
        // Within the skew (a day: an assumed zone may be 14 h off) the reference year stays.
        Assert.Equal(new DateTime(2025, 3, 10, 23, 0, 0), Times("Mar 10 23:00:00 h a: x\n", reference, out _).Single());
        Assert.Equal(TimeSpan.FromDays(1), YearInference.MaxClockSkew);
        // The newest record decides, not the last one: a late line after the newest one (out of order by
        // less than the tolerance) does not keep the newest in the future.
        var times = Times("Mar 10 10:00:00 h a: x\nMar 12 10:00:00 h a: newest\nMar 11 23:00:00 h a: late\n", reference, out _);
        Assert.All(times, t => Assert.Equal(2024, t!.Value.Year));
    }

    private static string Copies(int n, params string[] lines) => string.Concat(Enumerable.Repeat(string.Concat(lines.Select(l => l + "\n")), n));

    [Fact]
    public void Concatenated_logs_are_detected_and_never_walk_back_centuries()
    {
        // 1,100 copies of three auth logs (Apr–May, Jan–Feb, Nov–Dec) put together: May → Jan is a backward jump
        // that no year rollover explains (and every copy adds a Dec → Apr "rollover").
        var text = Copies(1100,
            "Apr  1 10:00:00 h sshd[1]: Failed password for root from 203.0.113.1 port 1 ssh2", "May 30 10:00:00 h sshd[2]: x",
            "Jan  2 10:00:00 h sshd[3]: x", "Feb 29 10:00:00 h sshd[4]: leap day", "Nov  3 10:00:00 h sshd[5]: x", "Dec 30 10:00:00 h sshd[6]: x");
        var reference = new DateTime(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc);
        var times = Times(text, reference, out var r);
        Assert.Empty(r.Rejects); // Feb 29 goes to the latest leap year, never a reject for a year like -174
        Assert.Equal(6600, times.Count);
        Assert.All(times, t => Assert.InRange(t!.Value, new DateTime(2024, 1, 1), reference));
        Assert.Equal(new DateTime(2024, 2, 29, 10, 0, 0), times[3]);

        using var tmp = new TempDir();
        File.WriteAllText(tmp.Combine("auth.log"), text);
        File.SetLastWriteTimeUtc(tmp.Combine("auth.log"), reference);
        using var run = CaseRun.Ingest([tmp.Combine("auth.log")], tz: "UTC");
        var note = Assert.Single(Assert.Single(run.Manifest.Inputs).Notes!);
        Assert.Contains("not in time order", note, StringComparison.Ordinal);
        Assert.Contains("May 30 10:00:00 → Jan  2 10:00:00", note, StringComparison.Ordinal);
        Assert.Contains(run.Manifest.LastRun.Notes, n => n.Contains("not in time order", StringComparison.Ordinal));
    }

    [Fact]
    public void More_rollovers_than_a_log_can_hold_are_not_walked_back_either()
    {
        // Nov–Feb copies: the boundary Feb → Nov moves forward, but each copy adds a Dec → Jan rollover.
        var text = Copies(500, "Nov  3 10:00:00 h a: x", "Dec 30 10:00:00 h a: x", "Jan  2 10:00:00 h a: x", "Feb  3 10:00:00 h a: x");
        var times = Times(text, new DateTime(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc), out _);
        Assert.All(times, t => Assert.InRange(t!.Value.Year, 2024, 2025));
        // Ten rollovers are still one log growing for ten years.
        var decade = Times(Copies(10, "Nov  3 10:00:00 h a: x", "Jan  2 10:00:00 h a: x"), new DateTime(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc), out _);
        Assert.Equal(2015, decade[0]!.Value.Year);
        Assert.Equal(2025, decade[^1]!.Value.Year);
    }
}
