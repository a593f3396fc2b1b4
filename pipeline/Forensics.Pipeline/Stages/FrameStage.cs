using System.Threading.Channels;
using Forensics.Pipeline.Case;
using Forensics.Pipeline.Evidence;
using Forensics.Pipeline.Formats;

namespace Forensics.Pipeline.Stages;

/// <summary>
/// Discovers evidence, decides each file's format from its content, and frames it into batches in file order.
/// Per-file problems (unreadable, unknown format, corrupt part) are recorded in the manifest and the run goes
/// on; only failures of the stage itself (a bug, cancellation) end the run.
/// </summary>
internal sealed class FrameStage(IngestOptions options, CaseContext context, Manifest manifest, EvidenceDiscovery discovery)
{
    private readonly Dictionary<string, string> _seenHashes = new(StringComparer.Ordinal);
    private readonly List<EvidenceFile> _open = [];
    private int _fileIndex;

    /// <summary>Stopwatch ticks spent discovering/hashing and framing (channel waits excluded).</summary>
    public long DiscoverTicks { get; private set; }
    public long FrameTicks { get; private set; }

    public async Task RunAsync(ChannelWriter<FramedItem> output, CancellationToken cancel)
    {
        long discoverStart = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (var evidence in discovery.Discover(options.Inputs, cancel))
        {
            DiscoverTicks += System.Diagnostics.Stopwatch.GetTimestamp() - discoverStart;
            cancel.ThrowIfCancellationRequested();
            var entry = new ManifestInput
            {
                SourceFile = evidence.SourcePath, RelativePath = evidence.RelativePath, Size = evidence.Length,
                Sha256 = evidence.Sha256 == "" ? null : evidence.Sha256, StoredSize = evidence.StoredLength, StoredSha256 = evidence.StoredSha256,
                Compression = evidence.Compression, ModifiedUtc = evidence.ModifiedUtc, GzipTimeUtc = evidence.GzipTimeUtc,
            };
            lock (manifest) manifest.Inputs.Add(entry);
            var state = Classify(evidence, entry);
            if (state is null) { evidence.Dispose(); continue; }
            lock (_open) _open.Add(evidence);
            await FrameFileAsync(state, output, cancel).ConfigureAwait(false);
            discoverStart = System.Diagnostics.Stopwatch.GetTimestamp();
        }
    }

    /// <summary>Decides what happens to a file; null when it is not parsed (the manifest entry says why).</summary>
    private FileState? Classify(EvidenceFile evidence, ManifestInput entry)
    {
        if (evidence.SkipReason is { } skip) { entry.Status = "skipped"; entry.Reason = skip; return null; }
        if (evidence.FailureReason is { } fail) { entry.Status = "failed"; entry.Reason = fail; return null; }
        if (evidence.Length == 0) { entry.Status = "skipped"; entry.Reason = "empty file"; return null; }
        if (_seenHashes.TryGetValue(evidence.Sha256, out var first))
        {
            entry.Status = "skipped";
            entry.Reason = $"duplicate of {first} (same SHA-256)";
            return null;
        }
        _seenHashes[evidence.Sha256] = evidence.SourcePath;
        var (format, confidence) = FormatRegistry.Detect(evidence.Head, evidence.FileName);
        if (format is null)
        {
            entry.Status = "skipped";
            entry.Reason = $"no parser recognised the content ({Describe(evidence.Head)}; best confidence {confidence})";
            return null;
        }
        entry.Format = format.Id;
        entry.FormatConfidence = confidence;
        var fileContext = new FileContext
        {
            SourceFile = evidence.SourcePath, SourceSha256 = evidence.Sha256, FileName = evidence.FileName,
            ReferenceTimeUtc = evidence.ReferenceTimeUtc, Zone = context.Zone, ZoneSource = context.ZoneSource,
            ForcedYear = options.Year, DefaultHost = context.Hostname, Length = evidence.Length,
        };
        var state = new FileState(_fileIndex++, evidence, format, fileContext, entry);
        if (evidence.Partial)
        {
            entry.Status = "partial";
            entry.Reason = evidence.PartialReason;
        }
        return state;
    }

    private static string Describe(ReadOnlySpan<byte> head)
    {
        if (head.IsEmpty) return "empty";
        int control = 0;
        foreach (var b in head) if (b < 0x09 || (b > 0x0d && b < 0x20)) control++;
        return control > head.Length / 20 ? "binary" : "text";
    }

    private async Task FrameFileAsync(FileState file, ChannelWriter<FramedItem> output, CancellationToken cancel)
    {
        int sequence = 0;
        var context = WithSideTables(file);
        try
        {
            using var stream = file.Evidence.OpenContent();
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            foreach (var batch in file.Format!.Frame(stream, context, cancel))
            {
                FrameTicks += System.Diagnostics.Stopwatch.GetTimestamp() - start;
                batch.Sequence = sequence++;
                await output.WriteAsync(new FramedItem(file, batch), cancel).ConfigureAwait(false);
                options.Progress?.Report(new IngestProgress(file.Evidence.SourcePath, file.Index, batch.Count > 0 ? batch.Offset(batch.Count - 1) : 0, 0, 0));
                start = System.Diagnostics.Stopwatch.GetTimestamp();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The records framed so far are kept; the file is reported as partial with the reason.
            file.Manifest.Status = "partial";
            file.Manifest.Reason = $"reading stopped after {sequence} batches: {ex.GetType().Name}: {ex.Message}";
        }
        file.TotalBatches = sequence;
        await output.WriteAsync(new FramedItem(file, null), cancel).ConfigureAwait(false);
    }

    private static FileContext WithSideTables(FileState file)
    {
        var c = file.Context!;
        return new FileContext
        {
            SourceFile = c.SourceFile, SourceSha256 = c.SourceSha256, FileName = c.FileName, ReferenceTimeUtc = c.ReferenceTimeUtc,
            Zone = c.Zone, ZoneSource = c.ZoneSource, ForcedYear = c.ForcedYear, DefaultHost = c.DefaultHost, Length = c.Length,
            SideTables = new FileSideTables(file),
        };
    }

    public void DisposeOpenFiles()
    {
        lock (_open)
        {
            foreach (var f in _open) f.Dispose();
            _open.Clear();
        }
    }
}
