using Forensics.Tests.Query;
using Forensics.Tests.Support;

namespace Forensics.Tests.Cli;

/// <summary>The documented exit codes (README, "Exit codes"): one line on stderr, never the help or a stack trace.</summary>
public sealed class ExitCodeTests
{
    [Theory]
    [InlineData(new[] { "ingest" }, "--out")]
    [InlineData(new[] { "ingest", "x", "--out" }, "--out")]
    [InlineData(new[] { "bogus" }, "bogus")]
    [InlineData(new[] { "ingest", "x", "--out", "c", "--frobnicate" }, "--frobnicate")]
    [InlineData(new[] { "timeline", "--case", "c", "-o", "t.csv", "--format", "xml" }, "xml")]
    [InlineData(new[] { "ingest", "x", "--out", "c", "--year", "soon" }, "soon")]
    public void Usage_mistakes_exit_2_with_one_line_on_stderr_naming_the_mistake(string[] args, string named)
    {
        var (code, stdout, stderr) = CaseSessionTests.RunCli(args);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("forensics: ", line, StringComparison.Ordinal);
        Assert.Contains(named, line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_nonexistent_input_exits_1_and_writes_no_case()
    {
        using var tmp = new TempDir();
        var caseDir = tmp.Combine("case");
        var (code, _, stderr) = CaseSessionTests.RunCli(["ingest", tmp.Combine("no-such-evidence"), "--out", caseDir]);
        Assert.Equal(1, code);
        Assert.Contains("no-such-evidence", Assert.Single(stderr.TrimEnd('\n').Split('\n')), StringComparison.Ordinal);
        Assert.False(Directory.Exists(caseDir));
    }

    [Fact]
    public void A_case_folder_that_cannot_be_created_exits_4_with_one_line()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.Combine("evidence.log"), "May 21 03:54:46 host sshd[1]: Connection closed by 203.0.113.9 port 22\n");
        File.WriteAllText(tmp.Combine("a-file"), "");
        foreach (var command in new[] { "ingest", "investigate" })
        {
            var (code, _, stderr) = CaseSessionTests.RunCli([command, tmp.Combine("evidence.log"), "--out", tmp.Combine("a-file", "case")]);
            Assert.Equal(4, code);
            var line = Assert.Single(stderr.TrimEnd('\n').Split('\n'));
            Assert.Contains("cannot write the case folder", line, StringComparison.Ordinal);
        }
    }

    /// <summary>Permissions bind only when not running as root (root writes into read-only folders).</summary>
    [SkippableFact]
    public void A_read_only_case_folder_exits_4_with_one_line()
    {
        Skip.If(OperatingSystem.IsWindows() || Environment.UserName == "root", "root ignores folder permissions (and Windows has no Unix modes)");
        if (OperatingSystem.IsWindows()) return;
        using var tmp = new TempDir();
        File.WriteAllText(tmp.Combine("evidence.log"), "May 21 03:54:46 host sshd[1]: Connection closed by 203.0.113.9 port 22\n");
        var caseDir = Directory.CreateDirectory(tmp.Combine("case")).FullName;
        File.SetUnixFileMode(caseDir, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            var (code, _, stderr) = CaseSessionTests.RunCli(["ingest", tmp.Combine("evidence.log"), "--out", caseDir]);
            Assert.Equal(4, code);
            Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        }
        finally { File.SetUnixFileMode(caseDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); }
    }

    [Fact]
    public void An_unwritable_query_output_exits_4_with_one_line()
    {
        using var tmp = new TempDir();
        SyntheticCase.Create(tmp.Combine("case"));
        File.WriteAllText(tmp.Combine("a-file"), "");
        var (code, _, stderr) = CaseSessionTests.RunCli(["sql", "--case", tmp.Combine("case"), "--format", "csv", "-o", tmp.Combine("a-file", "out.csv"), "SELECT 1"]);
        Assert.Equal(4, code);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }
}
