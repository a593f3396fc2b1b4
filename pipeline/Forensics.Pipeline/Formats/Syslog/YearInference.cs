namespace Forensics.Pipeline.Formats.Syslog;

/// <summary>
/// Years for year-less (RFC 3164) stamps. Evidence is copied after it was written, so no record is newer than the
/// file's reference time (mtime, gzip header time, the newer sibling of a rotated set) plus
/// <see cref="MaxClockSkew"/>: the newest record of the last year gets the latest year that keeps it there, and
/// every earlier December→January rollover steps one year back. This is the backwards walk plaso and dissect do
/// (fail2ban's "assume now" is wrong for copied archives). A month drop of fewer than six months is taken as
/// out-of-order lines, not a new year.
/// <para>
/// A syslog daemon appends in time order, so a file whose stamps jump back by more than
/// <see cref="BackwardTolerance"/> (not a year rollover), or that would span more than <see cref="MaxRollovers"/>
/// years, is not one log but several put together (concatenated copies, merged files). Walking back through it
/// would invent years (1,100 concatenated copies of three auth logs reach year 1). Such a file gets, record by
/// record, the latest year that keeps the record no newer than the reference, and <see cref="Note"/> says so.
/// </para>
/// Callers scan the file's stamps once (<see cref="Observe"/>), then assign years in order (<see cref="Next"/>).
/// </summary>
public sealed class YearInference
{
    /// <summary>
    /// How much later than the reference time a record may be stamped: the zone of year-less stamps may be
    /// assumed (up to 14 h off) and clocks drift; a day covers both.
    /// </summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromDays(1);
    /// <summary>A backward step larger than this between consecutive records means the file is not in time order.</summary>
    public static readonly TimeSpan BackwardTolerance = TimeSpan.FromDays(1);
    /// <summary>More year rollovers than this is not a log that grew year after year.</summary>
    public const int MaxRollovers = 10;

    private int _rollovers, _backwardJumps;
    private long _prevStamp = -1, _maxSinceRollover = -1, _firstJumpOffset = -1;
    private int _prevMonth;
    private string? _firstJump;

    private bool _independent;
    private DateTime _limit;       // reference + skew, in the file's zone
    private long _limitStamp;
    private int? _forcedYear;
    private int _year;
    private int _prev;

    public bool HasObservations => _prevMonth != 0;

    /// <summary>Set by <see cref="Start"/> when the file is not in time order (for the manifest).</summary>
    public string? Note { get; private set; }

    /// <summary>A line's year-less stamp (month 0 when the line has none or its stamp carries a year).</summary>
    public static SyslogTimestamp.Parsed StampOf(ReadOnlySpan<byte> line) =>
        SyslogTimestamp.TryParse(line, out var p) && !p.HasYear ? p : default;

    /// <summary>First pass: feed each record's stamp in file order (month 0 is ignored).</summary>
    public void Observe(in SyslogTimestamp.Parsed t, long offset)
    {
        if (t.Month == 0) return;
        long stamp = Stamp(t);
        if (_prevMonth != 0)
        {
            if (IsRollover(_prevMonth, t.Month)) { _rollovers++; _maxSinceRollover = -1; }
            else if (stamp < _prevStamp - (long)BackwardTolerance.TotalSeconds)
            {
                if (_backwardJumps++ == 0) { _firstJumpOffset = offset; _firstJump = $"{Show(_prevStamp)} → {Show(stamp)}"; }
            }
        }
        _maxSinceRollover = Math.Max(_maxSinceRollover, stamp);
        _prevStamp = stamp;
        _prevMonth = t.Month;
    }

    /// <summary>Ends the first pass; fixes the year of the last records from the reference.</summary>
    public void Start(DateTime? referenceUtc, int? forcedYear, Time.LocalZone zone)
    {
        var reference = referenceUtc ?? DateTime.UtcNow;
        long utcTicks = reference.Kind == DateTimeKind.Local ? reference.ToUniversalTime().Ticks : reference.Ticks;
        _limit = new DateTime(utcTicks + zone.OffsetAtUtcTicks(utcTicks), DateTimeKind.Unspecified) + MaxClockSkew;
        _limitStamp = Stamp(_limit.Month, _limit.Day, _limit.Hour, _limit.Minute, _limit.Second);
        _forcedYear = forcedYear;
        _independent = _backwardJumps > 0 || _rollovers > MaxRollovers;
        if (_independent)
        {
            Note = _backwardJumps > 0
                ? $"records are not in time order ({_backwardJumps} backward jump(s) of more than {BackwardTolerance.TotalHours:0} h, the first at offset {_firstJumpOffset}: {_firstJump}): several logs put together? Each year-less record got the latest year that keeps it no later than the reference time{(forcedYear is null ? "" : $" (--year {forcedYear} for every record)")}, not a walk back through rollovers"
                : $"{_rollovers} year rollovers (more than {MaxRollovers}): not one log; each year-less record got the latest year that keeps it no later than the reference time{(forcedYear is null ? "" : $" (--year {forcedYear} for every record)")}";
            return;
        }
        int lastYear;
        if (forcedYear is { } y) lastYear = y + _rollovers; // --year names the year the file starts in
        else
        {
            lastYear = _limit.Year;
            if (_maxSinceRollover > _limitStamp) lastYear--;
        }
        _year = lastYear - _rollovers;
        _prev = 0;
    }

    /// <summary>Second pass: the year of the next record (month 0, a line without a year-less stamp, keeps the current year).</summary>
    public int Next(in SyslogTimestamp.Parsed t)
    {
        if (_independent)
        {
            if (_forcedYear is { } y) return y;
            int year = t.Month != 0 && Stamp(t) > _limitStamp ? _limit.Year - 1 : _limit.Year;
            // The latest year in which the date exists: Feb 29 only in a leap year.
            while (t.Month == 2 && t.Day == 29 && !DateTime.IsLeapYear(year)) year--;
            return year;
        }
        if (t.Month == 0) return _year;
        if (_prev != 0 && IsRollover(_prev, t.Month)) _year++;
        _prev = t.Month;
        return _year;
    }

    private static bool IsRollover(int previous, int current) => previous - current >= 6;

    /// <summary>Seconds on a year-less clock (31-day months), for ordering within a year.</summary>
    private static long Stamp(in SyslogTimestamp.Parsed t) => Stamp(t.Month, t.Day, t.Hour, t.Minute, t.Second);
    private static long Stamp(int month, int day, int hour, int minute, int second) => (((month * 32L + day) * 24 + hour) * 60 + minute) * 60 + second;

    private static string Show(long stamp)
    {
        long s = stamp % 60, m = stamp / 60 % 60, h = stamp / 3600 % 24, d = stamp / 86400 % 32, month = stamp / 86400 / 32;
        return $"{System.Globalization.CultureInfo.InvariantCulture.DateTimeFormat.GetAbbreviatedMonthName((int)month)} {d,2} {h:00}:{m:00}:{s:00}";
    }
}
