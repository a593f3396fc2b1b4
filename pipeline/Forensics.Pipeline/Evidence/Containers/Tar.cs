using System.Formats.Tar;

namespace Forensics.Pipeline.Evidence.Containers;

/// <summary>
/// tar (POSIX ustar, GNU long names/long links, pax extended headers, V7), read forward-only from a stream.
/// Uses the BCL's System.Formats.Tar rather than SharpCompress's TarReader: it reports the entry type of every
/// header (symlink, hard link, character/block device, FIFO, …), which hostile-input handling needs, and its
/// forward-only <see cref="TarReader.GetNextEntry(bool)"/> with copyData=false skips whatever is left of the
/// previous member's data, so a member cut short (bomb limit, read error) never desynchronises the next header.
/// Facts: POSIX.1-2017 pax "ustar Interchange Format"; GNU tar manual §"Basic Tar Format" (typeflags 'L'/'K');
/// typeflag '0' and '\0' (V7) are regular files, '7' (contiguous) is read as a regular file as GNU tar does.
/// </summary>
internal sealed class TarContainer : IContainerFormat
{
    public string Name => "tar";

    /// <summary>"ustar" at offset 257 (ustar/pax: "ustar\0", GNU: "ustar  \0"); V7 tars have none, so a
    /// name ending in .tar with a valid header checksum also counts.</summary>
    public bool Matches(ReadOnlySpan<byte> head, string fileName)
    {
        if (head.Length >= 262 && head.Slice(257, 5).SequenceEqual("ustar"u8)) return true;
        return fileName.EndsWith(".tar", StringComparison.OrdinalIgnoreCase) && head.Length >= 512 && ChecksumValid(head[..512]);
    }

    private static bool ChecksumValid(ReadOnlySpan<byte> header)
    {
        // Checksum field: 8 bytes at 148, octal; computed with the field itself read as spaces.
        long stored = 0;
        bool any = false;
        foreach (var b in header.Slice(148, 8))
        {
            if (b is >= (byte)'0' and <= (byte)'7') { stored = stored * 8 + (b - '0'); any = true; }
            else if (b is 0 or (byte)' ' && any) break;
            else if (b is not (0 or (byte)' ')) return false;
        }
        long sum = 0;
        for (int i = 0; i < 512; i++) sum += i is >= 148 and < 156 ? ' ' : header[i];
        return any && sum == stored;
    }

    public IEnumerable<ContainerMember> Members(Stream content, ContainerReadContext context)
    {
        var counting = new CountingStream(content);
        using var reader = new TarReader(counting, leaveOpen: true);
        string? lastGood = null;
        while (true)
        {
            context.Cancel.ThrowIfCancellationRequested();
            TarEntry? entry;
            long headerOffset = counting.Position;
            try { entry = reader.GetNextEntry(copyData: false); }
            // NotSupportedException: the BCL reader refuses some headers outright, e.g. typeflag 'S' (GNU sparse) in a
            // ustar/pax header ("Entry type 'SparseFile' not supported"; found by tests/fuzz.sh, target tar).
            catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or IOException or FormatException or ArgumentException or OverflowException or NotSupportedException)
            {
                var after = lastGood is null ? "at the first header" : $"after member '{lastGood}'";
                // The reader fails after taking in the 512-byte block it could not parse: that block's start is the offset.
                long at = Math.Max(headerOffset, (Math.Max(0, counting.Position - 1) / 512) * 512);
                throw new ContainerCorruptException($"tar header unreadable at offset {at} of the tar stream ({after}): {ex.Message}", ex);
            }
            if (entry is null) yield break;
            lastGood = entry.Name;
            // Directories are not files; members under them are listed with their full path.
            if (entry.EntryType == TarEntryType.Directory) continue;
            yield return ToMember(entry, context);
        }
    }

    private static ContainerMember ToMember(TarEntry entry, ContainerReadContext context)
    {
        var (path, traversal) = MemberPaths.Check(entry.Name);
        DateTime? mtime = entry.ModificationTime.UtcDateTime is var m && m > DateTime.UnixEpoch ? m : null;
        string? skip = entry.EntryType switch
        {
            TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile => null,
            TarEntryType.SymbolicLink => $"symbolic link to '{entry.LinkName}' (not followed)",
            TarEntryType.HardLink => $"hard link to '{entry.LinkName}' (not followed; the target member is read on its own)",
            TarEntryType.CharacterDevice => "character device (not read)",
            TarEntryType.BlockDevice => "block device (not read)",
            TarEntryType.Fifo => "FIFO (not read)",
            TarEntryType.SparseFile => "GNU sparse file (not supported; not read)",
            var t => $"tar entry type {t} (not a regular file; not read)",
        };
        var link = entry.EntryType is TarEntryType.SymbolicLink or TarEntryType.HardLink ? entry.LinkName : null;
        if (skip is not null || traversal is not null || entry.DataStream is null)
            return new ContainerMember(path, entry.Length, mtime, null, traversal ?? skip ?? "no content", link);
        var data = entry.DataStream;
        long storedAtStart = context.StoredBytesRead();
        // The member's own guard: its output against the compressed bytes consumed while it was read. The
        // tar reader itself never reads past the member, so cutting it here leaves the archive in step.
        return new ContainerMember(path, entry.Length, mtime,
            () => new BombGuardStream(new ExactLengthStream(new NonClosingStream(data), entry.Length, path), () => context.StoredBytesRead() - storedAtStart, context.Limits));
    }
}

/// <summary>
/// A tar member whose archive ends early reads as a clean end of stream from the BCL reader; this turns the
/// shortfall into an error (the member becomes "partial" with the offset) instead of a silently short file.
/// </summary>
internal sealed class ExactLengthStream(Stream inner, long length, string member) : ForwardOnlyReadStream
{
    private long _read;
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        _read += n;
        if (n == 0 && buffer.Length > 0 && _read < length)
            throw new EndOfStreamException($"tar member '{member}' is truncated: the archive ends after {_read} of its {length} bytes");
        return n;
    }
    public override long Length => length;
    public override long Position { get => _read; set => throw new NotSupportedException(); }
}
