using System.Security.Cryptography;

namespace Forensics.Pipeline.Evidence;

/// <summary>
/// Turns input paths (files, folders, compressed files, archives, nested to <see cref="AcquisitionLimits.MaxNesting"/>)
/// into <see cref="EvidenceFile"/>s. Evidence is only ever opened read-only; compressed and archived content is
/// streamed into a spool (memory, or a temporary file for large members) while both the stored and the
/// decompressed bytes are hashed. Nothing is extracted next to the evidence.
/// </summary>
public sealed class EvidenceDiscovery(AcquisitionLimits limits, string spoolDirectory)
{
    private const int HeadSize = Formats.ILogFormat.SniffBytes;

    /// <summary>
    /// Listing mode (the cheap pre-pass, see <see cref="Stages.EvidenceListing"/>): only files this predicate wants
    /// (by relative path) are read; every other leaf is yielded with its name and times but no content, and only
    /// members whose names look like archives are descended into. Null (the default) reads everything.
    /// </summary>
    public Func<string, bool>? ListingWants { get; init; }

    private bool Listing => ListingWants is not null;

    /// <summary>Skip reason of the name-and-times-only leaves that listing mode yields.</summary>
    public const string ListedOnly = "listed only (pre-pass)";

    public IEnumerable<EvidenceFile> Discover(IEnumerable<string> inputs, CancellationToken cancel)
    {
        int index = 0;
        foreach (var input in inputs)
        {
            foreach (var file in DiscoverInput(input, cancel))
            {
                file.InputIndex = index;
                yield return file;
            }
            index++;
        }
    }

    private IEnumerable<EvidenceFile> DiscoverInput(string input, CancellationToken cancel)
    {
        var full = Path.GetFullPath(input);
        if (Directory.Exists(full))
        {
            // Ordinal order keeps runs reproducible whatever the file system returns.
            var files = Directory.EnumerateFiles(full, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false })
                .Order(StringComparer.Ordinal);
            foreach (var file in files)
            {
                cancel.ThrowIfCancellationRequested();
                var relative = Path.GetRelativePath(full, file).Replace(Path.DirectorySeparatorChar, '/');
                foreach (var e in FromDisk(file, relative, cancel)) yield return e;
            }
        }
        else if (FileKind.Special(full) is { } special)
        {
            // Given directly, a FIFO or device is a mistake, not evidence found in a folder: refused (exit 1).
            yield return new EvidenceFile { SourcePath = full, RelativePath = Path.GetFileName(full), FileName = Path.GetFileName(full), FailureReason = $"{special}, not a regular file: refused as an input (never opened)" };
        }
        else if (File.Exists(full))
        {
            foreach (var e in FromDisk(full, Path.GetFileName(full), cancel)) yield return e;
        }
        else
        {
            yield return new EvidenceFile { SourcePath = input, RelativePath = input, FileName = Path.GetFileName(input), FailureReason = "no such file or folder" };
        }
    }

    private IEnumerable<EvidenceFile> FromDisk(string path, string relative, CancellationToken cancel)
    {
        var info = new FileInfo(path);
        if (Listing && !ListingWants!(relative) && !Containers.MemberPaths.LooksLikeArchive(info.Name))
        {
            yield return new EvidenceFile { SourcePath = path, RelativePath = relative, FileName = info.Name, ModifiedUtc = info.LastWriteTimeUtc, SkipReason = ListedOnly };
            yield break;
        }
        if (info.LinkTarget is not null)
        {
            // The link text is kept (never followed): etc/localtime's names the machine's zone.
            yield return new EvidenceFile { SourcePath = path, RelativePath = relative, FileName = info.Name, SkipReason = $"symbolic link to {info.LinkTarget} (not followed)", LinkTarget = info.LinkTarget };
            yield break;
        }
        if (FileKind.Special(path) is { } special)
        {
            // Never opened: a FIFO would block the run, a device would never end.
            yield return new EvidenceFile { SourcePath = path, RelativePath = relative, FileName = info.Name, ModifiedUtc = info.LastWriteTimeUtc, SkipReason = $"{special}, not a regular file: not read" };
            yield break;
        }
        if ((info.Attributes & (FileAttributes.Device | FileAttributes.ReparsePoint)) != 0)
        {
            yield return new EvidenceFile { SourcePath = path, RelativePath = relative, FileName = info.Name, SkipReason = "not a regular file" };
            yield break;
        }
        Stream raw;
        string? openError = null;
        bool atimePreserved = false;
        try { raw = EvidenceOpen.Read(path, out atimePreserved); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { raw = Stream.Null; openError = ex.Message; }
        if (openError is not null)
        {
            yield return new EvidenceFile { SourcePath = path, RelativePath = relative, FileName = info.Name, FailureReason = $"cannot open: {openError}" };
            yield break;
        }
        foreach (var e in Expand(raw, path, relative, info.Name, info.LastWriteTimeUtc, depth: 0, diskPath: path, storedCounter: null, cancel))
        {
            // Every entry read through this open (the file, or an archive's members) shares its atime fate.
            e.AtimePreserved = atimePreserved;
            yield return e;
        }
    }

    // Not a lambda inside the iterator: it would capture the iterator, and with it the file's 64 KiB head and
    // read buffers, for as long as the EvidenceFile lives (10 k small files kept 650 MB alive that way).
    private static Func<Stream> ReopenerFor(string path) => () => EvidenceOpen.Read(path, out _);

    /// <summary>Recognises compression and containers in <paramref name="raw"/> (which this method disposes) and yields leaves.</summary>
    /// <param name="storedCounter">Bytes consumed of the outermost stored stream (for per-member bomb ratios); null at the top.</param>
    /// <param name="hashed">Set when <paramref name="raw"/> already reads through this layer's hash (a decompressed stream that turned out to be an archive): each byte is hashed once.</param>
    /// <param name="sizeHint">The size the archive declares for this member, when it does (sizes the spool).</param>
    private IEnumerable<EvidenceFile> Expand(Stream raw, string sourcePath, string relative, string name, DateTime? mtime, int depth, string? diskPath, Func<long>? storedCounter, CancellationToken cancel, Layer? outerLayer = null, HashingReadStream? hashed = null, long? sizeHint = null)
    {
        var hashing = hashed ?? new HashingReadStream(raw, hash: !Listing);
        storedCounter ??= () => hashing.BytesRead;
        var (head, headLength, stream) = PrefixedStream.Peek(hashed is null ? hashing : raw, HeadSize);
        var headSpan = head.AsSpan(0, headLength);

        var compression = Compression.Detect(headSpan);
        var container = compression is null ? FindContainer(head.AsSpan(0, headLength), name) : null;
        if ((compression is not null || container is not null) && depth >= limits.MaxNesting)
        {
            stream.Dispose();
            yield return new EvidenceFile { SourcePath = sourcePath, RelativePath = relative, FileName = name, FailureReason = $"nested deeper than {limits.MaxNesting} archive/compression layers" };
            yield break;
        }

        if (compression is not null)
        {
            var gzipTime = Compression.GzipHeaderTime(headSpan);
            var innerName = compression.StripSuffix(name);
            var innerRelative = relative.EndsWith(name, StringComparison.Ordinal) ? relative[..^name.Length] + innerName : relative;
            if (Listing && !ListingWants!(innerRelative) && !Containers.MemberPaths.LooksLikeArchive(innerName) && !Containers.MemberPaths.LooksLikeArchive(name))
            {
                stream.Dispose();
                yield return new EvidenceFile { SourcePath = sourcePath + "!", RelativePath = innerRelative, FileName = innerName, ModifiedUtc = mtime, GzipTimeUtc = gzipTime, Compression = compression.Name, SkipReason = ListedOnly };
                yield break;
            }
            // Decompressors may close their input at end of stream (seen with the xz/bzip2/zstd streams); the stored
            // hash must still read to the end, so the layer closes the input itself (Spool / nested archive).
            var guard = new BombGuardStream(compression.Open(new NonClosingStream(stream)), () => hashing.BytesRead, limits);
            var layer = new Layer(compression.Name, hashing, gzipTime, guard);
            foreach (var e in ExpandDecompressed(guard, sourcePath + "!", innerRelative, innerName, mtime, depth + 1, layer, cancel)) yield return e;
            yield break;
        }

        if (container is not null)
        {
            string? corrupt = null;
            int members = 0;
            foreach (var e in ExpandContainer(container, stream, sourcePath, relative, depth, storedCounter, cancel))
            {
                if (e.ContainerError is not null) { corrupt = e.ContainerError; continue; }
                members++;
                yield return e;
            }
            string sha = "";
            try { sha = hashing.Finish(); }
            catch (Exception ex) when (ex is IOException or InvalidDataException) { corrupt ??= $"read error after {hashing.BytesRead} bytes: {ex.Message}"; }
            stream.Dispose();
            string? storedSha = null;
            if (outerLayer is not null)
            {
                try { storedSha = outerLayer.StoredHash.Finish(); }
                catch (Exception ex) when (ex is IOException or InvalidDataException) { corrupt ??= $"{outerLayer.Name} read error after {outerLayer.StoredHash.BytesRead} bytes: {ex.Message}"; }
                outerLayer.StoredHash.Dispose();
            }
            // The archive itself is accounted for too (after its members: its hash is known only now).
            yield return new EvidenceFile
            {
                SourcePath = sourcePath, RelativePath = relative, FileName = name, Length = hashing.BytesRead, Sha256 = sha,
                StoredLength = outerLayer?.StoredHash.BytesRead, StoredSha256 = storedSha, Compression = outerLayer?.Name, GzipTimeUtc = outerLayer?.GzipTime,
                ModifiedUtc = mtime, IsContainer = true, ContainerFormat = container.Name, ContainerMembers = members,
                FailureReason = corrupt,
            };
            yield break;
        }

        if (Listing && !ListingWants!(relative))
        {
            stream.Dispose();
            yield return new EvidenceFile { SourcePath = sourcePath, RelativePath = relative, FileName = name, ModifiedUtc = mtime, SkipReason = ListedOnly };
            yield break;
        }

        if (diskPath is not null)
        {
            // A plain file on disk: hash it in place and reopen it for parsing; no copy.
            string sha;
            string? failure = null;
            try { sha = hashing.Finish(); }
            catch (IOException ex) { sha = ""; failure = $"read error after {hashing.BytesRead} bytes: {ex.Message}"; }
            long length = hashing.BytesRead;
            stream.Dispose();
            yield return new EvidenceFile
            {
                SourcePath = sourcePath, RelativePath = relative, FileName = name, Length = length, Sha256 = sha,
                ModifiedUtc = mtime, Head = head[..headLength], FailureReason = failure,
                Opener = ReopenerFor(diskPath),
            };
            yield break;
        }

        yield return Spool(stream, hashing, null, sourcePath, relative, name, mtime, head[..headLength], sizeHint, cancel);
    }

    private static IContainerFormat? FindContainer(ReadOnlySpan<byte> head, string name)
    {
        foreach (var c in ContainerFormats.All)
            if (c.Matches(head, name)) return c;
        return null;
    }

    private sealed record Layer(string Name, HashingReadStream StoredHash, DateTime? GzipTime, BombGuardStream Guard);

    private IEnumerable<EvidenceFile> ExpandDecompressed(Stream decompressed, string sourcePath, string relative, string name, DateTime? mtime, int depth, Layer layer, CancellationToken cancel)
    {
        // Peek the decompressed head to see whether it is itself an archive (tar inside gzip).
        var contentHash = new HashingReadStream(decompressed, hash: !Listing);
        byte[] head;
        int headLength;
        Stream stream;
        string? peekError = null;
        try { (head, headLength, stream) = PrefixedStream.Peek(contentHash, HeadSize); }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            (head, headLength, stream) = ([], 0, Stream.Null);
            peekError = ex.Message;
        }
        if (peekError is not null)
        {
            contentHash.Dispose();
            layer.StoredHash.Dispose();
            yield return new EvidenceFile { SourcePath = sourcePath, RelativePath = relative, FileName = name, Compression = layer.Name, FailureReason = $"{layer.Name} stream is corrupt at the start: {peekError}" };
            yield break;
        }
        var container = FindContainer(head.AsSpan(0, headLength), name);
        if (container is not null || Compression.Detect(head.AsSpan(0, headLength)) is not null)
        {
            // An archive's members are judged one by one (ratio per member); the layer keeps only a total bound.
            if (container is not null) layer.Guard.CarriesArchive = true;
            // Nested layer: hand the decompressed stream to Expand as raw input.
            foreach (var e in Expand(stream, sourcePath[..^1], relative, name, mtime, depth, diskPath: null, () => layer.StoredHash.BytesRead, cancel, container is not null ? layer : null, hashed: contentHash))
                yield return e;
            layer.StoredHash.Dispose();
            yield break;
        }
        yield return Spool(stream, contentHash, layer, sourcePath, relative, name, mtime, head[..headLength], null, cancel);
    }

    /// <summary>Yields the members' leaves; a damaged archive ends with a marker whose <see cref="EvidenceFile.ContainerError"/> says where.</summary>
    private IEnumerable<EvidenceFile> ExpandContainer(IContainerFormat container, Stream stream, string sourcePath, string relative, int depth, Func<long> storedCounter, CancellationToken cancel)
    {
        var context = new ContainerReadContext { ContainerPath = sourcePath, Limits = limits, SpoolDirectory = spoolDirectory, StoredBytesRead = storedCounter, Cancel = cancel };
        using var e = container.Members(stream, context).GetEnumerator();
        while (true)
        {
            ContainerMember member;
            string? error = null;
            try
            {
                if (!e.MoveNext()) break;
                member = e.Current;
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or FormatException or InvalidOperationException)
            {
                member = null!;
                error = ex.Message;
            }
            if (error is not null)
            {
                yield return new EvidenceFile { SourcePath = sourcePath, RelativePath = relative, FileName = Path.GetFileName(relative), ContainerError = $"{container.Name} archive is damaged: {error}" };
                yield break;
            }
            var memberName = member.Path.Split('/').Last();
            var memberSource = sourcePath + "!" + member.Path;
            var memberRelative = member.Path;
            if (member.SkipReason is not null || member.Open is null)
            {
                yield return new EvidenceFile { SourcePath = memberSource, RelativePath = memberRelative, FileName = memberName, ModifiedUtc = member.ModifiedUtc, SkipReason = member.SkipReason ?? "no content", LinkTarget = member.LinkTarget };
                continue;
            }
            if (Listing && !ListingWants!(memberRelative) && !Containers.MemberPaths.LooksLikeArchive(memberName) && Compression.All.All(c => c.StripSuffix(memberName) == memberName))
            {
                yield return new EvidenceFile { SourcePath = memberSource, RelativePath = memberRelative, FileName = memberName, ModifiedUtc = member.ModifiedUtc, SkipReason = ListedOnly };
                continue;
            }
            Stream memberStream;
            string? openError = null;
            try { memberStream = DecoderErrorStream.OpenNow(member.Open, $"{container.Name} member"); }
            catch (Exception ex) when (ex is IOException or InvalidDataException or NotSupportedException) { memberStream = Stream.Null; openError = ex.Message; }
            if (openError is not null)
            {
                yield return new EvidenceFile { SourcePath = memberSource, RelativePath = memberRelative, FileName = memberName, ModifiedUtc = member.ModifiedUtc, FailureReason = $"cannot open member: {openError}" };
                continue;
            }
            foreach (var leaf in Expand(memberStream, memberSource, memberRelative, memberName, member.ModifiedUtc, depth + 1, diskPath: null, storedCounter, cancel, sizeHint: member.Length))
                yield return leaf;
        }
    }

    /// <summary>
    /// Copies content into a spool while it is hashed. A read error of the evidence keeps what was read and
    /// reports the offset (the file is partial); a write error of the spool is ours, not the evidence's, and fails
    /// the run (<see cref="SpoolWriteException"/>). Size and hash are of the bytes read, counted as they were read.
    /// </summary>
    private EvidenceFile Spool(Stream stream, HashingReadStream contentHash, Layer? layer, string sourcePath, string relative, string name, DateTime? mtime, byte[] head, long? sizeHint, CancellationToken cancel)
    {
        var spool = new SpoolWriter(spoolDirectory, limits.InMemorySpoolBytes, sourcePath, sizeHint);
        string? failure = null;
        var buffer = new byte[1 << 16];
        try
        {
            while (true)
            {
                cancel.ThrowIfCancellationRequested();
                int n;
                try { n = stream.Read(buffer, 0, buffer.Length); }
                catch (Exception ex) when (ex is IOException or InvalidDataException)
                {
                    failure = ex is DecompressionLimitException
                        ? $"{ex.Message}; stopped after {contentHash.BytesRead} bytes"
                        : $"{layer?.Name ?? "read"} error after {contentHash.BytesRead} decompressed bytes: {ex.Message}";
                    break;
                }
                if (n <= 0) break;
                spool.Write(buffer.AsSpan(0, n));
            }
        }
        catch
        {
            spool.Dispose();
            stream.Dispose();
            layer?.StoredHash.Dispose();
            throw;
        }
        string sha = contentHash.Digest();
        long length = contentHash.BytesRead;
        string storedSha = "";
        if (layer is not null)
        {
            try { storedSha = layer.StoredHash.Finish(); } catch (Exception ex) when (ex is IOException or InvalidDataException) { storedSha = ""; }
            layer.StoredHash.Dispose();
        }
        stream.Dispose();
        bool onDisk = spool.OnDisk;
        var captured = spool.Complete();
        return new EvidenceFile
        {
            SourcePath = sourcePath, RelativePath = relative, FileName = name, Length = length, Sha256 = sha,
            StoredLength = layer?.StoredHash.BytesRead, StoredSha256 = layer is null ? null : storedSha,
            Compression = layer?.Name, ModifiedUtc = mtime, GzipTimeUtc = layer?.GzipTime, Head = head,
            FailureReason = failure is not null && length == 0 ? failure : null,
            Partial = failure is not null && length > 0,
            PartialReason = failure is not null && length > 0 ? failure : null,
            Opener = () => new SpoolReader(captured),
            Cleanup = () => captured.Dispose(),
            IsSpooled = true, SpooledOnDisk = onDisk ? length : 0,
        };
    }
}
