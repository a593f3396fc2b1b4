using System.IO.Compression;
using SharpCompress.Readers;

namespace Forensics.Pipeline.Evidence.Containers;

/// <summary>
/// zip (PKWARE APPNOTE 6.3.10): stored and deflate(64) members, read through the central directory with the BCL's
/// ZipArchive, which needs a seekable stream: a zip that arrives as a stream (inside a tar or gzip) is spooled
/// first. Why the central directory and not the local headers: only the central directory carries the Unix mode
/// (external attributes, high 16 bits, when "version made by" is Unix; APPNOTE 4.4.15), which is how Info-ZIP
/// stores symlinks (S_IFLNK, content = link text) and devices. When the central directory is missing, damaged or
/// its offsets do not hold (a truncated copy, bytes prepended or inserted), the members are recovered from a scan
/// for their local headers (<see cref="ScanLocalHeaders"/>), and the damage is reported after them. A member whose
/// data does not decompress fails alone (its read error makes it partial or failed; the archive goes on). Zip times are DOS wall-clock times without a zone (APPNOTE 4.4.6); they
/// are taken as UTC, so they are only good to ±14 h (enough for year inference).
/// </summary>
internal sealed class ZipContainer : IContainerFormat
{
    public string Name => "zip";

    // Local file header "PK\3\4"; an empty archive is only an end-of-central-directory record "PK\5\6".
    // A .zip whose first local header is not at 0 (bytes prepended: a self-extractor stub, or damage) is a zip
    // too, as for unzip; its members are then found by the local-header scan.
    public bool Matches(ReadOnlySpan<byte> head, string fileName) =>
        head.StartsWith("PK\x03\x04"u8)
        || (fileName.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) && (head.StartsWith("PK\x05\x06"u8) || head.IndexOf("PK\x03\x04"u8) > 0));

    private const int SIFMT = 0xF000, SIFLNK = 0xA000, SIFCHR = 0x2000, SIFBLK = 0x6000, SIFIFO = 0x1000, SIFSOCK = 0xC000, SIFDIR = 0x4000;

    public IEnumerable<ContainerMember> Members(Stream content, ContainerReadContext context)
    {
        var (spoolStream, readError) = SpoolSeekable(content, context);
        using var spool = spoolStream;
        ZipArchive? archive = null;
        string? directoryError = readError is null ? null : $"the archive could not be read to its end: {readError}";
        if (directoryError is null)
        {
            try
            {
                archive = new ZipArchive(spool, ZipArchiveMode.Read, leaveOpen: true);
                _ = archive.Entries.Count; // the central directory is read here, lazily: its damage shows now, not mid-way
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or ArgumentException or NotSupportedException)
            {
                archive?.Dispose();
                archive = null;
                directoryError = ex.Message;
            }
        }
        if (archive is null)
        {
            foreach (var m in ScanLocalHeaders(spool, directoryError!, context)) yield return m;
            yield break;
        }
        using (archive)
        {
            foreach (var entry in archive.Entries)
            {
                context.Cancel.ThrowIfCancellationRequested();
                if (entry.FullName.EndsWith('/') && entry.Length == 0) continue; // directory
                var (path, traversal) = MemberPaths.Check(entry.FullName);
                DateTime? mtime = DateTime.SpecifyKind(entry.LastWriteTime.DateTime, DateTimeKind.Utc);
                int mode = (entry.ExternalAttributes >> 16) & 0xFFFF;
                string? skip = (mode & SIFMT) switch
                {
                    SIFLNK => "symbolic link (not followed)",
                    SIFCHR => "character device (not read)",
                    SIFBLK => "block device (not read)",
                    SIFIFO => "FIFO (not read)",
                    SIFSOCK => "socket (not read)",
                    SIFDIR => null,
                    _ => null,
                };
                if ((mode & SIFMT) == SIFDIR) continue;
                if (entry.IsEncrypted) skip ??= "encrypted member (not read)";
                string? link = (mode & SIFMT) == SIFLNK && traversal is null ? ReadLinkText(entry) : null;
                if (link is not null) skip = $"symbolic link to '{link}' (not followed)";
                if (traversal is not null || skip is not null)
                {
                    yield return new ContainerMember(path, entry.Length, mtime, null, traversal ?? skip, link);
                    continue;
                }
                var e = entry;
                // ZipArchive does not check the CRC-32 (APPNOTE 4.4.7); a mismatch makes the member partial, as
                // unzip reports "bad CRC" (SharpCompress's reader, used by the scan, checks it itself).
                yield return new ContainerMember(path, entry.Length, mtime,
                    () => OpenGuarded(() => new Crc32CheckingStream(e.Open(), e.Crc32, path), () => e.CompressedLength, context.Limits));
            }
        }
    }

    /// <summary>
    /// Recovery when the central directory is unusable or its offsets do not hold (a truncated copy, bytes inserted
    /// or prepended): every local file header "PK\3\4" (APPNOTE 4.3.7) is looked for in the archive, as Info-ZIP's
    /// unzip does when it reports "extra bytes at beginning or within zipfile", and each one found is read by
    /// SharpCompress's forward-only reader from that offset (methods, data descriptors, zip64 sizes). A header whose
    /// member cannot be read is named with its offset; the scan goes on after it. Local headers carry no Unix mode,
    /// so a symlink recovered this way is read as the small file of its link text (never followed).
    /// </summary>
    private static IEnumerable<ContainerMember> ScanLocalHeaders(Stream spool, string directoryError, ContainerReadContext context)
    {
        var damage = new List<string>();
        int recovered = 0;
        long from = 0;
        while (LocalHeader.Find(spool, from) is { } at)
        {
            context.Cancel.ThrowIfCancellationRequested();
            var header = LocalHeader.Read(spool, at);
            from = header?.NextSearch ?? at + 4;
            if (header is null) continue;
            IReader? reader = null;
            string? error = null;
            try
            {
                reader = ReaderFactory.OpenReader(new SpoolReader(spool, origin: at), new ReaderOptions { LeaveStreamOpen = true });
                if (!reader.MoveToNextEntry()) error = "no member at this header";
            }
            catch (Exception ex) when (ex is not OperationCanceledException) { error = ex.Message; }
            if (error is not null)
            {
                reader?.Dispose();
                damage.Add($"local header at offset {at}: {error}");
                continue;
            }
            using (reader)
            {
                var entry = reader!.Entry;
                if (entry.IsDirectory || entry.Key is null) continue;
                if (entry.Key.Any(char.IsControl))
                {
                    // Fields shifted by damage read as a name of binary junk: that header is damage, not a member.
                    damage.Add($"local header at offset {at}: its name is not text (damaged header)");
                    continue;
                }
                recovered++;
                var (path, traversal) = MemberPaths.Check(entry.Key);
                DateTime? mtime = entry.LastModifiedTime is { } t ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : null;
                if (traversal is not null || entry.IsEncrypted)
                {
                    yield return new ContainerMember(path, entry.Size, mtime, null, traversal ?? "encrypted member (not read)");
                    continue;
                }
                var r = reader;
                long compressed = Math.Max(1, entry.CompressedSize);
                yield return new ContainerMember(path, entry.Size > 0 ? entry.Size : null, mtime,
                    () => OpenGuarded(() => new NonClosingStream(r.OpenEntryStream()), () => compressed, context.Limits));
            }
        }
        throw new ContainerCorruptException($"zip central directory unusable ({directoryError}); {recovered} members were recovered from local headers (found by a scan of the archive)" +
            (damage.Count == 0 ? "" : $"; unreadable: {string.Join("; ", damage.Take(5))}{(damage.Count > 5 ? $" and {damage.Count - 5} more" : "")}"));
    }

    private static Stream OpenGuarded(Func<Stream> open, Func<long> compressed, AcquisitionLimits limits)
    {
        try { return new BombGuardStream(open(), compressed, limits); }
        catch (Exception ex) when (ex is InvalidDataException or NotSupportedException or IOException)
        {
            // Unsupported method (bzip2/lzma/ppmd members) or a damaged local header: the member fails, the archive goes on.
            return new FailingStream($"zip member cannot be opened: {ex.Message}");
        }
    }

    private static string? ReadLinkText(ZipArchiveEntry entry)
    {
        if (entry.Length > 4096) return null;
        try
        {
            using var s = entry.Open();
            var buf = new byte[entry.Length];
            s.ReadExactly(buf);
            return System.Text.Encoding.UTF8.GetString(buf);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or NotSupportedException) { return null; }
    }

    /// <summary>
    /// ZipArchive needs to seek; a streamed zip is copied to memory or, when large, a temporary file. A read error
    /// (a .zip.gz cut short) keeps what was read, for the local-header scan, and is returned with it.
    /// </summary>
    private static (Stream Spool, string? ReadError) SpoolSeekable(Stream content, ContainerReadContext context)
    {
        if (content.CanSeek) return (content, null);
        var spool = new SpoolWriter(context.SpoolDirectory, context.Limits.InMemorySpoolBytes, context.ContainerPath);
        string? readError = null;
        try
        {
            var buffer = new byte[1 << 16];
            while (true)
            {
                context.Cancel.ThrowIfCancellationRequested();
                int n;
                try { n = content.Read(buffer, 0, buffer.Length); }
                catch (Exception ex) when (ex is IOException or InvalidDataException) { readError = ex.Message; break; }
                if (n <= 0) break;
                spool.Write(buffer.AsSpan(0, n));
            }
        }
        catch
        {
            spool.Dispose();
            throw;
        }
        return (spool.Complete(), readError);
    }
}

/// <summary>Computes the CRC-32 of a zip member as it is read and fails at its end when it differs from the archive's.</summary>
internal sealed class Crc32CheckingStream(Stream inner, uint expected, string member) : ForwardOnlyReadStream
{
    private readonly System.IO.Hashing.Crc32 _crc = new();
    private long _read;
    private bool _checked;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        if (n > 0) { _crc.Append(buffer[..n]); _read += n; }
        else if (buffer.Length > 0 && !_checked)
        {
            _checked = true;
            uint actual = _crc.GetCurrentHashAsUInt32();
            if (actual != expected)
                throw new InvalidDataException($"zip member '{member}' fails its CRC-32 check (archive {expected:x8}, data {actual:x8}): its {_read} bytes are not what was archived");
        }
        return n;
    }

    public override long Position { get => _read; set => throw new NotSupportedException(); }
    protected override void Dispose(bool disposing) { if (disposing) inner.Dispose(); base.Dispose(disposing); }
}

/// <summary>A stream whose first read fails with a reason (an unopenable member becomes a failed file, not a crash).</summary>
internal sealed class FailingStream(string reason) : ForwardOnlyReadStream
{
    public override int Read(byte[] buffer, int offset, int count) => throw new IOException(reason);
    public override long Position { get => 0; set => throw new NotSupportedException(); }
}

/// <summary>A zip local file header (APPNOTE 4.3.7: 30 fixed bytes, then name and extra field), found by a scan.</summary>
internal readonly record struct LocalHeader(long Offset, long NextSearch)
{
    private static ReadOnlySpan<byte> Signature => "PK\x03\x04"u8;

    /// <summary>Offset of the next local header signature at or after <paramref name="from"/>, or null.</summary>
    public static long? Find(Stream spool, long from)
    {
        var view = new SpoolReader(spool);
        var buffer = new byte[1 << 16];
        long start = from;
        while (start < view.Length)
        {
            view.Position = start;
            int n = view.Read(buffer, 0, buffer.Length);
            if (n < Signature.Length) return null;
            int i = buffer.AsSpan(0, n).IndexOf(Signature);
            if (i >= 0) return start + i;
            start += n - (Signature.Length - 1); // a signature may straddle two reads
        }
        return null;
    }

    /// <summary>The header at <paramref name="offset"/>; where to look for the next one is past this member's data
    /// when the header gives its size (bit 3 clear, no zip64), else past the header. Null when it is not a header.</summary>
    public static LocalHeader? Read(Stream spool, long offset)
    {
        var view = new SpoolReader(spool, offset);
        Span<byte> h = stackalloc byte[30];
        if (view.Length < 30) return null;
        view.ReadExactly(h);
        if (!h.StartsWith(Signature)) return null;
        ushort flags = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(h[6..]);
        uint compressed = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(h[18..]);
        int nameLength = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(h[26..]);
        int extraLength = System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(h[28..]);
        long dataStart = offset + 30 + nameLength + extraLength;
        bool sizeKnown = (flags & 0x08) == 0 && compressed != uint.MaxValue;
        // Past the data only when the size lands on the next record ("PK": a local header, the central directory,
        // or the end): a damaged size field must not make the scan jump over good members.
        // Otherwise the scan goes on right after this signature: a damaged name or extra length must not hide the
        // next header either (a member whose size is unknown is rescanned; its data rarely holds "PK\3\4").
        long next = sizeKnown && LandsOnRecord(view, dataStart - offset + compressed) ? dataStart + compressed : offset + 4;
        return new LocalHeader(offset, Math.Min(Math.Max(next, offset + 4), spool.Length));
    }

    private static bool LandsOnRecord(SpoolReader view, long at)
    {
        if (at == view.Length) return true;
        if (at < 0 || at + 2 > view.Length) return false;
        Span<byte> pk = stackalloc byte[2];
        view.Position = at;
        view.ReadExactly(pk);
        return pk.SequenceEqual("PK"u8);
    }
}
