using System.Security.Cryptography;
using Forensics.Pipeline.Evidence;

namespace Forensics.Fuzz;

/// <summary>
/// Feeds bytes as one evidence file through <see cref="EvidenceDiscovery"/>, the code ingest uses for archives
/// (tar, zip) and compression layers (gzip, xz, zstd, bzip2): the input is written to a file on tmpfs under
/// the given name (tar's V7 fallback and an empty zip are recognised by name) and discovered like a path on the
/// command line. Checks:
/// <list type="bullet">
/// <item>no exception escapes discovery (ingest would fail the whole run: every other input lost);</item>
/// <item>every entry has one outcome: archive, skipped, failed, or readable (partial only with a reason);</item>
/// <item>a readable leaf's content is what its Length, SHA-256 and sniffing head say;</item>
/// <item>a plain (uncompressed) input or archive is described by the input's own size and SHA-256, and a
///   compressed input's stored size and SHA-256 are never larger than / other than the input's;</item>
/// <item>a single compression layer over plain content yields exactly what the decompressor alone yields
///   (all of it when complete, a prefix when partial).</item>
/// </list>
/// Limits are the defaults except a 64 MiB member cap, so a decompression bomb is cut quickly.
/// </summary>
public sealed class DiscoveryTarget(string fileName) : ITarget
{
    private static readonly AcquisitionLimits Limits = new() { MaxMemberBytes = 64L << 20, MaxArchiveBytes = 256L << 20 };
    private readonly string _folder = Directory.CreateDirectory(Path.Combine(TmpFs(), $"forensics-fuzz-{Environment.ProcessId}")).FullName;

    private static string TmpFs() => Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();

    public void Run(byte[] input)
    {
        var path = Path.Combine(_folder, fileName);
        File.WriteAllBytes(path, input);
        var inputSha = Convert.ToHexStringLower(SHA256.HashData(input));
        var discovery = new EvidenceDiscovery(Limits, Path.Combine(_folder, "spool"));
        var entries = new List<EvidenceFile>();
        try
        {
            foreach (var e in discovery.Discover([path], CancellationToken.None))
            {
                entries.Add(e);
                Check(e, path, input, inputSha);
            }
            InvariantViolation.Check(entries.Count > 0, "discovery yielded nothing for an existing file");
            if (Compression.Detect(input) is { } layer && entries.Count == 1) CheckAgainstDecompressor(layer, input, entries[0]);
        }
        finally
        {
            foreach (var e in entries) e.Dispose();
        }
    }

    private static void Check(EvidenceFile e, string path, byte[] input, string inputSha)
    {
        int outcomes = (e.IsContainer ? 1 : 0) + (e.SkipReason is not null ? 1 : 0) + (!e.IsContainer && e.FailureReason is not null ? 1 : 0);
        InvariantViolation.Check(outcomes <= 1, $"{e.SourcePath}: more than one outcome (container {e.IsContainer}, skip '{e.SkipReason}', failure '{e.FailureReason}')");
        InvariantViolation.Check(!e.Partial || (e.PartialReason is not null && outcomes == 0), $"{e.SourcePath}: partial without a reason, or partial and not readable");
        if (e.StoredLength is { } stored)
        {
            InvariantViolation.Check(stored <= input.Length, $"{e.SourcePath}: stored length {stored} is more than the {input.Length}-byte input");
            if (e.SourcePath == path + "!" && e.Compression is not null && stored == input.Length && !string.IsNullOrEmpty(e.StoredSha256))
                InvariantViolation.Check(e.StoredSha256 == inputSha, $"{e.SourcePath}: stored SHA-256 is not the input's");
        }
        if (e.SourcePath == path && e.Compression is null && (e.IsContainer || outcomes == 0))
        {
            InvariantViolation.Check(e.Length == input.Length, $"{e.SourcePath}: length {e.Length}, the input has {input.Length} bytes");
            InvariantViolation.Check(e.Sha256 == inputSha, $"{e.SourcePath}: SHA-256 is not the input's");
        }
        if (outcomes != 0) return;
        var content = ReadContent(e);
        InvariantViolation.Check(content.Length == e.Length, $"{e.SourcePath}: content has {content.Length} bytes, Length says {e.Length}");
        InvariantViolation.Check(Convert.ToHexStringLower(SHA256.HashData(content)) == e.Sha256, $"{e.SourcePath}: SHA-256 is not the content's");
        InvariantViolation.Check(content.AsSpan().StartsWith(e.Head) && e.Head.Length == Math.Min(content.Length, Forensics.Pipeline.Formats.ILogFormat.SniffBytes),
            $"{e.SourcePath}: the sniffing head ({e.Head.Length} bytes) is not the content's start");
    }

    private static byte[] ReadContent(EvidenceFile e)
    {
        using var s = e.OpenContent();
        using var copy = new MemoryStream();
        s.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The leaf of a single layer must hold what the decompressor gives on its own (differential check of spool, guard and hashing).</summary>
    private static void CheckAgainstDecompressor(Compression layer, byte[] input, EvidenceFile leaf)
    {
        var expected = new MemoryStream();
        bool complete = true;
        try
        {
            using var d = layer.Open(new MemoryStream(input, writable: false));
            var buffer = new byte[1 << 16];
            int n;
            while ((n = d.Read(buffer)) > 0)
            {
                expected.Write(buffer, 0, n);
                if (expected.Length > Limits.MaxMemberBytes) { complete = false; break; }
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException) { complete = false; }
        catch (Exception ex)
        {
            // Not ours to fix, but ingest must survive it: the leaf then has to be failed or partial.
            complete = false;
            InvariantViolation.Check(leaf.FailureReason is not null || leaf.Partial, $"decompressor threw {ex.GetType().Name} and the leaf is neither failed nor partial");
        }
        var reference = expected.ToArray();
        if (leaf.IsContainer || leaf.SkipReason is not null || leaf.FailureReason is not null || Compression.Detect(reference) is not null) return;
        var content = ReadContent(leaf);
        if (complete && !leaf.Partial)
            InvariantViolation.Check(content.AsSpan().SequenceEqual(reference), $"{leaf.SourcePath}: {content.Length} bytes read, the {layer.Name} decompressor gives {reference.Length}");
        else
            InvariantViolation.Check(reference.AsSpan().StartsWith(content) || content.AsSpan().StartsWith(reference),
                $"{leaf.SourcePath}: partial content is not a prefix of what the {layer.Name} decompressor gives");
        InvariantViolation.Check(complete || leaf.Partial, $"{leaf.SourcePath}: the {layer.Name} stream is damaged or over the limit, but the leaf is not partial");
    }
}
