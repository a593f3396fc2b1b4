using Forensics.Pipeline.Query;
using Forensics.Pipeline.Text;
using Spectre.Console;

namespace Forensics.Cli.Commands;

/// <summary>Prints or writes a query result as a table (terminal), CSV or JSON lines; shared by query and sql.</summary>
internal static class QueryOutput
{
    public static readonly string[] Formats = ["table", "csv", "json"];

    /// <summary><paramref name="zone"/> (--tz) shows times of the table and the CSV in that zone; JSON stays UTC.</summary>
    public static void Write(QueryResult result, string format, string? outputFile, bool raw, TimeZoneInfo? zone = null)
    {
        if (zone is not null && format != "json") result = DisplayZone.Apply(result, zone);
        if (format == "table" && outputFile is null) { PrintTable(result); return; }
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

    /// <summary>Evidence text is escaped (terminal escape injection) and kept out of Spectre's markup parser.</summary>
    public static void PrintTable(QueryResult result, int maxCell = 120)
    {
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 400;
        var table = new Table().Border(TableBorder.Simple);
        foreach (var c in result.Columns) table.AddColumn(new TableColumn(new Text(c)));
        foreach (var row in result.Rows)
            table.AddRow(row.Select(v => (Spectre.Console.Rendering.IRenderable)new Text(Cell(v, maxCell))).ToArray());
        AnsiConsole.Write(table);
        Console.WriteLine($"{result.Rows.Count:N0} row(s)");
    }

    public static string Cell(object? v, int max = 120)
    {
        var s = TerminalText.Escape(QueryResult.Format(v) ?? "∅");
        return s.Length <= max ? s : s[..(max - 1)] + "…";
    }
}
