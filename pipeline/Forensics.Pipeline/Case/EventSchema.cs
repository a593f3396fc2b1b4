using System.Text;
using Forensics.Pipeline.Formats;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Case;

/// <summary>A column of a case table: name, type, whether its values repeat enough to dictionary-encode, and what it means.</summary>
public sealed record ColumnSpec(string Name, ColumnType Type, bool Dictionary = false, string Description = "");

/// <summary>
/// The one declaration of the event tables: the spine every format fills, and each format's typed columns
/// (<see cref="ILogFormat.ExtraColumns"/>). The Parquet writer, the DuckDB <c>events</c> view, the timeline
/// exports and the README's column tables (checked by a test) are all derived from here.
/// </summary>
public static class EventSchema
{
    /// <summary>Spine columns, in file order. Names are the contract queries and exports rely on.</summary>
    public static IReadOnlyList<ColumnSpec> Spine { get; } =
    [
        new("ts", ColumnType.Timestamp, Description: "when it happened: Parquet TIMESTAMP(MICROS, UTC), read by DuckDB as TIMESTAMP WITH TIME ZONE"),
        new("ts_quality", ColumnType.String, true, "`exact`, `year_inferred`, `zone_assumed`, `year_inferred;zone_assumed`, `missing`"),
        new("host", ColumnType.String, true, "machine that wrote the record"),
        new("format", ColumnType.String, true, "parser id (`syslog`, `journal`, ...)"),
        new("event", ColumnType.String, true, "kind from the event catalogue; unclassified records are `log.line`"),
        new("process", ColumnType.String, true, "program that wrote the record"),
        new("pid", ColumnType.Int64, Description: "its process id"),
        new("unit", ColumnType.String, true, "systemd unit"),
        new("user", ColumnType.String, true, "account the record is about"),
        new("src_ip", ColumnType.String, true, "remote address the record is about"),
        new("src_port", ColumnType.Int32, Description: "remote port"),
        new("message", ColumnType.String, Description: "the record's original text (invalid UTF-8 and NUL bytes shown as `\\xHH`)"),
        new("source_file", ColumnType.String, true, "path through archives (`a.tar.gz!var/log/secure.1.gz!`)"),
        new("source_offset", ColumnType.Int64, Description: "byte offset of the record in the decompressed file"),
        new("source_sha256", ColumnType.String, true, "SHA-256 of that file"),
        new(HostPartition.Key, ColumnType.String, true, "machine whose evidence held the file: `--host`, else the input's `etc/hostname` (null when neither); the same for every row of a part file and its folder's partition value (`events/evidence_host=…/`); context tables carry it too, and joins with them use it. `host` is what the record itself names"),
    ];

    /// <summary>The columns of one format's part files: the spine, then the format's own columns in declared order.</summary>
    public static IReadOnlyList<ColumnSpec> ForFormat(ILogFormat format) =>
        [.. Spine, .. format.ExtraColumns.Select(x => new ColumnSpec(x.Name, x.Type, x.Type == ColumnType.String, x.Description))];

    /// <summary>Every column of the <c>events</c> view: the spine, then each registered format's columns (first declaration wins).</summary>
    public static IReadOnlyList<ColumnSpec> AllEventColumns { get; } = BuildAll();

    private static List<ColumnSpec> BuildAll()
    {
        var all = new List<ColumnSpec>(Spine);
        var seen = new Dictionary<string, ColumnSpec>(StringComparer.Ordinal);
        foreach (var c in Spine) seen[c.Name] = c;
        foreach (var format in FormatRegistry.All)
        {
            foreach (var c in ForFormat(format).Skip(Spine.Count))
            {
                if (seen.TryGetValue(c.Name, out var earlier))
                {
                    if (earlier.Type != c.Type) throw new InvalidOperationException($"column {c.Name} is declared as {earlier.Type} and as {c.Type} (format {format.Id})");
                    continue;
                }
                seen[c.Name] = c;
                all.Add(c);
            }
        }
        return all;
    }

    /// <summary>Which formats write a column (for the README table).</summary>
    public static IReadOnlyList<string> FormatsWriting(string column) =>
        FormatRegistry.All.Where(f => f.ExtraColumns.Any(x => x.Name == column)).Select(f => f.Id).ToList();

    public static string DuckDbType(ColumnType type) => type switch
    {
        ColumnType.String => "VARCHAR",
        ColumnType.Int64 => "BIGINT",
        ColumnType.Int32 => "INTEGER",
        ColumnType.Double => "DOUBLE",
        ColumnType.Bool => "BOOLEAN",
        ColumnType.Timestamp => "TIMESTAMP WITH TIME ZONE",
        ColumnType.Binary => "BLOB",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>The README's column tables, generated: the spine, then the typed columns with the formats that write them.</summary>
    public static string MarkdownTables()
    {
        var sb = new StringBuilder();
        sb.Append("| column | type | meaning |\n|---|---|---|\n");
        foreach (var c in Spine) sb.Append($"| `{c.Name}` | {DuckDbType(c.Type)} | {c.Description} |\n");
        sb.Append("\n| typed column | type | formats | meaning |\n|---|---|---|---|\n");
        foreach (var c in AllEventColumns.Skip(Spine.Count))
            sb.Append($"| `{c.Name}` | {DuckDbType(c.Type)} | {string.Join(", ", FormatsWriting(c.Name))} | {c.Description.Replace("|", "\\|", StringComparison.Ordinal)} |\n");
        return sb.ToString();
    }
}
