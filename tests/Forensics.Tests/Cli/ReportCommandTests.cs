using Forensics.Tests.Query;
using Forensics.Tests.Support;

namespace Forensics.Tests.Cli;

/// <summary><c>forensics report</c> on the command line: where it writes, what it prints, how it refuses.</summary>
public sealed class ReportCommandTests(IngestedSample sample) : IClassFixture<IngestedSample>
{
    [Fact]
    public void Report_writes_the_named_file_and_prints_its_path()
    {
        Assert.Equal(0, sample.Ingest.Code);
        using var tmp = new TempDir();
        var output = tmp.Combine("droplet1.html");
        var (code, stdout, stderr) = CaseSessionTests.RunCli(["report", "--case", sample.CaseDir, "--output", output]);
        Assert.True(code == 0, stderr);
        Assert.Equal($"report: {output}\n", stdout);
        var html = File.ReadAllText(output);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("<section id=\"findings\">", html, StringComparison.Ordinal);
        Assert.False(File.Exists(output + ".tmp"));
    }

    [Fact]
    public void Report_refuses_a_case_whose_parts_differ_from_the_manifest_unless_allowed()
    {
        using var tmp = new TempDir();
        var copy = tmp.Combine("case");
        foreach (var file in Directory.EnumerateFiles(sample.CaseDir, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(sample.CaseDir, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        File.Delete(Directory.EnumerateFiles(Path.Combine(copy, "events"), "*.parquet", SearchOption.AllDirectories).First());
        var (code, stdout, stderr) = CaseSessionTests.RunCli(["report", "--case", copy]);
        Assert.Equal(5, code);
        Assert.Empty(stdout);
        Assert.StartsWith("forensics: the case", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(copy, "report.html")));

        (code, stdout, stderr) = CaseSessionTests.RunCli(["report", "--case", copy, "--allow-incomplete"]);
        Assert.True(code == 0, stderr);
        Assert.Contains("incomplete or altered", File.ReadAllText(Path.Combine(copy, "report.html")), StringComparison.Ordinal);
    }
}
