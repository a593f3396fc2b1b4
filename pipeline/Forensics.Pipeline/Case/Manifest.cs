using System.Text.Json;
using System.Text.Json.Serialization;

namespace Forensics.Pipeline.Case;

/// <summary>What a run read and produced; the accounting an analyst (or a court) can check.</summary>
public sealed class Manifest
{
    public string Tool { get; set; } = "forensics";
    public string ToolVersion { get; set; } = typeof(Manifest).Assembly.GetName().Version?.ToString() ?? "0";
    public DateTime StartedUtc { get; set; }
    public DateTime FinishedUtc { get; set; }
    public string Status { get; set; } = "running";
    public ManifestOptions Options { get; set; } = new();
    public List<ManifestInput> Inputs { get; set; } = [];
    public ManifestTotals Totals { get; set; } = new();
    public List<string> Notes { get; set; } = [];
    /// <summary>Every Parquet file the run wrote (events, rejects, sessions, context tables); null until the run completes.</summary>
    public List<ManifestPart>? Parts { get; set; }
    /// <summary>Busy time per stage (seconds of work, not of waiting on channels), summed over workers.</summary>
    public ManifestTimings Timings { get; set; } = new();

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public void Save(string path)
    {
        var temp = path + ".tmp";
        // Streamed: a string of the whole manifest was ~2 KB per input file at the end of a run.
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            JsonSerializer.Serialize(stream, this, Json);
        File.Move(temp, path, overwrite: true);
    }

    public static Manifest Load(string path) =>
        JsonSerializer.Deserialize<Manifest>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty manifest");
}

/// <summary>One Parquet file of the case: reading commands refuse a case whose files differ from this list (<see cref="CaseIntegrity"/>).</summary>
public sealed class ManifestPart
{
    /// <summary>Relative to the case folder, '/' separated (events/syslog/part-0.parquet).</summary>
    public string Path { get; set; } = "";
    public long Rows { get; set; }
    public long Bytes { get; set; }
    public string Sha256 { get; set; } = "";
}

public sealed class ManifestOptions
{
    public List<string> Inputs { get; set; } = [];
    public string TimeZone { get; set; } = "UTC";
    public string TimeZoneSource { get; set; } = "default";
    /// <summary>True when UTC was only assumed for local-time stamps (no --tz, no usable zone in the evidence).</summary>
    public bool TimeZoneAssumed { get; set; }
    public int? Year { get; set; }
    public string? Host { get; set; }
    public int Workers { get; set; }
    public long MaxMemberBytes { get; set; }
    public double MaxExpansionRatio { get; set; }
}

public sealed class ManifestInput
{
    public string SourceFile { get; set; } = "";
    public string RelativePath { get; set; } = "";
    public long Size { get; set; }
    public string? Sha256 { get; set; }
    public long? StoredSize { get; set; }
    public string? StoredSha256 { get; set; }
    public string? Compression { get; set; }
    public DateTime? ModifiedUtc { get; set; }
    public DateTime? GzipTimeUtc { get; set; }
    /// <summary>
    /// True when the file (or the archive on disk it came from) was read with O_NOATIME, so its access time is
    /// as it was found; false when the OS refused (not the owner, no CAP_FOWNER) and reading may have updated it;
    /// absent when the file was not opened.
    /// </summary>
    public bool? AtimePreserved { get; set; }
    /// <summary>Upper bound of the file's last record used for year inference (own times tightened by its rotation set).</summary>
    public DateTime? ReferenceTimeUtc { get; set; }
    /// <summary>parsed, partial (parsed up to a read error), skipped, failed, context (stored as a case table), or archive (its members follow as files).</summary>
    public string Status { get; set; } = "parsed";
    public string? Reason { get; set; }
    /// <summary>Findings about the file as a whole (e.g. records not in time order); null when none.</summary>
    public List<string>? Notes { get; set; }
    public string? Format { get; set; }
    public int? FormatConfidence { get; set; }
    public long Records { get; set; }
    public long Events { get; set; }
    public long Rejects { get; set; }
    public DateTime? FirstTsUtc { get; set; }
    public DateTime? LastTsUtc { get; set; }
    /// <summary>Set on a collection tool's own log (UAC's uac.log): what the collection says about itself; null otherwise.</summary>
    public ManifestCollection? Collection { get; set; }
}

/// <summary>
/// A forensic collection's metadata, from the collector's own log (UAC: uac.log's header and last line). The
/// collecting run's facts, not the machine's records: the machine's own etc/hostname and os-release are context tables.
/// </summary>
public sealed class ManifestCollection
{
    /// <summary>The collector ("uac").</summary>
    public string Kind { get; set; } = "";
    public string? ToolVersion { get; set; }
    public string? Hostname { get; set; }
    public string? OperatingSystem { get; set; }
    public string? Architecture { get; set; }
    /// <summary>First and last line of the collector's log (UTC): when the collection ran.</summary>
    public DateTime? StartedUtc { get; set; }
    public DateTime? FinishedUtc { get; set; }
    /// <summary>True when the log reports the collection completed (UAC: "Artifacts collection completed in N seconds").</summary>
    public bool CollectionCompleted { get; set; }
    /// <summary>ERR lines of the log (artifacts that failed to collect).</summary>
    public int Errors { get; set; }
    /// <summary>The root collected (UAC --mount-point; "/" for a live system). UAC's bodyfile names files with it as prefix.</summary>
    public string? MountPoint { get; set; }
    public string? TimeZone { get; set; }
    public string? CommandLine { get; set; }
}

public sealed class ManifestTotals
{
    public int Files { get; set; }
    public int FilesParsed { get; set; }
    public int FilesSkipped { get; set; }
    public int FilesFailed { get; set; }
    /// <summary>Context files stored as case tables (etc/passwd, sshd_config, …).</summary>
    public int FilesContext { get; set; }
    /// <summary>Archives (tar, zip) whose members are listed as files of their own.</summary>
    public int Archives { get; set; }
    public long Records { get; set; }
    public long Events { get; set; }
    public long Rejects { get; set; }
    /// <summary>records == events + rejects for every file; false means a bug, and the run says so.</summary>
    public bool Balanced { get; set; }
    /// <summary>True when no evidence file was read without O_NOATIME (see <see cref="ManifestInput.AtimePreserved"/>).</summary>
    public bool AtimePreserved { get; set; }
}

/// <summary>
/// Where the run's time went. Stage figures are CPU time of the threads doing that stage's work (not wall time,
/// which on a busy machine charges a stage for waiting); per-record figures divide by all records of the run.
/// </summary>
public sealed class ManifestTimings
{
    public double WallSeconds { get; set; }
    public double DiscoverAndHashCpuSeconds { get; set; }
    public double FrameCpuSeconds { get; set; }
    public double ParseCpuSeconds { get; set; }
    /// <summary>Parquet encoding and compression of event row groups (background tasks of the writer).</summary>
    public double EncodeCpuSeconds { get; set; }
    /// <summary>Process CPU time (all threads: stages, GC, runtime) over the run.</summary>
    public double ProcessCpuSeconds { get; set; }
    public double FrameCpuMicrosPerRecord { get; set; }
    public double ParseCpuMicrosPerRecord { get; set; }
    public double EncodeCpuMicrosPerRecord { get; set; }
    public double ProcessCpuMicrosPerRecord { get; set; }
    /// <summary>Garbage collections during the run (all generations) and the time the runtime was paused for them.</summary>
    public int GarbageCollections { get; set; }
    public double GcPauseSeconds { get; set; }
    /// <summary>Managed bytes allocated by the run divided by its records: what the event path still allocates per record.</summary>
    public double AllocatedBytesPerRecord { get; set; }
}
