using System.Globalization;
using System.Text;
using Forensics.Pipeline.Case;
using Forensics.Pipeline.Query;
using Forensics.Pipeline.Sigma;
using static Forensics.Pipeline.Report.HtmlPage;

namespace Forensics.Pipeline.Report;

/// <summary>
/// The case as one self-contained HTML page an analyst hands on: the accounting, the time assumptions, the charts
/// (inline SVG), every canned investigation's rows with links to their evidence (file through archives, byte
/// offset, SHA-256), and the list of files. Section ids (<see cref="Sections"/>) are what the browser tests look for.
/// </summary>
public static class HtmlReport
{
    public static readonly string[] Sections = ["summary", "assumptions", "charts", "findings", "detections", "evidence"];

    /// <summary>Rows shown per findings table; the rest are one command away.</summary>
    public const int MaxRows = 100;
    /// <summary>Files listed in the evidence table (problem files first); the manifest lists them all.</summary>
    public const int MaxFiles = 500;
    /// <summary>Matches listed per Sigma rule (the first in time); the detections table has them all.</summary>
    public const int MaxDetectionsPerRule = 20;
    private const int MaxCell = 400;

    public static string Render(ReportData data)
    {
        var files = FileIndex(data.Manifest);
        var html = new StringBuilder(256 * 1024);
        Open(html, $"Forensics report: {data.CaseName}");
        Header(html, data);
        Summary(html, data);
        Assumptions(html, data);
        Charts(html, data);
        Findings(html, data, files);
        Detections(html, data, files);
        Evidence(html, data, files);
        Close(html);
        return html.ToString();
    }

    private static void Header(StringBuilder html, ReportData data)
    {
        html.Append("<header>\n<h1>Forensics report: ").Append(Html(data.CaseName)).Append("</h1>\n")
            .Append("<p class=\"muted\">case <code>").Append(Html(string.Join(", ", data.CaseDirectories))).Append("</code> · written ")
            .Append(data.GeneratedUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Append(" UTC by forensics ")
            .Append(Html(ReportData.ToolVersion));
        if (data.Manifest is { } m)
            html.Append(" · ingested ").Append(m.LastRun.FinishedUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))
                .Append(" UTC by ").Append(Html(m.Tool)).Append(' ').Append(Html(m.LastRun.ToolVersion))
                .Append(m.Runs.Count > 1 ? $" ({m.Runs.Count} ingest runs)" : "");
        html.Append(" · all times UTC</p>\n");
        if (data.Warning is not null) html.Append("<p class=\"warn\">").Append(Html(data.Warning)).Append("</p>\n");
        html.Append("<nav><ul>");
        foreach (var (id, title) in new[] { ("summary", "Accounting"), ("assumptions", "Time assumptions"), ("charts", "Charts"), ("findings", "Findings"), ("detections", "Sigma detections"), ("evidence", "Evidence files") })
            html.Append("<li><a href=\"#").Append(id).Append("\">").Append(title).Append("</a></li>");
        html.Append("</ul></nav>\n</header>\n");
    }

    private static void Summary(StringBuilder html, ReportData data)
    {
        html.Append("<section id=\"summary\">\n<h2>Accounting</h2>\n");
        if (data.Manifest is not { } m) { html.Append("<p class=\"warn\">The case has no readable manifest.json.</p>\n</section>\n"); return; }
        var t = m.Totals;
        html.Append("<p>").Append(N(t.Files)).Append(" files: ").Append(N(t.FilesParsed)).Append(" parsed, ").Append(N(t.FilesContext))
            .Append(" context, ").Append(N(t.Archives)).Append(" archives, ").Append(N(t.FilesDuplicate)).Append(" duplicates, ").Append(N(t.FilesSkipped)).Append(" skipped, ").Append(N(t.FilesFailed)).Append(" failed")
            .Append(m.Runs.Count > 1 ? $", in {m.Runs.Count} ingest runs" : "").Append(".</p>\n")
            .Append("<p><strong>").Append(N(t.Records)).Append(" records = ").Append(N(t.Events)).Append(" events + ").Append(N(t.Rejects)).Append(" rejects</strong> ")
            .Append(t.Balanced ? "<span class=\"ok\">(balanced for every file)</span>" : "<span class=\"warn\">UNBALANCED: some records are unaccounted for</span>")
            .Append(". Status of the ingest: ").Append(Html(m.Status)).Append(".</p>\n");
        var problems = m.Inputs.Where(i => i.Status is "skipped" or "failed" or "partial").ToList();
        if (problems.Count > 0)
        {
            html.Append("<h3>Files not parsed, with the reason</h3>\n<div class=\"table-wrap\"><table><tr><th>file</th><th>status</th><th>reason</th></tr>\n");
            foreach (var i in problems.Take(MaxFiles))
                html.Append("<tr><td>").Append(Html(i.RelativePath)).Append("</td><td>").Append(Html(i.Status)).Append("</td><td>").Append(Html(i.Reason)).Append("</td></tr>\n");
            html.Append("</table></div>\n");
        }
        html.Append("</section>\n");
    }

    private static void Assumptions(StringBuilder html, ReportData data)
    {
        html.Append("<section id=\"assumptions\">\n<h2>Time assumptions</h2>\n<dl>\n");
        if (data.Manifest is { } m)
        {
            foreach (var run in m.Runs)
            {
                // One run: as before; several: each run's zone, year and inputs under its number.
                var of = m.Runs.Count > 1 ? $" (run {run.Run})" : "";
                html.Append("<dt>Zone of local-time logs").Append(of).Append("</dt><dd>").Append(Html(run.Options.TimeZone)).Append(" — ").Append(Html(run.Options.TimeZoneSource))
                    .Append(run.Options.TimeZoneAssumed ? " <span class=\"warn\">ASSUMED: no --tz and no usable zone in the evidence</span>" : "").Append("</dd>\n")
                    .Append("<dt>Year of year-less stamps").Append(of).Append("</dt><dd>").Append(run.Options.Year is { } y
                        ? $"{y} (given with --year)"
                        : "inferred per file from its modification or gzip time, bounded by the newer file of its rotation set").Append("</dd>\n")
                    .Append("<dt>Inputs").Append(of).Append("</dt><dd>").Append(string.Join("<br>", run.Options.Inputs.Select(Html))).Append("</dd>\n");
                foreach (var note in run.Notes) html.Append("<dt>Note").Append(of).Append("</dt><dd>").Append(Html(note)).Append("</dd>\n");
            }
            foreach (var note in m.Notes) html.Append("<dt>Note</dt><dd>").Append(Html(note)).Append("</dd>\n");
            foreach (var i in m.Inputs.Where(i => i.Notes is { Count: > 0 }))
                foreach (var note in i.Notes!) html.Append("<dt>").Append(Html(i.RelativePath)).Append("</dt><dd>").Append(Html(note)).Append("</dd>\n");
        }
        if (data.Findings.Results.TryGetValue("case_overview", out var overview) && ReportData.Column(overview, "ts_inferred_or_assumed") is var c and >= 0)
        {
            long inferred = overview.Rows.Sum(r => r[c] is null ? 0L : Convert.ToInt64(r[c], CultureInfo.InvariantCulture));
            html.Append("<dt>Events with an inferred year or assumed zone</dt><dd>").Append(N(inferred)).Append(" (column <code>ts_quality</code>)</dd>\n");
        }
        html.Append("</dl>\n</section>\n");
    }

    private static void Charts(StringBuilder html, ReportData data)
    {
        html.Append("<section id=\"charts\">\n<h2>Charts</h2>\n");
        Figure(html, "chart-events", ReportCharts.EventsOverTime(data.EventsOverTime),
            "Every event of the case in time buckets, stacked by format and host.");
        Figure(html, "chart-ssh-failures", ReportCharts.SshFailures(data.SshFailures),
            "Failed SSH authentications (each record once, journal and rsyslog copies counted once), the top source IPs apart.");
        Figure(html, "chart-logins", ReportCharts.LoginSessions(data.LoginSessions),
            "wtmp sessions and sshd logins (accepted until PAM closed the session) on one axis: a login one source shows and the other does not is a gap in the evidence. Short sessions are drawn a few pixels wide.");
        if (data.Kills.Count == 0) html.Append("<p class=\"muted\">No service was killed by a signal or a timeout.</p>\n");
        for (int i = 0; i < data.Kills.Count; i++)
        {
            var (unit, ts, around) = data.Kills[i];
            Figure(html, $"chart-kill-{i}", ReportCharts.AroundKill(unit, ts, around),
                $"{around.Rows.Count:N0} events of every source within ±{ReportData.KillWindow} of the kill of {unit}, one lane per format; the kill is at 0 s.");
        }
        html.Append("</section>\n");
    }

    private static void Figure(StringBuilder html, string id, string svg, string caption) =>
        html.Append("<figure id=\"").Append(id).Append("\">").Append(svg).Append("<figcaption>").Append(Html(caption)).Append("</figcaption></figure>\n");

    private static void Findings(StringBuilder html, ReportData data, Dictionary<string, (int Index, ManifestInput Input)> files)
    {
        html.Append("<section id=\"findings\">\n<h2>Findings</h2>\n<p class=\"muted\">Every canned investigation (<code>queries/*.sql</code>) with its defaults. ")
            .Append("Evidence links jump to the file's row below (path through archives, SHA-256); the byte offset is where the record starts in the decompressed file.</p>\n");
        foreach (var q in data.Queries)
            Finding(html, q.Name, q.Description, data, files);
        if (data.Findings.Results.ContainsKey(InvestigationReport.AroundKill))
            Finding(html, InvestigationReport.AroundKill, "Every event within 30 s of the first service kill, all sources merged.", data, files);
        html.Append("</section>\n");
    }

    private static void Finding(StringBuilder html, string name, string description, ReportData data, Dictionary<string, (int Index, ManifestInput Input)> files)
    {
        html.Append("<section class=\"finding\" id=\"q-").Append(Anchor(name)).Append("\">\n<h3>").Append(Html(name)).Append("</h3>\n<p class=\"muted\">")
            .Append(Html(description)).Append("</p>\n");
        if (data.Findings.Errors.TryGetValue(name, out var error)) { html.Append("<p class=\"warn\">The query failed: ").Append(Html(error)).Append("</p>\n</section>\n"); return; }
        if (!data.Findings.Results.TryGetValue(name, out var result)) { html.Append("<p class=\"muted\">Not run.</p>\n</section>\n"); return; }
        if (result.Rows.Count == 0) { html.Append("<p>Nothing found.</p>\n</section>\n"); return; }
        // A per-machine answer of a case that holds several machines: one table per machine, so the rows of one
        // cannot be read as the other's (and the first machine's rows cannot fill the whole table).
        foreach (var (host, rows) in ReportData.ByEvidenceHost(result))
        {
            if (host is { } h) html.Append("<h4>").Append(Html(h.Length == 0 ? "host unknown" : "host " + h)).Append("</h4>\n");
            FindingTable(html, rows, files, data.FirstEvidence);
            if (rows.Rows.Count > MaxRows)
                html.Append("<p class=\"muted\">… ").Append(N(rows.Rows.Count - MaxRows)).Append(" more: <code>forensics query ").Append(Html(name.Split(' ')[0]))
                    .Append(' ').Append(Html(data.CaseOptions)).Append("</code></p>\n");
        }
        html.Append("</section>\n");
    }

    /// <summary>The query's columns as they are, except the provenance columns, which become one evidence link.</summary>
    private static void FindingTable(StringBuilder html, QueryResult result, Dictionary<string, (int Index, ManifestInput Input)> files,
        IReadOnlyDictionary<(string Kind, string Value), (string SourceFile, long Offset)> firstEvidence)
    {
        int fileCol = ReportData.Column(result, "source_file"), offsetCol = ReportData.Column(result, "source_offset"), riskyCol = ReportData.Column(result, "risky");
        // A row that counts many records links to the first record naming its IP (or, without one, its user name).
        (string Kind, int Index) keyCol = ("", -1);
        if (fileCol < 0)
            foreach (var k in ReportData.AggregateKeys)
                if (ReportData.Column(result, k) is var c and >= 0) { keyCol = (k, c); break; }
        var shown = Enumerable.Range(0, result.Columns.Count).Where(i => i != fileCol && i != offsetCol && result.Columns[i] != "source_sha256").ToList();
        html.Append("<div class=\"table-wrap\"><table>\n<tr>");
        foreach (var i in shown) html.Append("<th>").Append(Html(result.Columns[i])).Append("</th>");
        if (fileCol >= 0) html.Append("<th>evidence</th>");
        else if (keyCol.Index >= 0) html.Append("<th>first record naming the ").Append(keyCol.Kind == "src_ip" ? "IP" : "user").Append("</th>");
        html.Append("</tr>\n");
        foreach (var row in result.Rows.Take(MaxRows))
        {
            bool risky = riskyCol >= 0 && row[riskyCol] is true;
            html.Append(risky ? "<tr class=\"risky\">" : "<tr>");
            foreach (var i in shown)
            {
                var cell = QueryResult.Format(row[i]) ?? "";
                if (cell.Length > MaxCell) cell = cell[..(MaxCell - 1)] + "…";
                html.Append("<td>").Append(Html(cell));
                if (risky && result.Columns[i] == "setting") html.Append(" <span class=\"badge\">RISKY</span>");
                html.Append("</td>");
            }
            if (fileCol >= 0) html.Append("<td>").Append(EvidenceLink(row[fileCol] as string, offsetCol >= 0 ? row[offsetCol] : null, files)).Append("</td>");
            else if (keyCol.Index >= 0)
                html.Append("<td>").Append(row[keyCol.Index] is string key && firstEvidence.TryGetValue((keyCol.Kind, key), out var first)
                    ? EvidenceLink(first.SourceFile, first.Offset, files) : "").Append("</td>");
            html.Append("</tr>\n");
        }
        html.Append("</table></div>\n");
    }

    /// <summary>
    /// The Sigma matches grouped by level (highest first) and rule, each rule credited with its author and file (the
    /// rules' licence, DRL 1.1, asks for it), its ATT&amp;CK tags and count, then its first matches with evidence links.
    /// </summary>
    private static void Detections(StringBuilder html, ReportData data, Dictionary<string, (int Index, ManifestInput Input)> files)
    {
        html.Append("<section id=\"detections\">\n<h2>Sigma detections</h2>\n");
        if (data.Detections is not { } d)
        {
            html.Append("<p class=\"muted\">No Sigma rules were run on this case (<code>forensics sigma ")
                .Append(Html(data.CaseOptions)).Append(" --rules …</code>; <code>investigate</code> runs the bundled rules).</p>\n</section>\n");
            return;
        }
        int C(string name) => ReportData.Column(d, name);
        int id = C("rule_id"), title = C("rule_title"), level = C("rule_level"), tags = C("rule_tags"), author = C("rule_author"), file = C("rule_file"), matches = C("matches");
        int ts = C("ts"), host = C("host"), evt = C("event"), sourceFile = C("source_file"), offset = C("source_offset");
        var rules = d.Rows.GroupBy(r => (File: r[file] as string, Id: r[id] as string, Title: r[title] as string)).Select(g => g.ToList())
            .OrderByDescending(g => SigmaRule.LevelRank(g[0][level] as string)).ThenByDescending(g => Count(g[0][matches]))
            .ThenBy(g => g[0][title] as string, StringComparer.Ordinal).ToList();
        html.Append("<p class=\"muted\">").Append(N(rules.Count)).Append(" rule(s) matched ").Append(N(rules.Sum(g => Count(g[0][matches]))))
            .Append(" event(s) (the <code>detections</code> table), highest level first; each rule lists its first ").Append(N(MaxDetectionsPerRule)).Append(" matches in time.</p>\n");
        if (rules.Count == 0) html.Append("<p>No rule matched.</p>\n");
        foreach (var byLevel in rules.GroupBy(g => g[0][level] as string ?? "no level"))
        {
            html.Append("<h3>Level ").Append(Html(byLevel.Key)).Append("</h3>\n");
            foreach (var rows in byLevel)
            {
                var rule = rows[0];
                bool alarm = SigmaRule.LevelRank(rule[level] as string) >= SigmaRule.LevelRank("high");
                long count = Count(rule[matches]);
                html.Append("<section class=\"finding detection\">\n<h4>").Append(Html(rule[title] as string))
                    .Append(alarm ? " <span class=\"badge\">" + Html((rule[level] as string)?.ToUpperInvariant()) + "</span>" : "").Append("</h4>\n")
                    .Append("<p class=\"muted\">level ").Append(Html(rule[level] as string ?? "none")).Append(" · ").Append(N(count)).Append(" match(es)")
                    .Append(" · ATT&amp;CK ").Append(Html(rule[tags] is string t && t.Length > 0 ? t.Replace(",", ", ", StringComparison.Ordinal) : "-"))
                    .Append(" · rule <code>").Append(Html(rule[id] as string ?? "-")).Append("</code> by ").Append(Html(rule[author] as string ?? "unknown author"))
                    .Append(", file <code>").Append(Html(rule[file] as string)).Append("</code></p>\n")
                    .Append("<div class=\"table-wrap\"><table>\n<tr><th>ts</th><th>host</th><th>event</th><th>evidence</th></tr>\n");
                foreach (var row in rows)
                    html.Append(alarm ? "<tr class=\"risky\"><td>" : "<tr><td>").Append(Html(QueryResult.Format(row[ts]))).Append("</td><td>").Append(Html(row[host] as string))
                        .Append("</td><td>").Append(Html(row[evt] as string)).Append("</td><td>").Append(EvidenceLink(row[sourceFile] as string, row[offset], files)).Append("</td></tr>\n");
                html.Append("</table></div>\n");
                if (count > rows.Count)
                    html.Append("<p class=\"muted\">… ").Append(N(count - rows.Count)).Append(" more: <code>forensics sql ").Append(Html(data.CaseOptions))
                        .Append(" \"SELECT * FROM detections ORDER BY ts\"</code></p>\n");
                html.Append("</section>\n");
            }
        }
        html.Append("</section>\n");
    }

    private static long Count(object? value) => value is null ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);

    private static string EvidenceLink(string? sourceFile, object? offset, Dictionary<string, (int Index, ManifestInput Input)> files)
    {
        if (sourceFile is null) return "";
        var at = offset is null ? "" : $" @ byte {Convert.ToInt64(offset, CultureInfo.InvariantCulture).ToString("N0", CultureInfo.InvariantCulture)}";
        if (!files.TryGetValue(sourceFile, out var f)) return Html(sourceFile) + Html(at);
        return $"<a href=\"#file-{f.Index}\">{Html(f.Input.RelativePath)}</a>{Html(at)}<br><code>sha256 {Html(Short(f.Input.Sha256))}</code>";
    }

    private static void Evidence(StringBuilder html, ReportData data, Dictionary<string, (int Index, ManifestInput Input)> files)
    {
        html.Append("<section id=\"evidence\">\n<h2>Evidence files</h2>\n");
        if (data.Manifest is not { } m) { html.Append("<p class=\"warn\">No manifest.</p>\n</section>\n"); return; }
        html.Append("<p class=\"muted\">Every input file of the ingest as the manifest records it: path through archives and compression layers, size, SHA-256 of the (decompressed) bytes, and its records.</p>\n")
            .Append("<div class=\"table-wrap\"><table>\n<tr><th>file</th><th>format</th><th>status</th><th>records</th><th>events</th><th>rejects</th><th>first</th><th>last</th><th>size, SHA-256</th></tr>\n");
        var ordered = files.Values.OrderBy(f => f.Input.Status is "parsed" or "context" or "archive" ? 1 : 0).ThenBy(f => f.Index).Take(MaxFiles).OrderBy(f => f.Index);
        foreach (var (index, i) in ordered)
        {
            html.Append("<tr id=\"file-").Append(index).Append("\"><td>").Append(Html(i.RelativePath));
            if (i.SourceFile.Contains('!', StringComparison.Ordinal)) html.Append("<br><span class=\"muted mono\">").Append(Html(i.SourceFile)).Append("</span>");
            html.Append("</td><td>").Append(Html(i.Format ?? "-")).Append("</td><td>").Append(Html(i.Status)).Append(i.Reason is null ? "" : ": " + Html(i.Reason))
                .Append("</td><td>").Append(N(i.Records)).Append("</td><td>").Append(N(i.Events)).Append("</td><td>").Append(N(i.Rejects))
                .Append("</td><td>").Append(Time(i.FirstTsUtc)).Append("</td><td>").Append(Time(i.LastTsUtc))
                .Append("</td><td class=\"mono\">").Append(N(i.Size)).Append(" bytes<br>").Append(Html(i.Sha256 ?? "-"));
            if (i.StoredSha256 is not null && i.StoredSha256 != i.Sha256) html.Append("<br>stored ").Append(Html(i.Compression ?? "")).Append(' ').Append(Html(i.StoredSha256));
            html.Append("</td></tr>\n");
        }
        html.Append("</table></div>\n");
        if (m.Inputs.Count > MaxFiles)
            html.Append("<p class=\"muted\">… ").Append(N(m.Inputs.Count - MaxFiles)).Append(" more files: every file is listed in <code>")
                .Append(Html(string.Join(", ", data.CaseDirectories.Select(d => Path.Combine(d, CaseLayout.ManifestFile))))).Append("</code></p>\n");
        html.Append("</section>\n");
    }

    private static Dictionary<string, (int Index, ManifestInput Input)> FileIndex(Manifest? manifest)
    {
        var index = new Dictionary<string, (int, ManifestInput)>(StringComparer.Ordinal);
        if (manifest is null) return index;
        var inputs = manifest.Inputs;
        for (int i = 0; i < inputs.Count; i++) index.TryAdd(inputs[i].SourceFile, (i, inputs[i]));
        return index;
    }

    private static string Anchor(string name) => new(name.Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '-').ToArray());
    private static string Short(string? sha) => sha is null ? "-" : sha.Length > 16 ? sha[..16] + "…" : sha;
    private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
    private static string Time(DateTime? t) => t?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-";
}
