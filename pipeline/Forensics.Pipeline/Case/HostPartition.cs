using System.Text;

namespace Forensics.Pipeline.Case;

/// <summary>
/// The evidence host of a file (the machine whose copy held it) as a value and as a Hive-style folder name
/// (<c>events/evidence_host=H/format=F/</c>). The value comes from the evidence's etc/hostname, which an attacker
/// on that machine chose, so the folder name is built to be safe whatever it holds: ASCII letters, digits,
/// '.', '_' and '-' stay, every other ASCII byte (/, \, %, =, space, control characters, …) becomes %XX
/// (uppercase hex), and bytes of non-ASCII characters stay as they are. With the fixed "evidence_host=" prefix
/// the name can never be "." or "..", and it holds no '/', so it never leaves its folder.
/// Readers decode it as written: DuckDB url-decodes partition values byte by byte (duckdb#12974), Spark and Hive
/// decode %XX of ASCII characters (Hive's escapePathName leaves non-ASCII characters unescaped, as here).
/// An unknown host (no etc/hostname, no --host) is Hive's null marker, <c>__HIVE_DEFAULT_PARTITION__</c>.
/// </summary>
public static class HostPartition
{
    public const string Key = "evidence_host";
    public const string NullMarker = "__HIVE_DEFAULT_PARTITION__";
    /// <summary>HOST_NAME_MAX on Linux (bytes): the kernel never holds a longer host name, so more is not a host name.</summary>
    public const int MaxBytes = 64;

    /// <summary>The host name as stored: trimmed, at most <see cref="MaxBytes"/> bytes of UTF-8 (cut at a character start); null when empty.</summary>
    public static string? Normalize(string? raw, out bool cut)
    {
        cut = false;
        var host = raw?.Trim();
        if (string.IsNullOrEmpty(host)) return null;
        if (Encoding.UTF8.GetByteCount(host) <= MaxBytes) return host;
        cut = true;
        var sb = new StringBuilder();
        int bytes = 0;
        foreach (var rune in host.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > MaxBytes) break;
            bytes += rune.Utf8SequenceLength;
            sb.Append(rune.ToString());
        }
        return sb.ToString();
    }

    /// <summary>The folder of a host's parts: <c>evidence_host=&lt;escaped&gt;</c>.</summary>
    public static string FolderName(string? host) => Key + "=" + Escape(host);

    /// <summary>The Hive-style escaped value (see the class comment); null gives the null marker.</summary>
    public static string Escape(string? host)
    {
        if (host is null) return NullMarker;
        var sb = new StringBuilder();
        var utf8 = Encoding.UTF8.GetBytes(host);
        for (int i = 0; i < utf8.Length; i++)
        {
            byte b = utf8[i];
            bool keep = b >= 0x80 || b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') or (byte)'.' or (byte)'-' or (byte)'_';
            // A host literally named like the null marker would read back as null: its first '_' is escaped.
            if (i == 0 && host == NullMarker) keep = false;
            if (keep && b >= 0x80)
            {
                int length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
                sb.Append(Encoding.UTF8.GetString(utf8, i, Math.Min(length, utf8.Length - i)));
                i += length - 1;
            }
            else if (keep) sb.Append((char)b);
            else sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    /// <summary>The value a folder name's escaped part stands for (%XX decoded as bytes of UTF-8), null for the null marker.</summary>
    public static string? Unescape(string escaped)
    {
        if (escaped == NullMarker) return null;
        var bytes = new List<byte>();
        var utf8 = Encoding.UTF8.GetBytes(escaped);
        for (int i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'%' && i + 2 < utf8.Length && IsHex(utf8[i + 1]) && IsHex(utf8[i + 2]))
            {
                bytes.Add(Convert.ToByte(Encoding.ASCII.GetString(utf8, i + 1, 2), 16));
                i += 2;
            }
            else bytes.Add(utf8[i]);
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool IsHex(byte b) => b is (>= (byte)'0' and <= (byte)'9') or (>= (byte)'A' and <= (byte)'F') or (>= (byte)'a' and <= (byte)'f');
}
