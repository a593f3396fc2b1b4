namespace Forensics.Pipeline.Evidence;

/// <summary>
/// One leaf file of the evidence, decompressed and ready to read: its content is seekable (the file on disk,
/// or a spool of a decompressed/archived member) and its hashes are known before any record is parsed,
/// so every event can carry <c>source_sha256</c>.
/// </summary>
public sealed class EvidenceFile : IDisposable
{
    /// <summary>Provenance path: the input path, then '!' and the member path for each archive/compression layer.</summary>
    public required string SourcePath { get; init; }
    /// <summary>Path relative to the input root with '/' separators (e.g. <c>var/log/secure</c>), used to spot context files.</summary>
    public required string RelativePath { get; init; }
    /// <summary>File name with compression suffixes removed (<c>auth.log.2.gz</c> → <c>auth.log.2</c>).</summary>
    public required string FileName { get; init; }
    public long Length { get; init; }
    public string Sha256 { get; init; } = "";
    /// <summary>Stored (compressed) bytes, when the content was decompressed; null for plain files.</summary>
    public long? StoredLength { get; init; }
    public string? StoredSha256 { get; init; }
    /// <summary>Decompression layers applied, outermost first (e.g. "gzip"), or null.</summary>
    public string? Compression { get; init; }
    public DateTime? ModifiedUtc { get; init; }
    /// <summary>MTIME of the gzip header, when the file was a gzip member (a second witness of its age).</summary>
    public DateTime? GzipTimeUtc { get; init; }
    /// <summary>First bytes of the content (up to the sniff size), for format detection; empty once disposed.</summary>
    public byte[] Head { get => _head; init => _head = value; }
    private byte[] _head = [];
    /// <summary>Set when the file could not be acquired (unreadable, bomb limit, corrupt compression): it is reported, not parsed.</summary>
    public string? FailureReason { get; init; }
    /// <summary>Set for entries that are deliberately not read (symlinks, devices, traversal paths); reported as skipped.</summary>
    public string? SkipReason { get; init; }
    /// <summary>True when only a prefix of the content could be read; that prefix is still parsed.</summary>
    public bool Partial { get; init; }
    /// <summary>Why only part of the content could be read (corrupt compression, bomb limit), with the offset.</summary>
    public string? PartialReason { get; init; }

    /// <summary>True for the entry of an archive itself (tar, zip): its hash is recorded, its members are separate files.</summary>
    public bool IsContainer { get; init; }
    public string? ContainerFormat { get; init; }
    public int ContainerMembers { get; init; }
    /// <summary>Internal marker: the archive being expanded is damaged here (consumed by discovery, never yielded out).</summary>
    internal string? ContainerError { get; init; }

    /// <summary>For a symbolic or hard link member: the link text (never followed; etc/localtime names its zone).</summary>
    public string? LinkTarget { get; init; }

    /// <summary>
    /// For content read from a file on disk (or from an archive on disk): true when it was opened with
    /// O_NOATIME (its access time is unchanged), false when the OS refused (see <see cref="EvidenceOpen"/>);
    /// null when nothing was opened (skipped, listed only, missing).
    /// </summary>
    public bool? AtimePreserved { get; internal set; }

    /// <summary>Which of the run's inputs (0-based, in the order given) the file was found in: its machine's context (host, passwd) is that input's.</summary>
    public int InputIndex { get; internal set; }

    internal Func<Stream>? Opener { get => _opener; init => _opener = value; }
    /// <summary>Bytes of the content held in a temporary file of the case (0 when in memory or read from the evidence in place).</summary>
    internal long SpooledOnDisk { get; init; }
    /// <summary>Memory this file holds until it is framed: its head and an in-memory spool.</summary>
    internal long HeldInMemory => Head.Length + (IsSpooled && SpooledOnDisk == 0 ? Length : 0);
    /// <summary>True when the content was copied into a spool (decompressed or archived), not read in place.</summary>
    internal bool IsSpooled { get; init; }
    internal Action? Cleanup { get => _cleanup; init => _cleanup = value; }
    private Func<Stream>? _opener;
    private Action? _cleanup;

    /// <summary>Opens the content read-only and seekable.</summary>
    public Stream OpenContent() => Opener?.Invoke() ?? throw new InvalidOperationException($"{SourcePath}: content is not available");

    /// <summary>The newest trustworthy time the file was written: the later of mtime and gzip header time.</summary>
    public DateTime? ReferenceTimeUtc => (ModifiedUtc, GzipTimeUtc) switch
    {
        ({ } m, { } g) => m > g ? m : g,
        ({ } m, null) => m,
        (null, { } g) => g,
        _ => null,
    };

    /// <summary>True once <see cref="Dispose"/> ran (the file is done with).</summary>
    public bool IsDisposed { get; private set; }

    /// <summary>
    /// Releases the content (spool) and drops the head and the opener: what stays of a finished file is its
    /// names, hashes and times (a disposed MemoryStream still holds its buffer, so the references must go too).
    /// </summary>
    public void Dispose()
    {
        var cleanup = _cleanup;
        _cleanup = null;
        _opener = null;
        _head = [];
        IsDisposed = true;
        cleanup?.Invoke();
    }
}

/// <summary>Limits that keep hostile input from exhausting memory or disk.</summary>
public sealed class AcquisitionLimits
{
    /// <summary>Largest decompressed size of one member (default 32 GiB).</summary>
    public long MaxMemberBytes { get; init; } = 32L << 30;
    /// <summary>Largest decompressed/compressed ratio once past <see cref="RatioGraceBytes"/> (default 1000, like zip-bomb guards).</summary>
    public double MaxExpansionRatio { get; init; } = 1000;
    /// <summary>Output below this size is never judged by ratio (small files compress extremely well).</summary>
    public long RatioGraceBytes { get; init; } = 64L << 20;
    /// <summary>Members up to this size are spooled in memory; larger ones to a temporary file.</summary>
    public long InMemorySpoolBytes { get; init; } = 64L << 20;
    /// <summary>Largest decompressed size of a whole archive stream (a .tar inside .gz), default 1 TiB; its members
    /// are judged one by one with <see cref="MaxMemberBytes"/> and <see cref="MaxExpansionRatio"/>.</summary>
    public long MaxArchiveBytes { get; init; } = 1L << 40;
    /// <summary>How deep archives/compressions may nest.</summary>
    public int MaxNesting { get; init; } = 8;
}
