namespace Forensics.Pipeline.Evidence;

/// <summary>An archive format (tar, zip) whose members are expanded as evidence of their own.</summary>
public interface IContainerFormat
{
    string Name { get; }
    bool Matches(ReadOnlySpan<byte> head, string fileName);

    /// <summary>
    /// Enumerates members in archive order. A member's <see cref="ContainerMember.Open"/> is valid only until the
    /// next member is requested (tar is read forward). Members that are not regular files (links, devices,
    /// paths escaping the archive) come with a <see cref="ContainerMember.SkipReason"/> and no content.
    /// A damaged archive ends the enumeration with a <see cref="ContainerCorruptException"/> that names the last
    /// good member and the offset; the members before it have been yielded.
    /// </summary>
    IEnumerable<ContainerMember> Members(Stream content, ContainerReadContext context);
}

/// <summary>What a container reader gets besides the bytes: its provenance, the limits, a place to spool.</summary>
public sealed class ContainerReadContext
{
    public required string ContainerPath { get; init; }
    public required AcquisitionLimits Limits { get; init; }
    /// <summary>Folder for temporary spools (zip needs a seekable copy of a streamed archive).</summary>
    public required string SpoolDirectory { get; init; }
    /// <summary>
    /// Bytes of the outermost stored (compressed) stream consumed so far: a member's expansion ratio is judged
    /// against what was consumed while it was read, so one bomb member is cut and the following members survive.
    /// </summary>
    public required Func<long> StoredBytesRead { get; init; }
    public CancellationToken Cancel { get; init; }
}

/// <summary>A member of an archive. <paramref name="LinkTarget"/> is the text of a symlink/hard link (never followed).</summary>
public sealed record ContainerMember(string Path, long? Length, DateTime? ModifiedUtc, Func<Stream>? Open, string? SkipReason = null, string? LinkTarget = null);

public sealed class ContainerCorruptException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>Registered container formats, in the order they are tried; adding one is one line.</summary>
public static class ContainerFormats
{
    public static IReadOnlyList<IContainerFormat> All { get; } =
    [
        new Containers.TarContainer(),
        new Containers.ZipContainer(),
    ];
}
