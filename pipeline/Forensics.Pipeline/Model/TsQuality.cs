namespace Forensics.Pipeline.Model;

/// <summary>
/// Values of the <c>ts_quality</c> column. Combined qualities are joined with ';' in a fixed order
/// (<c>year_inferred;zone_assumed</c>), so analysts can filter with <c>LIKE '%year_inferred%'</c>.
/// </summary>
public static class TsQuality
{
    /// <summary>The record states the full instant (year, time and UTC offset, or epoch time).</summary>
    public const string Exact = "exact";
    /// <summary>The record has no year; it was inferred from file times / rotation order and rollovers.</summary>
    public const string YearInferred = "year_inferred";
    /// <summary>The record is local time without an offset; the case zone (--tz or etc/localtime) was applied.</summary>
    public const string ZoneAssumed = "zone_assumed";
    public const string YearInferredZoneAssumed = "year_inferred;zone_assumed";
    /// <summary>No usable time in the record.</summary>
    public const string Missing = "missing";

    public static string Combine(bool yearInferred, bool zoneAssumed) => (yearInferred, zoneAssumed) switch
    {
        (false, false) => Exact,
        (true, false) => YearInferred,
        (false, true) => ZoneAssumed,
        _ => YearInferredZoneAssumed,
    };
}
