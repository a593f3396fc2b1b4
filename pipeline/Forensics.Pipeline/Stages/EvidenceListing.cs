using Forensics.Pipeline.Evidence;
using Forensics.Pipeline.Evidence.Context;

namespace Forensics.Pipeline.Stages;

/// <summary>
/// The cheap first pass over the evidence, before any log is parsed. Why a pass of its own: the time zone
/// (etc/timezone, etc/localtime) and host name must be known before the first local-time record is parsed, and
/// a tar is read forward only, where etc/ may come after var/log/. The pass reads only what it needs: folder
/// files are listed (name, mtime) without being opened; archives are decompressed and their headers read (the
/// cost of <c>tar -tzf</c>); only the zone/host files' contents are read; single compressed files are not
/// decompressed (their gzip header time comes from the first bytes). Every leaf's times also feed the rotation
/// sets, so <c>auth.log.2</c> is bounded by <c>auth.log.1</c> even when the newer file comes later in the tar.
/// Limits: archives are only descended into when their names look like archives (.tar, .tgz, .zip, …).
/// </summary>
public sealed class EvidenceListing
{
    public RotationSets Rotation { get; } = new();
    /// <summary>Contents of zone/host files found inside archives, by relative path (first one wins).</summary>
    public Dictionary<string, (string SourcePath, byte[]? Content, string? LinkTarget)> EtcFiles { get; } = new(StringComparer.Ordinal);
    /// <summary>The machine facts of each input on its own (etc/hostname, etc/passwd: first one per input wins), by input index and kind.</summary>
    public Dictionary<(int Input, string Kind), (string SourcePath, byte[] Content)> InputEtcFiles { get; } = [];
    public List<string> Notes { get; } = [];
    /// <summary>
    /// UAC collections found (their uac.log): the source path the collection's files start with (the folder of
    /// uac.log, or the archive path and '!') → the mount point UAC collected, for formats that name files by it.
    /// </summary>
    public Dictionary<string, string> CollectionMountPoints { get; } = new(StringComparer.Ordinal);

    public static EvidenceListing Run(IReadOnlyList<string> inputs, AcquisitionLimits limits, string spoolDirectory, CancellationToken cancel)
    {
        var listing = new EvidenceListing();
        var discovery = new EvidenceDiscovery(limits, spoolDirectory) { ListingWants = p => ContextFiles.NeededBeforeParsing(p) || Evidence.Collections.UacCollection.IsLogPath(p) };
        foreach (var file in discovery.Discover(inputs, cancel))
        {
            using (file)
            {
                if (file.IsContainer) continue;
                listing.Rotation.Observe(file.SourcePath, file.ReferenceTimeUtc);
                if (Evidence.Collections.UacCollection.IsLogPath(file.RelativePath)) { listing.ReadCollectionLog(file); continue; }
                var kind = ContextFiles.Match(file.RelativePath);
                if (kind is not ("timezone" or "localtime" or "hostname" or "passwd")) continue;
                var key = kind;
                bool perInput = kind is "hostname" or "passwd" && !listing.InputEtcFiles.ContainsKey((file.InputIndex, kind));
                bool runWide = !listing.EtcFiles.ContainsKey(key);
                if (!runWide && !perInput) { listing.Notes.Add($"{file.SourcePath}: another etc/{kind} was found first; this one is ignored for the case zone/host"); continue; }
                if (file.LinkTarget is not null) { if (runWide) listing.EtcFiles[key] = (file.SourcePath, null, file.LinkTarget); continue; }
                if (file.SkipReason is not null || file.FailureReason is not null || file.Length > 1 << 20) continue;
                using var s = file.OpenContent();
                var bytes = new byte[file.Length];
                s.ReadExactly(bytes);
                if (runWide) listing.EtcFiles[key] = (file.SourcePath, bytes, null);
                if (perInput) listing.InputEtcFiles[(file.InputIndex, kind)] = (file.SourcePath, bytes);
            }
        }
        return listing;
    }

    private void ReadCollectionLog(EvidenceFile file)
    {
        if (file.LinkTarget is not null || file.SkipReason is not null || file.FailureReason is not null || file.Length > 16 << 20) return;
        using var s = file.OpenContent();
        var bytes = new byte[file.Length];
        s.ReadExactly(bytes);
        if (Evidence.Collections.UacCollection.ReadLog(bytes) is { MountPoint: { } mount })
            CollectionMountPoints.TryAdd(file.SourcePath[..^Evidence.Collections.UacCollection.LogFileName.Length], mount);
    }
}
