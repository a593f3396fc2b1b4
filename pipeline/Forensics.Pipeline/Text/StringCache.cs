using System.Runtime.CompilerServices;
using System.Text;

namespace Forensics.Pipeline.Text;

/// <summary>
/// A small per-thread cache from UTF-8 bytes to strings for low-cardinality fields (host, process, unit,
/// user names, IPs), so ten million lines from "sshd" on "droplet1" allocate those strings once.
/// Direct-mapped: a collision simply replaces the slot.
/// </summary>
public sealed class StringCache
{
    [ThreadStatic] private static StringCache? s_current;
    public static StringCache Current => s_current ??= new StringCache();

    private const int Slots = 4096;
    private readonly byte[]?[] _keys = new byte[Slots][];
    private readonly string?[] _values = new string[Slots];

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > 64 || Utf8Text.NeedsEscaping(utf8)) return Utf8Text.Decode(utf8);
        int slot = (int)((uint)HashCode(utf8) % Slots);
        var key = _keys[slot];
        if (key is not null && utf8.SequenceEqual(key)) return _values[slot]!;
        var value = Encoding.UTF8.GetString(utf8);
        _keys[slot] = utf8.ToArray();
        _values[slot] = value;
        return value;
    }

    private readonly string?[] _charValues = new string[Slots];

    /// <summary>The same for text classifiers cut from a decoded message: hashed and compared as chars, no transcoding.</summary>
    public string Get(ReadOnlySpan<char> chars)
    {
        if (chars.Length > 64) return chars.ToString();
        var h = new HashCode();
        h.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(chars));
        int slot = (int)((uint)h.ToHashCode() % Slots);
        var cached = _charValues[slot];
        if (cached is not null && chars.SequenceEqual(cached)) return cached;
        var value = chars.ToString();
        _charValues[slot] = value;
        return value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int HashCode(ReadOnlySpan<byte> s)
    {
        var h = new HashCode();
        h.AddBytes(s);
        return h.ToHashCode();
    }
}
