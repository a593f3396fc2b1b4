using Forensics.Pipeline.Query;
using Forensics.Tests.Query;
using Forensics.Tests.Support;

namespace Forensics.Tests.Samples;

/// <summary>
/// The embedded default case must tell its story: issue 8's six expected findings, asserted from
/// `forensics investigate` output and from the query results over the case it wrote. The same findings are
/// asserted on the sample folder (data-samples/droplet1) and on the sample archive (data-samples/droplet1.tar.gz),
/// whose members are gzip-compressed layers the archive limits apply to. One ingest is shared by all tests of a class.
/// </summary>
public abstract class Droplet1FindingsTests
{
    public abstract class Investigation : IDisposable
    {
        private readonly TempDir _dir = new();
        public string CaseDir => _dir.Combine("case");
        public string Stdout { get; }
        public int Code { get; }

        protected Investigation(string evidence)
        {
            var (code, stdout, stderr) = CaseSessionTests.RunCli(["investigate", Path.Combine(RepoPaths.DataSamples, evidence), "--out", CaseDir]);
            Code = code;
            Stdout = stdout + stderr;
        }

        public QueryResult Query(string name)
        {
            using var session = CaseSession.Open(CaseDir);
            var q = QueryCatalogTests.Queries.Single(x => x.Name == name);
            return session.Run(q.Sql, q.Bind());
        }

        public object? Scalar(string sql)
        {
            using var session = CaseSession.Open(CaseDir);
            return session.Run(sql).Rows.Single()[0];
        }

        public void Dispose() => _dir.Dispose();
    }

    public sealed class FolderInvestigation() : Investigation("droplet1");
    public sealed class ArchiveInvestigation() : Investigation("droplet1.tar.gz");

    private readonly Investigation _run;
    protected Droplet1FindingsTests(Investigation run)
    {
        _run = run;
        Assert.True(run.Code == 0, run.Stdout);
    }

    private static object? Cell(QueryResult r, object?[] row, string column) => row[r.Columns.ToList().IndexOf(column)];

    [Fact]
    public void Finding1_dnf_makecache_killed_by_SIGKILL_after_nine_silent_hours()
    {
        var r = _run.Query("service_kills");
        var row = Assert.Single(r.Rows);
        Assert.Equal("dnf-makecache.service", Cell(r, row, "unit"));
        Assert.Equal("SIGKILL", Cell(r, row, "signal"));
        var kill = (DateTime)Cell(r, row, "kill_ts")!;
        Assert.Equal(new DateTime(2024, 5, 21, 13, 50, 9), kill.AddTicks(-(kill.Ticks % TimeSpan.TicksPerSecond)));
        Assert.Equal(54.919, Cell(r, row, "cpu_seconds"));
        Assert.Equal("dnf-makecache.timer", Cell(r, row, "trigger"));
        double silence = Convert.ToDouble(Cell(r, row, "silence_seconds"));
        Assert.InRange(silence / 3600, 8.5, 9.5); // last dnf line 04:44:26, kill 13:50:09
        Assert.Contains("dnf-makecache.service on droplet1: signal SIGKILL, 54.919 s CPU, started by dnf-makecache.timer, silent", _run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Finding2_ssh_brute_force_from_many_IPs_with_the_bot_user_list_and_no_password_login()
    {
        var byIp = _run.Query("ssh_bruteforce_by_ip");
        Assert.True(byIp.Rows.Count >= 5, $"only {byIp.Rows.Count} attacking IPs");
        var ips = byIp.Rows.Select(row => (string)Cell(byIp, row, "src_ip")!).ToHashSet();
        Assert.Contains("95.223.184.224", ips);
        Assert.Contains("183.81.169.238", ips);
        var users = _run.Query("ssh_usernames_tried");
        var tried = users.Rows.Select(row => (string)Cell(users, row, "user")!).ToHashSet();
        foreach (var u in new[] { "pi", "tomcat", "node", "oracle", "www", "red5", "hive", "palworld", "gpadmin", "sol", "root", "sys" })
            Assert.Contains(u, tried);
        Assert.Equal(0L, _run.Scalar("SELECT count(*) FROM events WHERE event IN ('ssh.accepted_password', 'ssh.accepted_other')"));
        Assert.Contains("== SSH password guessing, by source IP (ssh_bruteforce_by_ip):", _run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Failures followed by a successful login from the same IP (ssh_bruteforce_then_success): nothing found", _run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Finding3_root_logins_only_by_key_only_from_the_owner_consistent_between_journal_and_wtmp()
    {
        var logins = _run.Query("logins");
        var sshd = logins.Rows.Where(row => Cell(logins, row, "source") as string == "sshd").ToList();
        Assert.NotEmpty(sshd);
        Assert.All(sshd, row =>
        {
            Assert.Equal("root", Cell(logins, row, "user"));
            Assert.Equal("174.72.166.246", Cell(logins, row, "src_ip"));
            Assert.StartsWith("publickey SHA256:", (string)Cell(logins, row, "detail")!);
            Assert.Contains("wtmp", (string)Cell(logins, row, "corroborated_by")!);
        });
        var wtmpIps = logins.Rows.Where(row => Cell(logins, row, "source") as string == "wtmp").Select(row => Cell(logins, row, "src_ip") as string).ToHashSet();
        Assert.Subset(new HashSet<string?> { "174.72.166.246", "162.243.190.66" }, wtmpIps);
        Assert.Empty(_run.Query("login_evidence_gaps").Rows);
    }

    [Fact]
    public void Finding4_CONNECT_probes_three_seconds_before_the_kill_on_one_timeline()
    {
        var probes = _run.Query("http_proxy_probes");
        var connects = probes.Rows.Where(row => Cell(probes, row, "kind") as string == "connect")
            .Select(row => $"{Cell(probes, row, "src_ip")} {Cell(probes, row, "proxy_target")}").ToList();
        Assert.Contains("91.92.245.67 api.ipify.org:443", connects);
        Assert.Contains("87.121.69.52 google.com:443", connects);
        Assert.All(probes.Rows.Where(row => Cell(probes, row, "kind") as string == "connect"),
            row => Assert.Equal(new DateTime(2024, 5, 21, 13, 50, 6), Cell(probes, row, "first_seen")));
        // One timeline: the report's section around the kill lists the probes at -3.5 s and the kill at 0 s.
        var around = _run.Stdout[_run.Stdout.IndexOf("== Around the first service kill", StringComparison.Ordinal)..];
        around = around[..around.IndexOf("\n== ", 1, StringComparison.Ordinal)];
        Assert.Contains("http.proxy_connect from 91.92.245.67", around, StringComparison.Ordinal);
        Assert.Contains("http.proxy_connect from 87.121.69.52", around, StringComparison.Ordinal);
        Assert.Contains("systemd.main_process_exited: dnf-makecache.service: Main process exited, code=killed, status=9/KILL", around, StringComparison.Ordinal);
        Assert.Contains("(-3.512 s) werkzeug http.proxy_connect", around, StringComparison.Ordinal);
    }

    [Fact]
    public void Finding5_password_authentication_and_root_login_are_enabled()
    {
        var r = _run.Query("ssh_config_risks");
        var risky = r.Rows.Where(row => Cell(r, row, "risky") is true).ToDictionary(row => (string)Cell(r, row, "setting")!, row => (string)Cell(r, row, "effective_value")!);
        Assert.Equal("yes", risky["PasswordAuthentication"]);
        Assert.Equal("yes", risky["PermitRootLogin"]);
        Assert.Contains("PasswordAuthentication yes (file, etc/ssh/sshd_config:65): RISKY", _run.Stdout, StringComparison.Ordinal);
        Assert.Contains("PermitRootLogin yes (file, etc/ssh/sshd_config:40): RISKY", _run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Finding6_which_tried_names_exist_and_which_can_log_in()
    {
        var r = _run.Query("ssh_usernames_tried");
        var byUser = r.Rows.ToDictionary(row => (string)Cell(r, row, "user")!, row => (Exists: Cell(r, row, "exists_in_passwd"), CanLogin: Cell(r, row, "can_login")));
        Assert.Equal((true, true), ((bool)byUser["root"].Exists!, (bool)byUser["root"].CanLogin!));
        Assert.Equal((true, false), ((bool)byUser["sys"].Exists!, (bool)byUser["sys"].CanLogin!));
        foreach (var bot in new[] { "pi", "tomcat", "oracle", "palworld" }) Assert.Equal(false, byUser[bot].Exists);
        Assert.Contains("sys: ", _run.Stdout, StringComparison.Ordinal);
        Assert.Contains("exists in passwd, no login shell", _run.Stdout, StringComparison.Ordinal);
        Assert.Contains("exists in passwd and can log in", _run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_record_of_the_sample_is_accounted_for_and_the_timeline_is_written()
    {
        var manifest = Forensics.Pipeline.Case.Manifest.Load(Path.Combine(_run.CaseDir, "manifest.json"));
        Assert.True(manifest.Totals.Balanced);
        Assert.Equal(0, manifest.Totals.Rejects);
        Assert.DoesNotContain(manifest.Inputs, i => i.Status == "failed");
        Assert.Contains(manifest.Inputs, i => i.Format == "journal");
        Assert.Contains(manifest.Inputs, i => i.Format == "wtmp");
        Assert.Contains(manifest.Inputs, i => i.Format == "btmp");
        Assert.Contains(manifest.Inputs, i => i.Format == "werkzeug");
        Assert.True(File.ReadLines(Path.Combine(_run.CaseDir, "exports", "timeline.csv")).Count() > 4000);
    }

    [Fact]
    public void Finding7_the_bundled_Sigma_brute_force_correlation_flags_addresses_the_canned_query_lists()
    {
        // investigate runs queries/sigma/rules; the case holds their matches, recorded in the manifest.
        Assert.Empty(Forensics.Pipeline.Case.CaseIntegrity.Check(_run.CaseDir));
        Assert.Contains("== Sigma detections:", _run.Stdout, StringComparison.Ordinal);
        Assert.Contains("SSH password guessing from one address", _run.Stdout, StringComparison.Ordinal);
        using var session = CaseSession.Open(_run.CaseDir);
        var flagged = session.Run("""
            SELECT DISTINCT e.src_ip FROM detections d JOIN events e USING (source_file, source_offset)
            WHERE d.rule_id = '5b0b2c61-6f0e-4a43-9a55-2f1d1c7e8a01'
            """).Rows.Select(r => (string)r[0]!).ToList();
        Assert.NotEmpty(flagged);
        // Ten failures in ten minutes from an address: the canned per-IP count of the same address holds at least ten.
        var byIp = _run.Query("ssh_bruteforce_by_ip");
        var attempts = byIp.Rows.ToDictionary(row => (string)Cell(byIp, row, "src_ip")!,
            row => Convert.ToInt64(Cell(byIp, row, "failed_attempts")) + Convert.ToInt64(Cell(byIp, row, "invalid_user_probes")));
        Assert.All(flagged, ip => Assert.True(attempts.GetValueOrDefault(ip) >= 10, $"{ip}: {attempts.GetValueOrDefault(ip)} attempts"));
    }

    [Fact]
    public void The_file_count_adds_up_to_the_files_listed()
    {
        // "18 files (5 parsed, 3 skipped, 0 failed)" left the 10 context files (passwd, sshd_config, unit files) out.
        var m = System.Text.RegularExpressions.Regex.Match(_run.Stdout,
            @"^(\d+) files \((\d+) parsed, (?:(\d+) read as context tables, )?(?:(\d+) archive\(s\) opened, )?(\d+) skipped, (\d+) failed\)", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.True(m.Success, "no summary line");
        int Count(int group) => m.Groups[group].Success ? int.Parse(m.Groups[group].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        Assert.True(Count(3) > 0, "droplet1 holds context files");
        Assert.Equal(Count(1), Count(2) + Count(3) + Count(4) + Count(5) + Count(6));
    }

    [Fact]
    public void Investigate_writes_the_html_report_into_the_case_and_names_it()
    {
        // The "… N more" hints name the case that was written, ready to paste.
        Assert.Contains($"more: forensics query cross_source_actors --case {Path.GetFullPath(_run.CaseDir)}\n", _run.Stdout, StringComparison.Ordinal);
        var report = Path.Combine(Path.GetFullPath(_run.CaseDir), "report.html");
        Assert.Contains($"report: {report}", _run.Stdout, StringComparison.Ordinal);
        var html = File.ReadAllText(report);
        Assert.Contains("dnf-makecache.service", html, StringComparison.Ordinal);
        // The Sigma detections investigate printed (the bundled rules) are the report's: it reads the case after they were written.
        var printed = System.Text.RegularExpressions.Regex.Matches(_run.Stdout, "^   - (.+?): [0-9,]+ event\\(s\\)", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(printed);
        var detections = System.Text.RegularExpressions.Regex.Match(html, "<section id=\"detections\">(.*?)<section id=\"evidence\">", System.Text.RegularExpressions.RegexOptions.Singleline).Groups[1].Value;
        foreach (var title in printed) Assert.Contains($"<h4>{System.Net.WebUtility.HtmlEncode(title)}", detections, StringComparison.Ordinal);
        // Evidence links through the archive name its member (droplet1.tar.gz!var/log/...), and the link target exists.
        var link = System.Text.RegularExpressions.Regex.Match(html, "<a href=\"#(file-[0-9]+)\">[^<]*wtmp</a> @ byte [0-9,]+");
        Assert.True(link.Success, "no evidence link to wtmp");
        Assert.Contains($"<tr id=\"{link.Groups[1].Value}\">", html, StringComparison.Ordinal);
        // The kill links to its first kill line in the journal (the golden service_kills row's offset).
        var kills = System.Text.RegularExpressions.Regex.Match(html, "id=\"q-service_kills\">(.*?)</section>", System.Text.RegularExpressions.RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("system.journal</a> @ byte 927,560", kills, StringComparison.Ordinal);
    }
}

public sealed class Droplet1FolderFindingsTests(Droplet1FindingsTests.FolderInvestigation run)
    : Droplet1FindingsTests(run), IClassFixture<Droplet1FindingsTests.FolderInvestigation>;

/// <summary>`investigate` on the archive: every member is read through its gzip layer (the archive limits are set).</summary>
public sealed class Droplet1ArchiveFindingsTests(Droplet1FindingsTests.ArchiveInvestigation run)
    : Droplet1FindingsTests(run), IClassFixture<Droplet1FindingsTests.ArchiveInvestigation>;
