using System.CommandLine;
using Forensics.Pipeline.Query;
using Forensics.Pipeline.Sigma;
using Forensics.Pipeline.Text;

namespace Forensics.Cli.Commands;

/// <summary>
/// <c>forensics sigma --case CASE --rules PATH… [--format table|csv|json] [--check]</c>: compiles Sigma rules to
/// DuckDB SQL over the case, writes the matches to CASE/detections/ and prints them per rule, highest level first.
/// <c>--check</c> only compiles and prints compiled / skipped / failed counts per folder, with every reason.
/// </summary>
internal static class SigmaCommand
{
    public static readonly Option<string[]> Rules = new("--rules", "-r")
    {
        Description = "Sigma rule files or folders (searched recursively for *.yml, *.yaml), e.g. a SigmaHQ checkout's rules/linux",
        AllowMultipleArgumentsPerToken = true,
    };

    public static Command Create()
    {
        var caseOption = new Option<string[]>("--case", "-c") { Description = "Case folder (written by forensics ingest), more than once to read several cases as one (matches are then printed, not stored); not needed with --check", AllowMultipleArgumentsPerToken = false };
        var check = new Option<bool>("--check") { Description = "Only compile: print compiled / skipped / failed counts per folder and every reason" };
        var showSql = new Option<bool>("--sql") { Description = "With --check: print each compiled rule's SQL" };
        Rules.Required = true;
        var command = new Command("sigma", "Run Sigma rules over a case (matches go to CASE/detections/)");
        foreach (var o in new Option[] { caseOption, Rules, check, showSql, QueryCommand.Format, QueryCommand.Output, QueryCommand.Raw, CaseReading.AllowIncomplete, QueriesCommand.QueriesFolder })
            command.Options.Add(o);
        QueryCommand.Format.AcceptOnlyFromAmong(QueryOutput.Formats);
        command.SetAction(parse =>
        {
            var rules = parse.GetValue(Rules) ?? [];
            var outcomes = Compile(rules, withBundled: false, parse.GetValue(QueriesCommand.QueriesFolder), out var description, out var exit);
            if (outcomes is null) return exit;
            if (parse.GetValue(check)) return PrintCheck(outcomes, rules, parse.GetValue(showSql));
            var caseDirs = parse.GetValue(caseOption) ?? [];
            if (caseDirs.Length == 0) { Console.Error.WriteLine("forensics: sigma needs --case CASE (or --check to only compile the rules)"); return ExitCodes.Usage; }
            PrintProblems(outcomes);
            using var session = CaseReading.Open(caseDirs, new CaseAccess { AllowIncomplete = parse.GetValue(CaseReading.AllowIncomplete) }, out var refused);
            if (session is null) return refused;
            var result = Run(session, outcomes, description);
            var format = parse.GetValue(QueryCommand.Format)!;
            var output = parse.GetValue(QueryCommand.Output);
            try
            {
                bool table = format == "table" && output is null;
                if (table) CaseReading.Warn(session, onStdout: true, onStderr: false);
                QueryOutput.Write(result.ToResult(), format, output, parse.GetValue(QueryCommand.Raw));
                Console.Error.WriteLine(Footer(outcomes, result, caseDirs));
                CaseReading.Warn(session, onStdout: table);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"forensics: cannot write {TerminalText.Escape(output ?? "the output")}: {TerminalText.Escape(ex.Message)}");
                return ExitCodes.OutputUnwritable;
            }
            return result.Errors.Count > 0 ? ExitCodes.Failed : ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// Loads the field map and compiles the rules (after the bundled queries/sigma/rules when <paramref name="withBundled"/>);
    /// null (with the exit code after one line on stderr) when a rules path or the field map is missing.
    /// <paramref name="description"/> says where the rules came from (for the manifest's note).
    /// </summary>
    public static List<RuleOutcome>? Compile(string[] rules, bool withBundled, string? queriesFolder, out string description, out int exitCode)
    {
        exitCode = ExitCodes.Ok;
        description = "";
        if (rules.FirstOrDefault(r => !File.Exists(r) && !Directory.Exists(r)) is { } missing)
        {
            Console.Error.WriteLine($"forensics: rules path {TerminalText.Escape(missing)} does not exist");
            exitCode = ExitCodes.InputUnreadable;
            return null;
        }
        var sources = rules.Select(Path.GetFullPath).ToList();
        if (SigmaFieldMap.Locate(queriesFolder) is { } mapPath)
        {
            if (withBundled && SigmaFieldMap.BundledRules(queriesFolder) is { } bundled) sources.Insert(0, Path.GetFullPath(bundled));
            description = string.Join(", ", sources);
            return SigmaRuleSet.Compile(sources, SigmaFieldMap.Load(mapPath));
        }
        // A single-file binary has no queries/ folder: the field map and the bundled rules it carries inside.
        if (queriesFolder is null && CompileEmbedded(sources, withBundled, out description) is { } fromEmbedded) return fromEmbedded;
        Console.Error.WriteLine($"forensics: no queries/sigma/{SigmaFieldMap.FileName} found beside the program or in the repository; use --queries");
        exitCode = ExitCodes.Usage;
        return null;
    }

    /// <summary>
    /// The rules at <paramref name="sources"/> (full paths) with the field map and, when <paramref name="withBundled"/>,
    /// the bundled rules the program carries inside; null when it was built without them.
    /// </summary>
    internal static List<RuleOutcome>? CompileEmbedded(IReadOnlyList<string> sources, bool withBundled, out string description)
    {
        description = "";
        if (EmbeddedSigma.Map() is not { } embedded) return null;
        // Loaded before the description names the built-in origin, which is not a path to load.
        var documents = SigmaLoader.LoadAll(sources).ToList();
        var all = withBundled ? EmbeddedSigma.Rules().Concat(documents) : documents;
        description = string.Join(", ", withBundled ? sources.Prepend(EmbeddedSigma.RulesOrigin) : sources);
        return SigmaRuleSet.Compile(all, embedded);
    }

    /// <summary>
    /// Runs the compiled rules; the table is written unless the case was opened under --allow-incomplete, or several
    /// cases are read as one (their matches belong to no one case's manifest).
    /// </summary>
    public static SigmaRunResult Run(CaseSession session, List<RuleOutcome> outcomes, string description)
    {
        var compiled = SigmaRuleSet.Runnable(outcomes);
        var result = SigmaRunner.Run(session, compiled, write: session.Warning is null && session.CaseDirectories.Count == 1, description);
        foreach (var (rule, error) in result.Errors)
            Console.Error.WriteLine($"forensics: sigma rule {TerminalText.Escape(rule.Rule.SourceFile)} failed to run: {TerminalText.Escape(error)}");
        return result;
    }

    public static string Footer(List<RuleOutcome> outcomes, SigmaRunResult result, IReadOnlyList<string> caseDirs) =>
        $"sigma: {SigmaRuleSet.Runnable(outcomes).Count} rule(s) run ({outcomes.Count(o => o.Compiled is not null)} compiled), {outcomes.Count(o => o.Skipped is not null)} skipped, {outcomes.Count(o => o.Failed is not null) + result.Errors.Count} failed; "
        + $"{result.Hits.Sum(h => h.Matches):N0} match(es) from {result.Ranked.Count()} rule(s)"
        + (result.WrittenPart is null ? " (not written: " + (caseDirs.Count > 1 ? "several cases are read as one" : "the case is incomplete") + ")" : $" in {TerminalText.Escape(Path.Combine(caseDirs[0], "detections"))}/ (forensics sql --case {TerminalText.Escape(caseDirs[0])} \"SELECT * FROM detections\")")
        + (outcomes.Any(o => o.Skipped is not null) ? "; forensics sigma --check --rules … lists the skipped rules and why" : "");

    /// <summary>Rules that failed to load or compile, one line each on stderr: never silent.</summary>
    private static void PrintProblems(List<RuleOutcome> outcomes)
    {
        foreach (var o in outcomes.Where(o => o.Failed is not null))
            Console.Error.WriteLine($"forensics: sigma rule {TerminalText.Escape(o.Document.SourceFile)} failed: {TerminalText.Escape(o.Failed!)}");
    }

    private static int PrintCheck(List<RuleOutcome> outcomes, string[] rules, bool sql)
    {
        var root = rules.Length == 1 && Directory.Exists(rules[0]) ? Path.GetFullPath(rules[0]) : null;
        foreach (var o in outcomes.Where(o => o.Compiled is null || sql))
        {
            var line = $"{o.Status,-8} {o.Document.SourceFile}: {o.Reason ?? o.Compiled!.Sql}";
            Console.WriteLine(TerminalText.Escape(line));
        }
        var counts = SigmaRuleSet.CountsByFolder(outcomes, root);
        QueryOutput.PrintTable(new QueryResult
        {
            Columns = ["folder", "compiled", "skipped", "failed"],
            Types = ["VARCHAR", "INTEGER", "INTEGER", "INTEGER"],
            Rows = counts.Select(c => new object?[] { c.Folder, c.Compiled, c.Skipped, c.Failed })
                .Append(["total", counts.Sum(c => c.Compiled), counts.Sum(c => c.Skipped), counts.Sum(c => c.Failed)]).ToList(),
        });
        return outcomes.Any(o => o.Failed is not null) ? ExitCodes.Failed : ExitCodes.Ok;
    }
}
