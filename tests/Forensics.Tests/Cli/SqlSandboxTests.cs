using Forensics.Pipeline.Case;
using Forensics.Tests.Query;
using Forensics.Tests.Support;

namespace Forensics.Tests.Cli;

/// <summary>
/// forensics sql reads the case and nothing else: no file outside it, no writing (not even inside it), no
/// extensions, no way to SET that back; COPY … TO writes only into the folder --write-to names.
/// </summary>
public sealed class SqlSandboxTests
{
    private static (int Code, string Stdout, string Stderr) Sql(string caseDir, string sql, params string[] more) =>
        CaseSessionTests.RunCli(["sql", "--case", caseDir, "--format", "csv", .. more, sql]);

    private static void AssertRefused((int Code, string Stdout, string Stderr) run)
    {
        Assert.Equal(3, run.Code);
        Assert.Single(run.Stderr.Trim().Split('\n'));
        Assert.StartsWith("forensics: SQL error: ", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }

    private static string Q(string path) => "'" + path.Replace("'", "''", StringComparison.Ordinal) + "'";

    [Fact]
    public void Copy_to_anywhere_including_the_manifest_and_a_part_fails()
    {
        using var dir = new TempDir();
        var caseDir = dir.Combine("case");
        SyntheticCase.Create(caseDir);
        var manifest = Path.Combine(caseDir, CaseLayout.ManifestFile);
        var part = Duck.EventPart(caseDir, "syslog");
        var before = (File.ReadAllBytes(manifest), File.ReadAllBytes(part));
        var outside = dir.Combine("elsewhere", "out.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(outside)!);

        AssertRefused(Sql(caseDir, $"COPY (SELECT 1 AS x) TO {Q(outside)}"));
        AssertRefused(Sql(caseDir, $"COPY (SELECT 1 AS x) TO {Q(manifest)} (FORMAT csv)"));
        AssertRefused(Sql(caseDir, $"COPY (SELECT * FROM events LIMIT 1) TO {Q(part)} (FORMAT parquet)"));
        // A listed part is readable, and DuckDB does not tell reading from writing: the statement kind is refused.
        AssertRefused(Sql(caseDir, $"COPY (SELECT * FROM events LIMIT 1) TO {Q(part)} (FORMAT parquet, USE_TMP_FILE false)"));
        AssertRefused(Sql(caseDir, $"CREATE TEMP TABLE t AS SELECT 1 AS x; COPY t TO {Q(part)} (FORMAT csv, USE_TMP_FILE false)"));
        AssertRefused(Sql(caseDir, $"EXPORT DATABASE {Q(dir.Combine("export"))}"));
        AssertRefused(Sql(caseDir, $"COPY (SELECT 1 AS x) TO {Q(Path.Combine(caseDir, "new.csv"))}"));
        Assert.False(File.Exists(outside));
        Assert.False(File.Exists(Path.Combine(caseDir, "new.csv")));
        Assert.Equal(before.Item1, File.ReadAllBytes(manifest));
        Assert.Equal(before.Item2, File.ReadAllBytes(part));
        Assert.False(Directory.Exists(dir.Combine("export")));
        // The case still reads: nothing was overwritten.
        var (code, stdout, stderr) = Sql(caseDir, "SELECT count(*) AS n FROM events");
        Assert.True(code == 0, stderr);
        Assert.Equal("n\n28\n", stdout);
    }

    [Fact]
    public void Attach_read_text_extensions_and_settings_fail()
    {
        using var dir = new TempDir();
        var caseDir = dir.Combine("case");
        SyntheticCase.Create(caseDir);
        var secret = dir.Combine("secret.txt");
        File.WriteAllText(secret, "not the case's");
        var db = dir.Combine("new.duckdb");

        AssertRefused(Sql(caseDir, $"ATTACH {Q(db)} AS x"));
        Assert.False(File.Exists(db));
        AssertRefused(Sql(caseDir, "SELECT content FROM read_text('/etc/shadow')"));
        AssertRefused(Sql(caseDir, $"SELECT content FROM read_text({Q(secret)})"));
        AssertRefused(Sql(caseDir, $"SELECT * FROM read_csv({Q(secret)})"));
        AssertRefused(Sql(caseDir, "INSTALL httpfs"));
        AssertRefused(Sql(caseDir, "LOAD httpfs"));
        AssertRefused(Sql(caseDir, "SELECT * FROM read_parquet('https://example.org/x.parquet')"));
        AssertRefused(Sql(caseDir, "SET enable_external_access = true"));
        AssertRefused(Sql(caseDir, "SET allowed_directories = ['/']"));
        AssertRefused(Sql(caseDir, "RESET lock_configuration"));
    }

    [Fact]
    public void Write_to_allows_copy_into_that_folder_only_and_never_into_the_case_or_the_evidence()
    {
        using var dir = new TempDir();
        var caseDir = dir.Combine("case");
        SyntheticCase.Create(caseDir);
        var manifest = Manifest.Load(Path.Combine(caseDir, CaseLayout.ManifestFile));
        var evidence = dir.Combine("evidence");
        Directory.CreateDirectory(evidence);
        manifest.LastRun.Options.Inputs = [evidence];
        manifest.Save(Path.Combine(caseDir, CaseLayout.ManifestFile));
        SyntheticCase.Seal(caseDir, manifest);

        var exports = dir.Combine("exports");
        var (code, _, stderr) = Sql(caseDir, $"COPY (SELECT event, count(*) AS n FROM events GROUP BY ALL) TO {Q(Path.Combine(exports, "counts.csv"))}", "--write-to", exports);
        Assert.True(code == 0, stderr);
        Assert.True(File.Exists(Path.Combine(exports, "counts.csv")));
        AssertRefused(Sql(caseDir, $"COPY (SELECT 1 AS x) TO {Q(dir.Combine("other.csv"))}", "--write-to", exports));
        AssertRefused(Sql(caseDir, $"COPY (SELECT 1 AS x) TO {Q(Path.Combine(caseDir, CaseLayout.ManifestFile))} (FORMAT csv)", "--write-to", exports));
        // Several statements are checked one by one; one that needs an earlier one to have run cannot be, and is refused.
        var (okCode, _, okErr) = Sql(caseDir, "SET VARIABLE k = 'ssh.%'; SELECT count(*) AS n FROM events WHERE event LIKE getvariable('k')");
        Assert.True(okCode == 0, okErr);
        var later = Sql(caseDir, "CREATE TEMP TABLE t AS SELECT count(*) AS n FROM events; SELECT n FROM t");
        AssertRefused(later);
        Assert.Contains("statement 2 cannot be checked", later.Stderr, StringComparison.Ordinal);

        foreach (var inside in new[] { Path.Combine(caseDir, "out"), Path.Combine(evidence, "out"), dir.Path })
        {
            var run = Sql(caseDir, "SELECT 1", "--write-to", inside);
            Assert.Equal(2, run.Code);
            Assert.Contains("outside the case and the evidence", run.Stderr, StringComparison.Ordinal);
        }
        Assert.False(Directory.Exists(Path.Combine(caseDir, "out")));
        Assert.False(Directory.Exists(Path.Combine(evidence, "out")));
    }
}
