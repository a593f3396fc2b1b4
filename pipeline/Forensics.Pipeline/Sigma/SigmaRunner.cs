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
/// Runs compiled rules over a case (the detection rules in one scan, each correlation in a query of its own; when
/// DuckDB refuses the one scan, e.g. a regular expression RE2 rejects, each rule runs alone and the failing one is
/// reported) and writes every match to <c>CASE/detections/part-0.parquet</c> through the
/// case's Parquet writer, replacing earlier detections, and records the part in the manifest so the integrity
/// check keeps passing. The rows stream from DuckDB to the writer; only per-rule counts stay in memory.
/// </summary>
public static partial class SigmaRunner
{
    public const string ManifestNotePrefix = "sigma: ";

    /// <param name="write">False for a case opened under --allow-incomplete: its manifest cannot vouch for a new part.</param>
    public static SigmaRunResult Run(CaseSession session, IReadOnlyList<CompiledRule> rules, bool write, string rulesDescription)
    {
        SigmaCidr.Register(session.Connection);
        var path = Path.Combine(session.CaseDirectory, CaseLayout.DetectionsFolder, "part-0.parquet");
        var sink = new Sink(write ? path : null);
        try
        {
            var errors = new Dictionary<CompiledRule, string>();
            var plain = rules.Where(r => r.CorrelationSql is null).ToList();
            if (!OnePass(session, plain, sink))
            {
                sink.Restart();
                foreach (var rule in plain) PerRule(session, rule, sink, errors);
            }
            foreach (var rule in rules.Where(r => r.CorrelationSql is not null)) PerRule(session, rule, sink, errors);
            var hits = rules.Where(r => !errors.ContainsKey(r)).Select(sink.Hits).ToList();
            if (sink.Writer is not { } writer) return new SigmaRunResult(hits, errors, null);
            writer.Complete();
            Record(session.CaseDirectory, writer, $"{ManifestNotePrefix}{rules.Count} rule(s) from {rulesDescription}, {hits.Sum(h => h.Matches).ToString(CultureInfo.InvariantCulture)} match(es) in {CaseLayout.DetectionsFolder}/ ({DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ})");
            return new SigmaRunResult(hits, errors, path);
        }
        finally { sink.Dispose(); }
    }

    /// <summary>
    /// Every detection rule in one scan of <c>events</c>: the rows any rule matches, each with the list of the rules
    /// it matched (one pass per table instead of one per rule). False when it cannot be used (parameter names
    /// shared between rules) or DuckDB refuses it (then each rule runs alone, so the failing one is named).
    /// </summary>
    private static bool OnePass(CaseSession session, List<CompiledRule> rules, Sink sink)
    {
        if (rules.Count < 2) return false;
        var parameters = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (k, v) in rules.SelectMany(r => r.Parameters))
            if (!parameters.TryAdd(k, v)) return false;
        var wheres = LoweredOnce(rules.Select(r => r.Where).ToList(), out var source);
        var which = string.Join(", ", wheres.Select((w, i) => $"CASE WHEN {w} THEN '{i.ToString(CultureInfo.InvariantCulture)}' END"));
        var sql = $"SELECT {CompiledRule.MatchColumns}, concat_ws(',', {which}) AS _rules FROM {source} WHERE {string.Join(" OR ", wheres)} ORDER BY ts, source_file, source_offset";
        try
        {
            using var cmd = session.Command(sql, parameters);
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
                foreach (var index in reader.GetString(7).Split(',', StringSplitOptions.RemoveEmptyEntries))
                    sink.Add(rules[int.Parse(index, CultureInfo.InvariantCulture)], reader);
            return true;
        }
        catch (Exception ex) when (ex is DuckDBException or SqlRefusedException) { return false; }
    }

    /// <summary>
    /// Rules compare case-insensitively through <c>lower(CAST((column) AS VARCHAR))</c>; over 100 rules that lowered
    /// each message ~170 times per row, a third of a run over 11.6 M events (perf). The one scan reads a derived
    /// table with each such column lowered once (<c>_lc_column</c>) and the rules' conditions use it. The condition
    /// text is our compiler's (values are bound parameters, never inlined), so the rewrite cannot meet a literal.
    /// </summary>
    private static List<string> LoweredOnce(List<string> wheres, out string source)
    {
        var columns = new SortedSet<string>(StringComparer.Ordinal);
        var rewritten = wheres.Select(w => LowerColumn().Replace(w, m => { columns.Add(m.Groups[1].Value); return "_lc_" + m.Groups[1].Value; })).ToList();
        source = columns.Count == 0 ? "events"
            : $"(SELECT *, {string.Join(", ", columns.Select(c => $"lower(CAST(({c}) AS VARCHAR)) AS _lc_{c}"))} FROM events) AS events";
        return rewritten;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"lower\(CAST\(\(([a-z_][a-z0-9_]*)\) AS VARCHAR\)\)")]
    private static partial System.Text.RegularExpressions.Regex LowerColumn();

    private static void PerRule(CaseSession session, CompiledRule rule, Sink sink, Dictionary<CompiledRule, string> errors)
    {
        try
        {
            using var cmd = session.Command(rule.Sql, rule.Parameters);
            using var reader = cmd.ExecuteReader();
            while (reader.Read()) sink.Add(rule, reader);
        }
        catch (Exception ex) when (ex is DuckDBException or SqlRefusedException) { errors[rule] = ex.Message.Split('\n')[0]; sink.Forget(rule); }
    }

    /// <summary>Where matches go: the detections part (when writing) and per-rule counts, times and hosts.</summary>
    private sealed class Sink(string? path) : IDisposable
    {
        private readonly Dictionary<CompiledRule, (long Matches, long? First, long? Last, SortedSet<string> Hosts)> _stats = [];
        private readonly object?[] _row = new object?[CaseLayout.DetectionColumns.Count];
        public ParquetTableWriter? Writer { get; private set; } = path is null ? null : new ParquetTableWriter(path, CaseLayout.DetectionColumns, 128 * 1024);

        /// <summary>Drops what a failed one-pass attempt wrote.</summary>
        public void Restart()
        {
            _stats.Clear();
            if (Writer is null) return;
            Writer.Dispose();
            Writer = new ParquetTableWriter(path!, CaseLayout.DetectionColumns, 128 * 1024);
        }

        /// <summary>One match: the reader is positioned on a row of <see cref="CompiledRule.MatchColumns"/>.</summary>
        public void Add(CompiledRule rule, System.Data.Common.DbDataReader reader)
        {
            long? ts = reader.IsDBNull(0) ? null : reader.GetInt64(0);
            string? host = reader.IsDBNull(1) ? null : reader.GetString(1);
            var s = _stats.TryGetValue(rule, out var known) ? known : (0, null, null, new SortedSet<string>(StringComparer.Ordinal));
            s.Matches++;
            if (ts is { } t) { s.First = s.First is null ? t : Math.Min(s.First.Value, t); s.Last = s.Last is null ? t : Math.Max(s.Last.Value, t); }
            if (host is not null) s.Hosts.Add(host);
            _stats[rule] = s;
            if (Writer is null) return;
            var r = rule.Rule;
            _row[0] = r.Id; _row[1] = r.Title; _row[2] = r.Level; _row[3] = r.Status; _row[4] = string.Join(",", r.AttackTags);
            _row[5] = r.Author; _row[6] = r.SourceFile; _row[7] = ts; _row[8] = host;
            for (int c = 2; c < 7; c++) _row[7 + c] = reader.IsDBNull(c) ? null : reader.GetValue(c);
            Writer.AddRow(_row);
        }

        public void Forget(CompiledRule rule) => _stats.Remove(rule);

        public RuleHits Hits(CompiledRule rule) => _stats.TryGetValue(rule, out var s)
            ? new RuleHits(rule.Rule, s.Matches, Time(s.First), Time(s.Last), s.Hosts.ToList())
            : new RuleHits(rule.Rule, 0, null, null, []);

        public void Dispose() => Writer?.Dispose();
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
