using System.Text.Json;
using System.Text.Json.Serialization;

namespace Forensics.Pipeline.Case;

/// <summary>
/// What a case holds and how it came to be; the accounting an analyst (or a court) can check. A case grows by
/// ingest runs (<c>ingest --add</c>): each run keeps what it read and how (<see cref="Runs"/>), the case keeps
/// the totals over all runs and the list of its Parquet parts, the one list readers trust.
/// </summary>
public sealed class Manifest
{
    /// <summary>The shape this version writes: 2 has <see cref="Runs"/>. Version 1 (no such field) held one run's fields at the top level.</summary>
    public const int CurrentVersion = 2;

    public string Tool { get; set; } = "forensics";
    public int ManifestVersion { get; set; } = CurrentVersion;
    /// <summary>complete when every run completed; complete-unbalanced when a run's records did not add up; failed when the case's only run failed.</summary>
    public string Status { get; set; } = "running";
    /// <summary>Sums over all runs: files per status, records = events + rejects.</summary>
    public ManifestTotals Totals { get; set; } = new();
    /// <summary>Notes about the case as a whole (Sigma detections); each run keeps its own notes.</summary>
    public List<string> Notes { get; set; } = [];
    /// <summary>The ingest runs that wrote the case, oldest first (run 1 created it).</summary>
    public List<IngestRun> Runs { get; set; } = [];
    /// <summary>Every Parquet file of the case (events, rejects, sessions, context tables of every run, detections); null until a run completes.</summary>
    public List<ManifestPart>? Parts { get; set; }

    /// <summary>The newest run (the one an ingest just wrote).</summary>
    [JsonIgnore] public IngestRun LastRun => Runs[^1];

    /// <summary>
    /// Every input of every run, in run order (a file added twice is listed twice: parsed, then duplicate). With
    /// several runs the list is built on each call: take it once, not per index.
    /// </summary>
    [JsonIgnore] public IReadOnlyList<ManifestInput> Inputs => Runs.Count == 1 ? Runs[0].Inputs : Runs.SelectMany(r => r.Inputs).ToList();

    /// <summary>Recomputes the case's status and totals from its runs.</summary>
    public void Summarize()
    {
        Totals = ManifestTotals.Sum(Runs.Select(r => r.Totals));
        Status = Runs.Any(r => r.Status == "failed") ? "failed"
            : Runs.All(r => r.Status == "complete") ? "complete"
            : Runs.Any(r => r.Status == "complete-unbalanced") ? "complete-unbalanced" : LastRun.Status;
    }

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Writes the manifest under a temporary name and renames it into place: a reader sees the old or the new one, whole.</summary>
    public void Save(string path)
    {
        var temp = path + ".tmp";
        // Streamed: a string of the whole manifest was ~2 KB per input file at the end of a run.
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            JsonSerializer.Serialize(stream, this, Json);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>
    /// Several cases read as one (forensics query --case A --case B): their runs side by side (each keeps its own
    /// case's run number), parts and notes together, totals summed, status complete only when every case is. For
    /// reading and reports only; never saved.
    /// </summary>
    public static Manifest Combine(IReadOnlyList<Manifest> manifests)
    {
        if (manifests.Count == 0) return new Manifest { Status = "missing" };
        if (manifests.Count == 1) return manifests[0];
        var runs = manifests.SelectMany(m => m.Runs).ToList();
        var combined = new Manifest
        {
            Tool = manifests[0].Tool,
            Runs = runs,
            Notes = manifests.SelectMany(m => m.Notes).ToList(),
            Parts = manifests.All(m => m.Parts is not null) ? manifests.SelectMany(m => m.Parts!).ToList() : null,
        };
        combined.Summarize();
        combined.Status = manifests.All(m => m.Status == "complete") ? "complete" : string.Join(", ", manifests.Select(m => m.Status).Distinct());
        return combined;
    }

    /// <summary>
    /// Reads a manifest of this version or of version 1 (written before cases could grow: its top level is one
    /// run, read as run 1 of a case with that run's status and totals). A newer version is refused by name.
    /// </summary>
    public static Manifest Load(string path)
    {
        // A document, not a node tree: pooled memory, for manifests of collections with 100 k files.
        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{path}: the manifest is not a JSON object");
        int version = !root.TryGetProperty("manifest_version", out var v) ? 1
            : v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n) ? n
            : throw new InvalidDataException($"{path}: manifest_version is not a number");
        if (version > CurrentVersion)
            throw new InvalidDataException($"{path}: manifest version {version} was written by a newer forensics (this one reads up to {CurrentVersion}); use that version");
        if (version >= 2)
        {
            var manifest = root.Deserialize<Manifest>(Json) ?? throw new InvalidDataException($"{path}: empty manifest");
            if (manifest.Runs.Count == 0) throw new InvalidDataException($"{path}: the manifest lists no ingest runs");
            return manifest;
        }
        var run = root.Deserialize<IngestRun>(Json) ?? throw new InvalidDataException($"{path}: empty manifest");
        run.Run = 1;
        return new Manifest
        {
            Tool = root.TryGetProperty("tool", out var tool) && tool.ValueKind == JsonValueKind.String ? tool.GetString()! : "forensics",
            Status = run.Status,
            Totals = ManifestTotals.Sum([run.Totals]),
            Runs = [run],
            Parts = root.TryGetProperty("parts", out var parts) ? parts.Deserialize<List<ManifestPart>>(Json) : null,
        };
    }
}

/// <summary>One ingest of evidence into the case: what it was given, how it read it, and what it found.</summary>
public sealed class IngestRun
{
    /// <summary>1 for the run that created the case, then 2, 3, … for each <c>ingest --add</c>.</summary>
    public int Run { get; set; }
    public string ToolVersion { get; set; } = typeof(Manifest).Assembly.GetName().Version?.ToString() ?? "0";
    public DateTime StartedUtc { get; set; }
    public DateTime FinishedUtc { get; set; }
    public string Status { get; set; } = "running";
    public ManifestOptions Options { get; set; } = new();
    public List<ManifestInput> Inputs { get; set; } = [];
    public ManifestTotals Totals { get; set; } = new();
    public List<string> Notes { get; set; } = [];
    /// <summary>Busy time per stage (seconds of work, not of waiting on channels), summed over workers.</summary>
    public ManifestTimings Timings { get; set; } = new();
}

/// <summary>One Parquet file of the case: reading commands refuse a case whose files differ from this list (<see cref="CaseIntegrity"/>).</summary>
public sealed class ManifestPart
{
    /// <summary>Relative to the case folder, '/' separated (events/evidence_host=web1/format=syslog/part-0.parquet).</summary>
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
    /// <summary>
    /// parsed, partial (parsed up to a read error), skipped, failed, context (stored as a case table), archive (its
    /// members follow as files), or duplicate (the same SHA-256 is already in the case: <see cref="DuplicateOf"/>).
    /// </summary>
    public string Status { get; set; } = "parsed";
    public string? Reason { get; set; }
    /// <summary>For a duplicate: the source file whose identical bytes the case already holds, and the run that read it.</summary>
    public string? DuplicateOf { get; set; }
    public int? DuplicateOfRun { get; set; }
    /// <summary>Findings about the file as a whole (e.g. records not in time order); null when none.</summary>
    public List<string>? Notes { get; set; }
    public string? Format { get; set; }
    /// <summary>The machine whose evidence held the file (--host, else its input's etc/hostname); the evidence_host of its rows. Null when unknown.</summary>
    public string? EvidenceHost { get; set; }
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
    /// <summary>Files whose bytes (SHA-256) the case already held, from an earlier run or earlier in this one: not read twice.</summary>
    public int FilesDuplicate { get; set; }
    public long Records { get; set; }
    public long Events { get; set; }
    public long Rejects { get; set; }
    /// <summary>records == events + rejects for every file; false means a bug, and the run says so.</summary>
    public bool Balanced { get; set; }
    /// <summary>True when no evidence file was read without O_NOATIME (see <see cref="ManifestInput.AtimePreserved"/>).</summary>
    public bool AtimePreserved { get; set; }

    /// <summary>Counts added up over runs; balanced and atime-preserved only when every run was.</summary>
    public static ManifestTotals Sum(IEnumerable<ManifestTotals> runs)
    {
        var sum = new ManifestTotals { Balanced = true, AtimePreserved = true };
        foreach (var t in runs)
        {
            sum.Files += t.Files; sum.FilesParsed += t.FilesParsed; sum.FilesSkipped += t.FilesSkipped; sum.FilesFailed += t.FilesFailed;
            sum.FilesContext += t.FilesContext; sum.Archives += t.Archives; sum.FilesDuplicate += t.FilesDuplicate;
            sum.Records += t.Records; sum.Events += t.Events; sum.Rejects += t.Rejects;
            sum.Balanced &= t.Balanced;
            sum.AtimePreserved &= t.AtimePreserved;
        }
        return sum;
    }
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
