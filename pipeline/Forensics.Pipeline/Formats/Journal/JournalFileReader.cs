using System.Buffers.Binary;
using System.Text;
using K4os.Compression.LZ4;

namespace Forensics.Pipeline.Formats.Journal;

/// <summary>
/// Managed reader of systemd's native journal file, written from systemd docs/JOURNAL_FILE_FORMAT.md
/// (systemd/systemd main, "Header", "Objects", "Data Objects", "Entry Objects", "Entry Array Objects").
/// All integers are little-endian; objects are 8-byte aligned and start with a 16-byte ObjectHeader
/// (type u8, flags u8, reserved[6], size le64).
///
/// Quirks handled (source in brackets):
/// - Header size grew: 208 bytes up to tail_entry_monotonic (v187), 224 (n_data/n_fields), 240 (n_tags,
///   n_entry_arrays), 256 (hash chain depths, v246), 264/272 (compact tail_entry_array_*, tail_entry_offset,
///   v252/v254). Only fields up to 208 are needed here; the arena starts at header_size ["Header"]. plaso#4728 broke on 256.
/// - Incompatible flags: COMPRESSED_XZ=1, COMPRESSED_LZ4=2, KEYED_HASH=4, COMPRESSED_ZSTD=8, COMPACT=16.
///   Keyed hash only changes hash values, which this reader does not verify (lookups are not needed to
///   enumerate entries).
/// - COMPACT (v252): DATA payload starts at 72 instead of 64 (tail_entry_array_offset le32 +
///   tail_entry_array_n_entries le32 added); ENTRY items are le32 offsets (no hash); ENTRY_ARRAY items le32.
/// - Object flags: COMPRESSED_XZ=1 (xz stream), COMPRESSED_LZ4=2 (le64 uncompressed size + LZ4 block),
///   COMPRESSED_ZSTD=4 (zstd frame) ["Data Objects"; src/libsystemd/sd-journal/compress.c].
/// - Entries are enumerated in file order by walking the entry-array chain from header.entry_array_offset
///   (unused trailing slots of the last array are 0). A dirty file (state ONLINE, `.journal~`) or a damaged
///   one may have a broken chain: then objects are scanned linearly from header_size and every ENTRY found
///   is used (like Velociraptor's go-journalctl), resynchronising on 8-byte boundaries after garbage.
/// - Hashes (jenkins or siphash24 keyed by file_id) and TAG (FSS) objects are not verified.
/// Bounds: every offset/size is checked against the file length; arrays are walked with a visited set, and no
/// allocation is sized from the file without a cap (<see cref="MaxFieldBytes"/>, <see cref="MaxEntryItems"/>).
/// </summary>
public sealed class JournalFileReader : IDisposable
{
    public static ReadOnlySpan<byte> Signature => "LPKSHHRH"u8;
    public const int MinHeaderSize = 208;
    /// <summary>Larger values (after decompression) are rejected: journald's own cap is 768 MiB, far above real data.</summary>
    public const int MaxFieldBytes = 64 << 20;
    public const int MaxEntryItems = 1 << 16;

    private const byte ObjData = 1, ObjField = 2, ObjEntry = 3, ObjDataHashTable = 4, ObjFieldHashTable = 5, ObjEntryArray = 6, ObjTag = 7;
    private const uint IncompatXz = 1, IncompatLz4 = 2, IncompatKeyedHash = 4, IncompatZstd = 8, IncompatCompact = 16;
    private const byte ObjCompressedXz = 1, ObjCompressedLz4 = 2, ObjCompressedZstd = 4;

    private readonly PagedFile _file;
    private readonly Dictionary<long, JournalField> _dataCache = new();
    private const int DataCacheLimit = 200_000;
    private byte[] _scratch = new byte[4096];

    public JournalHeader Header { get; }
    public bool Compact => (Header.IncompatibleFlags & IncompatCompact) != 0;
    public long Length => _file.Length;

    private JournalFileReader(PagedFile file, JournalHeader header)
    {
        _file = file;
        Header = header;
    }

    /// <summary>Opens a journal; returns null with a reason when the header is not a readable journal header.</summary>
    /// <param name="ownsStream">Dispose the stream with the reader (a parse worker's own open of the file).</param>
    public static JournalFileReader? Open(Stream stream, out string? error, bool ownsStream = false)
    {
        var file = new PagedFile(stream, ownsStream);
        Span<byte> h = stackalloc byte[MinHeaderSize];
        if (!file.TryRead(0, h)) { error = $"file of {file.Length} bytes is shorter than the {MinHeaderSize}-byte journal header"; return null; }
        if (!h[..8].SequenceEqual(Signature)) { error = "bad signature (not LPKSHHRH)"; return null; }
        var header = JournalHeader.Parse(h);
        if (header.HeaderSize < MinHeaderSize || header.HeaderSize > 1 << 20 || header.HeaderSize % 8 != 0)
        { error = $"implausible header_size {header.HeaderSize}"; return null; }
        error = null;
        return new JournalFileReader(file, header);
    }

    public void Dispose()
    {
        _file.Dispose();
        _zstd?.Dispose();
    }

    /// <summary>What enumeration yields: an entry, or damage at an offset.</summary>
    public readonly record struct Item(long Offset, JournalRecord? Entry, JournalDamage? Damage, int RawLength);

    /// <summary>Entries in file order, decoded, plus damage records; never throws on bad data.</summary>
    public IEnumerable<Item> ReadAll(CancellationToken cancel = default)
    {
        foreach (var item in Locate(cancel))
        {
            if (item.Damage is not null) { yield return item; continue; }
            var entry = TryReadEntry(item.Offset, out string? reason);
            yield return entry is not null ? item with { Entry = entry } : new Item(item.Offset, null, new JournalDamage(reason!), 0);
        }
    }

    /// <summary>
    /// Where the entries are, in file order (an item without entry or damage is an ENTRY object to decode with
    /// <see cref="TryReadEntry"/>), plus damage records: the ordered part, done once per file by the framer;
    /// decoding the entries is left to the parse workers.
    /// </summary>
    public IEnumerable<Item> Locate(CancellationToken cancel = default)
    {
        var offsets = WalkEntryArrays(out string? chainProblem);
        var damage = new List<(long Offset, int Length, string Reason)>();
        bool scanned = false;
        if (chainProblem is not null || (ulong)offsets.Count != Header.NEntries)
        {
            // Dirty or damaged file: recover entries the chain does not reach by scanning every object.
            var scan = ScanObjects(damage, cancel);
            scanned = true;
            var set = new HashSet<long>(offsets);
            foreach (var o in scan) set.Add(o);
            offsets = [.. set];
            offsets.Sort();
        }
        int di = 0;
        foreach (long off in offsets)
        {
            cancel.ThrowIfCancellationRequested();
            while (di < damage.Count && damage[di].Offset < off)
            {
                var d = damage[di++];
                yield return new Item(d.Offset, null, new JournalDamage(d.Reason), d.Length);
            }
            yield return new Item(off, null, null, 0);
        }
        while (di < damage.Count)
        {
            var d = damage[di++];
            yield return new Item(d.Offset, null, new JournalDamage(d.Reason), d.Length);
        }
        if ((ulong)offsets.Count < Header.NEntries)
        {
            string why = chainProblem ?? "entry array chain ends early";
            yield return new Item((long)Header.HeaderSize, null,
                new JournalDamage($"header announces {Header.NEntries} entries but only {offsets.Count} entry objects are reachable ({why}{(scanned ? "; linear scan done" : "")}); the rest are lost (truncated or overwritten file)"), 0);
        }
    }

    /// <summary>Reads raw bytes of a region for a reject (capped by the caller).</summary>
    public byte[] ReadRaw(long offset, int length)
    {
        length = (int)Math.Max(0, Math.Min(length, _file.Length - offset));
        var buf = new byte[length];
        if (length > 0 && !_file.TryRead(offset, buf)) return [];
        return buf;
    }

    private List<long> WalkEntryArrays(out string? problem)
    {
        problem = null;
        var result = new List<long>((int)Math.Min(Header.NEntries, 1_000_000));
        var visited = new HashSet<long>();
        long arr = (long)Math.Min(Header.EntryArrayOffset, long.MaxValue);
        int itemSize = Compact ? 4 : 8;
        Span<byte> oh = stackalloc byte[24];
        while (arr != 0)
        {
            if (!visited.Add(arr)) { problem = $"entry array cycle at offset {arr}"; break; }
            if (!ValidOffset(arr) || !_file.TryRead(arr, oh)) { problem = $"entry array offset {arr} outside the file"; break; }
            byte type = oh[0];
            ulong size = BinaryPrimitives.ReadUInt64LittleEndian(oh[8..]);
            if (type != ObjEntryArray || size < 24 || (ulong)arr + size > (ulong)_file.Length)
            { problem = $"bad entry array object at offset {arr} (type {type}, size {size})"; break; }
            long next = (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(oh[16..]), long.MaxValue);
            int n = (int)((size - 24) / (ulong)itemSize);
            var items = Rent(n * itemSize);
            if (!_file.TryRead(arr + 24, items.AsSpan(0, n * itemSize))) { problem = $"entry array at {arr} unreadable"; break; }
            bool ended = false;
            for (int i = 0; i < n; i++)
            {
                long o = Compact ? BinaryPrimitives.ReadUInt32LittleEndian(items.AsSpan(i * 4))
                                 : (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(items.AsSpan(i * 8)), long.MaxValue);
                if (o == 0) { ended = true; break; }
                if (!ValidOffset(o)) { problem ??= $"entry array at {arr} points outside the file ({o})"; continue; }
                result.Add(o);
            }
            if (ended) break;
            arr = next;
        }
        return result;
    }

    private bool ValidOffset(long o) => o >= (long)Header.HeaderSize && o % 8 == 0 && o <= _file.Length - 16;

    private static bool PlausibleObject(ReadOnlySpan<byte> oh, long offset, long fileLength, out long size)
    {
        byte type = oh[0];
        ulong s = BinaryPrimitives.ReadUInt64LittleEndian(oh[8..]);
        size = (long)Math.Min(s, long.MaxValue);
        if (type < ObjData || type > ObjTag) return false;
        if ((oh[1] & ~(ObjCompressedXz | ObjCompressedLz4 | ObjCompressedZstd)) != 0) return false;
        for (int i = 2; i < 8; i++) if (oh[i] != 0) return false;
        if (s < 16 || s > (ulong)(fileLength - offset)) return false;
        return true;
    }

    /// <summary>Linear walk of the arena; collects ENTRY offsets and records unparseable regions as damage.</summary>
    private List<long> ScanObjects(List<(long, int, string)> damage, CancellationToken cancel)
    {
        var entries = new List<long>();
        long end = _file.Length;
        if (Header.HeaderSize + Header.ArenaSize is var a && a > Header.HeaderSize && a < (ulong)end) end = (long)a;
        long p = (long)Header.HeaderSize;
        Span<byte> oh = stackalloc byte[16];
        long garbageStart = -1;
        int steps = 0;
        while (p + 16 <= end)
        {
            if ((++steps & 0xFFFF) == 0) cancel.ThrowIfCancellationRequested();
            if (!_file.TryRead(p, oh)) break;
            if (oh[0] == 0 && BinaryPrimitives.ReadUInt64LittleEndian(oh[8..]) == 0 && garbageStart < 0)
            {
                // Zeroes: unwritten tail of a preallocated file (journald grows files in steps), not damage.
                if (AllZeroFrom(p, end)) break;
            }
            if (PlausibleObject(oh, p, _file.Length, out long size))
            {
                if (garbageStart >= 0) { AddGarbage(damage, garbageStart, p); garbageStart = -1; }
                if (oh[0] == ObjEntry) entries.Add(p);
                p += (size + 7) & ~7L;
                continue;
            }
            if (garbageStart < 0) garbageStart = p;
            p += 8;
        }
        if (garbageStart >= 0) AddGarbage(damage, garbageStart, Math.Min(p, end));
        return entries;
    }

    private bool AllZeroFrom(long p, long end)
    {
        Span<byte> buf = stackalloc byte[512];
        long limit = Math.Min(end, p + (1 << 20));
        for (long q = p; q < limit; q += buf.Length)
        {
            int n = (int)Math.Min(buf.Length, limit - q);
            if (!_file.TryRead(q, buf[..n])) return true;
            if (buf[..n].ContainsAnyExcept((byte)0)) return false;
        }
        return true;
    }

    private static void AddGarbage(List<(long, int, string)> damage, long from, long to)
    {
        long len = to - from;
        damage.Add((from, (int)Math.Min(len, int.MaxValue), $"unparseable journal region of {len} bytes (no valid object header; corrupted or partially written)"));
    }

    private byte[] Rent(int n)
    {
        if (_scratch.Length < n) _scratch = new byte[Math.Max(n, _scratch.Length * 2)];
        return _scratch;
    }

    /// <summary>Decodes the ENTRY object at <paramref name="offset"/> and its DATA objects; null with a reason when damaged.</summary>
    public JournalRecord? TryReadEntry(long offset, out string? reason)
    {
        Span<byte> eh = stackalloc byte[64];
        if (!ValidOffset(offset) || !_file.TryRead(offset, eh)) { reason = $"entry offset {offset} outside the file (truncated?)"; return null; }
        if (eh[0] != ObjEntry) { reason = $"object at {offset} is type {eh[0]}, not ENTRY"; return null; }
        ulong size = BinaryPrimitives.ReadUInt64LittleEndian(eh[8..]);
        if (size < 64 || size > (ulong)(_file.Length - offset)) { reason = $"entry at {offset} has size {size} beyond the file end (truncated?)"; return null; }
        int itemSize = Compact ? 4 : 16;
        ulong nItems = (size - 64) / (ulong)itemSize;
        if (nItems > MaxEntryItems) { reason = $"entry at {offset} claims {nItems} items (cap {MaxEntryItems})"; return null; }
        var rec = new JournalRecord
        {
            Fields = new List<JournalField>((int)nItems),
            Seqnum = (long)BinaryPrimitives.ReadUInt64LittleEndian(eh[16..]),
            RealtimeUs = (long)BinaryPrimitives.ReadUInt64LittleEndian(eh[24..]),
            MonotonicUs = (long)BinaryPrimitives.ReadUInt64LittleEndian(eh[32..]),
            BootId = BootIdText(eh.Slice(40, 16)),
        };
        ulong xor = BinaryPrimitives.ReadUInt64LittleEndian(eh[56..]);
        int itemBytes = (int)nItems * itemSize;
        var items = Items(itemBytes);
        if (!_file.TryRead(offset + 64, items.AsSpan(0, itemBytes))) { reason = $"entry at {offset}: items unreadable"; return null; }
        for (int i = 0; i < (int)nItems; i++)
        {
            long d = Compact ? BinaryPrimitives.ReadUInt32LittleEndian(items.AsSpan(i * 4))
                             : (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(items.AsSpan(i * 16)), long.MaxValue);
            var field = ReadData(d, out reason);
            if (field is null) { reason = $"entry at {offset}, item {i}: {reason}"; return null; }
            rec.Fields.Add(field);
        }
        rec.CursorParts = new JournalCursor(_seqnumId ??= Convert.ToHexStringLower(Header.SeqnumId), rec.Seqnum!.Value, rec.BootId, rec.MonotonicUs!.Value, rec.RealtimeUs!.Value, xor);
        reason = null;
        return rec;
    }

    private string? _seqnumId;
    private byte[] _items = new byte[1024];
    private readonly byte[] _lastBoot = new byte[16];
    private string? _lastBootText;

    private byte[] Items(int length)
    {
        if (_items.Length < length) _items = new byte[Math.Max(length, _items.Length * 2)];
        return _items;
    }

    /// <summary>Entries of one boot share its id: one string per boot, not per entry.</summary>
    private string BootIdText(ReadOnlySpan<byte> id)
    {
        if (_lastBootText is null || !id.SequenceEqual(_lastBoot))
        {
            id.CopyTo(_lastBoot);
            _lastBootText = Convert.ToHexStringLower(id);
        }
        return _lastBootText;
    }

    private JournalField? ReadData(long offset, out string? reason)
    {
        if (_dataCache.TryGetValue(offset, out var cached)) { reason = null; return cached; }
        int headerSize = Compact ? 72 : 64;
        Span<byte> dh = stackalloc byte[16];
        if (!ValidOffset(offset) || !_file.TryRead(offset, dh)) { reason = $"data offset {offset} outside the file"; return null; }
        if (dh[0] != ObjData) { reason = $"object at {offset} is type {dh[0]}, not DATA"; return null; }
        ulong size = BinaryPrimitives.ReadUInt64LittleEndian(dh[8..]);
        if (size < (ulong)headerSize || size > (ulong)(_file.Length - offset)) { reason = $"data object at {offset} has bad size {size}"; return null; }
        if (size - (ulong)headerSize > MaxFieldBytes) { reason = $"data object at {offset} is {size} bytes (cap {MaxFieldBytes})"; return null; }
        int payloadLen = (int)(size - (ulong)headerSize);
        var payload = Rent(payloadLen);
        if (!_file.TryRead(offset + headerSize, payload.AsSpan(0, payloadLen))) { reason = $"data at {offset} unreadable"; return null; }
        byte flags = dh[1];
        byte[]? plain;
        if ((flags & (ObjCompressedXz | ObjCompressedLz4 | ObjCompressedZstd)) != 0)
        {
            plain = Decompress(flags, payload.AsSpan(0, payloadLen), out reason);
            if (plain is null) { reason = $"data at {offset}: {reason}"; return null; }
        }
        else plain = null;
        ReadOnlySpan<byte> kv = plain ?? payload.AsSpan(0, payloadLen);
        int eq = kv.IndexOf((byte)'=');
        if (eq <= 0) { reason = $"data at {offset} has no FIELD= name"; return null; }
        var name = FieldName(kv[..eq]);
        var field = JournalField.Of(name, kv[(eq + 1)..]);
        // Values that repeat across entries (host, unit, comm, boot id …) are worth keeping; messages and
        // timestamps are nearly all unique, and keeping them only promoted garbage into the old generation.
        if (!IsMostlyUnique(name, kv.Length))
        {
            if (_dataCache.Count >= DataCacheLimit) _dataCache.Clear();
            _dataCache[offset] = field;
        }
        reason = null;
        return field;
    }

    private static bool IsMostlyUnique(string name, int length) =>
        length > 512 || name == "MESSAGE" || name.EndsWith("TIMESTAMP", StringComparison.Ordinal) || name == "SYSLOG_PID" || name == "_PID";

    private readonly Dictionary<uint, (byte[] Bytes, string Name)> _names = new();

    private string FieldName(ReadOnlySpan<byte> name)
    {
        // Field names are few (tens per file): intern them so entries do not each allocate the same names.
        uint h = 2166136261;
        foreach (byte b in name) h = (h ^ b) * 16777619;
        if (_names.TryGetValue(h, out var hit) && hit.Bytes.AsSpan().SequenceEqual(name)) return hit.Name;
        var s = Encoding.UTF8.GetString(name);
        if (_names.Count < 10_000) _names[h] = (name.ToArray(), s);
        return s;
    }

    private ZstdSharp.Decompressor? _zstd;

    private byte[]? Decompress(byte flags, ReadOnlySpan<byte> src, out string? reason)
    {
        reason = null;
        try
        {
            if ((flags & ObjCompressedLz4) != 0)
            {
                if (src.Length < 8) { reason = "LZ4 payload shorter than its 8-byte size prefix"; return null; }
                ulong n = BinaryPrimitives.ReadUInt64LittleEndian(src);
                if (n > MaxFieldBytes) { reason = $"LZ4 size prefix {n} over cap"; return null; }
                var dst = new byte[(int)n];
                int got = LZ4Codec.Decode(src[8..], dst);
                if (got != (int)n) { reason = $"LZ4 decode gave {got} of {n} bytes"; return null; }
                return dst;
            }
            if ((flags & ObjCompressedZstd) != 0)
            {
                var z = _zstd ??= new ZstdSharp.Decompressor();
                ulong? frame = ZstdSharp.Decompressor.GetDecompressedSize(src) is var fs and > 0 ? fs : null;
                if (frame is > MaxFieldBytes) { reason = $"ZSTD frame size {frame} over cap"; return null; }
                if (frame is { } known)
                {
                    var dst = new byte[(int)known];
                    int got = z.Unwrap(src, dst);
                    if (got != dst.Length) { reason = $"ZSTD decode gave {got} of {known} bytes"; return null; }
                    return dst;
                }
                using var ms0 = new MemoryStream(src.ToArray(), false);
                using var zs = new ZstdSharp.DecompressionStream(ms0);
                return ReadCapped(zs, out reason);
            }
            if ((flags & ObjCompressedXz) != 0)
            {
                using var ms = new MemoryStream(src.ToArray(), false);
                using var xz = new SharpCompress.Compressors.Xz.XZStream(ms);
                return ReadCapped(xz, out reason);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Third-party decoders signal corrupt input with assorted exception types; it is data damage here.
            reason = $"decompression failed ({ex.GetType().Name}: {ex.Message})";
            return null;
        }
        reason = "unknown compression flag";
        return null;
    }

    private static byte[]? ReadCapped(Stream s, out string? reason)
    {
        using var outMs = new MemoryStream();
        var buf = new byte[81920];
        int n;
        while ((n = s.Read(buf, 0, buf.Length)) > 0)
        {
            outMs.Write(buf, 0, n);
            if (outMs.Length > MaxFieldBytes) { reason = $"decompressed value over cap {MaxFieldBytes}"; return null; }
        }
        reason = null;
        return outMs.ToArray();
    }
}

/// <summary>The header fields this reader uses (offsets from JOURNAL_FILE_FORMAT.md "Header").</summary>
public readonly record struct JournalHeader(
    uint CompatibleFlags, uint IncompatibleFlags, byte State, byte[] FileId, byte[] MachineId, byte[] SeqnumId,
    ulong HeaderSize, ulong ArenaSize, ulong NObjects, ulong NEntries, ulong EntryArrayOffset)
{
    public static JournalHeader Parse(ReadOnlySpan<byte> h) => new(
        BinaryPrimitives.ReadUInt32LittleEndian(h[8..]),
        BinaryPrimitives.ReadUInt32LittleEndian(h[12..]),
        h[16],
        h.Slice(24, 16).ToArray(),
        h.Slice(40, 16).ToArray(),
        h.Slice(72, 16).ToArray(),
        BinaryPrimitives.ReadUInt64LittleEndian(h[88..]),
        BinaryPrimitives.ReadUInt64LittleEndian(h[96..]),
        BinaryPrimitives.ReadUInt64LittleEndian(h[144..]),
        BinaryPrimitives.ReadUInt64LittleEndian(h[152..]),
        BinaryPrimitives.ReadUInt64LittleEndian(h[176..]));

    /// <summary>0 OFFLINE, 1 ONLINE (dirty: journald had it open), 2 ARCHIVED.</summary>
    public string StateName => State switch { 0 => "offline", 1 => "online", 2 => "archived", _ => $"unknown({State})" };
}

/// <summary>
/// Positioned reads over a seekable stream through a bounded cache of 64 KiB pages: journal objects are
/// small and scattered, and DATA objects are shared across entries, so a page cache beats per-object reads.
/// </summary>
internal sealed class PagedFile(Stream stream, bool ownsStream) : IDisposable
{
    private const int PageShift = 16, PageSize = 1 << PageShift;
    private const int MaxPages = 1024; // 64 MiB
    private readonly Dictionary<long, byte[]> _pages = new();
    public long Length { get; } = stream.Length;

    public bool TryRead(long offset, Span<byte> dst)
    {
        if (offset < 0 || dst.Length > Length - offset) return false;
        while (!dst.IsEmpty)
        {
            long page = offset >> PageShift;
            int within = (int)(offset & (PageSize - 1));
            var p = GetPage(page);
            int n = Math.Min(dst.Length, PageSize - within);
            p.AsSpan(within, n).CopyTo(dst);
            dst = dst[n..];
            offset += n;
        }
        return true;
    }

    private byte[] GetPage(long page)
    {
        if (_pages.TryGetValue(page, out var p)) return p;
        if (_pages.Count >= MaxPages) _pages.Clear();
        p = new byte[PageSize];
        long start = page << PageShift;
        stream.Position = start;
        int want = (int)Math.Min(PageSize, Length - start);
        stream.ReadAtLeast(p.AsSpan(0, want), want, throwOnEndOfStream: false);
        _pages[page] = p;
        return p;
    }

    public void Dispose()
    {
        _pages.Clear();
        if (ownsStream) stream.Dispose();
    }
}
