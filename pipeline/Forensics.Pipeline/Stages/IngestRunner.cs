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
        if (options.Add && options.Replace)
            throw new ArgumentException("--add and --replace exclude each other: --add keeps the case and adds evidence to it, --replace starts it over");
        // A mistyped path must not leave an empty case behind: check every input before the case folder is touched.
        var missing = options.Inputs.Where(i => !File.Exists(i) && !Directory.Exists(i)).ToList();
        if (missing.Count > 0)
            throw new MissingInputException($"no such file or folder: {string.Join(", ", missing)}; nothing was written");
        var tempDir = Path.Combine(caseDir, CaseLayout.TempFolder);
        var stagingDir = Path.Combine(tempDir, CaseLayout.StagingFolder);
        bool replaced = false;
        CaseAddition? addition = null;
        try
        {
            RefuseCaseInsideInputs(caseDir, options);
            if (options.Add) addition = CaseAddition.Open(caseDir);
            else replaced = PrepareCaseFolder(caseDir, options);
            // The spool folder is the first thing written; creating it now turns a read-only case folder into
            // one clear error instead of a failure somewhere in the middle of the run.
            Directory.CreateDirectory(stagingDir);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            addition?.Dispose();
            if (addition is not null) TryDelete(tempDir);
            throw new CaseOutputException($"cannot write the case folder {caseDir}: {ex.Message}", ex);
        }
        using var additionLock = addition;
        try
        {
            return await RunStagesAsync(options, caseDir, stagingDir, addition, replaced, processCpuStart, gcStart, cancel).ConfigureAwait(false);
        }
        finally
        {
            // Spooled evidence and staged parts are gone whatever happened; a published run's parts are in the case by now.
            TryDelete(tempDir);
        }
    }

    private static async Task<Manifest> RunStagesAsync(IngestOptions options, string caseDir, string stagingDir, CaseAddition? addition, bool replaced,
        TimeSpan processCpuStart, GcMark gcStart, CancellationToken cancel)
    {
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
            context = CaseContext.Resolve(options, listing, addition?.Manifest.LastRun);
        }
        catch
        {
            await discover.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var run = new IngestRun
        {
            Run = addition?.NextRun ?? 1,
            StartedUtc = DateTime.UtcNow,
            Options = new ManifestOptions
            {
                Inputs = options.Inputs.Select(Path.GetFullPath).ToList(),
                TimeZone = context.Zone.Id, TimeZoneSource = context.ZoneSource, TimeZoneAssumed = context.ZoneAssumed, Year = options.Year, Host = context.Hostname,
                Workers = options.Workers, MaxMemberBytes = options.Limits.MaxMemberBytes, MaxExpansionRatio = options.Limits.MaxExpansionRatio,
            },
        };
        if (replaced) run.Notes.Add("replaced the previous contents of the case folder");
        if (addition?.Recovered is { } recovered) run.Notes.Add(recovered);
        run.Notes.AddRange(context.Notes);

        var framed = Channel.CreateBounded<FramedItem>(new BoundedChannelOptions(options.ChannelCapacity) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        var parsed = Channel.CreateBounded<ParsedItem>(new BoundedChannelOptions(options.ChannelCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        var failure = new StageFailure(cts);

        var frameStage = new FrameStage(options, context, run, discover, listing.Rotation, DuplicateIndex.Of(addition?.Manifest));
        // Parts are written into the staging folder under the run's own names, and published when the run is done.
        var writer = new CaseWriter(stagingDir, options.RowGroupSize, options.WriteLanes, CaseLayout.PartPrefix(run.Run));
        var writeStage = new WriteStage(writer, options);

        var frameTask = failure.Run("discover/frame", () => frameStage.RunAsync(framed.Writer, cts.Token), framed.Writer);
        var parseTasks = Enumerable.Range(0, Math.Max(1, options.Workers))
            .Select(i => failure.Run($"parse worker {i}", () => ParseStage.RunAsync(framed.Reader, parsed.Writer, options, cts.Token), null))
            .ToArray();
        var parseDone = Task.WhenAll(parseTasks).ContinueWith(_ => parsed.Writer.TryComplete(failure.Error), TaskScheduler.Default);
        var writeTask = failure.Run("write", () => writeStage.RunAsync(parsed.Reader, cts.Token), null);

        await Task.WhenAll([frameTask, .. parseTasks, parseDone, writeTask]).ConfigureAwait(false);
        List<ManifestPart> newParts = [];
        try
        {
            if (failure.Error is null)
            {
                var parts = await writer.CompleteAsync(cts.Token).ConfigureAwait(false);
                // Hashed as they lie in staging (moving them does not change a byte): reading commands compare against this list before answering.
                newParts = parts.Select(p => CaseIntegrity.Describe(stagingDir, p.Path, p.Rows)).OrderBy(p => p.Path, StringComparer.Ordinal).ToList();
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
        }

        run.FinishedUtc = DateTime.UtcNow;
        Summarize(run);
        run.Timings = Timings(run, frameStage, options, writer, processCpuStart, gcStart);
        var manifest = addition?.Manifest ?? new Manifest();
        if (failure.Error is { } error)
        {
            run.Status = "failed";
            run.Notes.Add($"run failed in stage {failure.Stage}: {error.Message}");
            // A new case records its failed run; a case evidence was being added to stays exactly as it was.
            if (addition is null)
            {
                manifest.Runs.Add(run);
                manifest.Summarize();
                SaveManifest(manifest, caseDir);
            }
            if (error is OperationCanceledException && cancel.IsCancellationRequested) throw error;
            throw new IngestFailedException($"ingest failed in stage {failure.Stage}: {error.GetType().Name}: {error.Message}"
                + (addition is null ? "" : "; the case is as it was before this run"), failure.Stage!, error);
        }
        run.Status = run.Totals.Balanced ? "complete" : "complete-unbalanced";
        if (addition is not null && manifest.Parts!.Any(p => p.Path.StartsWith(CaseLayout.DetectionsFolder + "/", StringComparison.Ordinal)))
            run.Notes.Add("the case's Sigma detections were found before this run and do not cover its evidence: run forensics sigma (or investigate --sigma) again");
        manifest.Runs.Add(run);
        manifest.Summarize();
        manifest.Parts = [.. (manifest.Parts ?? []).Concat(newParts).OrderBy(p => p.Path, StringComparer.Ordinal)];
        Publish(caseDir, stagingDir, newParts, manifest, options);
        return manifest;
    }

    /// <summary>Moves the run's parts into the case and commits them with the manifest (<see cref="CasePublish"/>); any failure leaves the case as it was.</summary>
    private static void Publish(string caseDir, string stagingDir, List<ManifestPart> parts, Manifest manifest, IngestOptions options)
    {
        try { CasePublish.Publish(caseDir, stagingDir, parts, manifest, options.OnPublish); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CaseOutputException($"cannot publish the run into the case folder {caseDir} ({ex.Message}); the case is as it was before this run", ex);
        }
        catch (Exception ex)
        {
            throw new IngestFailedException($"ingest failed in stage publish: {ex.GetType().Name}: {ex.Message}; the case is as it was before this run", "publish", ex);
        }
    }

    /// <summary>
    /// How far discovery may run ahead of the framer. Memory as before this read-ahead existed (two in-memory
    /// spools' worth); temporary files up to 1 GiB, so that while the pre-pass reads a .tar.gz the other core
    /// decompresses it for the main pass instead of idling (the page cache keeps such spools in memory anyway).
    /// </summary>
    private static readonly ReadAheadLimits DiscoverAhead = new(Files: 64, MemoryBytes: 128L << 20, DiskBytes: 1L << 30);

    private readonly record struct GcMark(int Collections, TimeSpan Pause, long Allocated);

    private static ManifestTimings Timings(IngestRun run, FrameStage frame, IngestOptions options, CaseWriter writer, TimeSpan processCpuStart, GcMark start)
    {
        static double Seconds(long ticks) => Math.Round((double)ticks / TimeSpan.TicksPerSecond, 3);
        long records = Math.Max(1, run.Totals.Records);
        double PerRecord(long ticks) => Math.Round(ticks / 10.0 / records, 3);
        long process = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - processCpuStart).Ticks;
        long encode = writer.EncodeCpuTicks;
        return new ManifestTimings
        {
            WallSeconds = Math.Round((run.FinishedUtc - run.StartedUtc).TotalSeconds, 3),
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

    private static void Summarize(IngestRun run)
    {
        var t = run.Totals;
        t.Files = run.Inputs.Count;
        t.FilesParsed = run.Inputs.Count(i => i.Status is "parsed" or "partial");
        t.FilesSkipped = run.Inputs.Count(i => i.Status == "skipped");
        t.FilesFailed = run.Inputs.Count(i => i.Status == "failed");
        t.FilesContext = run.Inputs.Count(i => i.Status == "context");
        t.Archives = run.Inputs.Count(i => i.Status == "archive");
        t.FilesDuplicate = run.Inputs.Count(i => i.Status == "duplicate");
        t.Records = run.Inputs.Sum(i => i.Records);
        t.Events = run.Inputs.Sum(i => i.Events);
        t.Rejects = run.Inputs.Sum(i => i.Rejects);
        t.Balanced = run.Inputs.All(i => i.Records == i.Events + i.Rejects);
        int atimeTouched = run.Inputs.Count(i => i.AtimePreserved == false);
        t.AtimePreserved = atimeTouched == 0;
        if (atimeTouched > 0)
            run.Notes.Add($"{atimeTouched} evidence files were read without O_NOATIME (this user does not own them and lacks CAP_FOWNER): their access times may have been updated by this run (see atime_preserved per input)");
    }

    /// <summary>A case is never written inside an input folder.</summary>
    private static void RefuseCaseInsideInputs(string caseDir, IngestOptions options)
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
    }

    /// <summary>Refuses to mix evidence into an existing case unless told to replace it (or to add to it: <see cref="CaseAddition"/>).</summary>
    private static bool PrepareCaseFolder(string caseDir, IngestOptions options)
    {
        if (!Directory.Exists(caseDir)) { Directory.CreateDirectory(caseDir); return false; }
        var entries = Directory.EnumerateFileSystemEntries(caseDir).Select(Path.GetFileName).ToList();
        if (entries.Count == 0) return false;
        if (!options.Replace)
            throw new CaseFolderException($"the case folder {caseDir} is not empty; use --add to add the evidence to its case, --replace to replace its case data, or choose another --out");
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

    internal static void TryDelete(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
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
