using System.Diagnostics;
using System.Text.RegularExpressions;
using Forensics.Pipeline.Case;
using Forensics.Pipeline.Query;
using Forensics.Pipeline.Sigma;

namespace Forensics.Bench.Query;

/// <summary>
/// <c>sigma-floor CASE RULES…</c> (issue 15): compiles the rules with the field map in queries/sigma, runs every
/// runnable rule over the case as <c>forensics sigma</c> does (one scan for the detection rules, one query per
/// correlation; nothing written), and in the same process times one scan of the columns the compiled rules touch
/// (<c>count</c> of each). Prints rules run, matches, scan s, sigma s and the ratio.
/// </summary>
internal static class SigmaFloorRun
{
    public static int Run(string caseDir, string[] rulePaths)
    {
        var queries = QueryCatalog.Locate()!;
        var outcomes = SigmaRuleSet.Compile(rulePaths, SigmaFieldMap.Load(Path.Combine(queries, "sigma", "fieldmap.yaml")));
        var rules = SigmaRuleSet.Runnable(outcomes);
        var sql = string.Join("\n", rules.Select(r => r.Sql));
        var columns = EventSchema.AllEventColumns.Select(c => c.Name)
            .Where(n => Regex.IsMatch(sql, $@"(?<![A-Za-z0-9_]){Regex.Escape(n)}(?![A-Za-z0-9_])")).ToList();
        using var session = CaseSession.Open(caseDir);
        string floorSql = $"SELECT count(*), {string.Join(", ", columns.Select(c => $"count(\"{c}\")"))} FROM events";
        session.Run(floorSql);
        var sw = Stopwatch.StartNew();
        session.Run(floorSql);
        double floor = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var result = SigmaRunner.Run(session, rules, write: false, "bench");
        double sigma = sw.Elapsed.TotalSeconds;
        Console.WriteLine(FormattableString.Invariant(
            $"rules run {rules.Count} ({outcomes.Count(o => o.Compiled is not null)} compiled, {outcomes.Count(o => o.Skipped is not null)} skipped, {result.Errors.Count} failed at run time), matches {result.Hits.Sum(h => h.Matches)}, columns {columns.Count}: scan {floor:F2} s, sigma {sigma:F2} s, ratio {sigma / floor:F1}"));
        return 0;
    }
}
