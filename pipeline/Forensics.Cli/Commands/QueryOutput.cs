using Forensics.Pipeline.Query;
using Forensics.Pipeline.Text;
using Spectre.Console;

namespace Forensics.Cli.Commands;

/// <summary>Prints or writes a query result as a table (terminal), CSV or JSON lines; shared by query and sql.</summary>
internal static class QueryOutput
{
    public static readonly string[] Formats = ["table", "csv", "json"];

    /// <summary><paramref name="zone"/> (--tz) shows times of the table and the CSV in that zone; JSON stays UTC.</summary>
    public static void Write(QueryResult result, string format, string? outputFile, bool raw, Func<string, string>? shortPath = null, TimeZoneInfo? zone = null)
    {
        if (zone is not null && format != "json") result = DisplayZone.Apply(result, zone);
        if (format == "table" && outputFile is null) { PrintTable(result, shortPath); return; }
        using var stream = outputFile is null ? Console.OpenStandardOutput() : File.Create(outputFile);
        switch (format)
        {
            case "csv": ResultWriter.WriteCsv(result, stream, raw); break;
            case "json": ResultWriter.WriteJsonLines(result, stream); break;
            default:
                using (var w = new StreamWriter(stream)) w.Write(result.ToTsv());
                break;
        }
    }

    /// <summary>
    /// Evidence text is escaped (terminal escape injection) and kept out of Spectre's markup parser; source_file
    /// values are shown relative to the input given (<paramref name="shortPath"/>), and long cells are cut on a terminal.
    /// </summary>
    public static void PrintTable(QueryResult result, Func<string, string>? shortPath = null, int maxCell = 120)
    {
        int max = Console.IsOutputRedirected ? int.MaxValue : maxCell;
        var fileColumns = result.Columns.Select((c, i) => (c, i)).Where(x => x.c == "source_file").Select(x => x.i).ToHashSet();
        TextTable.Write(result.Columns, result.Rows.Select(row => (IReadOnlyList<string>)row.Select((v, i) =>
            Cell(fileColumns.Contains(i) && v is string path && shortPath is not null ? shortPath(path) : v, max)).ToArray()));
        Console.WriteLine($"{result.Rows.Count:N0} row(s)");
    }

    public static string Cell(object? v, int max = 120)
    {
        var s = TerminalText.Escape(QueryResult.Format(v) ?? "∅");
        return s.Length <= max ? s : s[..(max - 1)] + "…";
    }

    /// <summary>A case's source_file values as the manifest's paths relative to the input given; others as they are.</summary>
    public static Func<string, string> RelativeTo(Forensics.Pipeline.Case.Manifest? manifest)
    {
        var relative = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var i in manifest?.Inputs ?? [])
            if (!string.IsNullOrEmpty(i.RelativePath)) relative.TryAdd(i.SourceFile, i.RelativePath);
        return path => relative.GetValueOrDefault(path, path);
    }
}
