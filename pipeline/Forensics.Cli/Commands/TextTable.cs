using Spectre.Console;

namespace Forensics.Cli.Commands;

/// <summary>
/// Tables on stdout. On a terminal: a table fitted to the terminal's width (long cells wrap). Anywhere else (a
/// pipe, a file, a CI log): tab-separated lines with a header row and no padding, for grep, cut and column -t.
/// Cells come escaped by the caller (<see cref="Forensics.Pipeline.Text.TerminalText"/>), so a tab or a newline in
/// evidence text is \x09 / \x0a and cannot split a row.
/// </summary>
internal static class TextTable
{
    public static void Write(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        if (Console.IsOutputRedirected)
        {
            var stdout = Console.Out;
            stdout.Write(string.Join('\t', headers));
            stdout.Write('\n');
            foreach (var row in rows)
            {
                stdout.Write(string.Join('\t', row));
                stdout.Write('\n');
            }
            return;
        }
        var table = new Table().Border(TableBorder.Simple).Expand();
        foreach (var h in headers) table.AddColumn(new TableColumn(new Text(h)));
        foreach (var row in rows) table.AddRow(row.Select(c => (Spectre.Console.Rendering.IRenderable)new Text(c)).ToArray());
        AnsiConsole.Write(table);
    }
}
