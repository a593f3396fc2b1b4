using System.Threading.Channels;
using Forensics.Pipeline.Case;
using Forensics.Pipeline.Evidence;

namespace Forensics.Pipeline.Stages;

/// <summary>
/// Runs an ingest: discover → frame (1 task) → parse (N workers) → write (1 task), wired with bounded channels
/// that carry batches. Backpressure comes from the bounds (nothing is dropped); one cancellation source stops
/// every stage; the first exception in any stage cancels the others and fails the run with that stage's name.
/// </summary>
public static class IngestRunner
{
    public static async Task<Manifest> RunAsync(IngestOptions options, CancellationToken cancel = default)
    {
        var processCpuStart = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var gcStart = new GcMark(GC.CollectionCount(0), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes());
        var caseDir = Path.GetFullPath(options.CaseDirectory);
        // A mistyped path must not leave an empty case behind: check every input before the case folder is touched.
        var missing = options.Inputs.Where(i => !File.Exists(i) && !Directory.Exists(i)).ToList();
        if (missing.Count > 0)
            throw new MissingInputException($"no such file or folder: {string.Join(", ", missing)}; nothing was written");
        bool replaced;
        try
        {
            replaced = PrepareCaseFolder(caseDir, options);
            // The spool folder is the first thing written; creating it now turns a read-only case folder into
            // one clear error instead of a failure somewhere in the middle of the run.
            Directory.CreateDirectory(Path.Combine(caseDir, CaseLayout.TempFolder));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CaseOutputException($"cannot write the case folder {caseDir}: {ex.Message}", ex);
        }
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var spoolDir = Path.Combine(caseDir, CaseLayout.TempFolder);
        // Discovery needs no zone or host: it starts now, decompressing the first members while the pre-pass
        // looks for etc/timezone and friends, and then keeps a few files ahead of the framer.
        var discover = DiscoverStage.Start(new EvidenceDiscovery(options.Limits, spoolDir), options.Inputs, DiscoverAhead, options.OnDiscovered, cts.Token);
        EvidenceListing listing;
        CaseContext context;
        try
        {
            listing = EvidenceListing.Run(options.Inputs, options.Limits, spoolDir, cancel);
            context = CaseContext.Resolve(options, listing);
        }
        catch
        {
            await discover.DisposeAsync().ConfigureAwait(false);
            TryDelete(spoolDir);
            throw;
        }
        var manifest = new Manifest
        {
            StartedUtc = DateTime.UtcNow,
            Options = new ManifestOptions
            {
                Inputs = options.Inputs.Select(Path.GetFullPath).ToList(),
                TimeZone = context.Zone.Id, TimeZoneSource = context.ZoneSource, TimeZoneAssumed = context.ZoneAssumed, Year = options.Year, Host = context.Hostname,
                Workers = options.Workers, MaxMemberBytes = options.Limits.MaxMemberBytes, MaxExpansionRatio = options.Limits.MaxExpansionRatio,
            },
        };
        if (replaced) manifest.Notes.Add("replaced the previous contents of the case folder");
        manifest.Notes.AddRange(context.Notes);

        var framed = Channel.CreateBounded<FramedItem>(new BoundedChannelOptions(options.ChannelCapacity) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        var parsed = Channel.CreateBounded<ParsedItem>(new BoundedChannelOptions(options.ChannelCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        var failure = new StageFailure(cts);

        var frameStage = new FrameStage(options, context, manifest, discover, listing.Rotation);
        var writer = new CaseWriter(caseDir, options.RowGroupSize, options.WriteLanes);
        var writeStage = new WriteStage(writer, options);

        var frameTask = failure.Run("discover/frame", () => frameStage.RunAsync(framed.Writer, cts.Token), framed.Writer);
        var parseTasks = Enumerable.Range(0, Math.Max(1, options.Workers))
            .Select(i => failure.Run($"parse worker {i}", () => ParseStage.RunAsync(framed.Reader, parsed.Writer, options, cts.Token), null))
            .ToArray();
        var parseDone = Task.WhenAll(parseTasks).ContinueWith(_ => parsed.Writer.TryComplete(failure.Error), TaskScheduler.Default);
        var writeTask = failure.Run("write", () => writeStage.RunAsync(parsed.Reader, cts.Token), null);

        await Task.WhenAll([frameTask, .. parseTasks, parseDone, writeTask]).ConfigureAwait(false);
        try
        {
            if (failure.Error is null)
            {
                var parts = await writer.CompleteAsync(cts.Token).ConfigureAwait(false);
                // Hashed as they lie on disk: reading commands compare against this list before answering.
                manifest.Parts = parts.Select(p => CaseIntegrity.Describe(caseDir, p.Path, p.Rows)).OrderBy(p => p.Path, StringComparer.Ordinal).ToList();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            failure.Record("write", ex);
        }
        finally
        {
            await writer.DisposeAsync().ConfigureAwait(false);
            await discover.DisposeAsync().ConfigureAwait(false);
            frameStage.DisposeOpenFiles();
            TryDelete(Path.Combine(caseDir, CaseLayout.TempFolder));
        }

        manifest.FinishedUtc = DateTime.UtcNow;
        Summarize(manifest);
        manifest.Timings = Timings(manifest, frameStage, options, writer, processCpuStart, gcStart);
        if (failure.Error is { } error)
        {
            manifest.Status = "failed";
            manifest.Notes.Add($"run failed in stage {failure.Stage}: {error.Message}");
            SaveManifest(manifest, caseDir);
            if (error is OperationCanceledException && cancel.IsCancellationRequested) throw error;
            throw new IngestFailedException($"ingest failed in stage {failure.Stage}: {error.GetType().Name}: {error.Message}", failure.Stage!, error);
        }
        manifest.Status = manifest.Totals.Balanced ? "complete" : "complete-unbalanced";
        SaveManifest(manifest, caseDir);
        return manifest;
    }

    /// <summary>
    /// How far discovery may run ahead of the framer. Memory as before this read-ahead existed (two in-memory
    /// spools' worth); temporary files up to 1 GiB, so that while the pre-pass reads a .tar.gz the other core
    /// decompresses it for the main pass instead of idling (the page cache keeps such spools in memory anyway).
    /// </summary>
    private static readonly ReadAheadLimits DiscoverAhead = new(Files: 64, MemoryBytes: 128L << 20, DiskBytes: 1L << 30);

    private readonly record struct GcMark(int Collections, TimeSpan Pause, long Allocated);

    private static ManifestTimings Timings(Manifest manifest, FrameStage frame, IngestOptions options, CaseWriter writer, TimeSpan processCpuStart, GcMark start)
    {
        static double Seconds(long ticks) => Math.Round((double)ticks / TimeSpan.TicksPerSecond, 3);
        long records = Math.Max(1, manifest.Totals.Records);
        double PerRecord(long ticks) => Math.Round(ticks / 10.0 / records, 3);
        long process = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - processCpuStart).Ticks;
        long encode = writer.EncodeCpuTicks;
        return new ManifestTimings
        {
            WallSeconds = Math.Round((manifest.FinishedUtc - manifest.StartedUtc).TotalSeconds, 3),
            DiscoverAndHashCpuSeconds = Seconds(frame.DiscoverTicks), FrameCpuSeconds = Seconds(frame.FrameTicks),
            ParseCpuSeconds = Seconds(options.ParseCpuTicks), EncodeCpuSeconds = Seconds(encode), ProcessCpuSeconds = Seconds(process),
            FrameCpuMicrosPerRecord = PerRecord(frame.FrameTicks), ParseCpuMicrosPerRecord = PerRecord(options.ParseCpuTicks),
            EncodeCpuMicrosPerRecord = PerRecord(encode), ProcessCpuMicrosPerRecord = PerRecord(process),
            GarbageCollections = GC.CollectionCount(0) - start.Collections,
            GcPauseSeconds = Math.Round((GC.GetTotalPauseDuration() - start.Pause).TotalSeconds, 3),
            AllocatedBytesPerRecord = Math.Round((double)(GC.GetTotalAllocatedBytes() - start.Allocated) / records, 1),
        };
    }

    private static void SaveManifest(Manifest manifest, string caseDir)
    {
        try { manifest.Save(Path.Combine(caseDir, CaseLayout.ManifestFile)); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CaseOutputException($"cannot write the case manifest in {caseDir}: {ex.Message}", ex);
        }
    }

    private static void Summarize(Manifest manifest)
    {
        var t = manifest.Totals;
        t.Files = manifest.Inputs.Count;
        t.FilesParsed = manifest.Inputs.Count(i => i.Status is "parsed" or "partial");
        t.FilesSkipped = manifest.Inputs.Count(i => i.Status == "skipped");
        t.FilesFailed = manifest.Inputs.Count(i => i.Status == "failed");
        t.FilesContext = manifest.Inputs.Count(i => i.Status == "context");
        t.Archives = manifest.Inputs.Count(i => i.Status == "archive");
        t.Records = manifest.Inputs.Sum(i => i.Records);
        t.Events = manifest.Inputs.Sum(i => i.Events);
        t.Rejects = manifest.Inputs.Sum(i => i.Rejects);
        t.Balanced = manifest.Inputs.All(i => i.Records == i.Events + i.Rejects);
        int atimeTouched = manifest.Inputs.Count(i => i.AtimePreserved == false);
        t.AtimePreserved = atimeTouched == 0;
        if (atimeTouched > 0)
            manifest.Notes.Add($"{atimeTouched} evidence files were read without O_NOATIME (this user does not own them and lacks CAP_FOWNER): their access times may have been updated by this run (see atime_preserved per input)");
    }

    /// <summary>Refuses to mix evidence into an existing case unless told to replace it, and never writes inside an input folder.</summary>
    private static bool PrepareCaseFolder(string caseDir, IngestOptions options)
    {
        // Real paths on both sides: a link to the evidence (evlink -> ev) or into it (out -> ev/var) is the evidence.
        var realCase = RealPath.Resolve(caseDir);
        foreach (var input in options.Inputs.Where(Directory.Exists))
        {
            var realInput = RealPath.Resolve(input);
            if ((realCase + Path.DirectorySeparatorChar).StartsWith(realInput.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new CaseFolderException($"the case folder {caseDir} is inside the input folder {Path.GetFullPath(input)}"
                    + (realCase == caseDir && realInput == Path.GetFullPath(input) ? "" : $" (through symbolic links: {realCase} is in {realInput})")
                    + "; evidence folders are never written to");
        }
        if (!Directory.Exists(caseDir)) { Directory.CreateDirectory(caseDir); return false; }
        var entries = Directory.EnumerateFileSystemEntries(caseDir).Select(Path.GetFileName).ToList();
        if (entries.Count == 0) return false;
        if (!options.Replace)
            throw new CaseFolderException($"the case folder {caseDir} is not empty; use --replace to replace its case data, or choose another --out");
        var foreign = entries.Where(e => !CaseLayout.IsCaseEntry(e!)).ToList();
        if (foreign.Count > 0)
            throw new CaseFolderException($"the case folder {caseDir} holds files that are not case data ({string.Join(", ", foreign.Take(3))}); refusing to replace it");
        foreach (var e in entries)
        {
            var p = Path.Combine(caseDir, e!);
            if (Directory.Exists(p)) Directory.Delete(p, recursive: true);
            else File.Delete(p);
        }
        return true;
    }

    private static void TryDelete(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
    }

    /// <summary>Records the first failure of any stage and cancels the others.</summary>
    private sealed class StageFailure(CancellationTokenSource cts)
    {
        private readonly Lock _lock = new();
        public Exception? Error { get; private set; }
        public string? Stage { get; private set; }

        public void Record(string stage, Exception ex)
        {
            lock (_lock)
            {
                // A cancellation caused by another stage's failure is not the cause.
                if (Error is null || (Error is OperationCanceledException && ex is not OperationCanceledException))
                {
                    Error = ex;
                    Stage = stage;
                }
            }
            cts.Cancel();
        }

        public async Task Run(string stage, Func<Task> body, ChannelWriter<FramedItem>? completes)
        {
            try
            {
                await body().ConfigureAwait(false);
                completes?.TryComplete();
            }
            catch (Exception ex)
            {
                Record(stage, ex);
                completes?.TryComplete(ex);
            }
        }
    }
}

public sealed class IngestFailedException(string message, string stage, Exception inner) : Exception(message, inner)
{
    /// <summary>The stage that failed first (discover/frame, parse worker N, write).</summary>
    public string Stage { get; } = stage;
}
public sealed class CaseFolderException(string message) : Exception(message);
/// <summary>An input path that does not exist; raised before anything is written.</summary>
public sealed class MissingInputException(string message) : Exception(message);
/// <summary>The case folder cannot be created or written (read-only, not a folder, no permission, disk full).</summary>
public sealed class CaseOutputException(string message, Exception inner) : Exception(message, inner);
