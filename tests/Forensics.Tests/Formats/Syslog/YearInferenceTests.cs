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
}
