using Forensics.Pipeline.Query;
using Forensics.Tests.Stages;
using Forensics.Tests.Support;

namespace Forensics.Tests.Query;

/// <summary>
/// Cases written separately (one ingest per machine, as a batch scheduler would run them) and read as one
/// (<c>--case A --case B</c>) answer as a single case ingested from all the evidence does.
/// </summary>
public sealed class CombinedCasesTests : IClassFixture<CombinedCasesTests.Cases>
{
    /// <summary>droplet1 (the sample: journal, wtmp, btmp, Werkzeug, context) and the small machine beta, as two cases and as one.</summary>
    public sealed class Cases : IDisposable
    {
        private readonly TempDir _evidence = new();
        public CaseRun Droplet { get; }
        public CaseRun Beta { get; }
        public CaseRun Both { get; }

        public Cases()
        {
            var droplet1 = Path.Combine(RepoPaths.DataSamples, "droplet1");
            var (_, beta) = TwoMachines.Write(_evidence.Path);
            Droplet = CaseRun.Ingest([droplet1]);
            Beta = CaseRun.Ingest([beta]);
            Both = CaseRun.Ingest([droplet1, beta]);
        }

        public void Dispose()
        {
            Droplet.Dispose();
            Beta.Dispose();
            Both.Dispose();
            _evidence.Dispose();
        }
    }

    private readonly Cases _cases;
    public CombinedCasesTests(Cases cases) => _cases = cases;

    public static TheoryData<string> Names() => new(QueryCatalogTests.Queries.Select(q => q.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_canned_query_answers_the_same_from_two_cases_as_from_one(string name)
    {
        var q = QueryCatalogTests.Queries.Single(x => x.Name == name);
        using var one = CaseSession.Open(_cases.Both.CaseDir, new CaseAccess());
        using var two = CaseSession.Open([_cases.Droplet.CaseDir, _cases.Beta.CaseDir], new CaseAccess());
        var expected = one.Run(q.Sql, q.Bind()).ToTsv();
        Assert.Equal(expected, two.Run(q.Sql, q.Bind()).ToTsv());
        Assert.True(expected.Split('\n').Length > 2 || name is "timeline_around" or "service_kill_candidates" or "login_evidence_gaps" or "ssh_bruteforce_then_success",
            $"{name} answers nothing on the combined evidence, so the comparison proves little:\n{expected}");
    }

    [Fact]
    public void Both_machines_are_in_the_combined_answers()
    {
        using var two = CaseSession.Open([_cases.Droplet.CaseDir, _cases.Beta.CaseDir], new CaseAccess());
        Assert.Equal(["beta", "droplet1"], two.Run("SELECT DISTINCT evidence_host FROM events ORDER BY 1").Rows.Select(r => r[0]));
        Assert.Equal(["beta", "droplet1"], two.Run("SELECT DISTINCT evidence_host FROM context_passwd ORDER BY 1").Rows.Select(r => r[0]));
        Assert.Equal(_cases.Droplet.Manifest.Inputs.Count + _cases.Beta.Manifest.Inputs.Count, two.Run("SELECT count(*) FROM files").Rows.Single()[0] is long n ? (int)n : -1);
    }

    [Fact]
    public void The_commands_read_several_cases_and_check_each()
    {
        var (code, combined, stderr) = CaseSessionTests.RunCli(["query", "ssh_usernames_tried", "--case", _cases.Droplet.CaseDir, "--case", _cases.Beta.CaseDir]);
        Assert.True(code == 0, stderr);
        var (_, single, _) = CaseSessionTests.RunCli(["query", "ssh_usernames_tried", "--case", _cases.Both.CaseDir]);
        Assert.Equal(single, combined);
        Assert.Contains("beta\tdave\t2\t", combined, StringComparison.Ordinal);

        (code, var count, stderr) = CaseSessionTests.RunCli(["sql", "--case", _cases.Droplet.CaseDir, "-c", _cases.Beta.CaseDir, "SELECT count(*) AS n FROM events"]);
        Assert.True(code == 0, stderr);
        Assert.StartsWith($"n\n{_cases.Both.Manifest.Totals.Events}\n", count, StringComparison.Ordinal);

        using var dir = new TempDir();
        var timeline = dir.Combine("t.jsonl");
        (code, _, stderr) = CaseSessionTests.RunCli(["timeline", "--case", _cases.Droplet.CaseDir, "--case", _cases.Beta.CaseDir, "--format", "jsonl", "--output", timeline]);
        Assert.True(code == 0, stderr);
        Assert.Equal(_cases.Both.Manifest.Totals.Events, File.ReadLines(timeline).LongCount());

        // Sigma over several cases prints its matches and stores none: they belong to no one case's manifest.
        (code, var sigma, stderr) = CaseSessionTests.RunCli(["sigma", "--case", _cases.Droplet.CaseDir, "--case", _cases.Beta.CaseDir, "--rules", Path.Combine(RepoPaths.Queries, "sigma", "rules")]);
        Assert.True(code == 0, stderr);
        Assert.Contains("not written: several cases are read as one", stderr, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(sigma));
        Assert.False(Directory.Exists(Path.Combine(_cases.Droplet.CaseDir, "detections")));

        // The same folder twice would count its events twice.
        (code, _, stderr) = CaseSessionTests.RunCli(["sql", "--case", _cases.Beta.CaseDir, "--case", _cases.Beta.CaseDir + "/", "SELECT 1"]);
        Assert.Equal(2, code);
        Assert.Contains("given more than once", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_report_of_two_machines_shows_their_per_machine_answers_apart()
    {
        using var dir = new TempDir();
        var file = dir.Combine("both.html");
        var (code, _, stderr) = CaseSessionTests.RunCli(["report", "--case", _cases.Droplet.CaseDir, "--case", _cases.Beta.CaseDir, "--output", file]);
        Assert.True(code == 0, stderr);
        var html = File.ReadAllText(file);
        Assert.Contains("<title>Forensics report: case + case</title>", html, StringComparison.Ordinal);
        foreach (var query in new[] { "case_overview", "ssh_usernames_tried", "ssh_config_risks" })
        {
            var start = html.IndexOf($"id=\"q-{query}\"", StringComparison.Ordinal);
            Assert.True(start > 0, query);
            var section = html[start..html.IndexOf("</section>", start, StringComparison.Ordinal)];
            var beta = section.IndexOf("<h4>host beta</h4>", StringComparison.Ordinal);
            var droplet = section.IndexOf("<h4>host droplet1</h4>", StringComparison.Ordinal);
            Assert.True(beta > 0 && droplet > beta, $"{query}: one table per machine, in order");
        }
        // A query whose rows are not per machine is one table.
        var byIp = html.IndexOf("id=\"q-ssh_bruteforce_by_ip\"", StringComparison.Ordinal);
        Assert.Contains("<table>", html[byIp..html.IndexOf("</section>", byIp, StringComparison.Ordinal)], StringComparison.Ordinal);
        Assert.DoesNotContain("<h4>", html[byIp..html.IndexOf("</section>", byIp, StringComparison.Ordinal)], StringComparison.Ordinal);
    }

    [Fact]
    public void A_damaged_case_among_several_is_refused()
    {
        using var dir = new TempDir();
        var copy = dir.Combine("beta");
        foreach (var f in Directory.EnumerateFiles(_cases.Beta.CaseDir, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(_cases.Beta.CaseDir, f));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(f, target);
        }
        File.Delete(Duck.EventPart(copy, "syslog"));
        var (code, _, stderr) = CaseSessionTests.RunCli(["query", "case_overview", "--case", _cases.Droplet.CaseDir, "--case", copy]);
        Assert.Equal(5, code);
        Assert.Contains(copy, stderr, StringComparison.Ordinal);
        Assert.Contains("is missing", stderr, StringComparison.Ordinal);
    }
}
