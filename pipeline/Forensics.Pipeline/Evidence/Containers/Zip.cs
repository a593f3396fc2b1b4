using System.IO.Compression;
using SharpCompress.Readers;

namespace Forensics.Pipeline.Evidence.Containers;

/// <summary>
/// zip (PKWARE APPNOTE 6.3.10): stored and deflate(64) members, read through the central directory with the BCL's
/// ZipArchive, which needs a seekable stream: a zip that arrives as a stream (inside a tar or gzip) is spooled
/// first. Why the central directory and not the local headers: only the central directory carries the Unix mode
/// (external attributes, high 16 bits, when "version made by" is Unix; APPNOTE 4.4.15), which is how Info-ZIP
/// stores symlinks (S_IFLNK, content = link text) and devices. When the central directory is missing or damaged
/// (a truncated copy), SharpCompress's forward-only ZipReader recovers the members from their local headers, and
/// the damage is reported after them. Zip times are DOS wall-clock times without a zone (APPNOTE 4.4.6); they
/// are taken as UTC, so they are only good to ±14 h (enough for year inference).
/// </summary>
internal sealed class ZipContainer : IContainerFormat
{
    public string Name => "zip";

    // Local file header "PK\3\4"; an empty archive is only an end-of-central-directory record "PK\5\6".
    public bool Matches(ReadOnlySpan<byte> head, string fileName) =>
        head.StartsWith("PK\x03\x04"u8) || (head.StartsWith("PK\x05\x06"u8) && fileName.EndsWith(".zip", StringComparison.OrdinalIgnoreCase));

    private const int SIFMT = 0xF000, SIFLNK = 0xA000, SIFCHR = 0x2000, SIFBLK = 0x6000, SIFIFO = 0x1000, SIFSOCK = 0xC000, SIFDIR = 0x4000;

    public IEnumerable<ContainerMember> Members(Stream content, ContainerReadContext context)
    {
        using var spool = SpoolSeekable(content, context);
        ZipArchive? archive = null;
        string? directoryError = null;
        try { archive = new ZipArchive(spool, ZipArchiveMode.Read, leaveOpen: true); }
        catch (Exception ex) when (ex is InvalidDataException or IOException or ArgumentException or NotSupportedException)
        {
            directoryError = ex.Message;
        }
        if (archive is null)
        {
            foreach (var m in Recover(spool, directoryError!, context)) yield return m;
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
                yield return new ContainerMember(path, entry.Length, mtime, () => OpenGuarded(() => e.Open(), () => e.CompressedLength, context.Limits));
            }
        }
    }

    /// <summary>Forward-only recovery from local headers when the central directory is unusable.</summary>
    private static IEnumerable<ContainerMember> Recover(Stream spool, string directoryError, ContainerReadContext context)
    {
        spool.Position = 0;
        IReader? reader = null;
        string? last = null;
        string? error = null;
        try { reader = ReaderFactory.OpenReader(spool, new ReaderOptions { LeaveStreamOpen = true }); }
        catch (Exception ex) when (ex is not OperationCanceledException) { error = ex.Message; }
        if (reader is not null)
        {
            using (reader)
            {
                while (true)
                {
                    context.Cancel.ThrowIfCancellationRequested();
                    bool more;
                    long offset = spool.Position;
                    try { more = reader.MoveToNextEntry(); }
                    catch (Exception ex) when (ex is not OperationCanceledException) { error = $"at offset {offset}{(last is null ? "" : $" after member '{last}'")}: {ex.Message}"; break; }
                    if (!more) break;
                    var entry = reader.Entry;
                    last = entry.Key;
                    if (entry.IsDirectory || entry.Key is null) continue;
                    var (path, traversal) = MemberPaths.Check(entry.Key);
                    if (traversal is not null || entry.IsEncrypted)
                    {
                        yield return new ContainerMember(path, entry.Size, entry.LastModifiedTime, null, traversal ?? "encrypted member (not read)");
                        continue;
                    }
                    var r = reader;
                    long compressed = Math.Max(1, entry.CompressedSize);
                    yield return new ContainerMember(path, entry.Size, entry.LastModifiedTime is { } t ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : null,
                        () => OpenGuarded(() => new NonClosingStream(r.OpenEntryStream()), () => compressed, context.Limits));
                }
            }
        }
        throw new ContainerCorruptException($"zip central directory unusable ({directoryError}); members were recovered from local headers" +
            (error is null ? " up to the end" : $", then reading stopped {error}"));
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

    /// <summary>ZipArchive needs to seek; a streamed zip is copied to memory or, when large, a temporary file.</summary>
    private static Stream SpoolSeekable(Stream content, ContainerReadContext context)
    {
        if (content.CanSeek) return content;
        Stream spool = new MemoryStream();
        var buffer = new byte[1 << 16];
        int n;
        while ((n = content.Read(buffer, 0, buffer.Length)) > 0)
        {
            context.Cancel.ThrowIfCancellationRequested();
            if (spool is MemoryStream && spool.Length + n > context.Limits.InMemorySpoolBytes)
            {
                Directory.CreateDirectory(context.SpoolDirectory);
                var file = new FileStream(Path.Combine(context.SpoolDirectory, "zip-" + Guid.NewGuid().ToString("N") + ".bin"),
                    FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
                spool.Position = 0;
                spool.CopyTo(file);
                spool.Dispose();
                spool = file;
            }
            spool.Write(buffer, 0, n);
        }
        spool.Position = 0;
        return spool;
    }
}

/// <summary>A stream whose first read fails with a reason (an unopenable member becomes a failed file, not a crash).</summary>
internal sealed class FailingStream(string reason) : ForwardOnlyReadStream
{
    public override int Read(byte[] buffer, int offset, int count) => throw new IOException(reason);
    public override long Position { get => 0; set => throw new NotSupportedException(); }
}
