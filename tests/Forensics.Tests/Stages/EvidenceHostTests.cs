using Forensics.Pipeline.Case;
using Forensics.Pipeline.Query;
using Forensics.Tests.Query;
using Forensics.Tests.Support;

namespace Forensics.Tests.Stages;

/// <summary>
/// Two machines' evidence in one case: every row carries the machine whose evidence held it (evidence_host),
/// context tables of the two machines stay apart, and the canned joins with them answer per machine.
/// </summary>
public sealed class EvidenceHostTests
{
    private static QueryResult Canned(string caseDir, string name)
    {
        var q = QueryCatalogTests.Queries.Single(x => x.Name == name);
        using var session = CaseSession.Open(caseDir);
        return session.Run(q.Sql, q.Bind());
    }

    private static string? Cell(QueryResult r, object?[] row, string column) => QueryResult.Format(row[r.Columns.ToList().IndexOf(column)]);

    [Fact]
    public void Each_inputs_rows_and_context_tables_carry_its_own_etc_hostname()
    {
        using var dir = new TempDir();
        var (alpha, beta) = TwoMachines.Write(dir.Path);
        using var run = CaseRun.Ingest([alpha, beta], year: 2024);

        Assert.Equal(["alpha|syslog", "beta|syslog"],
            Directory.EnumerateDirectories(Path.Combine(run.CaseDir, "events"), "format=*", SearchOption.AllDirectories)
                .Select(d => Path.GetRelativePath(Path.Combine(run.CaseDir, "events"), d).Replace("evidence_host=", "").Replace("/format=", "|")).Order(StringComparer.Ordinal));
        var perHost = Duck.Rows($"SELECT evidence_host, count(*) FROM {run.Events} GROUP BY ALL ORDER BY 1");
        Assert.Equal(["alpha:5", "beta:3"], perHost.Select(r => $"{r[0]}:{r[1]}"));
        // The line relayed by alpha's rsyslog keeps the host it names; its evidence is alpha's.
        Assert.Equal(["relay-src|alpha"], Duck.Rows($"SELECT host, evidence_host FROM {run.Events} WHERE host <> evidence_host").Select(r => $"{r[0]}|{r[1]}"));
        foreach (var table in new[] { "passwd", "sshd_config", "sshd_settings", "hostname", "timezone" })
        {
            var hosts = Duck.Rows($"SELECT DISTINCT evidence_host FROM read_parquet('{run.CaseDir}/context/{table}/*.parquet') ORDER BY 1").Select(r => r[0]);
            Assert.Equal(["alpha", "beta"], hosts);
        }
        Assert.All(run.Manifest.Inputs, i => Assert.Equal(i.SourceFile.Contains("alpha-copy", StringComparison.Ordinal) ? "alpha" : "beta", i.EvidenceHost));
        Assert.Contains(run.Manifest.LastRun.Notes, n => n.Contains("2 machines (alpha, beta)", StringComparison.Ordinal));
    }

    [Fact]
    public void User_names_tried_are_joined_with_each_machines_own_passwd()
    {
        using var dir = new TempDir();
        var (alpha, beta) = TwoMachines.Write(dir.Path);
        using var run = CaseRun.Ingest([alpha, beta], year: 2024);
        var r = Canned(run.CaseDir, "ssh_usernames_tried");
        var rows = r.Rows.Select(row => $"{Cell(r, row, "evidence_host")} {Cell(r, row, "user")} failed={Cell(r, row, "failed_attempts")} exists={Cell(r, row, "exists_in_passwd")} login={Cell(r, row, "can_login")}").ToList();
        // bob is in alpha's passwd only; joined on the user name alone he would "exist" on beta too.
        Assert.Equal(
        [
            "alpha carol failed=1 exists=false login=",
            "alpha bob failed=1 exists=true login=true",
            "alpha root failed=1 exists=true login=true",
            "beta dave failed=2 exists=true login=false",
            "beta bob failed=1 exists=false login=",
        ], rows);
    }

    [Fact]
    public void Sshd_settings_are_judged_per_machine()
    {
        using var dir = new TempDir();
        var (alpha, beta) = TwoMachines.Write(dir.Path);
        using var run = CaseRun.Ingest([alpha, beta], year: 2024);
        var r = Canned(run.CaseDir, "ssh_config_risks");
        var password = r.Rows.Where(row => Cell(r, row, "setting") == "PasswordAuthentication")
            .Select(row => $"{Cell(r, row, "evidence_host")} {Cell(r, row, "effective_value")} risky={Cell(r, row, "risky")}");
        Assert.Equal(["alpha yes risky=true", "beta no risky=false"], password);
    }

    [Fact]
    public void Host_option_overrides_the_evidences_hostname_for_every_input()
    {
        using var dir = new TempDir();
        var (alpha, beta) = TwoMachines.Write(dir.Path);
        using var run = CaseRun.Ingest([alpha, beta], year: 2024, host: "case-7-web");
        Assert.Equal(["case-7-web"], Duck.Rows($"SELECT DISTINCT evidence_host FROM {run.Events}").Select(r => r[0]));
        Assert.Equal(["case-7-web"], Duck.Rows($"SELECT DISTINCT evidence_host FROM read_parquet('{run.CaseDir}/context/passwd/*.parquet')").Select(r => r[0]));
        Assert.Equal("case-7-web", run.Manifest.LastRun.Options.Host);
    }

    [Fact]
    public void An_empty_or_overlong_host_option_is_a_usage_mistake()
    {
        using var dir = new TempDir();
        var (alpha, _) = TwoMachines.Write(dir.Path);
        foreach (var bad in new[] { " ", new string('h', 65) })
        {
            var (code, _, stderr) = CaseSessionTests.RunCli(["ingest", alpha, "--out", dir.Combine("case"), "--host", bad]);
            Assert.Equal(2, code);
            Assert.Contains("--host", stderr, StringComparison.Ordinal);
            Assert.False(Directory.Exists(dir.Combine("case")));
        }
    }

    [Fact]
    public void An_input_without_etc_hostname_takes_the_runs_only_host_and_stays_unknown_among_several()
    {
        using var dir = new TempDir();
        var (alpha, beta) = TwoMachines.Write(dir.Path);
        var stray = Path.Combine(dir.Path, "stray.log");
        File.WriteAllText(stray, "Mar  1 12:00:00 somebox sshd[300]: Failed password for eve from 203.0.113.9 port 1 ssh2\n");
        File.SetLastWriteTimeUtc(stray, new DateTime(2024, 3, 2, 0, 0, 0, DateTimeKind.Utc));

        using (var one = CaseRun.Ingest([alpha, stray], year: 2024))
            Assert.Equal(["alpha"], Duck.Rows($"SELECT DISTINCT evidence_host FROM {one.Events}").Select(r => r[0]));
        using var two = CaseRun.Ingest([alpha, beta, stray], year: 2024);
        Assert.Equal(["NULL", "alpha", "beta"], Duck.Rows($"SELECT DISTINCT coalesce(evidence_host, 'NULL') FROM read_parquet('{two.CaseDir}/events/**/*.parquet', hive_partitioning=false) ORDER BY 1").Select(r => r[0]));
        Assert.True(Directory.Exists(Path.Combine(two.CaseDir, "events", "evidence_host=" + HostPartition.NullMarker, "format=syslog")));
    }

    [Fact]
    public void A_hostile_hostname_stays_in_its_folder_and_reads_back_the_same_through_hive_partitioning()
    {
        using var dir = new TempDir();
        const string Hostile = "../../../x/evil=1 %2F\\$(id)\u001b[31m…é";
        var (alpha, _) = TwoMachines.Write(dir.Path, alphaHostname: Hostile);
        using var run = CaseRun.Ingest([alpha], year: 2024);

        var events = Path.Combine(run.CaseDir, "events");
        var hostFolder = Assert.Single(Directory.EnumerateDirectories(events));
        Assert.Equal(events, Path.GetDirectoryName(hostFolder));
        Assert.DoesNotContain('/', Path.GetFileName(hostFolder));
        Assert.All(Directory.EnumerateFiles(dir.Path, "*.parquet", SearchOption.AllDirectories), f => Assert.StartsWith(run.CaseDir + "/", f, StringComparison.Ordinal));
        Assert.Equal(Hostile, HostPartition.Unescape(Path.GetFileName(hostFolder)["evidence_host=".Length..]));

        // Inside the files, and as DuckDB decodes the folder name (hive partitioning replaces the column by it).
        Assert.Equal([Hostile], Duck.Rows($"SELECT DISTINCT evidence_host FROM read_parquet('{events}/**/*.parquet', hive_partitioning=false)").Select(r => r[0]));
        Assert.Equal([Hostile], Duck.Rows($"SELECT DISTINCT evidence_host FROM read_parquet('{events}/**/*.parquet', hive_partitioning=true, hive_types_autocast=false)").Select(r => r[0]));
    }

    [Fact]
    public void A_host_that_looks_like_a_number_stays_text_in_the_views_and_with_the_readmes_hive_types()
    {
        using var dir = new TempDir();
        var (alpha, _) = TwoMachines.Write(dir.Path, alphaHostname: "2024");
        using var run = CaseRun.Ingest([alpha], year: 2024);
        using (var session = CaseSession.Open(run.CaseDir))
        {
            var r = session.Run("SELECT DISTINCT evidence_host FROM events");
            Assert.Equal("2024", Assert.IsType<string>(Assert.Single(r.Rows)[0]));
        }
        // The README's DuckDB recipe for several cases.
        var readme = $"read_parquet('{Path.GetDirectoryName(run.CaseDir)}/*/events/**/*.parquet', union_by_name=true, hive_partitioning=true, hive_types={{'evidence_host': VARCHAR, 'format': VARCHAR}})";
        Assert.Equal(["2024|syslog|5"], Duck.Rows($"SELECT evidence_host, format, count(*) FROM {readme} GROUP BY ALL").Select(r => $"{r[0]}|{r[1]}|{r[2]}"));
    }

    [Fact]
    public void An_unknown_host_is_hives_null_partition_and_reads_as_null()
    {
        using var dir = new TempDir();
        var (alpha, _) = TwoMachines.Write(dir.Path, alphaHostname: null);
        using var run = CaseRun.Ingest([alpha], year: 2024);
        Assert.True(Directory.Exists(Path.Combine(run.CaseDir, "events", "evidence_host=__HIVE_DEFAULT_PARTITION__", "format=syslog")));
        Assert.Equal([0L], Duck.Rows($"SELECT count(evidence_host) FROM read_parquet('{run.CaseDir}/events/**/*.parquet', hive_partitioning=true)").Select(r => r[0]));
        Assert.Equal([0L], Duck.Rows($"SELECT count(evidence_host) FROM read_parquet('{run.CaseDir}/events/**/*.parquet', hive_partitioning=false)").Select(r => r[0]));
    }

    [Theory]
    [InlineData("web-01.example.org", "web-01.example.org")]
    [InlineData("a/b", "a%2Fb")]
    [InlineData("..", "..")]
    [InlineData("100%", "100%25")]
    [InlineData("k=v x", "k%3Dv%20x")]
    [InlineData("hôte", "hôte")]
    [InlineData(HostPartition.NullMarker, "%5F_HIVE_DEFAULT_PARTITION__")]
    public void Host_folder_names_escape_what_a_path_or_a_hive_reader_would_misread(string host, string escaped)
    {
        Assert.Equal(escaped, HostPartition.Escape(host));
        Assert.Equal(host, HostPartition.Unescape(escaped));
        Assert.Equal("evidence_host=" + escaped, HostPartition.FolderName(host));
    }

    [Fact]
    public void A_host_name_longer_than_host_name_max_is_cut_at_a_character()
    {
        var name = HostPartition.Normalize(new string('é', 40), out bool cut);
        Assert.True(cut);
        Assert.Equal(new string('é', 32), name);
        Assert.Null(HostPartition.Normalize("  \t", out _));
    }
}
