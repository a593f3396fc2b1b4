using System.Net;

namespace Forensics.Pipeline.Text;

/// <summary>
/// IP address checks on spans without an <see cref="IPAddress"/> per call: logs from bots name a new address on
/// almost every line, and <c>IPAddress.TryParse</c> allocates the object it parses (36 bytes per line on the
/// sshd path). The common case, a canonical dotted quad, is checked here; anything else falls back to
/// <see cref="IPAddress.TryParse(ReadOnlySpan{char}, out IPAddress?)"/>, so what counts as an address is unchanged.
/// </summary>
public static class AddressText
{
    /// <summary>True when <paramref name="s"/> is an IP address (IPv4 in any form .NET accepts, or IPv6).</summary>
    public static bool IsAddress(ReadOnlySpan<char> s) => IsCanonicalIPv4(s, out _) || IPAddress.TryParse(s, out _);

    /// <summary>"a.b.c.d", each part 0..255 in decimal without leading zeros; <paramref name="value"/> in network order (a is the top byte).</summary>
    public static bool IsCanonicalIPv4(ReadOnlySpan<char> s, out uint value)
    {
        value = 0;
        if (s.Length is < 7 or > 15) return false;
        int parts = 0, i = 0;
        while (true)
        {
            int start = i, part = 0;
            while (i < s.Length && char.IsAsciiDigit(s[i]) && i - start < 3) part = part * 10 + (s[i++] - '0');
            int digits = i - start;
            if (digits == 0 || part > 255 || (digits > 1 && s[start] == '0')) return false;
            value = (value << 8) | (uint)part;
            if (++parts == 4) return i == s.Length;
            if (i == s.Length || s[i] != '.') return false;
            i++;
        }
    }

    /// <summary>The same check on UTF-8 bytes.</summary>
    public static bool IsCanonicalIPv4(ReadOnlySpan<byte> s, out uint value)
    {
        value = 0;
        if (s.Length is < 7 or > 15) return false;
        Span<char> chars = stackalloc char[15];
        for (int i = 0; i < s.Length; i++) chars[i] = (char)s[i];
        return IsCanonicalIPv4(chars[..s.Length], out value);
    }

    /// <summary>The canonical text of a value from <see cref="IsCanonicalIPv4(ReadOnlySpan{char}, out uint)"/>.</summary>
    public static string FormatIPv4(uint value) =>
        $"{value >> 24}.{(value >> 16) & 0xFF}.{(value >> 8) & 0xFF}.{value & 0xFF}";
}
