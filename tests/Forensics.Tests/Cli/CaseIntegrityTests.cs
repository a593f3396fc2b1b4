using Forensics.Pipeline.Case;
using Forensics.Pipeline.Stages;
using Forensics.Tests.Query;
using Forensics.Tests.Support;

namespace Forensics.Tests.Cli;

/// <summary>
/// Reading commands answer only from a case whose run completed and whose Parquet parts are the ones the manifest
/// lists (rows and SHA-256); otherwise exit 5 with one line, or --allow-incomplete under a repeated warning.
/// </summary>
public sealed class CaseIntegrityTests
{
    private const string AuthLog =
        "garbage line that is not syslog\n" +
        "May 21 03:54:40 droplet1 sshd[2856055]: Invalid user pi from 95.223.184.224 port 12868\n" +
        "May 21 03:54:46 droplet1 sshd[2856055]: Failed password for invalid user pi from 95.223.184.224 port 12868 ssh2\n";

    private static string WriteEvidence(TempDir dir)
    {
        var evidence = dir.Combine("evidence");
        Directory.CreateDirectory(Path.Combine(evidence, "etc"));
        File.WriteAllText(Path.Combine(evidence, "auth.log"), AuthLog);
        File.SetLastWriteTimeUtc(Path.Combine(evidence, "auth.log"), new DateTime(2024, 5, 22, 0, 0, 0, DateTimeKind.Utc));
        File.WriteAllText(Path.Combine(evidence, "etc", "passwd"), "root:x:0:0:root:/root:/bin/bash\npi:x:1000:1000::/home/pi:/bin/bash\n");
        return evidence;
    }

    private static async Task<string> Ingest(TempDir dir)
    {
        var caseDir = dir.Combine("case");
        await IngestRunner.RunAsync(new IngestOptions { Inputs = [WriteEvidence(dir)], CaseDirectory = caseDir });
        return caseDir;
    }

    private static (int Code, string Stdout, string Stderr) Overview(string caseDir, params string[] more) =>
        CaseSessionTests.RunCli(["query", "case_overview", "--case", caseDir, .. more]);

    [Fact]
    public async Task The_manifest_lists_every_part_with_its_rows_and_sha256()
    {
        using var dir = new TempDir();
        var caseDir = await Ingest(dir);
        var manifest = Manifest.Load(Path.Combine(caseDir, CaseLayout.ManifestFile));
        Assert.NotNull(manifest.Parts);
        Assert.Equal(CaseIntegrity.PartsOnDisk(caseDir), manifest.Parts.Select(p => p.Path).ToList());
        Assert.Contains(manifest.Parts, p => p.Path.StartsWith("events/evidence_host=", StringComparison.Ordinal) && p.Path.Contains("/format=syslog/", StringComparison.Ordinal));
        Assert.Contains(manifest.Parts, p => p.Path.StartsWith("rejects/", StringComparison.Ordinal));
        Assert.Contains(manifest.Parts, p => p.Path.StartsWith("context/passwd/", StringComparison.Ordinal));
        foreach (var part in manifest.Parts)
        {
            var file = Path.Combine(caseDir, part.Path);
            Assert.Equal(Convert.ToInt64(Duck.Scalar($"SELECT count(*) FROM read_parquet('{file}')")), part.Rows);
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file))), part.Sha256);
        }
        Assert.Empty(CaseIntegrity.Check(caseDir));
        var (code, stdout, stderr) = Overview(caseDir);
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("WARNING", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_killed_ingest_without_a_manifest_is_refused_by_every_reading_command()
    {
        using var dir = new TempDir();
        var caseDir = await Ingest(dir);
        File.Delete(Path.Combine(caseDir, CaseLayout.ManifestFile)); // what kill -9 before the manifest leaves
        foreach (var args in new[]
        {
            new[] { "query", "case_overview", "--case", caseDir },
            ["sql", "--case", caseDir, "SELECT count(*) FROM events"],
            ["timeline", "--case", caseDir, "--format", "csv", "--output", dir.Combine("t.csv")],
        })
        {
            var (code, stdout, stderr) = CaseSessionTests.RunCli(args);
            Assert.Equal(5, code);
            Assert.Single(stderr.Trim().Split('\n'));
            Assert.Contains("no manifest.json", stderr, StringComparison.Ordinal);
            Assert.Contains("--allow-incomplete", stderr, StringComparison.Ordinal);
            Assert.Equal("", stdout);
        }
        Assert.False(File.Exists(dir.Combine("t.csv")));
    }

    [Fact]
    public async Task A_run_that_failed_midway_is_refused()
    {
        using var dir = new TempDir();
        var caseDir = dir.Combine("case");
        await Assert.ThrowsAsync<IngestFailedException>(() => IngestRunner.RunAsync(new IngestOptions
        {
            Inputs = [WriteEvidence(dir)], CaseDirectory = caseDir, OnParse = _ => throw new IOException("injected"),
        }));
        var (code, _, stderr) = Overview(caseDir);
        Assert.Equal(5, code);
        Assert.Contains("failed, not complete", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deleted_part_is_refused_and_allow_incomplete_reads_it_under_a_repeated_warning()
    {
        using var dir = new TempDir();
        var caseDir = await Ingest(dir);
        File.Delete(Path.Combine(caseDir, "rejects", "part-0.parquet"));
        var (code, stdout, stderr) = Overview(caseDir);
        Assert.Equal(5, code);
        Assert.Contains("part rejects/part-0.parquet is missing", stderr, StringComparison.Ordinal);
        Assert.Equal("", stdout);

        (code, stdout, stderr) = Overview(caseDir, "--allow-incomplete");
        Assert.True(code == 0, stderr);
        Assert.Equal(2, CountOf(stderr, "WARNING: the case"));     // before and after the answer
        Assert.Equal(2, CountOf(stdout, "WARNING: the case"));     // the table is the output the analyst reads
        Assert.Contains("rejects/part-0.parquet is missing", stdout, StringComparison.Ordinal);
        Assert.Contains("syslog", stdout, StringComparison.Ordinal);

        var csv = dir.Combine("t.csv");
        (code, _, stderr) = CaseSessionTests.RunCli(["timeline", "--case", caseDir, "--format", "csv", "--output", csv, "--allow-incomplete"]);
        Assert.True(code == 0, stderr);
        Assert.Equal(2, CountOf(stderr, "WARNING: the case"));
        Assert.True(File.Exists(csv));
    }

    [Fact]
    public async Task A_changed_or_added_part_is_refused()
    {
        using var dir = new TempDir();
        var caseDir = await Ingest(dir);
        var part = Duck.EventPart(caseDir, "syslog");
        var name = Duck.EventPartName(caseDir, "syslog");
        var extra = Path.Combine(Path.GetDirectoryName(part)!, "part-9.parquet");
        var original = File.ReadAllBytes(part);
        var changed = (byte[])original.Clone();
        changed[8] ^= 0x01; // in the first page: the footer (and so the row count) stays, the hash does not
        File.WriteAllBytes(part, changed);
        var (code, _, stderr) = Overview(caseDir);
        Assert.Equal(5, code);
        Assert.True(stderr.Contains($"part {name} has changed", StringComparison.Ordinal), stderr);

        File.WriteAllBytes(part, original);
        File.Copy(part, extra);
        (code, _, stderr) = Overview(caseDir);
        Assert.Equal(5, code);
        Assert.Contains($"part {Path.GetDirectoryName(name)}/part-9.parquet is not in the manifest", stderr, StringComparison.Ordinal);

        // The views read a Parquet file in a hidden folder too, so the check counts it.
        File.Delete(extra);
        Directory.CreateDirectory(Path.Combine(caseDir, "events", ".x"));
        File.Copy(part, Path.Combine(caseDir, "events", ".x", "part-0.parquet"));
        (code, _, stderr) = Overview(caseDir);
        Assert.Equal(5, code);
        Assert.Contains("part events/.x/part-0.parquet is not in the manifest", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_synthetic_case_sealed_like_a_run_is_read()
    {
        using var dir = new TempDir();
        SyntheticCase.Create(dir.Path);
        Assert.Empty(CaseIntegrity.Check(dir.Path));
    }

    private static int CountOf(string text, string what)
    {
        int n = 0;
        for (int i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + 1, StringComparison.Ordinal)) n++;
        return n;
    }
}
