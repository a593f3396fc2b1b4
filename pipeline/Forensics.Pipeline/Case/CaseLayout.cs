using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Case;

/// <summary>
/// The case folder: <c>manifest.json</c>, <c>events/&lt;format&gt;/*.parquet</c>, <c>rejects/*.parquet</c>,
/// and derived tables (<c>sessions/</c>, <c>context/&lt;name&gt;/</c>). Read the whole case in any DuckDB with
/// <c>read_parquet('CASE/events/**/*.parquet', union_by_name=true)</c>.
/// </summary>
public static class CaseLayout
{
    public const string ManifestFile = "manifest.json";
    public const string EventsFolder = "events";
    public const string RejectsFolder = "rejects";
    public const string TempFolder = ".tmp";
    /// <summary>Exports written into the case by forensics investigate (timeline.csv); replaced with the case.</summary>
    public const string ExportsFolder = "exports";

    /// <summary>Spine columns, in file order. Names are the contract queries and exports rely on.</summary>
    public static IReadOnlyList<ColumnSpec> SpineColumns { get; } =
    [
        new("ts", ColumnType.Timestamp),
        new("ts_quality", ColumnType.String, Dictionary: true),
        new("host", ColumnType.String, Dictionary: true),
        new("format", ColumnType.String, Dictionary: true),
        new("event", ColumnType.String, Dictionary: true),
        new("process", ColumnType.String, Dictionary: true),
        new("pid", ColumnType.Int64),
        new("unit", ColumnType.String, Dictionary: true),
        new("user", ColumnType.String, Dictionary: true),
        new("src_ip", ColumnType.String, Dictionary: true),
        new("src_port", ColumnType.Int32),
        new("message", ColumnType.String),
        // Per-file constants are not dictionary-encoded: zstd shrinks the repeats to the same size, and
        // hashing a 64-character digest per row cost 15-20 % of ingest time (200 MB auth log: 9.1 s -> 7.4 s).
        new("source_file", ColumnType.String),
        new("source_offset", ColumnType.Int64),
        new("source_sha256", ColumnType.String),
    ];

    public static IReadOnlyList<ColumnSpec> RejectColumns { get; } =
    [
        new("source_file", ColumnType.String),
        new("source_sha256", ColumnType.String),
        new("format", ColumnType.String, Dictionary: true),
        new("source_offset", ColumnType.Int64),
        new("reason", ColumnType.String, Dictionary: true),
        new("raw", ColumnType.Binary),
        new("raw_text", ColumnType.String),
    ];

    /// <summary>The folders a case run writes (and --replace removes).</summary>
    public static bool IsCaseEntry(string name) =>
        name is ManifestFile or EventsFolder or RejectsFolder or TempFolder or "sessions" or "context" or "tables" or ExportsFolder;
}
