using System.Globalization;
using DuckDB.NET.Data;
using Forensics.Pipeline.Case;
using Forensics.Pipeline.Query;

namespace Forensics.Pipeline.Sigma;

/// <summary>Matches of one rule over the case: how many, when, on which hosts.</summary>
public sealed record RuleHits(SigmaRule Rule, long Matches, DateTime? FirstTs, DateTime? LastTs, IReadOnlyList<string> Hosts);

public sealed record SigmaRunResult(IReadOnlyList<RuleHits> Hits, IReadOnlyDictionary<CompiledRule, string> Errors, string? WrittenPart)
{
    /// <summary>Rules with matches, highest level first, then most matches: what investigate and the table print.</summary>
    public IEnumerable<RuleHits> Ranked => Hits.Where(h => h.Matches > 0)
        .OrderByDescending(h => SigmaRule.LevelRank(h.Rule.Level)).ThenByDescending(h => h.Matches).ThenBy(h => h.Rule.Title, StringComparer.Ordinal);

    /// <summary>The summary as a query result (level, rule, matches, first/last, hosts, id, file), for table/CSV/JSON output.</summary>
    public QueryResult ToResult() => new()
    {
        Columns = ["level", "rule_title", "matches", "first_ts", "last_ts", "hosts", "rule_id", "rule_file"],
        Types = ["VARCHAR", "VARCHAR", "BIGINT", "TIMESTAMP", "TIMESTAMP", "VARCHAR", "VARCHAR", "VARCHAR"],
        Rows = Ranked.Select(h => new object?[] { h.Rule.Level, h.Rule.Title, h.Matches, h.FirstTs, h.LastTs, string.Join(",", h.Hosts), h.Rule.Id, h.Rule.SourceFile }).ToList(),
    };
}

/// <summary>
/// Runs compiled rules over a case (one query per rule: a rule that fails at run time, e.g. a regular expression
/// RE2 rejects, is reported alone) and writes every match to <c>CASE/detections/part-0.parquet</c> through the
/// case's Parquet writer, replacing earlier detections, and records the part in the manifest so the integrity
/// check keeps passing. The rows stream from DuckDB to the writer; only per-rule counts stay in memory.
/// </summary>
public static class SigmaRunner
{
    public const string ManifestNotePrefix = "sigma: ";

    /// <param name="write">False for a case opened under --allow-incomplete: its manifest cannot vouch for a new part.</param>
    public static SigmaRunResult Run(CaseSession session, IReadOnlyList<CompiledRule> rules, bool write, string rulesDescription)
    {
        SigmaCidr.Register(session.Connection);
        var dir = Path.Combine(session.CaseDirectory, CaseLayout.DetectionsFolder);
        var path = Path.Combine(dir, "part-0.parquet");
        using var writer = write ? new ParquetTableWriter(path, CaseLayout.DetectionColumns, 128 * 1024) : null;
        var hits = new List<RuleHits>();
        var errors = new Dictionary<CompiledRule, string>();
        var row = new object?[CaseLayout.DetectionColumns.Count];
        foreach (var rule in rules.OrderByDescending(r => SigmaRule.LevelRank(r.Rule.Level)).ThenBy(r => r.Rule.Title, StringComparer.Ordinal))
        {
            long matches = 0;
            long? first = null, last = null;
            var hosts = new SortedSet<string>(StringComparer.Ordinal);
            var r = rule.Rule;
            try
            {
                using var cmd = session.Command(rule.Sql, rule.Parameters);
                using var reader = cmd.ExecuteReader();
                while (reader.Read())
                {
                    long? ts = reader.IsDBNull(0) ? null : reader.GetInt64(0);
                    string? host = reader.IsDBNull(1) ? null : reader.GetString(1);
                    matches++;
                    if (ts is { } t) { first = first is null ? t : Math.Min(first.Value, t); last = last is null ? t : Math.Max(last.Value, t); }
                    if (host is not null) hosts.Add(host);
                    if (writer is null) continue;
                    row[0] = r.Id; row[1] = r.Title; row[2] = r.Level; row[3] = r.Status; row[4] = string.Join(",", r.AttackTags);
                    row[5] = r.Author; row[6] = r.SourceFile; row[7] = ts; row[8] = host;
                    for (int c = 2; c < 6; c++) row[7 + c] = reader.IsDBNull(c) ? null : reader.GetValue(c);
                    writer.AddRow(row);
                }
            }
            catch (Exception ex) when (ex is DuckDBException or SqlRefusedException) { errors[rule] = ex.Message.Split('\n')[0]; continue; }
            hits.Add(new RuleHits(r, matches, Time(first), Time(last), hosts.ToList()));
        }
        if (writer is null) return new SigmaRunResult(hits, errors, null);
        writer.Complete();
        Record(session.CaseDirectory, writer, $"{ManifestNotePrefix}{rules.Count} rule(s) from {rulesDescription}, {hits.Sum(h => h.Matches).ToString(CultureInfo.InvariantCulture)} match(es) in {CaseLayout.DetectionsFolder}/ ({DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ})");
        return new SigmaRunResult(hits, errors, path);
    }

    /// <summary>Replaces the manifest's detections parts with the new one (and removes stray older part files).</summary>
    private static void Record(string caseDirectory, ParquetTableWriter part, string note)
    {
        var manifestPath = Path.Combine(caseDirectory, CaseLayout.ManifestFile);
        var manifest = Manifest.Load(manifestPath);
        var prefix = CaseLayout.DetectionsFolder + "/";
        foreach (var old in Directory.EnumerateFiles(Path.Combine(caseDirectory, CaseLayout.DetectionsFolder), "*.parquet"))
            if (!string.Equals(Path.GetFullPath(old), Path.GetFullPath(part.FilePath), StringComparison.Ordinal)) File.Delete(old);
        manifest.Parts = (manifest.Parts ?? []).Where(p => !p.Path.StartsWith(prefix, StringComparison.Ordinal))
            .Append(CaseIntegrity.Describe(caseDirectory, part.FilePath, part.RowsWritten)).ToList();
        manifest.Notes = manifest.Notes.Where(n => !n.StartsWith(ManifestNotePrefix, StringComparison.Ordinal)).Append(note).ToList();
        manifest.Save(manifestPath);
    }

    private static DateTime? Time(long? micros) => micros is { } m ? DateTime.UnixEpoch.AddTicks(m * 10) : null;
}
