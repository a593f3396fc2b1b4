using System.Globalization;
using System.Text;
using Forensics.Pipeline.Text;

namespace Forensics.Pipeline.Query;

/// <summary>
/// Runs every canned query with its defaults and turns the results into a short report an analyst reads
/// first: what happened, when, from where, with counts. Evidence text is escaped for the terminal.
/// </summary>
public sealed class InvestigationReport
{
    public required IReadOnlyDictionary<string, QueryResult> Results { get; init; }
    public required IReadOnlyDictionary<string, string> Errors { get; init; }
    /// <summary>The case the results came from: the "… N more" hints name it.</summary>
    public string CaseDirectory { get; init; } = "CASE";

    public static InvestigationReport Run(CaseSession session, IReadOnlyList<CannedQuery> queries)
    {
        var results = new Dictionary<string, QueryResult>(StringComparer.Ordinal);
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var q in queries)
        {
            try { results[q.Name] = session.Run(q.Sql, q.Bind()); }
            catch (DuckDB.NET.Data.DuckDBException ex) { errors[q.Name] = ex.Message; }
        }
        // The minutes around the first service kill, all sources merged: what else happened just before it.
        if (results.TryGetValue("service_kills", out var kills) && kills.Rows.Count > 0
            && queries.FirstOrDefault(q => q.Name == "timeline_around") is { } around
            && kills.Columns.ToList().IndexOf("kill_ts") is var k and >= 0 && kills.Rows[0][k] is DateTime killTs)
        {
            var binds = around.Bind(new Dictionary<string, string>
            {
                ["ts"] = killTs.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
                ["window"] = "30s",
            });
            try { results[AroundKill] = session.Run(around.Sql, binds); }
            catch (DuckDB.NET.Data.DuckDBException ex) { errors[AroundKill] = ex.Message; }
        }
        return new InvestigationReport { Results = results, Errors = errors, CaseDirectory = session.CaseDirectory };
    }

    /// <summary>Result key of timeline_around centred on the first service kill.</summary>
    public const string AroundKill = "timeline_around (first service kill ± 30 s)";

    private const int Top = 5;

    public string Render()
    {
        var sb = new StringBuilder();
        Section(sb, "case_overview", "What the case holds", r =>
            Line(sb, Num(r, "events") == 0 && r.Get("host") is null
                ? $"{OnHost(r)}{V(r, "format")}: {N(r, "files")} file(s)" + (Num(r, "rejects") > 0 ? $", {N(r, "rejects")} rejects" : "")
                : $"{OnHost(r)}{V(r, "format")} on {V(r, "host")}: {N(r, "events")} events from {N(r, "files")} file(s), {V(r, "first_ts")} → {V(r, "last_ts")}"
                     + (Num(r, "rejects") > 0 ? $", {N(r, "rejects")} rejects" : "")
                     + (Num(r, "ts_inferred_or_assumed") > 0 ? $", {N(r, "ts_inferred_or_assumed")} with inferred year/zone" : "")));
        Section(sb, "ssh_bruteforce_by_ip", "SSH password guessing, by source IP", r =>
            Line(sb, $"{V(r, "src_ip")}: {N(r, "failed_attempts")} failed + {N(r, "invalid_user_probes")} invalid-user probes, {N(r, "distinct_users")} user name(s) ({V(r, "users_tried", 60)}), "
                     + $"{V(r, "first_seen")} → {V(r, "last_seen")}, {V(r, "attempts_per_minute")}/min" + (Num(r, "accepted_logins") > 0 ? $"; ACCEPTED {N(r, "accepted_logins")} time(s)" : "")
                     + SeenBy(r)));
        Section(sb, "ssh_bruteforce_then_success", "Failures followed by a successful login from the same IP", r =>
            Line(sb, $"{V(r, "success_ts")}: {V(r, "src_ip")} logged in as {V(r, "success_user")} ({V(r, "auth_method")}) after {N(r, "failures_before")} failure(s) since {V(r, "first_failure")} (users tried: {V(r, "users_tried", 60)})" + SeenBy(r)));
        Section(sb, "ssh_usernames_tried", "User names tried over SSH", r =>
            Line(sb, $"{OnHost(r)}{V(r, "user")}: {N(r, "failed_attempts")} failed, {N(r, "invalid_user_probes")} invalid-user, {N(r, "accepted_logins")} accepted, from {N(r, "source_ips")} IP(s)"
                     + (r.Get("exists_in_passwd") is bool e ? (e ? $"; exists in passwd{(r.Get("can_login") is true ? " and can log in" : ", no login shell")}" : "; not in passwd") : "")));
        Section(sb, "logins", "Successful logins (sshd, wtmp, audit)", r =>
            Line(sb, $"{V(r, "ts")} {V(r, "source")}: {V(r, "user")} from {V(r, "src_ip")} on {V(r, "host")} [{V(r, "detail", 50)}]"
                     + (r.Get("corroborated_by") is string c && c.Length > 0 ? $", also in {c}" : ", seen by no other source") + SeenBy(r)));
        Section(sb, "login_evidence_gaps", "Login evidence that does not add up", r =>
            Line(sb, $"{V(r, "finding")} at {V(r, "ts")}: {V(r, "user")} {V(r, "src_ip")}: {V(r, "detail", 90)}"));
        Section(sb, "service_kills", "Services killed by a signal or a timeout", r =>
            Line(sb, $"{V(r, "kill_ts")} {V(r, "unit")} on {V(r, "host")}: {V(r, "how")} {V(r, "signal")}"
                     + (r.Get("cpu_seconds") is not null ? $", {V(r, "cpu_seconds")} s CPU" : "")
                     + (r.Get("trigger") is not null ? $", started by {V(r, "trigger")}" : "")
                     + (r.Get("silence_seconds") is not null ? $", silent {V(r, "silence_seconds")} s ({Hours(r.Get("silence_seconds"))} h) before" : "")));
        Section(sb, "service_kill_candidates", "Who may have killed them (evidence around each kill, then the unit's settings)", r =>
            Line(sb, $"{V(r, "kill_ts")} {V(r, "unit")}: {V(r, "candidate")}"
                     + (r.Get("candidate_ts") is not null ? $" at {V(r, "candidate_ts")} ({V(r, "seconds_before_kill")} s before)" : "")
                     + $": {V(r, "evidence", 140)}"
                     + (r.Get("source_file") is not null ? $" [{V(r, "source_file", 80)}{(r.Get("source_offset") is not null ? "@" + V(r, "source_offset") : "")}{(r.Get("source_line") is not null ? ":" + V(r, "source_line") : "")}]" : "")));
        if (Results.TryGetValue(AroundKill, out var aroundKill))
        {
            // Bot SSH chatter would drown the few events that matter; it is counted, not listed.
            var rows = aroundKill.Rows.Select(v => new Row(aroundKill, v)).ToList();
            var notable = rows.Where(r => V(r, "event") is var e && !e.StartsWith("ssh.", StringComparison.Ordinal) && !e.StartsWith("pam.", StringComparison.Ordinal)
                                          && !e.StartsWith("audit.", StringComparison.Ordinal) && !e.StartsWith("login.failed", StringComparison.Ordinal)).ToList();
            sb.Append("\n== Around the first service kill, ±30 s, all sources (").Append(AroundKill).Append("): ")
              .Append(rows.Count.ToString("N0", CultureInfo.InvariantCulture)).Append(" event(s), ")
              .Append((rows.Count - notable.Count).ToString("N0", CultureInfo.InvariantCulture)).Append(" of them SSH/PAM/audit/btmp noise not listed\n");
            foreach (var r in notable.Take(15))
                Line(sb, $"{V(r, "ts")} ({V(r, "offset_seconds")} s) {V(r, "format")} {V(r, "event")}{(r.Get("src_ip") is null ? "" : " from " + V(r, "src_ip"))}: {V(r, "message", 80)}");
        }
        Section(sb, "ssh_config_risks", "sshd settings of the machine (effective values)", r =>
            Line(sb, $"{OnHost(r)}{V(r, "setting")} {V(r, "effective_value")} ({V(r, "source")}{(r.Get("line") is null ? "" : $", {V(r, "config_file")}:{V(r, "line")}")})"
                     + (r.Get("risky") is true ? $": RISKY, {V(r, "why", 80)}" : "")));
        Section(sb, "http_proxy_probes", "Web server used as a proxy (CONNECT / absolute URLs)", r =>
            Line(sb, $"{V(r, "src_ip")} {V(r, "kind")} {V(r, "proxy_target", 60)}: {N(r, "requests")} request(s), status {V(r, "statuses")}, {V(r, "first_seen")} → {V(r, "last_seen")}"));
        Section(sb, "cross_source_actors", "IPs seen by more than one kind of evidence", r =>
            Line(sb, $"{V(r, "src_ip")}: {V(r, "families")} ({N(r, "events")} events), {V(r, "first_seen")} → {V(r, "last_seen")}"));
        foreach (var (name, error) in Errors.OrderBy(e => e.Key, StringComparer.Ordinal))
            sb.Append("! query ").Append(name).Append(" failed: ").Append(TerminalText.Escape(error)).Append('\n');
        return sb.ToString();
    }

    private void Section(StringBuilder sb, string query, string title, Action<Row> line)
    {
        if (!Results.TryGetValue(query, out var result)) return;
        sb.Append("\n== ").Append(title).Append(" (").Append(query).Append("): ");
        if (result.Rows.Count == 0) { sb.Append("nothing found\n"); return; }
        sb.Append(result.Rows.Count.ToString("N0", CultureInfo.InvariantCulture)).Append(" row(s)\n");
        int hostColumn = result.Columns.ToList().IndexOf(Case.HostPartition.Key);
        _severalHosts = hostColumn >= 0 && result.Rows.Select(r => r[hostColumn]).Distinct().Count() > 1;
        foreach (var row in result.Rows.Take(query == "case_overview" ? 50 : Top)) line(new Row(result, row));
        if (result.Rows.Count > Top && query != "case_overview")
            sb.Append("   … ").Append((result.Rows.Count - Top).ToString("N0", CultureInfo.InvariantCulture)).Append(" more: forensics query ").Append(query).Append(" --case ").Append(ShellWord(CaseDirectory)).Append('\n');
    }

    /// <summary>Set per section: its rows come from more than one machine (evidence_host), so each line names its machine.</summary>
    private bool _severalHosts;

    private string OnHost(Row r) => _severalHosts ? $"[{V(r, Case.HostPartition.Key)}] " : "";

    /// <summary>A path as one shell word: quoted when it holds anything but plain path characters.</summary>
    private static string ShellWord(string path) =>
        path.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+' or ',' or ':' or '@')
            ? TerminalText.Escape(path)
            : "'" + TerminalText.Escape(path).Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Which formats logged the counted records, when more than one did (a journal line and its rsyslog copy are counted once).</summary>
    private static string SeenBy(Row r) => r.Get("seen_by") is string s && s.Contains(',', StringComparison.Ordinal) ? $" (each record counted once, seen by {TerminalText.Escape(s)})" : "";

    private static string Hours(object? seconds) =>
        (Convert.ToDouble(seconds, CultureInfo.InvariantCulture) / 3600).ToString("0.0", CultureInfo.InvariantCulture);

    private static void Line(StringBuilder sb, string text) => sb.Append(" - ").Append(text).Append('\n');

    private readonly record struct Row(QueryResult Result, object?[] Values)
    {
        public object? Get(string column)
        {
            for (int i = 0; i < Result.Columns.Count; i++) if (Result.Columns[i] == column) return Values[i];
            return null;
        }
    }

    private static string V(Row r, string column, int max = 40)
    {
        var s = TerminalText.Escape(QueryResult.Format(r.Get(column)) ?? "?");
        return s.Length <= max ? s : s[..(max - 1)] + "…";
    }

    private static long Num(Row r, string column) => r.Get(column) switch
    {
        null or string => 0,
        System.Numerics.BigInteger b => (long)b, // DuckDB sum() of BIGINT is HUGEINT
        Int128 i => (long)i,
        var v => Convert.ToInt64(v, CultureInfo.InvariantCulture),
    };
    private static string N(Row r, string column) => r.Get(column) is null ? "?" : Num(r, column).ToString("N0", CultureInfo.InvariantCulture);
}
