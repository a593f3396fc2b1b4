using System.Buffers.Binary;
using System.Text;

namespace Forensics.Pipeline.Formats.Utmp;

/// <summary>
/// Reuses the strings of repeated field values (pts/0, root, the same attacker address) within one batch or
/// one file's sessions: wtmp repeats a few dozen values across millions of records, so this removes most string
/// and IPAddress allocations. Bounded, so a file of unique values (a flood of random hosts) cannot grow it.
/// </summary>
internal sealed class UtmpFieldCache
{
    private const int MaxEntries = 4096;
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly Dictionary<UInt128, string> _addresses = [];

    public UtmpFieldCache() => _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Same result as <see cref="UtmpText.Field"/>.</summary>
    public string? Field(ReadOnlySpan<byte> field)
    {
        int nul = field.IndexOf((byte)0);
        if (nul >= 0) field = field[..nul];
        if (field.IsEmpty) return null;
        if (field.ContainsAnyExceptInRange((byte)0x20, (byte)0x7E) || field.Contains((byte)'\\')) return UtmpText.Field(field);
        Span<char> chars = stackalloc char[256];
        int n = Encoding.ASCII.GetChars(field, chars);
        var key = chars[..n];
        if (_lookup.TryGetValue(key, out var s)) return s;
        s = new string(key);
        if (_strings.Count < MaxEntries) _strings[s] = s;
        return s;
    }

    /// <summary>Same result as <see cref="UtmpText.Address"/>.</summary>
    public string? Address(ReadOnlySpan<byte> addr)
    {
        var key = BinaryPrimitives.ReadUInt128LittleEndian(addr);
        if (key == UInt128.Zero) return null;
        if (_addresses.TryGetValue(key, out var s)) return s;
        s = UtmpText.Address(addr)!;
        if (_addresses.Count < MaxEntries) _addresses[key] = s;
        return s;
    }
}
