using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Case;

/// <summary>
/// The case folder: <c>manifest.json</c>, <c>events/evidence_host=&lt;host&gt;/format=&lt;format&gt;/*.parquet</c>, <c>rejects/*.parquet</c>,
/// and derived tables (<c>sessions/</c>, <c>context/&lt;name&gt;/</c>). Read the whole case in any DuckDB with
/// <c>read_parquet('CASE/events/**/*.parquet', union_by_name=true)</c>, or in Spark/Trino as one table partitioned by
/// evidence_host and format (README, "The case as tables for other engines").
/// </summary>
public static class CaseLayout
{
    public const string ManifestFile = "manifest.json";
    public const string EventsFolder = "events";
    public const string RejectsFolder = "rejects";
    /// <summary>
    /// The run's scratch space inside the case: spooled evidence, and (<see cref="StagingFolder"/>) the parts a run
    /// writes before they are published. Never read as case data; a leftover of a killed run is removed by the next ingest.
    /// </summary>
    public const string TempFolder = ".tmp";
    /// <summary>Under <see cref="TempFolder"/>: the run's parts, laid out as in the case, until <see cref="CasePublish"/> moves them in.</summary>
    public const string StagingFolder = "staging";

    /// <summary>How a run names its part files: run 1 part-0.parquet, run N (an ingest --add) runN-part-0.parquet.</summary>
    public static string PartPrefix(int run) => run <= 1 ? "" : $"run{run}-";
    /// <summary>Exports written into the case by forensics investigate (timeline.csv); replaced with the case.</summary>
    public const string ExportsFolder = "exports";
    /// <summary>The HTML report forensics report and investigate write into the case; replaced with the case.</summary>
    public const string ReportFile = "report.html";

    public static IReadOnlyList<ColumnSpec> RejectColumns { get; } =
    [
        new("source_file", ColumnType.String),
        new("source_sha256", ColumnType.String),
        new("format", ColumnType.String, Dictionary: true),
        new("source_offset", ColumnType.Int64),
        new("reason", ColumnType.String, Dictionary: true),
        new("raw", ColumnType.Binary),
        new("raw_text", ColumnType.String),
        new(HostPartition.Key, ColumnType.String, Dictionary: true),
    ];

    /// <summary>
    /// The folder of one evidence host's events of one format, relative to the case: Hive-style
    /// <c>events/evidence_host=H/format=F</c>, so Spark, Trino or DuckDB read all of <c>events/</c> as one table
    /// partitioned by both (README, "The case as tables for other engines"). H is escaped by <see cref="HostPartition"/>.
    /// </summary>
    public static string EventPartFolder(string? evidenceHost, string formatId) =>
        Path.Combine(EventsFolder, HostPartition.FolderName(evidenceHost), FormatPartitionKey + "=" + formatId);

    public const string FormatPartitionKey = "format";

    /// <summary>Sigma matches written by forensics sigma / investigate --sigma, recorded in the manifest's parts.</summary>
    public const string DetectionsFolder = "detections";

    /// <summary>One row per event a Sigma rule matched: the rule (credited: id, author, file) and the event's provenance.</summary>
    public static IReadOnlyList<ColumnSpec> DetectionColumns { get; } =
    [
        new("rule_id", ColumnType.String, Dictionary: true),
        new("rule_title", ColumnType.String, Dictionary: true),
        new("rule_level", ColumnType.String, Dictionary: true),
        new("rule_status", ColumnType.String, Dictionary: true),
        new("rule_tags", ColumnType.String, Dictionary: true),
        new("rule_author", ColumnType.String, Dictionary: true),
        new("rule_file", ColumnType.String, Dictionary: true),
        new("ts", ColumnType.Timestamp),
        new("host", ColumnType.String, Dictionary: true),
        new("format", ColumnType.String, Dictionary: true),
        new("event", ColumnType.String, Dictionary: true),
        new("source_file", ColumnType.String, Dictionary: true),
        new("source_offset", ColumnType.Int64),
        new(HostPartition.Key, ColumnType.String, Dictionary: true),
    ];

    /// <summary>The folders and files a case run writes (and --replace removes); a report whose writing stopped leaves ReportFile.tmp.</summary>
    public static bool IsCaseEntry(string name) =>
        name is ManifestFile or EventsFolder or RejectsFolder or TempFolder or "sessions" or "context" or "tables" or ExportsFolder
            or ReportFile or ReportFile + ".tmp" or DetectionsFolder;
}
