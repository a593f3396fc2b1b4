using System.Text;

namespace Forensics.Pipeline.Text;

/// <summary>
/// Makes evidence text safe to print on a terminal: control characters (C0, DEL, C1, and the bidi overrides
/// used to disguise text) are shown as \xHH / \u{...} escapes, so a crafted log line or user name cannot move
/// the cursor, recolour the screen or rewrite the title (terminal escape injection).
/// </summary>
public static class TerminalText
{
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        int i = 0;
        while (i < text.Length && !IsUnsafe(text[i])) i++;
        if (i == text.Length) return text;
        var sb = new StringBuilder(text.Length + 16);
        sb.Append(text, 0, i);
        for (; i < text.Length; i++)
        {
            char c = text[i];
            if (!IsUnsafe(c)) sb.Append(c);
            else if (c < 0x100) sb.Append("\\x").Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            else sb.Append("\\u{").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture)).Append('}');
        }
        return sb.ToString();
    }

    /// <summary>
    /// True when UTF-8 text may hold a character <see cref="Escape(string?)"/> changes; a cheap byte scan that lets
    /// exports copy clean fields as bytes. Lead bytes 0xC2 (C1 controls) and 0xE2 (bidi overrides) are only
    /// suspects: such fields are decoded and escaped, which leaves their other characters as they are.
    /// </summary>
    public static bool MayNeedEscape(ReadOnlySpan<byte> utf8)
    {
        foreach (byte b in utf8)
            if (b < 0x20 || b == 0x7f || b == 0xc2 || b == 0xe2) return true;
        return false;
    }

    private static bool IsUnsafe(char c) =>
        c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
}
