namespace Forensics.Pipeline.Formats.Syslog;

/// <summary>
/// Years for year-less (RFC 3164) stamps. Evidence is copied after it was written, so the newest record is
/// no newer than the file's reference time (mtime, gzip header time, or --year): the last record gets the
/// reference year (or the year before, when its month is after the reference month), and every earlier
/// December→January rollover steps one year back. This is the backwards walk plaso and dissect do
/// (fail2ban's "assume now" is wrong for copied archives). A month drop of fewer than six months is taken as
/// out-of-order lines, not a new year.
/// Callers scan the file's months once (<see cref="Observe"/>), then assign years in order (<see cref="Next"/>).
/// </summary>
public sealed class YearInference
{
    private readonly List<int> _months = [];
    private int _rollovers;
    private int _lastMonth;
    private int _year;
    private int _prev;

    public bool HasObservations => _lastMonth != 0;

    /// <summary>First pass: feed each record's month (1..12) in file order.</summary>
    public void Observe(int month)
    {
        if (month == 0) return;
        if (_lastMonth != 0 && IsRollover(_lastMonth, month)) _rollovers++;
        _lastMonth = month;
    }

    /// <summary>Ends the first pass; the year of the first record follows from the reference.</summary>
    public void Start(DateTime? referenceUtc, int? forcedYear)
    {
        int lastYear;
        if (forcedYear is { } y) lastYear = y + _rollovers; // --year names the year the file starts in
        else
        {
            var reference = referenceUtc ?? DateTime.UtcNow;
            lastYear = reference.Year;
            if (_lastMonth > reference.Month) lastYear--;
        }
        _year = lastYear - _rollovers;
        _prev = 0;
        _months.Clear();
    }

    /// <summary>Second pass: the year of the next record with this month (0 when unknown keeps the current year).</summary>
    public int Next(int month)
    {
        if (month == 0) return _year;
        if (_prev != 0 && IsRollover(_prev, month)) _year++;
        _prev = month;
        return _year;
    }

    private static bool IsRollover(int previous, int current) => previous - current >= 6;
}
