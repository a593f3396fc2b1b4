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
    ];

    /// <summary>The folders and files a case run writes (and --replace removes); a report whose writing stopped leaves ReportFile.tmp.</summary>
    public static bool IsCaseEntry(string name) =>
        name is ManifestFile or EventsFolder or RejectsFolder or TempFolder or "sessions" or "context" or "tables" or ExportsFolder
            or ReportFile or ReportFile + ".tmp";
}
