using System.Threading.Channels;
using Forensics.Pipeline.Case;
using Forensics.Pipeline.Evidence;
using Forensics.Pipeline.Formats;
using Forensics.Pipeline.Runtime;

namespace Forensics.Pipeline.Stages;

/// <summary>
/// Takes evidence from discovery (<see cref="DiscoverStage"/>, running ahead on its own thread), decides each
/// file's format from its content, and frames it into batches in file order.
/// Per-file problems (unreadable, unknown format, corrupt part) are recorded in the manifest and the run goes
/// on; only failures of the stage itself (a bug, cancellation) end the run.
/// </summary>
internal sealed class FrameStage(IngestOptions options, CaseContext context, IngestRun run, DiscoverStage discovery, RotationSets rotation, DuplicateIndex duplicates)
{
    private readonly List<EvidenceFile> _open = [];
    private int _pruneAt = 64;
    private int _fileIndex;

    /// <summary>Thread CPU time (TimeSpan ticks) spent discovering/hashing (on discovery's own thread) and framing (channel waits excluded).</summary>
    public long DiscoverTicks => discovery.CpuTicks;
    public long FrameTicks { get; private set; }

    public async Task RunAsync(ChannelWriter<FramedItem> output, CancellationToken cancel)
    {
        await foreach (var evidence in discovery.ReadAllAsync(cancel).ConfigureAwait(false))
        {
            cancel.ThrowIfCancellationRequested();
            var entry = new ManifestInput
            {
                SourceFile = evidence.SourcePath, RelativePath = evidence.RelativePath, Size = evidence.Length,
                Sha256 = evidence.Sha256 == "" ? null : evidence.Sha256, StoredSize = evidence.StoredLength, StoredSha256 = evidence.StoredSha256,
                Compression = evidence.Compression, ModifiedUtc = evidence.ModifiedUtc, GzipTimeUtc = evidence.GzipTimeUtc,
                AtimePreserved = evidence.AtimePreserved, EvidenceHost = context.HostOf(evidence.InputIndex),
            };
            lock (run) run.Inputs.Add(entry);
            if (IsDuplicate(evidence, entry)) { evidence.Dispose(); continue; }
            if (IsContextFile(evidence, entry) is { } contextState)
            {
                // No records: the file's tables travel to the writer with its end marker.
                contextState.TotalBatches = 0;
                await output.WriteAsync(new FramedItem(contextState, null), cancel).ConfigureAwait(false);
                continue;
            }
            var state = Classify(evidence, entry);
            if (state is null) { evidence.Dispose(); continue; }
            Track(evidence);
            await FrameFileAsync(state, output, cancel).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A file whose bytes the case already holds (earlier in this run, or from an earlier run of the case) is a
    /// duplicate pointing at its twin, and is not read again (<see cref="DuplicateIndex"/>). Only files that would
    /// be read are checked: containers, empty, skipped and unreadable files keep their own status.
    /// </summary>
    private bool IsDuplicate(EvidenceFile evidence, ManifestInput entry)
    {
        if (evidence.IsContainer || evidence.SkipReason is not null || evidence.FailureReason is not null || evidence.Length == 0) return false;
        var key = IsContextCandidate(evidence) is { } kind
            ? DuplicateIndex.ContextKey(entry.EvidenceHost, kind, evidence.RelativePath, evidence.Sha256)
            : DuplicateIndex.LogKey(entry.EvidenceHost, evidence.Sha256);
        if (duplicates.Claim(key, run.Run, evidence.SourcePath) is not { } first) return false;
        entry.Status = "duplicate";
        entry.DuplicateOf = first.SourceFile;
        entry.DuplicateOfRun = first.Run;
        entry.Reason = $"duplicate of {first.SourceFile} (same SHA-256{(first.Run == run.Run ? "" : $", read by run {first.Run} of the case")})";
        return true;
    }

    /// <summary>The context kind of a file that is stored as a context table (not too large to read), else null.</summary>
    private static string? IsContextCandidate(EvidenceFile evidence) =>
        evidence.Length > 16 << 20 ? null
            : Evidence.Context.ContextFiles.Match(evidence.RelativePath) ?? (Evidence.Collections.UacCollection.IsLogPath(evidence.RelativePath) ? "uac_log" : null);

    /// <summary>
    /// Context files (etc/passwd, etc/ssh/sshd_config, …) become case tables, not events; the manifest says
    /// "context" with the table and row count. Null when the file is not one (or cannot be read).
    /// </summary>
    private FileState? IsContextFile(EvidenceFile evidence, ManifestInput entry)
    {
        if (evidence.IsContainer || evidence.SkipReason is not null || evidence.FailureReason is not null || evidence.Length == 0) return null;
        if (IsContextCandidate(evidence) is not { } kind) return null;
        byte[] bytes = new byte[evidence.Length];
        using (var s = evidence.OpenContent()) s.ReadExactly(bytes);
        IReadOnlyList<Formats.SideTable> tables;
        if (kind == "uac_log")
        {
            // Only UAC's own log (its banner first); any other uac.log is classified as usual.
            if (Evidence.Collections.UacCollection.ReadLog(bytes) is not { } collection) return null;
            entry.Collection = collection;
            tables = [Evidence.Collections.UacCollection.Table(collection)];
        }
        else tables = kind == "localtime"
            ? [Evidence.Context.ContextFiles.TimeZoneTable(context.ZoneSource.Contains(evidence.SourcePath, StringComparison.Ordinal) ? context.Zone.Id : null, "etc/localtime")]
            : Evidence.Context.ContextFiles.Parse(kind, evidence.RelativePath, bytes);
        entry.Status = "context";
        entry.Format = "context:" + kind;
        entry.Reason = string.Join(", ", tables.Select(t => $"{t.Rows.Count} rows in {t.Name}"));
        var state = new FileState(_fileIndex++, evidence, null, null, entry);
        state.SideTables.AddRange(tables);
        Track(evidence);
        return state;
    }

    /// <summary>Decides what happens to a file; null when it is not parsed (the manifest entry says why).</summary>
    private FileState? Classify(EvidenceFile evidence, ManifestInput entry)
    {
        if (evidence.IsContainer)
        {
            entry.Status = evidence.FailureReason is null ? "archive" : "failed";
            entry.Format = evidence.ContainerFormat;
            entry.Reason = $"{evidence.ContainerMembers} members" + (evidence.FailureReason is { } damaged ? $"; {damaged}" : "");
            return null;
        }
        if (evidence.SkipReason is { } skip) { entry.Status = "skipped"; entry.Reason = skip; return null; }
        if (evidence.FailureReason is { } fail) { entry.Status = "failed"; entry.Reason = fail; return null; }
        if (evidence.Length == 0) { entry.Status = "skipped"; entry.Reason = "empty file"; return null; }
        var (format, confidence, window) = FormatDetection.Detect(evidence.Head, evidence.Length, evidence.FileName, evidence.OpenContent);
        if (format is null && evidence.Partial)
        {
            // A cut-short member (bomb limit, corrupt stream) that no parser recognises: the cut is the news.
            entry.Status = "failed";
            entry.Reason = $"{evidence.PartialReason}; the part read is not a known format ({Describe(evidence.Head)})";
            return null;
        }
        if (format is null)
        {
            entry.Status = "skipped";
            entry.Reason = Evidence.Collections.UacCollection.SkipReason(evidence.RelativePath) is { } collected
                ? $"{collected} (no parser recognised the content: {Describe(evidence.Head)}; best confidence {confidence})"
                : $"no parser recognised the content ({Describe(evidence.Head)}; best confidence {confidence})";
            return null;
        }
        entry.Format = format.Id;
        entry.FormatConfidence = confidence;
        if (window > 0) (entry.Notes ??= []).Add($"recognised as {format.Id} by the content at offset {window}: the first {evidence.Head.Length} bytes match no format, and what of them the parser cannot read is rejected");
        // Rotation sets tighten the file's own reference (mtime/gzip time) with its newer siblings and the date in
        // its name; the file's own times join the set for siblings read after it.
        rotation.Observe(evidence.SourcePath, evidence.ReferenceTimeUtc);
        var reference = rotation.Bound(evidence.SourcePath, evidence.ReferenceTimeUtc);
        entry.ReferenceTimeUtc = reference;
        var state = new FileState(_fileIndex++, evidence, format, null, entry);
        state.Context = new FileContext
        {
            SourceFile = evidence.SourcePath, SourceSha256 = evidence.Sha256, FileName = evidence.FileName,
            ReferenceTimeUtc = reference, Zone = context.Zone, ZoneSource = context.ZoneSource,
            ForcedYear = options.Year, DefaultHost = context.HostOf(evidence.InputIndex), UserNames = context.UserNamesOf(evidence.InputIndex), Length = evidence.Length,
            CollectionMountPoint = context.CollectionMountPointFor(evidence.SourcePath),
            SideTables = new FileSideTables(state), OpenContent = evidence.OpenContent,
            Note = note =>
            {
                lock (run)
                {
                    (entry.Notes ??= []).Add(note);
                    run.Notes.Add($"{evidence.SourcePath}: {note}");
                }
            },
        };
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
        try
        {
            using var stream = file.Evidence.OpenContent();
            long start = ThreadCpu.Now();
            foreach (var batch in file.Format!.Frame(stream, file.Context!, cancel))
            {
                FrameTicks += ThreadCpu.Now() - start;
                batch.Sequence = sequence++;
                // Read before handing the batch over: a parse worker owns (and releases) it from then on.
                long lastOffset = batch.Count > 0 ? batch.Offset(batch.Count - 1) : 0;
                await output.WriteAsync(new FramedItem(file, batch), cancel).ConfigureAwait(false);
                options.Progress?.Report(new IngestProgress(file.Evidence.SourcePath, file.Index, lastOffset, 0, 0)
                    { RelativePath = file.Manifest.RelativePath, FileBytes = file.Evidence.Length });
                start = ThreadCpu.Now();
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

    /// <summary>
    /// Keeps the file for <see cref="DisposeOpenFiles"/> (a failed run); files the writer has finished (disposed)
    /// are dropped from time to time, so the list holds the files in flight, not every file of the run.
    /// </summary>
    private void Track(EvidenceFile evidence)
    {
        lock (_open)
        {
            _open.Add(evidence);
            if (_open.Count < _pruneAt) return;
            _open.RemoveAll(f => f.IsDisposed);
            _pruneAt = Math.Max(64, _open.Count * 2);
        }
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
