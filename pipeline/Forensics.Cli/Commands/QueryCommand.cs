using System.CommandLine;
using DuckDB.NET.Data;
using Forensics.Pipeline.Case;
using Forensics.Pipeline.Query;
using Forensics.Pipeline.Text;

namespace Forensics.Cli.Commands;

/// <summary><c>forensics query NAME --case CASE [--param k=v]</c>: runs one canned investigation.</summary>
internal static class QueryCommand
{
    public static readonly Option<string[]> Case = new("--case", "-c")
    {
        Description = "Case folder (written by forensics ingest); give it more than once to read several cases (one per machine) as one",
        Required = true, AllowMultipleArgumentsPerToken = false,
    };
    public static readonly Option<string> Format = new("--format", "-f") { Description = "table, csv or json (one object per line)", DefaultValueFactory = _ => "table" };
    public static readonly Option<string?> Output = new("--output", "-o") { Description = "Write to this file instead of stdout" };
    public static readonly Option<bool> Raw = new("--raw") { Description = "CSV: write text as it is: no formula escape (=, +, -, @), control characters (ESC ...) not shown as \\xHH" };

    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "Query name (see forensics queries)" };
        var param = new Option<string[]>("--param", "-p") { Description = "Parameter value name=value (repeatable)", AllowMultipleArgumentsPerToken = false };
        var command = new Command("query", "Run a canned investigation over a case");
        command.Arguments.Add(name);
        foreach (var o in new Option[] { Case, param, Format, Output, Raw, DisplayZone.Option, CaseReading.AllowIncomplete, QueriesCommand.QueriesFolder }) command.Options.Add(o);
        Format.AcceptOnlyFromAmong(QueryOutput.Formats);
        command.SetAction(parse =>
        {
            if (!QueriesCommand.TryLoad(parse.GetValue(QueriesCommand.QueriesFolder), out var queries)) return ExitCodes.Usage;
            var wanted = parse.GetValue(name)!;
            var q = queries.FirstOrDefault(x => x.Name == wanted);
            if (q is null)
            {
                Console.Error.WriteLine($"forensics: no query named {TerminalText.Escape(wanted)}; known: {string.Join(", ", queries.Select(x => x.Name))}");
                return ExitCodes.Usage;
            }
            if (!DisplayZone.TryParse(parse, out var zone)) return ExitCodes.Usage;
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var kv in parse.GetValue(param) ?? [])
            {
                int eq = kv.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0) { Console.Error.WriteLine($"forensics: --param needs name=value, got {TerminalText.Escape(kv)}"); return ExitCodes.Usage; }
                values[kv[..eq]] = kv[(eq + 1)..];
            }
            return Run(parse.GetValue(Case)!, new CaseAccess { AllowIncomplete = parse.GetValue(CaseReading.AllowIncomplete) },
                q.Sql, () => q.Bind(values), parse.GetValue(Format)!, parse.GetValue(Output), parse.GetValue(Raw), zone);
        });
        return command;
    }

    /// <summary>Opens the case, runs the SQL with the bound parameters, and writes the result; errors are messages, not stack traces.</summary>
    public static int Run(IReadOnlyList<string> caseDirs, CaseAccess access, string sql, Func<Dictionary<string, object?>> bind, string format, string? output, bool raw, TimeZoneInfo? zone = null)
    {
        Dictionary<string, object?> parameters;
        try { parameters = bind(); }
        catch (ArgumentException ex) { Console.Error.WriteLine($"forensics: {TerminalText.Escape(ex.Message)}"); return ExitCodes.Usage; }
        using var session = CaseReading.Open(caseDirs, access, out var refused);
        if (session is null) return refused;
        QueryResult result;
        try { result = session.Run(sql, parameters); }
        catch (DuckDBException ex) { Console.Error.WriteLine($"forensics: SQL error: {TerminalText.Escape(CaseReading.SqlError(ex.Message))}"); return ExitCodes.Failed; }
        catch (SqlRefusedException ex) { Console.Error.WriteLine($"forensics: SQL error: {TerminalText.Escape(ex.Message)}"); return ExitCodes.Failed; }
        if (access.WriteFolder is not null && session.Warning is null && session.CaseDirectories.SelectMany(CaseIntegrity.Check).ToList() is { Count: > 0 } damage)
        {
            // DuckDB lets a session write the files it may read; a COPY naming a part is found here, and every later read refuses the case.
            Console.Error.WriteLine($"forensics: SQL error: the statement changed the case: {TerminalText.Escape(string.Join("; ", damage))}");
            return ExitCodes.Failed;
        }
        try
        {
            bool table = format == "table" && output is null;
            if (table) CaseReading.Warn(session, onStdout: true, onStderr: false); // stderr had it when the case was opened
            QueryOutput.Write(result, format, output, raw, QueryOutput.RelativeTo(session.Manifest), zone);
            // Repeated after the output, where a reader of a long result looks last.
            CaseReading.Warn(session, onStdout: table);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"forensics: cannot write {TerminalText.Escape(output ?? "the output")}: {TerminalText.Escape(ex.Message)}");
            return ExitCodes.OutputUnwritable;
        }
        return ExitCodes.Ok;
    }
}
