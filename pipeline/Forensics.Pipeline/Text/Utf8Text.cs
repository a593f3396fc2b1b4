using System.Text;
using System.Text.Unicode;

namespace Forensics.Pipeline.Text;

/// <summary>
/// Turns evidence bytes into stored strings. Valid UTF-8 is decoded as is; bytes that are not valid UTF-8
/// and NUL bytes are written as <c>\xHH</c>, so the text stays readable, nothing is silently replaced by
/// U+FFFD, and the exact bytes remain recoverable from source_file + source_offset.
/// </summary>
public static class Utf8Text
{
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return string.Empty;
        if (!NeedsEscaping(bytes)) return Encoding.UTF8.GetString(bytes);
        return DecodeEscaped(bytes);
    }

    /// <summary>True when <see cref="Decode"/> had to escape something.</summary>
    public static bool NeedsEscaping(ReadOnlySpan<byte> bytes) => !Utf8.IsValid(bytes) || bytes.IndexOf((byte)0) >= 0;

    private static string DecodeEscaped(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length + 16);
        Span<char> chars = stackalloc char[2];
        while (!bytes.IsEmpty)
        {
            var status = System.Text.Rune.DecodeFromUtf8(bytes, out var rune, out int consumed);
            if (status == System.Buffers.OperationStatus.Done && rune.Value != 0)
            {
                int n = rune.EncodeToUtf16(chars);
                sb.Append(chars[..n]);
            }
            else
            {
                consumed = Math.Max(consumed, 1);
                for (int i = 0; i < consumed; i++) sb.Append("\\x").Append(bytes[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }
            bytes = bytes[consumed..];
        }
        return sb.ToString();
    }
}
