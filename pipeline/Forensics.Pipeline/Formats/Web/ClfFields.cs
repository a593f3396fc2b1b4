using System.Buffers.Text;

namespace Forensics.Pipeline.Formats.Web;

/// <summary>
/// Scanners for the pieces of NCSA Common Log Format lines that Apache, nginx, gunicorn and Werkzeug share:
/// the bracketed time, the quoted request, status and size. Shared by every access-log format so that none
/// carries its own copy.
/// </summary>
public static class ClfFields
{
    /// <summary>
    /// Parses <c>dd/Mon/yyyy:HH:MM:SS +hhmm</c> (Apache <c>%t</c>, nginx <c>$time_local</c>, gunicorn <c>%(t)s</c>:
    /// exact, the offset is in the record) or Werkzeug's <c>dd/Mon/yyyy HH:MM:SS</c>
    /// (<c>BaseHTTPRequestHandler.log_date_time_string</c>: local time without zone, so <paramref name="zone"/>
    /// is applied and <paramref name="zoneAssumed"/> set).
    /// </summary>
    public static bool TryParseTime(ReadOnlySpan<byte> s, Time.LocalZone zone, ref ZoneCache cache, out long micros, out bool zoneAssumed)
    {
        micros = 0;
        zoneAssumed = false;
        if (s.Length < 20 || s[2] != (byte)'/' || s[6] != (byte)'/' || s[14] != (byte)':' || s[17] != (byte)':') return false;
        if (!Two(s, 0, out int day) || !Four(s, 7, out int year) || !Two(s, 12, out int hour) || !Two(s, 15, out int minute) || !Two(s, 18, out int second)) return false;
        int month = Month(s.Slice(3, 3));
        if (month == 0 || year < 1 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 60) return false;
        if (second == 60) second = 59; // leap second: keep the record, clamp to the last representable second
        long localTicks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).Ticks;
        if (s[11] == (byte)':')
        {
            // "+hhmm" after a space, as strftime %z writes it.
            if (s.Length != 26 || s[20] != (byte)' ' || s[21] is not ((byte)'+' or (byte)'-') || !Two(s, 22, out int oh) || !Two(s, 24, out int om) || oh > 23 || om > 59) return false;
            long offsetTicks = (oh * 60L + om) * TimeSpan.TicksPerMinute * (s[21] == (byte)'-' ? -1 : 1);
            micros = (localTicks - offsetTicks - DateTime.UnixEpoch.Ticks) / 10;
            return true;
        }
        if (s[11] != (byte)' ' || s.Length != 20) return false;
        micros = (localTicks - cache.Offset(zone, localTicks) - DateTime.UnixEpoch.Ticks) / 10;
        zoneAssumed = true;
        return true;
    }

    /// <summary>
    /// In <paramref name="s"/> (which starts at the opening quote of <c>"%r"</c>), finds the closing quote that is
    /// followed by <c> NNN </c> (status, then size or end). Quotes escaped as <c>\"</c> are skipped; raw quotes
    /// that old Apache versions let through stay inside the request because no status follows them.
    /// </summary>
    public static int FindRequestEnd(ReadOnlySpan<byte> s)
    {
        for (int i = 1; i < s.Length; i++)
        {
            if (s[i] == (byte)'\\') { i++; continue; }
            if (s[i] == (byte)'"' && IsStatusAt(s, i + 1)) return i;
        }
        return -1;
    }

    /// <summary>True when <c> NNN</c> followed by a space or the end starts at <paramref name="i"/>.</summary>
    public static bool IsStatusAt(ReadOnlySpan<byte> s, int i) =>
        i + 4 <= s.Length && s[i] == (byte)' ' && char.IsAsciiDigit((char)s[i + 1]) && char.IsAsciiDigit((char)s[i + 2]) && char.IsAsciiDigit((char)s[i + 3])
        && (i + 4 == s.Length || s[i + 4] == (byte)' ');

    /// <summary>Parses <c>NNN SIZE</c> (size digits or <c>-</c>); returns bytes consumed or -1.</summary>
    public static int ParseStatusAndSize(ReadOnlySpan<byte> s, out int status, out long? size)
    {
        size = null;
        status = 0;
        if (s.Length < 3 || !Utf8Parser.TryParse(s[..3], out status, out int used) || used != 3) return -1;
        int pos = 3;
        if (pos == s.Length) return pos; // size missing: still a record, size unknown
        if (s[pos] != (byte)' ') return -1;
        pos++;
        var rest = s[pos..];
        int end = rest.IndexOf((byte)' ');
        var tok = end < 0 ? rest : rest[..end];
        if (tok.Length == 1 && tok[0] == (byte)'-') return pos + 1;
        if (!Utf8Parser.TryParse(tok, out long n, out used) || used != tok.Length || n < 0) return -1;
        size = n;
        return pos + tok.Length;
    }

    /// <summary>Reads a <c>"quoted"</c> field at the start of <paramref name="s"/> (backslash escapes skipped); returns its content.</summary>
    public static bool TryReadQuoted(ReadOnlySpan<byte> s, out ReadOnlySpan<byte> content, out int consumed)
    {
        content = default;
        consumed = 0;
        if (s.IsEmpty || s[0] != (byte)'"') return false;
        for (int i = 1; i < s.Length; i++)
        {
            if (s[i] == (byte)'\\') { i++; continue; }
            if (s[i] == (byte)'"' && (i + 1 == s.Length || s[i + 1] == (byte)' '))
            {
                content = s[1..i];
                consumed = i + 1;
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// A client address as logged: IPv4, IPv6 (possibly with a %scope), or null for host names written by
    /// HostnameLookups / unix sockets (kept in message only). Cheap character check, not a full parse.
    /// </summary>
    public static string? ClientAddress(ReadOnlySpan<byte> s) => IsClientAddress(s) ? System.Text.Encoding.ASCII.GetString(s) : null;

    /// <summary>The check of <see cref="ClientAddress"/> without making the string (the ingest path sets the bytes: <see cref="SetClient"/>).</summary>
    public static bool IsClientAddress(ReadOnlySpan<byte> s)
    {
        if (s.IsEmpty || s.Length > 64 || (s.Length == 1 && s[0] == (byte)'-')) return false;
        bool sep = false;
        foreach (byte b in s)
        {
            if (b is (byte)'.' or (byte)':') sep = true;
            else if (!(char.IsAsciiHexDigit((char)b) || b == (byte)'%')) return false;
        }
        return sep;
    }

    /// <summary>Sets src_ip to the client field when it is an address (host names stay in the message only).</summary>
    public static void SetClient(Model.ForensicEvent e, ReadOnlySpan<byte> s)
    {
        if (IsClientAddress(s)) e.SetSrcIp(s);
    }

    /// <summary><see cref="DashIsNull"/> set straight into a column (no string).</summary>
    public static void SetDashIsNull(Model.ForensicEvent e, Model.ExtraColumn column, ReadOnlySpan<byte> s, bool knownValid = false)
    {
        if (!(s.IsEmpty || (s.Length == 1 && s[0] == (byte)'-'))) LogText.SetUnescaped(e, column, s, knownValid);
    }

    /// <summary>A CLF field where <c>-</c> means absent.</summary>
    public static string? DashIsNull(ReadOnlySpan<byte> s) =>
        s.IsEmpty || (s.Length == 1 && s[0] == (byte)'-') ? null : LogText.Unescape(s);

    internal static bool Two(ReadOnlySpan<byte> s, int i, out int v)
    {
        uint a = (uint)(s[i] - '0'), b = (uint)(s[i + 1] - '0');
        v = (int)(a * 10 + b);
        return a <= 9 && b <= 9;
    }

    internal static bool Four(ReadOnlySpan<byte> s, int i, out int v)
    {
        v = 0;
        for (int k = 0; k < 4; k++)
        {
            uint d = (uint)(s[i + k] - '0');
            if (d > 9) return false;
            v = v * 10 + (int)d;
        }
        return true;
    }

    internal static int Month(ReadOnlySpan<byte> m)
    {
        if (m.Length != 3) return 0;
        int key = m[0] << 16 | m[1] << 8 | m[2];
        return key switch
        {
            'J' << 16 | 'a' << 8 | 'n' => 1, 'F' << 16 | 'e' << 8 | 'b' => 2, 'M' << 16 | 'a' << 8 | 'r' => 3,
            'A' << 16 | 'p' << 8 | 'r' => 4, 'M' << 16 | 'a' << 8 | 'y' => 5, 'J' << 16 | 'u' << 8 | 'n' => 6,
            'J' << 16 | 'u' << 8 | 'l' => 7, 'A' << 16 | 'u' << 8 | 'g' => 8, 'S' << 16 | 'e' << 8 | 'p' => 9,
            'O' << 16 | 'c' << 8 | 't' => 10, 'N' << 16 | 'o' << 8 | 'v' => 11, 'D' << 16 | 'e' << 8 | 'c' => 12,
            _ => 0,
        };
    }
}

/// <summary>
/// Caches a zone's UTC offset per local hour: logs are written in time order, so most lines hit the cache.
/// DST transitions fall on whole (or half) hours; within one local hour the offset does not change, except
/// inside the repeated hour of a fall-back transition, where local time is ambiguous anyway (the zone's
/// standard offset is used, see LocalZone.OffsetTicks).
/// </summary>
public struct ZoneCache
{
    private long _hourKey;
    private long _offsetTicks;
    private Time.LocalZone? _zone;

    public long Offset(Time.LocalZone zone, long localTicks)
    {
        long key = localTicks / TimeSpan.TicksPerHour;
        if (!ReferenceEquals(zone, _zone) || key != _hourKey)
        {
            _zone = zone;
            _hourKey = key;
            _offsetTicks = zone.OffsetTicks(localTicks);
        }
        return _offsetTicks;
    }
}
