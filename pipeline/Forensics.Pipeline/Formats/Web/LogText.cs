using System.Text;
using System.Text.Unicode;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats.Web;

/// <summary>Byte → string helpers for log text that may hold escapes, ANSI colours or invalid UTF-8.</summary>
public static class LogText
{
    /// <summary>
    /// Decodes UTF-8; bytes that are not valid UTF-8 become the four characters <c>\xHH</c> (the escape nginx
    /// itself uses), so binary garbage (TLS handshakes sent to an HTTP port) stays inspectable and reversible
    /// instead of collapsing into U+FFFD. NUL and other control bytes are valid UTF-8 and are kept as they are.
    /// </summary>
    public static string Lossless(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes)) return Encoding.UTF8.GetString(bytes);
        var sb = new StringBuilder(bytes.Length + 16);
        while (!bytes.IsEmpty)
        {
            var status = System.Text.Rune.DecodeFromUtf8(bytes, out var rune, out int consumed);
            if (status == System.Buffers.OperationStatus.Done) sb.Append(rune.ToString());
            else
            {
                for (int i = 0; i < consumed; i++) sb.Append("\\x").Append(bytes[i].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                if (consumed == 0) { consumed = 1; sb.Append("\\x").Append(bytes[0].ToString("X2", System.Globalization.CultureInfo.InvariantCulture)); }
            }
            bytes = bytes[consumed..];
        }
        return sb.ToString();
    }

    /// <summary>True when the line holds an ANSI CSI sequence (ESC '[').</summary>
    public static bool HasAnsi(ReadOnlySpan<byte> s) => s.IndexOf((byte)0x1b) >= 0;

    /// <summary>
    /// Copies <paramref name="s"/> without ANSI SGR sequences (<c>ESC [ params m</c>, what Werkzeug's
    /// <c>_ansi_style</c> writes) into <paramref name="dest"/>; returns the length written.
    /// </summary>
    public static int StripAnsi(ReadOnlySpan<byte> s, Span<byte> dest)
    {
        int w = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == 0x1b && i + 1 < s.Length && s[i + 1] == (byte)'[')
            {
                int j = i + 2;
                while (j < s.Length && (char.IsAsciiDigit((char)s[j]) || s[j] == (byte)';')) j++;
                if (j < s.Length && s[j] >= 0x40 && s[j] <= 0x7e) { i = j; continue; }
            }
            dest[w++] = s[i];
        }
        return w;
    }

    /// <summary>
    /// Undoes the escaping Apache (<c>\"</c>, <c>\\</c>, <c>\xhh</c>) and nginx (<c>\xHH</c>) apply to logged
    /// request lines and headers (Apache mod_log_config "ap_escape_logitem"; nginx ngx_http_log_module
    /// <c>escape=default</c>). When the unescaped bytes are not clean UTF-8 text (control bytes, invalid
    /// sequences) the escaped form is kept instead: it is what the server wrote and loses nothing.
    /// </summary>
    public static string Unescape(ReadOnlySpan<byte> s)
    {
        if (s.IndexOf((byte)'\\') < 0) return Lossless(s);
        Span<byte> buf = s.Length <= 1024 ? stackalloc byte[s.Length] : new byte[s.Length];
        return TryUnescape(s, buf, out int written) ? Encoding.UTF8.GetString(buf[..written]) : Lossless(s);
    }

    /// <summary>
    /// Unescapes <paramref name="s"/> into <paramref name="dest"/> (at least as long as <paramref name="s"/>); false
    /// when the result is not clean UTF-8 text, in which case <see cref="Unescape"/> keeps the escaped form.
    /// </summary>
    private static bool TryUnescape(ReadOnlySpan<byte> s, Span<byte> dest, out int written)
    {
        int w = 0;
        for (int i = 0; i < s.Length; i++)
        {
            byte b = s[i];
            if (b == (byte)'\\' && i + 1 < s.Length)
            {
                byte n = s[i + 1];
                if (n is (byte)'"' or (byte)'\\') { dest[w++] = n; i++; continue; }
                if (n == (byte)'x' && i + 3 < s.Length && IsHex(s[i + 2]) && IsHex(s[i + 3]))
                {
                    dest[w++] = (byte)(Hex(s[i + 2]) << 4 | Hex(s[i + 3]));
                    i += 3;
                    continue;
                }
            }
            dest[w++] = b;
        }
        written = w;
        var decoded = dest[..w];
        if (!Utf8.IsValid(decoded)) return false;
        foreach (byte b in decoded)
            if (b < 0x20 || b == 0x7f) return false;
        return true;
    }

    // The same values set straight into an event's row as UTF-8: no string per field on the ingest path
    // (user agents, targets and referers were 250-550 bytes of strings per access-log line).

    // knownValid: the bytes are a slice, cut at ASCII delimiters, of a line already found to be valid UTF-8 (an
    // ASCII byte is never inside a multi-byte sequence, so such a slice is valid too): validated once per line.

    /// <summary>Sets <paramref name="column"/> to <see cref="Lossless"/> of the bytes.</summary>
    public static void SetLossless(ForensicEvent e, ExtraColumn column, ReadOnlySpan<byte> bytes, bool knownValid = false)
    {
        if (knownValid || Utf8.IsValid(bytes)) e.SetUtf8(column, bytes);
        else e.Set(column, Lossless(bytes));
    }

    /// <summary>Sets <paramref name="column"/> to <see cref="Unescape"/> of the bytes.</summary>
    public static void SetUnescaped(ForensicEvent e, ExtraColumn column, ReadOnlySpan<byte> s, bool knownValid = false)
    {
        if (s.IndexOf((byte)'\\') < 0) { SetLossless(e, column, s, knownValid); return; }
        if (TryUnescape(s, e.Utf8Scratch(s.Length), out int written)) e.CommitUtf8(column, written);
        else e.Set(column, Lossless(s));
    }

    /// <summary>Sets the message to <see cref="Lossless"/> of the line (control bytes kept, invalid UTF-8 as <c>\xHH</c>).</summary>
    public static void SetMessage(ForensicEvent e, ReadOnlySpan<byte> line, bool knownValid = false)
    {
        if (!knownValid && !Utf8.IsValid(line)) { e.Message = Lossless(line); return; }
        line.CopyTo(e.MessageScratch(line.Length));
        e.CommitMessage(line.Length);
    }

    internal static bool IsHex(byte b) => char.IsAsciiHexDigit((char)b);
    internal static int Hex(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
