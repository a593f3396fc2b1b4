using System.CommandLine;
using DuckDB.NET.Data;
using Forensics.Pipeline.Query;
using Forensics.Pipeline.Report;
using Forensics.Pipeline.Text;

namespace Forensics.Cli.Commands;

/// <summary>
/// <c>forensics report --case CASE [--output FILE.html]</c>: the case as one self-contained HTML page (charts,
/// every canned investigation, accounting, evidence links); by default <c>CASE/report.html</c>.
/// </summary>
internal static class ReportCommand
{
    public const string DefaultFile = Forensics.Pipeline.Case.CaseLayout.ReportFile;

    public static Command Create()
    {
        var output = new Option<string?>("--output", "-o") { Description = $"HTML file to write (default: CASE/{DefaultFile})" };
        var command = new Command("report", "Write the case as one self-contained HTML report (charts, findings, accounting, evidence links)");
        foreach (var o in new Option[] { QueryCommand.Case, output, CaseReading.AllowIncomplete, QueriesCommand.QueriesFolder }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            if (!QueriesCommand.TryLoad(parse.GetValue(QueriesCommand.QueriesFolder), out var queries)) return ExitCodes.Usage;
            var caseDirs = parse.GetValue(QueryCommand.Case)!;
            using var session = CaseReading.Open(caseDirs, new CaseAccess { AllowIncomplete = parse.GetValue(CaseReading.AllowIncomplete) }, out var refused);
            if (session is null) return refused;
            var code = Write(session, queries, null, parse.GetValue(output), out var path);
            if (code == ExitCodes.Ok) Console.WriteLine($"report: {path}");
            return code;
        });
        return command;
    }

    /// <summary>Writes the report (to CASE/report.html unless a file is named); shared by report and investigate.</summary>
    public static int Write(CaseSession session, IReadOnlyList<CannedQuery> queries, InvestigationReport? findings, string? output, out string path)
    {
        path = Path.GetFullPath(output ?? Path.Combine(session.CaseDirectory, DefaultFile));
        string html;
        try { html = HtmlReport.Render(ReportData.Collect(session, queries, findings)); }
        catch (DuckDBException ex) { Console.Error.WriteLine($"forensics: report query failed: {TerminalText.Escape(ex.Message)}"); return ExitCodes.Failed; }
        try
        {
            var temp = path + ".tmp";
            File.WriteAllText(temp, html);
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"forensics: cannot write {TerminalText.Escape(path)}: {TerminalText.Escape(ex.Message)}");
            return ExitCodes.OutputUnwritable;
        }
        return ExitCodes.Ok;
    }
}
