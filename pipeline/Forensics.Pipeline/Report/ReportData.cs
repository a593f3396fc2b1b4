using System.Globalization;
using System.Reflection;
using Forensics.Pipeline.Case;
using Forensics.Pipeline.Query;

namespace Forensics.Pipeline.Report;

/// <summary>
/// Everything the HTML report shows, read from a case before any HTML is written: the canned investigations
/// (<see cref="InvestigationReport"/>, what <c>investigate</c> prints), the chart series (the report's own
/// queries, <c>Report/Sql/*.sql</c>, embedded in the assembly), the minutes around each service kill, and the
/// manifest's accounting.
/// </summary>
public sealed class ReportData
{
    /// <summary>The case folder (the first, when several are read as one).</summary>
    public string CaseDirectory => CaseDirectories[0];
    /// <summary>Every case folder the report reads (several cases, one per machine, read as one).</summary>
    public required IReadOnlyList<string> CaseDirectories { get; init; }
    /// <summary>The case names as the title shows them: one, or "a + b".</summary>
    public string CaseName => string.Join(" + ", CaseDirectories.Select(Path.GetFileName));
    /// <summary>The case folders as the command lines the report suggests take them: --case A [--case B …].</summary>
    public string CaseOptions => string.Join(" ", CaseDirectories.Select(d => "--case " + d));
    public required Manifest? Manifest { get; init; }
    public required InvestigationReport Findings { get; init; }
    /// <summary>The canned queries in catalog order (their descriptions head the findings).</summary>
    public required IReadOnlyList<CannedQuery> Queries { get; init; }
    public required QueryResult EventsOverTime { get; init; }
    public required QueryResult SshFailures { get; init; }
    public required QueryResult LoginSessions { get; init; }
    /// <summary>timeline_around each service kill (at most <see cref="MaxKills"/>), with the kill's unit and time.</summary>
    public required IReadOnlyList<(string Unit, DateTime KillTs, QueryResult Around)> Kills { get; init; }
    /// <summary>
    /// The first record naming each source IP ("src_ip", ip) and SSH user name ("user", name) of the findings rows
    /// that count many records: their evidence link.
    /// </summary>
    public required IReadOnlyDictionary<(string Kind, string Value), (string SourceFile, long Offset)> FirstEvidence { get; init; }
    /// <summary>
    /// The case's Sigma matches (<c>report_detections</c>: each rule's first <see cref="HtmlReport.MaxDetectionsPerRule"/>
    /// with its count), or null when no rules were run on the case (its manifest lists no detections part).
    /// </summary>
    public required QueryResult? Detections { get; init; }
    public required string? Warning { get; init; }
    public required DateTime GeneratedUtc { get; init; }

    /// <summary>Service kills that get a chart of their own; the findings table lists every kill.</summary>
    public const int MaxKills = 4;
    /// <summary>Half-width of the window charted around a kill.</summary>
    public const string KillWindow = "90s";

    /// <summary>The version of the program writing the report (with the commit when the build knew it).</summary>
    public static string ToolVersion { get; } =
        typeof(ReportData).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(ReportData).Assembly.GetName().Version?.ToString() ?? "0";

    public static ReportData Collect(CaseSession session, IReadOnlyList<CannedQuery> queries, InvestigationReport? findings = null)
    {
        findings ??= InvestigationReport.Run(session, queries);
        return new ReportData
        {
            CaseDirectories = session.CaseDirectories,
            Manifest = session.Manifest,
            Findings = findings,
            Queries = queries,
            EventsOverTime = Run(session, "report_events_over_time"),
            SshFailures = Run(session, "report_ssh_failures"),
            LoginSessions = Run(session, "report_login_sessions"),
            Kills = AroundKills(session, queries, findings),
            FirstEvidence = FirstRecords(session, findings),
            Detections = session.Manifest?.Parts?.Any(p => p.Path.StartsWith(CaseLayout.DetectionsFolder + "/", StringComparison.Ordinal)) == true
                ? Run(session, "report_detections", new Dictionary<string, string> { ["per_rule"] = HtmlReport.MaxDetectionsPerRule.ToString(CultureInfo.InvariantCulture) })
                : null,
            Warning = session.Warning,
            GeneratedUtc = DateTime.UtcNow,
        };
    }

    /// <summary>
    /// A query's rows split by their <c>evidence_host</c> column when they hold more than one machine (host "" for
    /// rows whose machine is unknown), in the rows' order; otherwise the whole result once, with a null host.
    /// </summary>
    public static IEnumerable<(string? Host, QueryResult Rows)> ByEvidenceHost(QueryResult result)
    {
        int column = Column(result, HostPartition.Key);
        var hosts = column < 0 ? [] : result.Rows.Select(r => r[column] as string ?? "").Distinct(StringComparer.Ordinal).ToList();
        if (hosts.Count < 2) return [(null, result)];
        return hosts.Select(h => ((string?)h, new QueryResult
        {
            Columns = result.Columns, Types = result.Types,
            Rows = result.Rows.Where(r => (r[column] as string ?? "") == h).ToList(),
        }));
    }

    private static QueryResult Run(CaseSession session, string name, IReadOnlyDictionary<string, string>? values = null)
    {
        var q = Embedded(name);
        return session.Run(q.Sql, q.Bind(values));
    }

    private const string ResourcePrefix = "Forensics.Report.";

    /// <summary>The report's own queries (Report/Sql/*.sql), from the assembly's resources.</summary>
    public static IReadOnlyList<CannedQuery> EmbeddedQueries { get; } = QueryCatalog.LoadEmbedded(typeof(ReportData).Assembly, ResourcePrefix);

    /// <summary>One of the report's own queries.</summary>
    public static CannedQuery Embedded(string name) =>
        EmbeddedQueries.FirstOrDefault(q => q.Name == name)
        ?? throw new InvalidOperationException($"the report query {name} is not embedded in {typeof(ReportData).Assembly.GetName().Name}");

    /// <summary>Columns whose value names the records an aggregated findings row counts.</summary>
    public static readonly string[] AggregateKeys = ["src_ip", "user"];

    private static Dictionary<(string, string), (string, long)> FirstRecords(CaseSession session, InvestigationReport findings)
    {
        var wanted = AggregateKeys.ToDictionary(k => k, _ => new HashSet<string>(StringComparer.Ordinal));
        foreach (var result in findings.Results.Values.Where(r => Column(r, "source_file") < 0))
            foreach (var key in AggregateKeys)
                if (Column(result, key) is var c and >= 0)
                    foreach (var row in result.Rows.Take(HtmlReport.MaxRows))
                        if (row[c] is string v && !v.Contains('\n', StringComparison.Ordinal)) wanted[key].Add(v);
        var first = new Dictionary<(string, string), (string, long)>();
        if (wanted.Values.All(w => w.Count == 0)) return first;
        var q = Embedded("report_first_evidence");
        var r = session.Run(q.Sql, q.Bind(new Dictionary<string, string> { ["ips"] = string.Join('\n', wanted["src_ip"]), ["users"] = string.Join('\n', wanted["user"]) }));
        foreach (var row in r.Rows)
            if (row[0] is string kind && row[1] is string value && row[3] is string file && row[4] is not null)
                first[(kind, value)] = (file, Convert.ToInt64(row[4], CultureInfo.InvariantCulture));
        return first;
    }

    private static List<(string, DateTime, QueryResult)> AroundKills(CaseSession session, IReadOnlyList<CannedQuery> queries, InvestigationReport findings)
    {
        var list = new List<(string, DateTime, QueryResult)>();
        if (!findings.Results.TryGetValue("service_kills", out var kills) || queries.FirstOrDefault(q => q.Name == "timeline_around") is not { } around) return list;
        int tsColumn = Column(kills, "kill_ts"), unitColumn = Column(kills, "unit");
        if (tsColumn < 0) return list;
        foreach (var row in kills.Rows.Take(MaxKills))
        {
            if (row[tsColumn] is not DateTime killTs) continue;
            var binds = around.Bind(new Dictionary<string, string>
            {
                ["ts"] = killTs.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
                ["window"] = KillWindow,
            });
            list.Add((unitColumn >= 0 ? QueryResult.Format(row[unitColumn]) ?? "?" : "?", killTs, session.Run(around.Sql, binds)));
        }
        return list;
    }

    public static int Column(QueryResult result, string name)
    {
        for (int i = 0; i < result.Columns.Count; i++) if (result.Columns[i] == name) return i;
        return -1;
    }
}
