using System.Diagnostics;
using Forensics.Pipeline.Query;

namespace Forensics.Bench.Query;

/// <summary>
/// <c>query-floor CASE NAME</c> (issue 14): opens the case as the CLI does, then in the same process times the
/// query's scan floor (DuckDB reading the columns the query touches, with its event filter: <see cref="ScanFloors"/>)
/// and the canned query itself, each run twice (first cold, then warm: the warm run is reported) and prints one
/// tab-separated line: name, open s, floor s, query s, ratio, result rows.
/// </summary>
internal static class QueryFloorRun
{
    public static int Run(string caseDir, string name)
    {
        var queries = QueryCatalog.Load(QueryCatalog.Locate()!);
        var query = queries.SingleOrDefault(q => q.Name == name);
        if (query is null) { Console.Error.WriteLine($"no canned query {name}"); return 2; }
        if (!ScanFloors.Sql.TryGetValue(name, out var floorSql)) { Console.Error.WriteLine($"no scan floor for {name}"); return 2; }
        var sw = Stopwatch.StartNew();
        using var session = CaseSession.Open(caseDir);
        double open = sw.Elapsed.TotalSeconds;
        if (Environment.GetEnvironmentVariable("FORENSICS_EXPLAIN") == "1")
        {
            // The profile of one run (operator times and row counts), for finding what a slow query spends.
            foreach (var row in session.Run("EXPLAIN ANALYZE " + query.Sql, query.Bind()).Rows) Console.WriteLine(row[^1]);
            return 0;
        }
        double floor = Time(() => session.Run(floorSql, new Dictionary<string, object?>()).Rows.Count);
        int rows = 0;
        double q = Time(() => rows = session.Run(query.Sql, query.Bind()).Rows.Count);
        Console.WriteLine(FormattableString.Invariant($"{name}\t{open:F2}\t{floor:F2}\t{q:F2}\t{q / floor:F1}\t{rows}"));
        return 0;
    }

    private static double Time(Func<int> run)
    {
        run();
        var sw = Stopwatch.StartNew();
        run();
        return sw.Elapsed.TotalSeconds;
    }
}

/// <summary>
/// Each canned query's scan floor: <c>count(*)</c> and a <c>count</c> of every column the query reads, under the
/// event filter it applies (the definition). Kept beside the bench, not in the query files, because it
/// describes a measurement, not the question. A query whose floor is missing makes the bench fail loudly.
/// </summary>
internal static class ScanFloors
{
    private const string SshFailOrOk = "event IN ('ssh.failed_password', 'ssh.failed_publickey', 'ssh.failed_auth', 'ssh.invalid_user') OR event LIKE 'ssh.accepted%'";

    public static readonly IReadOnlyDictionary<string, string> Sql = new Dictionary<string, string>
    {
        ["case_overview"] = "SELECT count(*), count(format), count(host), count(source_file), count(event), count(ts), count(ts_quality) FROM events",
        ["cross_source_actors"] = "SELECT count(*), count(src_ip), count(ts), count(repeat_count), count(event), count(format) FROM events WHERE src_ip IS NOT NULL",
        ["http_proxy_probes"] = "SELECT count(*), count(src_ip), count(ts), count(host), count(http_status), count(message) FROM events WHERE event IN ('http.proxy_connect', 'http.proxy_absolute') OR http_method = 'CONNECT' OR (event LIKE 'http.%' AND (http_target ILIKE 'http://%' OR http_target ILIKE 'https://%'))",
        ["login_evidence_gaps"] = $"SELECT count(*), count(ts), count(user), count(src_ip), count(host), count(source_file), count(source_offset), count(message) FROM events WHERE event LIKE 'ssh.accepted%' OR event LIKE 'login.%' OR event LIKE 'audit.%' OR format IN ('wtmp', 'btmp')",
        ["logins"] = "SELECT count(*), count(ts), count(user), count(src_ip), count(host), count(auth_method), count(key_fingerprint), count(source_file), count(source_offset) FROM events WHERE event LIKE 'ssh.accepted%' OR event = 'audit.user_login' OR format = 'wtmp'",
        ["service_kill_candidates"] = "SELECT count(*), count(ts), count(host), count(unit), count(event), count(message), count(pid), count(process) FROM events WHERE unit IS NOT NULL OR event LIKE 'kernel.%' OR event LIKE 'audit.%' OR event LIKE 'systemd.%'",
        ["service_kills"] = "SELECT count(*), count(ts), count(host), count(unit), count(event), count(message) FROM events WHERE unit IS NOT NULL",
        ["ssh_bruteforce_by_ip"] = "SELECT count(*), count(src_ip), count(user), count(event), count(repeat_count), count(ts), count(host), count(format) FROM events WHERE src_ip IS NOT NULL AND event LIKE 'ssh.%'",
        ["ssh_bruteforce_then_success"] = $"SELECT count(*), count(src_ip), count(ts), count(user), count(repeat_count), count(host), count(format) FROM events WHERE src_ip IS NOT NULL AND ({SshFailOrOk})",
        ["ssh_config_risks"] = "SELECT count(*), count(event), count(user), count(src_ip), count(auth_method) FROM events WHERE event LIKE 'ssh.accepted%'",
        ["ssh_usernames_tried"] = $"SELECT count(*), count(user), count(event), count(repeat_count), count(src_ip), count(ts), count(format) FROM events WHERE user IS NOT NULL AND ({SshFailOrOk})",
        ["timeline_around"] = "SELECT count(*), min(ts) FROM events WHERE event LIKE 'ssh.accepted%'",
    };
}
