using System.Net;
using System.Text;

namespace Forensics.Pipeline.Formats.Utmp;

/// <summary>
/// Text of utmp fields. The char arrays are fixed-width, NUL-padded and not NUL-terminated when full
/// (<c>__attribute_nonstring__</c> in bits/utmp.h), so a field ends at its first NUL or its width.
/// utmpdump replaces bytes outside 0x20..0x7E with '?' (util-linux login-utils/utmpdump.c, cleanse());
/// we keep them recoverable instead: valid UTF-8 stays, other bytes and control bytes become <c>\xHH</c>.
/// </summary>
public static class UtmpText
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    /// <summary>The field's text, or null when it is empty.</summary>
    public static string? Field(ReadOnlySpan<byte> field)
    {
        int nul = field.IndexOf((byte)0);
        if (nul >= 0) field = field[..nul];
        if (field.IsEmpty) return null;
        if (IsPlainAscii(field)) return Encoding.ASCII.GetString(field);
        return Escape(field);
    }

    private static bool IsPlainAscii(ReadOnlySpan<byte> s)
    {
        foreach (byte b in s) if (b < 0x20 || b > 0x7E || b == (byte)'\\') return false;
        return true;
    }

    private static string Escape(ReadOnlySpan<byte> s)
    {
        var sb = new StringBuilder(s.Length + 8);
        int i = 0;
        while (i < s.Length)
        {
            byte b = s[i];
            if (b >= 0x80)
            {
                int len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
                if (len > 1 && i + len <= s.Length)
                {
                    try
                    {
                        sb.Append(StrictUtf8.GetString(s.Slice(i, len)));
                        i += len;
                        continue;
                    }
                    catch (DecoderFallbackException) { }
                }
                sb.Append("\\x").Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else if (b < 0x20 || b == 0x7F) sb.Append("\\x").Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            else if (b == (byte)'\\') sb.Append("\\\\");
            else sb.Append((char)b);
            i++;
        }
        return sb.ToString();
    }

    /// <summary>
    /// The address as utmpdump prints it (utmpdump.c print_utline): IPv6 when any of words 1..3 is set,
    /// otherwise the IPv4 address in word 0. Null when all 16 bytes are zero.
    /// </summary>
    public static string? Address(ReadOnlySpan<byte> addr)
    {
        if (!addr.ContainsAnyExcept((byte)0)) return null;
        if (addr[4..].ContainsAnyExcept((byte)0)) return new IPAddress(addr).ToString();
        return new IPAddress(addr[..4]).ToString();
    }

    /// <summary>ut_host as an address when it is one (sshd writes the numeric address there with UseDNS no).</summary>
    public static string? HostAsIp(string? host)
    {
        if (host is null || host.Length > 45 || (host.IndexOf('.') < 0 && host.IndexOf(':') < 0)) return null;
        var core = host.AsSpan();
        int pct = core.IndexOf('%');
        if (pct >= 0) core = core[..pct];
        if (!IPAddress.TryParse(core, out var ip)) return null;
        // IPAddress.TryParse accepts "1.2" and friends; only dotted quads or real IPv6 text count.
        if (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && core.Count('.') != 3) return null;
        return ip.ToString();
    }

    /// <summary>utmpdump's time text in UTC: <c>2013-12-13T14:45:09,688666+00:00</c>.</summary>
    public static string IsoComma(long sec, long usec)
    {
        var t = DateTime.UnixEpoch.AddSeconds(sec);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{t:yyyy-MM-dd'T'HH:mm:ss},{usec:D6}+00:00");
    }
}
