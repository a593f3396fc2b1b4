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
    /// </summary>
    IEnumerable<ContainerMember> Members(Stream content, string containerPath, AcquisitionLimits limits, CancellationToken cancel);
}

public sealed record ContainerMember(string Path, long? Length, DateTime? ModifiedUtc, Func<Stream>? Open, string? SkipReason = null);

/// <summary>Registered container formats; adding one is one line.</summary>
public static class ContainerFormats
{
    public static List<IContainerFormat> All { get; } = [];
}
