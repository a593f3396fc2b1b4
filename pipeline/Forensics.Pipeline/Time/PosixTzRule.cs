using System.Globalization;

namespace Forensics.Pipeline.Time;

/// <summary>
/// A POSIX TZ string as found in a TZif footer (POSIX.1-2017 §8.3 TZ; RFC 8536 §3.3 extensions), e.g.
/// <c>CET-1CEST,M3.5.0,M10.5.0/3</c>, <c>&lt;+0330&gt;-3:30</c>, <c>EST5EDT,M3.2.0,M11.1.0</c>. Facts:
/// <list type="bullet">
/// <item><c>std offset [dst [offset] [,start[/time],end[/time]]]</c>; names are 3+ letters or <c>&lt;…&gt;</c>
/// quoted (may hold digits and signs); offsets are hours west of Greenwich (<c>-1</c> is UTC+1), <c>[+-]hh[:mm[:ss]]</c>;
/// the DST offset defaults to one hour ahead of standard.</item>
/// <item>dates: <c>Jn</c> (1–365, February 29 never counted), <c>n</c> (0–365, counted), <c>Mm.w.d</c> (day d, 0 =
/// Sunday, of week w, 5 = the last, of month m); time defaults to 02:00:00 and is local time then in force
/// (standard for the start, daylight for the end). RFC 8536 lets the time be negative or up to 167 hours.</item>
/// <item>DST that spans the new year (southern hemisphere) has start after end; "all year DST" is written as a
/// start on January 1 at 0:00 and an end after December 31 24:00 of standard time.</item>
/// <item>a DST name without rules has no standard default; glibc uses the US rule M3.2.0,M11.1.0, and so does this.</item>
/// </list>
/// </summary>
public sealed class PosixTzRule
{
    private enum DateKind { Julian1, Julian0, MonthWeekDay }
    private readonly record struct RuleDate(DateKind Kind, int Month, int Week, int Day, int DayNumber, int TimeSeconds);

    public string Text { get; }
    public int StdOffsetSeconds { get; }
    public int DstOffsetSeconds { get; }
    public bool HasDst { get; }
    private readonly RuleDate _start, _end;

    private PosixTzRule(string text, int std, int dst, bool hasDst, RuleDate start, RuleDate end)
    {
        Text = text;
        StdOffsetSeconds = std;
        DstOffsetSeconds = dst;
        HasDst = hasDst;
        _start = start;
        _end = end;
    }

    public static PosixTzRule? TryParse(string text, out string? error)
    {
        error = null;
        int i = 0;
        if (!Name(text, ref i)) { error = "no standard-time name"; return null; }
        if (!Offset(text, ref i, maxHours: 24, out int stdWest)) { error = "no standard-time offset"; return null; }
        int std = -stdWest;
        if (i == text.Length) return new PosixTzRule(text, std, std, false, default, default);
        if (!Name(text, ref i)) { error = $"unexpected '{text[i..]}'"; return null; }
        int dst = std + 3600;
        if (i < text.Length && text[i] != ',')
        {
            if (!Offset(text, ref i, maxHours: 24, out int dstWest)) { error = "bad daylight-time offset"; return null; }
            dst = -dstWest;
        }
        RuleDate start, end;
        if (i == text.Length)
        {
            start = new RuleDate(DateKind.MonthWeekDay, 3, 2, 0, 0, 7200);
            end = new RuleDate(DateKind.MonthWeekDay, 11, 1, 0, 0, 7200);
        }
        else
        {
            if (text[i++] != ',' || !Date(text, ref i, out start) || i >= text.Length || text[i++] != ',' || !Date(text, ref i, out end) || i != text.Length)
            {
                error = "bad transition rule"; return null;
            }
        }
        return new PosixTzRule(text, std, dst, true, start, end);
    }

    /// <summary>UTC offset and DST flag at a UTC instant (seconds since the epoch).</summary>
    public (int OffsetSeconds, bool IsDst) At(long utcSeconds)
    {
        if (!HasDst) return (StdOffsetSeconds, false);
        long localStd = utcSeconds + StdOffsetSeconds;
        int year = (int)Math.Clamp(1970 + Math.Floor(localStd / 31556952.0), 2, 9998);
        // The transitions of the year before, the year and the year after, in order: the last one at or before
        // the instant decides. At equal instants the end comes first, so "all year DST" stays DST.
        Span<(long Utc, bool ToDst)> events = stackalloc (long, bool)[6];
        int n = 0;
        for (int y = year - 1; y <= year + 1; y++)
        {
            events[n++] = (LocalSeconds(y, _start) - StdOffsetSeconds, true);
            events[n++] = (LocalSeconds(y, _end) - DstOffsetSeconds, false);
        }
        events.Sort((a, b) => a.Utc != b.Utc ? a.Utc.CompareTo(b.Utc) : a.ToDst.CompareTo(b.ToDst));
        bool isDst = !events[0].ToDst;
        foreach (var (utc, toDst) in events)
        {
            if (utc > utcSeconds) break;
            isDst = toDst;
        }
        return isDst ? (DstOffsetSeconds, true) : (StdOffsetSeconds, false);
    }

    /// <summary>Seconds since the epoch of a rule's transition in a year, in the local time it is written in.</summary>
    private static long LocalSeconds(int year, RuleDate r)
    {
        bool leap = DateTime.IsLeapYear(year);
        int dayOfYear; // 0-based
        switch (r.Kind)
        {
            case DateKind.Julian1:
                dayOfYear = r.DayNumber - 1 + (leap && r.DayNumber >= 60 ? 1 : 0);
                break;
            case DateKind.Julian0:
                dayOfYear = Math.Min(r.DayNumber, leap ? 365 : 364);
                break;
            default:
                var first = new DateTime(year, r.Month, 1);
                int day = 1 + ((r.Day - (int)first.DayOfWeek + 7) % 7) + (r.Week - 1) * 7;
                int length = DateTime.DaysInMonth(year, r.Month);
                while (day > length) day -= 7;
                dayOfYear = first.DayOfYear - 1 + day - 1;
                break;
        }
        long days = (long)(new DateTime(year, 1, 1) - DateTime.UnixEpoch).TotalDays + dayOfYear;
        return days * 86400 + r.TimeSeconds;
    }

    private static bool Name(string s, ref int i)
    {
        if (i < s.Length && s[i] == '<')
        {
            int close = s.IndexOf('>', i);
            if (close < 0 || close - i - 1 < 3) return false;
            i = close + 1;
            return true;
        }
        int start = i;
        while (i < s.Length && char.IsAsciiLetter(s[i])) i++;
        return i - start >= 3;
    }

    private static bool Offset(string s, ref int i, int maxHours, out int seconds)
    {
        seconds = 0;
        int sign = 1;
        if (i < s.Length && (s[i] == '+' || s[i] == '-')) { sign = s[i] == '-' ? -1 : 1; i++; }
        if (!Number(s, ref i, 3, out int h) || h > maxHours) return false;
        int m = 0, sec = 0;
        if (i < s.Length && s[i] == ':')
        {
            i++;
            if (!Number(s, ref i, 2, out m) || m > 59) return false;
            if (i < s.Length && s[i] == ':')
            {
                i++;
                if (!Number(s, ref i, 2, out sec) || sec > 59) return false;
            }
        }
        seconds = sign * (h * 3600 + m * 60 + sec);
        return true;
    }

    private static bool Number(string s, ref int i, int maxDigits, out int value)
    {
        int start = i;
        value = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]) && i - start < maxDigits) value = value * 10 + (s[i++] - '0');
        return i > start;
    }

    private static bool Date(string s, ref int i, out RuleDate date)
    {
        date = default;
        DateKind kind;
        int month = 0, week = 0, day = 0, number = 0;
        if (i < s.Length && s[i] == 'M')
        {
            i++;
            kind = DateKind.MonthWeekDay;
            if (!Number(s, ref i, 2, out month) || month is < 1 or > 12 || i >= s.Length || s[i++] != '.'
                || !Number(s, ref i, 1, out week) || week is < 1 or > 5 || i >= s.Length || s[i++] != '.'
                || !Number(s, ref i, 1, out day) || day > 6) return false;
        }
        else if (i < s.Length && s[i] == 'J')
        {
            i++;
            kind = DateKind.Julian1;
            if (!Number(s, ref i, 3, out number) || number is < 1 or > 365) return false;
        }
        else
        {
            kind = DateKind.Julian0;
            if (!Number(s, ref i, 3, out number) || number > 365) return false;
        }
        int time = 7200;
        if (i < s.Length && s[i] == '/')
        {
            i++;
            if (!Offset(s, ref i, maxHours: 167, out time)) return false;
        }
        date = new RuleDate(kind, month, week, day, number, time);
        return true;
    }

    public override string ToString() => Text.ToString(CultureInfo.InvariantCulture);
}
