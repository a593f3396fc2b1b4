using Forensics.Pipeline.Query;
using Forensics.Pipeline.Stages;
using Forensics.Tests.Support;

namespace Forensics.Tests.Query;

public sealed class QueryCatalogTests
{
    private static readonly string[] CannedSet =
    [
        "case_overview", "cross_source_actors", "http_proxy_probes", "login_evidence_gaps", "logins", "service_kill_candidates", "service_kills",
        "ssh_bruteforce_by_ip", "ssh_bruteforce_then_success", "ssh_config_risks", "ssh_usernames_tried", "timeline_around",
    ];

    internal static IReadOnlyList<CannedQuery> Queries { get; } = QueryCatalog.Load(RepoPaths.Queries);

    public static TheoryData<string> Names() => new(Queries.Select(q => q.Name));

    private static CannedQuery Get(string name) => Queries.Single(q => q.Name == name);

    [Fact]
    public void The_canned_set_is_complete()
    {
        Assert.Equal(CannedSet, Queries.Select(q => q.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Header_is_complete_and_parameters_agree(string name)
    {
        var q = Get(name);
        Assert.Equal(Path.GetFileNameWithoutExtension(q.Path), q.Name);
        Assert.False(string.IsNullOrWhiteSpace(q.Description));
        Assert.NotEmpty(q.Output);
        Assert.NotEmpty(q.Tables);
        using var tmp = new TempDir();
        using var session = CaseSession.Open(tmp.Path);
        foreach (var table in q.Tables) Assert.Contains(table, session.Views);
        Assert.Equal(q.Parameters.Select(p => p.Name).Order(StringComparer.Ordinal), q.UsedParameters.Order(StringComparer.Ordinal));
        Assert.Equal(q.Parameters.Count, q.Parameters.Select(p => p.Name).Distinct().Count());
        foreach (var p in q.Parameters)
        {
            Assert.False(string.IsNullOrWhiteSpace(p.Description));
            _ = p.Convert(p.Default); // a default that does not parse fails here, not in front of a user
        }
    }

    [Fact]
    public void Catalog_check_catches_a_declared_but_unused_parameter()
    {
        using var tmp = new TempDir();
        var path = tmp.Combine("bad.sql");
        File.WriteAllText(path, "-- name: bad\n-- description: d\n-- tables: events\n-- param: a BIGINT 1 used\n-- param: b BIGINT 2 unused\n-- output: x\nSELECT $a AS x -- $b in a comment is not a use\nWHERE '$b' <> ''");
        var q = QueryCatalog.Parse(path);
        Assert.Equal(["a"], q.UsedParameters);
        Assert.Equal(2, q.Parameters.Count);
        Assert.Throws<ArgumentException>(() => q.Bind(new Dictionary<string, string> { ["c"] = "1" }));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Runs_on_an_empty_case_with_the_declared_output(string name)
    {
        var q = Get(name);
        using var tmp = new TempDir();
        using var session = CaseSession.Open(tmp.Path);
        var result = session.Run(q.Sql, q.Bind());
        Assert.Equal(q.Output, result.Columns);
        Assert.Empty(result.Rows);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Synthetic_case_matches_golden(string name)
    {
        var q = Get(name);
        using var tmp = new TempDir();
        SyntheticCase.Create(tmp.Path);
        using var session = CaseSession.Open(tmp.Path);
        var result = session.Run(q.Sql, q.Bind());
        Assert.Equal(q.Output, result.Columns);
        Golden.Check($"synthetic/{name}.tsv", result.ToTsv());
    }

    /// <summary>Real sshd lines (s4 auth logs of 4 systems, fail2ban's catalogue) through the real pipeline.</summary>
    [SkippableFact]
    public async Task Corpus_auth_case_matches_goldens()
    {
        var inputs = new[] { Corpus.Dir("s4/auth"), Corpus.File("fail2ban/sshd") };
        using var tmp = new TempDir();
        // A fixed year and zone: year inference from file times would make the goldens depend on the checkout date.
        await IngestRunner.RunAsync(new IngestOptions { Inputs = inputs, CaseDirectory = tmp.Combine("case"), Year = 2024, TimeZone = "UTC", Workers = 1 });
        SecondReader.AgreesWithDuckDb(tmp.Combine("case"));
        using var session = CaseSession.Open(tmp.Combine("case"));
        foreach (var q in Queries)
        {
            var result = session.Run(q.Sql, q.Bind());
            Assert.Equal(q.Output, result.Columns);
            Golden.Check($"corpus-auth/{q.Name}.tsv", result.ToTsv().Replace(Corpus.Root!, "<corpus>", StringComparison.Ordinal));
        }
        var overview = session.Run(Get("case_overview").Sql);
        Assert.NotEmpty(overview.Rows);
        Assert.NotEmpty(session.Run(Get("ssh_bruteforce_by_ip").Sql, Get("ssh_bruteforce_by_ip").Bind()).Rows);
    }

    /// <summary>The bundled sample (data-samples/droplet1: journal, wtmp/btmp, Werkzeug log, etc/) through the real pipeline.</summary>
    [SkippableFact]
    public async Task Droplet1_sample_matches_goldens()
    {
        var sample = Path.Combine(RepoPaths.DataSamples, "droplet1");
        Skip.IfNot(Directory.Exists(sample), "data-samples/droplet1 is not present");
        using var tmp = new TempDir();
        await IngestRunner.RunAsync(new IngestOptions { Inputs = [sample], CaseDirectory = tmp.Combine("case"), Workers = 1 });
        SecondReader.AgreesWithDuckDb(tmp.Combine("case"));
        using var session = CaseSession.Open(tmp.Combine("case"));
        foreach (var q in Queries)
        {
            var result = session.Run(q.Sql, q.Bind());
            Assert.Equal(q.Output, result.Columns);
            Golden.Check($"droplet1/{q.Name}.tsv", result.ToTsv().Replace(RepoPaths.Root, "<repo>", StringComparison.Ordinal));
        }
        var kills = session.Run(Get("service_kills").Sql, Get("service_kills").Bind());
        Assert.Equal("dnf-makecache.service SIGKILL dnf-makecache.timer", string.Join('|', kills.Rows.Select(r => $"{Cell(kills, r, "unit")} {Cell(kills, r, "signal")} {Cell(kills, r, "trigger")}")));
        Assert.NotEmpty(session.Run(Get("http_proxy_probes").Sql, Get("http_proxy_probes").Bind()).Rows);
    }

    [Fact]
    public void Bruteforce_then_success_finds_the_guessed_root_login()
    {
        var r = RunSynthetic("ssh_bruteforce_then_success");
        var row = Assert.Single(r.Rows);
        Assert.Equal("203.0.113.7", Cell(r, row, "src_ip"));
        Assert.Equal("root", Cell(r, row, "success_user"));
        Assert.Equal(7L, Cell(r, row, "failures_before"));
        Assert.Equal("admin,oracle,root", Cell(r, row, "users_tried"));

        // A window that ends before the failures began finds nothing: the parameter is really bound.
        var q = Get("ssh_bruteforce_then_success");
        using var tmp = new TempDir();
        SyntheticCase.Create(tmp.Path);
        using var session = CaseSession.Open(tmp.Path);
        Assert.Empty(session.Run(q.Sql, q.Bind(new Dictionary<string, string> { ["window"] = "30s" })).Rows);
    }

    [Fact]
    public void Evidence_gaps_flag_the_missing_wtmp_session_the_unmatched_session_time_travel_and_holes()
    {
        var r = RunSynthetic("login_evidence_gaps");
        var findings = r.Rows.Select(row => $"{Cell(r, row, "finding")} {Cell(r, row, "user")} {Cell(r, row, "source_offset")}").ToList();
        Assert.Contains("sshd_login_without_wtmp root 1000", findings);
        Assert.Contains("wtmp_session_without_sshd bob 768", findings);
        Assert.Contains("wtmp_time_travel  1152", findings);
        Assert.Contains("wtmp_hole  1536", findings);
        Assert.DoesNotContain(findings, f => f.Contains("alice", StringComparison.Ordinal));
        // Only once sshd evidence begins: a wtmp session before the first sshd line is not "missing" (droplet1's
        // April/early-May sessions predate its journal; see the droplet1 golden).
        var sessionsWithoutSshd = r.Rows.Where(row => Cell(r, row, "finding") as string == "wtmp_session_without_sshd").ToList();
        Assert.All(sessionsWithoutSshd, row => Assert.True((DateTime)Cell(r, row, "ts")! >= new DateTime(2024, 3, 1, 8, 0, 0)));
    }

    [Fact]
    public void Service_kills_report_signal_cpu_trigger_and_silence()
    {
        var r = RunSynthetic("service_kills");
        var row = Assert.Single(r.Rows);
        Assert.Equal("backup.service", Cell(r, row, "unit"));
        Assert.Equal("SIGKILL", Cell(r, row, "signal"));
        Assert.Equal(54.919, Cell(r, row, "cpu_seconds"));
        Assert.Equal("backup.timer", Cell(r, row, "trigger"));
        Assert.Equal(1804L, Cell(r, row, "ran_seconds"));
        Assert.Equal(1800.0, Convert.ToDouble(Cell(r, row, "silence_seconds"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Usernames_are_checked_against_passwd_and_cross_source_actor_is_found()
    {
        var u = RunSynthetic("ssh_usernames_tried");
        var byUser = u.Rows.ToDictionary(row => (string)Cell(u, row, "user")!);
        Assert.Equal(true, Cell(u, byUser["root"], "exists_in_passwd"));
        Assert.Equal(true, Cell(u, byUser["root"], "can_login"));
        Assert.Equal(false, Cell(u, byUser["admin"], "exists_in_passwd"));

        var x = RunSynthetic("cross_source_actors");
        // 203.0.113.7: ssh guessing, proxy probes, audit login; 192.0.2.10: alice's ssh login, her wtmp session, a web request.
        Assert.Equal(["203.0.113.7 audit,http,ssh", "192.0.2.10 http,login,ssh"], x.Rows.Select(r => $"{Cell(x, r, "src_ip")} {Cell(x, r, "families")}"));
    }

    [Fact]
    public void Logins_put_sshd_wtmp_and_audit_side_by_side()
    {
        var r = RunSynthetic("logins");
        var rows = r.Rows.Select(row => $"{Cell(r, row, "source")} {Cell(r, row, "user")} {Cell(r, row, "corroborated_by")}").ToList();
        Assert.Equal(["sshd alice wtmp", "wtmp alice sshd", "wtmp bob ", "sshd root audit", "audit root sshd"], rows);
    }

    private static QueryResult RunSynthetic(string name)
    {
        var q = Get(name);
        using var tmp = new TempDir();
        SyntheticCase.Create(tmp.Path);
        using var session = CaseSession.Open(tmp.Path);
        return session.Run(q.Sql, q.Bind());
    }

    private static object? Cell(QueryResult r, object?[] row, string column) => row[r.Columns.ToList().IndexOf(column)];
}
