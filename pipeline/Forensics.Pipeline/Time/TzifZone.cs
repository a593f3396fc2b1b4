using System.Buffers.Binary;
using System.Text;

namespace Forensics.Pipeline.Time;

/// <summary>
/// A zone read from a TZif file (RFC 8536), e.g. the evidence's <c>etc/localtime</c>. Facts used (RFC 8536 §3):
/// <list type="bullet">
/// <item>header: "TZif", version (0 for 1, '2', '3', '4'), 15 unused bytes, then six big-endian 32-bit counts:
/// isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt.</item>
/// <item>data block: timecnt transition times (32-bit in the v1 block, 64-bit in the v2+ block), timecnt type
/// indices (1 byte), typecnt ttinfo records (32-bit utoff, isdst byte, desigidx byte), charcnt bytes of
/// NUL-terminated designations, leapcnt leap records (time + 32-bit correction), isstdcnt and isutcnt flag bytes.</item>
/// <item>version 2+ files repeat header and block with 64-bit times after the v1 block (readers of v2+ use the
/// second one) and end with a footer: newline, a POSIX TZ string (<see cref="PosixTzRule"/>), newline. The TZ
/// string gives local time after the last transition; it may be empty (no rule).</item>
/// <item>times before the first transition use time type 0; typecnt and charcnt must not be zero.</item>
/// <item>leap records (the "right/" zones) change what the transition times count; they are ignored here and
/// reported, since logs stamp POSIX time.</item>
/// </list>
/// Files written by zic with "-b slim" (most distributions now) carry few transitions and rely on the footer.
/// </summary>
public sealed class TzifZone : LocalZone
{
    public readonly record struct TimeType(int UtcOffsetSeconds, bool IsDst, string Designation);

    private readonly long[] _transitions;
    private readonly byte[] _transitionTypes;
    private readonly TimeType[] _types;
    private readonly PosixTzRule? _footer;

    public override string Id { get; }
    public int Version { get; }
    public string? FooterText { get; }
    public int LeapRecords { get; }
    public IReadOnlyList<long> Transitions => _transitions;
    public IReadOnlyList<TimeType> Types => _types;

    private TzifZone(string id, int version, long[] transitions, byte[] transitionTypes, TimeType[] types, string? footerText, PosixTzRule? footer, int leaps)
    {
        Id = id;
        Version = version;
        _transitions = transitions;
        _transitionTypes = transitionTypes;
        _types = types;
        FooterText = footerText;
        _footer = footer;
        LeapRecords = leaps;
    }

    /// <summary>Reads a TZif file; null with the reason when it is not one or is inconsistent. Never throws on bad input.</summary>
    public static TzifZone? TryRead(ReadOnlySpan<byte> data, string id, out string? error)
    {
        error = null;
        if (!TryHeader(data, out var v1, out error)) return null;
        int version = data[4] switch { 0 => 1, (byte)'2' => 2, (byte)'3' => 3, (byte)'4' => 4, _ => -1 };
        if (version < 0) { error = $"unknown TZif version byte 0x{data[4]:x2}"; return null; }
        long v1Size = BlockSize(v1, timeSize: 4);
        if (44 + v1Size > data.Length) { error = "TZif v1 data block is cut short"; return null; }
        var counts = v1;
        int blockStart = 44, timeSize = 4;
        if (version >= 2)
        {
            var second = data[(int)(44 + v1Size)..];
            if (!TryHeader(second, out counts, out error)) { error = "TZif v2+ second header: " + error; return null; }
            blockStart = (int)(44 + v1Size + 44);
            timeSize = 8;
        }
        long size = BlockSize(counts, timeSize);
        if (blockStart + size > data.Length) { error = $"TZif v{version} data block is cut short"; return null; }
        var block = data.Slice(blockStart, (int)size);
        if (counts.TypeCount == 0 || counts.CharCount == 0) { error = "TZif has no local time types or no designations"; return null; }
        if (counts.IsStdCount is var s && s != 0 && s != counts.TypeCount || counts.IsUtCount is var u && u != 0 && u != counts.TypeCount)
        {
            error = "TZif isstd/isut counts differ from the type count"; return null;
        }

        var transitions = new long[counts.TimeCount];
        int p = 0;
        for (int i = 0; i < transitions.Length; i++, p += timeSize)
        {
            transitions[i] = timeSize == 8 ? BinaryPrimitives.ReadInt64BigEndian(block[p..]) : BinaryPrimitives.ReadInt32BigEndian(block[p..]);
            if (i > 0 && transitions[i] <= transitions[i - 1]) { error = $"TZif transition {i} is not after the one before"; return null; }
        }
        var transitionTypes = block.Slice(p, counts.TimeCount).ToArray();
        p += counts.TimeCount;
        foreach (byte t in transitionTypes)
            if (t >= counts.TypeCount) { error = $"TZif transition names type {t} of {counts.TypeCount}"; return null; }
        var designations = block.Slice(p + counts.TypeCount * 6, counts.CharCount);
        var types = new TimeType[counts.TypeCount];
        for (int i = 0; i < types.Length; i++, p += 6)
        {
            int offset = BinaryPrimitives.ReadInt32BigEndian(block[p..]);
            byte dst = block[p + 4], desig = block[p + 5];
            if (offset == int.MinValue || offset is < -25 * 3600 or > 26 * 3600) { error = $"TZif type {i} has an impossible UTC offset {offset} s"; return null; }
            if (dst > 1 || desig >= counts.CharCount) { error = $"TZif type {i} is malformed"; return null; }
            var name = designations[desig..];
            int nul = name.IndexOf((byte)0);
            types[i] = new TimeType(offset, dst == 1, Encoding.ASCII.GetString(nul < 0 ? name : name[..nul]));
        }

        string? footerText = null;
        PosixTzRule? footer = null;
        if (version >= 2)
        {
            var rest = data[(blockStart + (int)size)..];
            if (rest.Length < 2 || rest[0] != (byte)'\n') { error = "TZif v2+ footer is missing"; return null; }
            int end = rest[1..].IndexOf((byte)'\n');
            if (end < 0) { error = "TZif footer has no closing newline"; return null; }
            footerText = Encoding.ASCII.GetString(rest.Slice(1, end));
            if (footerText.Length > 0)
            {
                footer = PosixTzRule.TryParse(footerText, out string? why);
                if (footer is null) { error = $"TZif footer '{footerText}': {why}"; return null; }
            }
        }
        return new TzifZone(id, version, transitions, transitionTypes, types, footerText, footer, counts.LeapCount);
    }

    private readonly record struct Counts(int IsUtCount, int IsStdCount, int LeapCount, int TimeCount, int TypeCount, int CharCount);

    private static bool TryHeader(ReadOnlySpan<byte> data, out Counts counts, out string? error)
    {
        counts = default;
        error = null;
        if (data.Length < 44 || !data.StartsWith("TZif"u8)) { error = "not a TZif file (no \"TZif\" magic)"; return false; }
        Span<int> c = stackalloc int[6];
        for (int i = 0; i < 6; i++)
        {
            uint v = BinaryPrimitives.ReadUInt32BigEndian(data[(20 + 4 * i)..]);
            if (v > 1 << 20) { error = "TZif count out of range"; return false; }
            c[i] = (int)v;
        }
        if (c[4] > 256) { error = "TZif has more than 256 local time types"; return false; }
        counts = new Counts(c[0], c[1], c[2], c[3], c[4], c[5]);
        return true;
    }

    private static long BlockSize(Counts c, int timeSize) =>
        (long)c.TimeCount * timeSize + c.TimeCount + c.TypeCount * 6L + c.CharCount + c.LeapCount * (timeSize + 4L) + c.IsStdCount + c.IsUtCount;

    /// <summary>Local time type in force at a UTC instant (seconds since the epoch).</summary>
    public (int OffsetSeconds, bool IsDst) At(long utcSeconds)
    {
        if (_transitions.Length == 0)
            return _footer is not null ? _footer.At(utcSeconds) : (_types[0].UtcOffsetSeconds, _types[0].IsDst);
        if (utcSeconds < _transitions[0]) return (_types[0].UtcOffsetSeconds, _types[0].IsDst);
        if (utcSeconds > _transitions[^1] && _footer is not null) return _footer.At(utcSeconds);
        int i = Array.BinarySearch(_transitions, utcSeconds);
        if (i < 0) i = ~i - 1;
        var t = _types[_transitionTypes[i]];
        return (t.UtcOffsetSeconds, t.IsDst);
    }

    public override long OffsetAtUtcTicks(long utcTicks) => At(Seconds(utcTicks)).OffsetSeconds * TimeSpan.TicksPerSecond;

    public override long OffsetTicks(long localTicks)
    {
        long local = Seconds(localTicks);
        // The offsets that may apply: those in force a day either side, and the ones they lead to.
        Span<int> candidates = stackalloc int[4];
        candidates[0] = At(local - 25 * 3600).OffsetSeconds;
        candidates[1] = At(local + 25 * 3600).OffsetSeconds;
        candidates[2] = At(local - candidates[0]).OffsetSeconds;
        candidates[3] = At(local - candidates[1]).OffsetSeconds;
        int best = 0, lowest = int.MaxValue;
        bool found = false, bestDst = false;
        foreach (int o in candidates)
        {
            lowest = Math.Min(lowest, o);
            var (at, dst) = At(local - o);
            if (at != o) continue;
            // Ambiguous (clocks went back): standard time first, then the earlier instant.
            if (!found || (bestDst && !dst) || (bestDst == dst && o > best)) { best = o; bestDst = dst; found = true; }
        }
        // Skipped (clocks jumped forward): the offset before the jump, the smaller one.
        return (found ? best : lowest) * TimeSpan.TicksPerSecond;
    }

    private static long Seconds(long ticks)
    {
        long d = ticks - DateTime.UnixEpoch.Ticks;
        long q = d / TimeSpan.TicksPerSecond;
        return d % TimeSpan.TicksPerSecond < 0 ? q - 1 : q;
    }
}
