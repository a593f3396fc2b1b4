using Forensics.Tests.Query;
using Forensics.Tests.Support;

namespace Forensics.Tests.Sigma;

/// <summary><c>forensics sigma</c> end to end: the detections table, the manifest, --check and the exit codes.</summary>
public sealed class SigmaCommandTests(SigmaCase c) : IClassFixture<SigmaCase>
{
    private const string SudoRule = "title: sudo to root\nid: 11111111-2222-3333-4444-555555555555\nlevel: high\nstatus: test\nauthor: tests\ntags: [attack.privilege-escalation, attack.t1548.003, cve.2021-3156]\n"
        + "logsource:\n    product: linux\n    service: sudo\ndetection:\n    selection:\n        user: alice\n    keywords:\n        - 'USER=root'\n    condition: selection and keywords\n";

    [Fact]
    public void Sigma_writes_detections_that_the_case_records_and_sql_reads()
    {
        using var rules = new TempDir();
        File.WriteAllText(rules.Combine("sudo.yml"), SudoRule);
        File.WriteAllText(rules.Combine("sysmon.yml"), SigmaCase.Rule("product: linux\ncategory: process_creation", "selection:\n    Image: x\ncondition: selection"));
        var (code, stdout, stderr) = CaseSessionTests.RunCli(["sigma", "--case", c.Run.CaseDir, "--rules", rules.Path, "--format", "csv"]);
        Assert.True(code == 0, stderr);
        Assert.StartsWith("level,rule_title,matches,", stdout, StringComparison.Ordinal);
        Assert.Contains("high,sudo to root,1,", stdout, StringComparison.Ordinal);
        Assert.Contains("1 rule(s) run (1 compiled), 1 skipped, 0 failed", stderr, StringComparison.Ordinal);

        // The part is in the manifest: a reading command accepts the case and sees the row with its provenance.
        (code, stdout, stderr) = CaseSessionTests.RunCli(["sql", "--case", c.Run.CaseDir, "--format", "csv",
            "SELECT d.rule_id, d.rule_tags, d.rule_author, d.event, e.message LIKE '%M04' AS m FROM detections d JOIN events e USING (source_file, source_offset)"]);
        Assert.True(code == 0, stderr);
        Assert.Equal("rule_id,rule_tags,rule_author,event,m\n11111111-2222-3333-4444-555555555555,\"attack.privilege-escalation,attack.t1548.003\",tests,sudo.command,true\n", stdout);

        // Run again with nothing matching: the table is replaced, not appended to.
        File.Delete(rules.Combine("sudo.yml"));
        (code, _, stderr) = CaseSessionTests.RunCli(["sigma", "--case", c.Run.CaseDir, "--rules", rules.Path]);
        Assert.True(code == 0, stderr);
        (code, stdout, stderr) = CaseSessionTests.RunCli(["sql", "--case", c.Run.CaseDir, "--format", "csv", "SELECT count(*) AS n FROM detections"]);
        Assert.True(code == 0, stderr);
        Assert.Equal("n\n0\n", stdout);
    }

    [Fact]
    public void A_rule_DuckDB_refuses_at_run_time_is_named_and_the_others_still_run()
    {
        using var rules = new TempDir();
        File.WriteAllText(rules.Combine("sudo.yml"), SudoRule);
        // .NET accepts \Z, RE2 does not: the one-scan query fails, each rule then runs alone.
        File.WriteAllText(rules.Combine("re2.yml"), SigmaCase.Rule("product: linux", "selection:\n    message|re: 'M0\\Z'\ncondition: selection"));
        var (code, stdout, stderr) = CaseSessionTests.RunCli(["sigma", "--case", c.Run.CaseDir, "--rules", rules.Path, "--format", "csv"]);
        Assert.Equal(3, code);
        Assert.Contains($"sigma rule {rules.Combine("re2.yml")} failed to run: Invalid Input Error", stderr, StringComparison.Ordinal);
        Assert.Contains("high,sudo to root,1,", stdout, StringComparison.Ordinal);
        (code, stdout, stderr) = CaseSessionTests.RunCli(["sql", "--case", c.Run.CaseDir, "--format", "csv", "SELECT rule_title FROM detections"]);
        Assert.True(code == 0, stderr);
        Assert.Equal("rule_title\nsudo to root\n", stdout);
    }

    [Fact]
    public void Check_counts_per_folder_and_lists_every_skip()
    {
        using var rules = new TempDir();
        Directory.CreateDirectory(rules.Combine("a"));
        File.WriteAllText(rules.Combine("a", "sudo.yml"), SudoRule);
        File.WriteAllText(rules.Combine("a", "sysmon.yml"), SigmaCase.Rule("product: linux\ncategory: file_event", "selection:\n    TargetFilename: x\ncondition: selection"));
        var (code, stdout, stderr) = CaseSessionTests.RunCli(["sigma", "--check", "--rules", rules.Path]);
        Assert.True(code == 0, stderr);
        Assert.Contains("skipped  " + rules.Combine("a", "sysmon.yml") + ": log source file_event", stdout, StringComparison.Ordinal);
        Assert.Matches(@"\n\s*a\s+1\s+1\s+0\s", stdout); // padded on a terminal, TSV in a pipe

        File.WriteAllText(rules.Combine("a", "broken.yml"), SigmaCase.Rule("category: webserver", "selection:\n    c-uri: x\ncondition: selection and missing"));
        (code, stdout, _) = CaseSessionTests.RunCli(["sigma", "--check", "--rules", rules.Path]);
        Assert.Equal(3, code);
        Assert.Contains("failed   " + rules.Combine("a", "broken.yml") + ": the condition names missing", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Mistakes_on_the_command_line_have_their_exit_codes()
    {
        using var rules = new TempDir();
        File.WriteAllText(rules.Combine("sudo.yml"), SudoRule);
        Assert.Equal(1, CaseSessionTests.RunCli(["sigma", "--check", "--rules", rules.Combine("nope")]).Code);
        Assert.Equal(2, CaseSessionTests.RunCli(["sigma", "--rules", rules.Path]).Code);          // no --case
        Assert.Equal(2, CaseSessionTests.RunCli(["sigma", "--case", c.Run.CaseDir]).Code);        // no --rules
        Assert.Equal(5, CaseSessionTests.RunCli(["sigma", "--case", rules.Path, "--rules", rules.Path]).Code); // not a case
    }
}
