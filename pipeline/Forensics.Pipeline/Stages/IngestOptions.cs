using Forensics.Pipeline.Evidence;

namespace Forensics.Pipeline.Stages;

public sealed record IngestOptions
{
    public required IReadOnlyList<string> Inputs { get; init; }
    public required string CaseDirectory { get; init; }
    /// <summary>Replace an existing case's contents instead of refusing to write into a non-empty folder.</summary>
    public bool Replace { get; init; }
    /// <summary>Add the evidence to the existing case as a new run (its duplicates recorded, not read twice) instead of refusing a non-empty folder.</summary>
    public bool Add { get; init; }
    /// <summary>IANA zone for local-time stamps; overrides the case's etc/timezone / etc/localtime.</summary>
    public string? TimeZone { get; init; }
    /// <summary>The evidence host of every input of the run (--host); overrides the host names found in the evidence's etc/hostname.</summary>
    public string? Host { get; init; }
    /// <summary>Year of the first year-less record (overrides inference from file times).</summary>
    public int? Year { get; init; }
    /// <summary>Parse workers (default: processor count).</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;
    public int RowGroupSize { get; init; } = 128 * 1024;
    /// <summary>Part files written in parallel per format (each is encoded by its own thread).</summary>
    public int WriteLanes { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, 4);
    /// <summary>Batches waiting in each channel; small, so memory stays bounded whatever the input size.</summary>
    public int ChannelCapacity { get; init; } = 4;
    public AcquisitionLimits Limits { get; init; } = new();
    public IProgress<IngestProgress>? Progress { get; init; }
    /// <summary>Test hook: called by the parse stage for every batch (to inject failures).</summary>
    internal Action<Framing.RecordBatch>? OnParse { get; init; }
    /// <summary>Test hook: called with each file's provenance path as discovery hands it on (decompressed, hashed).</summary>
    internal Action<string>? OnDiscovered { get; init; }
    /// <summary>Test hook: called before each step of publishing the run into the case (each part's path, then manifest.json), to inject failures.</summary>
    internal Action<string>? OnPublish { get; init; }
    /// <summary>Parse CPU time of this run (TimeSpan ticks), summed by the workers.</summary>
    internal long ParseCpuTicks;
}

/// <summary>
/// Progress of a run; <see cref="FileDone"/> is set once per file, by the write stage, when it is complete. While a file is framed: its bytes read so far (<see cref="BytesDone"/>) of its decompressed
/// size (<see cref="FileBytes"/>). When a file is done (<see cref="FileDone"/>): its own events and rejects
/// (<see cref="FileEvents"/>, <see cref="FileRejects"/>); <see cref="EventsWritten"/> and <see cref="Rejects"/> are the run's totals.
/// </summary>
public readonly record struct IngestProgress(string CurrentFile, int FilesDone, long BytesDone, long EventsWritten, long Rejects, bool FileDone = false)
{
    /// <summary>The file's path relative to the input it was found in (archive members through the archive).</summary>
    public string RelativePath { get; init; } = CurrentFile;
    public long FileBytes { get; init; }
    public long FileEvents { get; init; }
    public long FileRejects { get; init; }
}
