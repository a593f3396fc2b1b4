using System.CommandLine;
using System.Globalization;
using Forensics.Pipeline.Query;
using Forensics.Pipeline.Text;

namespace Forensics.Cli.Commands;

/// <summary>
/// <c>--tz ZONE</c>: shows times of the human-facing outputs (tables, CSV) in an IANA zone, with the zone named in the
/// header; UTC is the default. Machine formats (JSON lines, Arrow, Timesketch, l2tcsv) stay UTC: their readers
/// convert, and a fixed zone keeps them comparable across cases.
/// </summary>
internal static class DisplayZone
{
    public static readonly Option<string?> Option = new("--tz") { Description = "Show times in this IANA zone (Europe/Berlin) in tables and CSV, named in the header; default UTC. JSON, Arrow, Timesketch and l2tcsv stay UTC" };

    /// <summary>The zone asked for, or null for UTC; false (after a one-line error) when it is not a known zone.</summary>
    public static bool TryParse(ParseResult parse, out TimeZoneInfo? zone)
    {
        zone = null;
        var id = parse.GetValue(Option);
        if (id is null || id is "UTC" or "Etc/UTC") return true;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            Console.Error.WriteLine($"forensics: --tz {TerminalText.Escape(id)} is not a time zone known here (IANA names such as Europe/Berlin)");
            return false;
        }
    }

    /// <summary>
    /// The result with its times (DuckDB TIMESTAMP / TIMESTAMP WITH TIME ZONE values, UTC in every session) shown in
    /// <paramref name="zone"/> with their offset, and those columns' names followed by the zone.
    /// </summary>
    public static QueryResult Apply(QueryResult result, TimeZoneInfo zone)
    {
        var isTime = Enumerable.Range(0, result.Columns.Count)
            .Select(c => result.Types[c].Contains("timestamp", StringComparison.OrdinalIgnoreCase) || result.Rows.Any(r => r[c] is DateTime)).ToArray();
        return new QueryResult
        {
            Columns = result.Columns.Select((c, i) => isTime[i] ? $"{c} ({zone.Id})" : c).ToList(),
            Types = result.Types.Select((t, i) => isTime[i] ? "VARCHAR" : t).ToList(),
            Rows = result.Rows.Select(r => r.Select((v, i) => isTime[i] && v is DateTime t ? (object?)Local(t, zone) : v).ToArray()).ToList(),
        };
    }

    /// <summary><c>2024-05-21 15:50:09.512887+02:00</c>: the wall-clock time in the zone and its offset then.</summary>
    public static string Local(DateTime utc, TimeZoneInfo zone)
    {
        var instant = new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc));
        var local = TimeZoneInfo.ConvertTime(instant, zone);
        var text = local.ToString(local.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
        return text + local.ToString("zzz", CultureInfo.InvariantCulture);
    }
}
