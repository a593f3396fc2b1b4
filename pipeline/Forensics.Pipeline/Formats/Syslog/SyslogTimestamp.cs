using System.Buffers.Text;

namespace Forensics.Pipeline.Formats.Syslog;

/// <summary>
/// Timestamps at the start of syslog lines:
/// <list type="bullet">
/// <item>RFC 3164 / BSD: <c>May 21 03:54:46</c>, day space-padded (<c>May  1</c>), no year, local time
/// (rsyslog RSYSLOG_TraditionalFileFormat; also journalctl <c>-o short</c>). Optional fraction
/// (<c>03:54:46.123456</c>, journalctl <c>short-precise</c>).</item>
/// <item>RFC 3339: <c>2024-05-21T03:54:46.123456+00:00</c> (rsyslog RSYSLOG_FileFormat, the default of
/// Debian 12 and Ubuntu 24.04; journalctl <c>short-iso[-precise]</c> writes <c>+0000</c> without a colon).</item>
/// </list>
/// </summary>
public static class SyslogTimestamp
{
    /// <summary>A parsed stamp: either exact UTC micros, or year-less local month/day/time.</summary>
    public struct Parsed
    {
        public bool HasYear;          // RFC 3339: exact instant
        public long UtcMicros;        // when HasYear
        public int Month, Day, Hour, Minute, Second, Micro; // when !HasYear (local wall clock)
        public int Length;            // bytes consumed
    }

    private static ReadOnlySpan<byte> MonthNames => "JanFebMarAprMayJunJulAugSepOctNovDec"u8;

    /// <summary>Month number 1..12 of a three-letter English month name, or 0.</summary>
    public static int Month(ReadOnlySpan<byte> s)
    {
        if (s.Length < 3) return 0;
        var names = MonthNames;
        for (int m = 0; m < 12; m++)
        {
            if (names[m * 3] == s[0] && names[m * 3 + 1] == s[1] && names[m * 3 + 2] == s[2]) return m + 1;
        }
        return 0;
    }

    public static bool TryParse(ReadOnlySpan<byte> s, out Parsed p)
    {
        p = default;
        if (s.Length >= 14 && s[0] >= (byte)'A' && s[0] <= (byte)'Z') return TryParseBsd(s, ref p);
        if (s.Length >= 19 && IsDigit(s[0])) return TryParseIso(s, ref p);
        return false;
    }

    private static bool TryParseBsd(ReadOnlySpan<byte> s, ref Parsed p)
    {
        // "Mmm dd hh:mm:ss": the day is space-padded by rsyslog ("May  1"), zero-padded by some, and
        // unpadded by others ("Jun 7 01:10:56" in fail2ban's sshd samples).
        int month = Month(s);
        if (month == 0 || s[3] != (byte)' ') return false;
        int pos = 4;
        if (s[pos] == (byte)' ') pos++;
        if (pos >= s.Length || !IsDigit(s[pos])) return false;
        int day = s[pos++] - '0';
        if (pos < s.Length && IsDigit(s[pos])) day = day * 10 + (s[pos++] - '0');
        if (pos >= s.Length || s[pos] != (byte)' ') return false;
        pos++;
        if (!TryTime(s[pos..], out int h, out int mi, out int sec)) return false;
        pos += 8;
        int micro = 0;
        if (pos < s.Length && s[pos] == (byte)'.') pos = ParseFraction(s, pos, out micro);
        if (day < 1 || day > 31) return false;
        p = new Parsed { HasYear = false, Month = month, Day = day, Hour = h, Minute = mi, Second = sec, Micro = micro, Length = pos };
        return true;
    }

    private static bool TryParseIso(ReadOnlySpan<byte> s, ref Parsed p)
    {
        // yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|+hh:mm|+hhmm)
        if (!Utf8Parser.TryParse(s[..4], out int year, out int c) || c != 4) return false;
        if (s[4] != (byte)'-' || s[7] != (byte)'-' || (s[10] != (byte)'T' && s[10] != (byte)' ')) return false;
        if (!TwoDigits(s, 5, out int month) || !TwoDigits(s, 8, out int day)) return false;
        if (!TryTime(s[11..], out int h, out int mi, out int sec)) return false;
        int pos = 19;
        int micro = 0;
        if (pos < s.Length && (s[pos] == (byte)'.' || s[pos] == (byte)',')) pos = ParseFraction(s, pos, out micro);
        if (pos >= s.Length) return false;
        int offsetMinutes;
        if (s[pos] == (byte)'Z') { offsetMinutes = 0; pos++; }
        else if (s[pos] == (byte)'+' || s[pos] == (byte)'-')
        {
            int sign = s[pos] == (byte)'-' ? -1 : 1;
            if (!TwoDigits(s, pos + 1, out int oh)) return false;
            int q = pos + 3;
            if (q < s.Length && s[q] == (byte)':') q++;
            if (!TwoDigits(s, q, out int om)) return false;
            offsetMinutes = sign * (oh * 60 + om);
            pos = q + 2;
        }
        else return false;
        if (month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Clamp(year, 1, 9999), month) || year < 1) return false;
        var local = new DateTime(year, month, day, h, mi, sec, DateTimeKind.Unspecified);
        long micros = (local.Ticks - DateTime.UnixEpoch.Ticks) / 10 + micro - offsetMinutes * 60_000_000L;
        p = new Parsed { HasYear = true, UtcMicros = micros, Length = pos };
        return true;
    }

    private static bool TryTime(ReadOnlySpan<byte> s, out int h, out int m, out int sec)
    {
        h = m = sec = 0;
        if (s.Length < 8 || s[2] != (byte)':' || s[5] != (byte)':') return false;
        if (!TwoDigits(s, 0, out h) || !TwoDigits(s, 3, out m) || !TwoDigits(s, 6, out sec)) return false;
        // 60 is a legal leap second in syslog; DateTime cannot hold it, so it is clamped by the caller.
        return h < 24 && m < 60 && sec <= 60;
    }

    private static int ParseFraction(ReadOnlySpan<byte> s, int pos, out int micro)
    {
        pos++; // '.'
        micro = 0;
        int digits = 0;
        while (pos < s.Length && IsDigit(s[pos]))
        {
            if (digits < 6) micro = micro * 10 + (s[pos] - '0');
            digits++;
            pos++;
        }
        for (int d = digits; d < 6; d++) micro *= 10;
        return pos;
    }

    private static bool TwoDigits(ReadOnlySpan<byte> s, int at, out int value)
    {
        value = 0;
        if (at + 1 >= s.Length || !IsDigit(s[at]) || !IsDigit(s[at + 1])) return false;
        value = (s[at] - '0') * 10 + (s[at + 1] - '0');
        return true;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    /// <summary>Converts a year-less local stamp to UTC micros, or null when the date does not exist in that year (Feb 29).</summary>
    public static long? ToUtcMicros(in Parsed p, int year, Time.LocalZone zone)
    {
        if (p.Month < 1 || year < 1 || year > 9999 || p.Day > DateTime.DaysInMonth(year, p.Month)) return null;
        int sec = Math.Min(p.Second, 59);
        var local = new DateTime(year, p.Month, p.Day, p.Hour, p.Minute, sec, DateTimeKind.Unspecified);
        // Ambiguous or skipped local times (DST changes) resolve as LocalZone.OffsetTicks says (standard time first).
        long utcTicks = zone.IsUtc ? local.Ticks : zone.ToUtcTicks(local.Ticks);
        return (utcTicks - DateTime.UnixEpoch.Ticks) / 10 + p.Micro + (p.Second - sec) * 1_000_000L;
    }
}
