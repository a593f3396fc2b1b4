using System.Diagnostics;
using System.Text.RegularExpressions;
using Forensics.Tests.Query;
using Forensics.Tests.Support;

namespace Forensics.Tests.Cli;

/// <summary>The sample ingested by the command line once, its stdout captured (not a terminal).</summary>
public sealed class IngestedSample : IDisposable
{
    private readonly TempDir _dir = new();
    public string CaseDir => _dir.Combine("case");
    public (int Code, string Stdout, string Stderr) Ingest { get; }

    public IngestedSample() => Ingest = CaseSessionTests.RunCli(["ingest", Path.Combine(RepoPaths.DataSamples, "droplet1"), "--out", CaseDir]);

    public void Dispose() => _dir.Dispose();
}

/// <summary>
/// Tables written to a pipe or a file: tab-separated with a header and no padding (so grep, cut and column -t
/// work), paths relative to the input given.
/// </summary>
public sealed class TableOutputTests(IngestedSample sample) : IClassFixture<IngestedSample>
{
    private static string[] Lines(string stdout) => stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void The_ingest_summary_is_tab_separated_with_paths_relative_to_the_input_and_per_file_progress_lines()
    {
        var (code, stdout, stderr) = sample.Ingest;
        Assert.True(code == 0, stderr);
        var lines = Lines(stdout);
        Assert.Equal("file\tformat\tstatus\trecords\tevents\trejects\tfirst (UTC)\tlast (UTC)", lines[0]);
        var wtmp = Assert.Single(lines, l => l.StartsWith("var/log/wtmp\t", StringComparison.Ordinal)).Split('\t');
        Assert.Equal(["var/log/wtmp", "wtmp", "parsed", "16", "16", "0"], wtmp[..6]);
        Assert.DoesNotContain(lines, l => l.EndsWith(' ') || l.Contains("  ", StringComparison.Ordinal) && l.Contains('\t', StringComparison.Ordinal));
        // stderr (not a terminal): one line per completed file with that file's own counts.
        Assert.Contains("ingest: var/log/wtmp: 16 events, 0 rejects, ", stderr, StringComparison.Ordinal);
        Assert.Contains("ingest: var/log/btmp: 541 events, 0 rejects, ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_query_table_in_a_pipe_is_tsv_with_the_querys_columns_and_relative_source_files()
    {
        var (code, stdout, stderr) = CaseSessionTests.RunCli(["query", "logins", "--case", sample.CaseDir]);
        Assert.True(code == 0, stderr);
        var lines = Lines(stdout);
        Assert.Equal("ts\tsource\tuser\tsrc_ip\thost\tdetail\tsession_end\tcorroborated_by\tsource_file\tsource_offset\tseen_by", lines[0]);
        var rows = lines[1..^1].Select(l => l.Split('\t')).ToList();
        Assert.All(rows, r => Assert.Equal(11, r.Length));
        Assert.Contains(rows, r => r[1] == "wtmp" && r[8] == "var/log/wtmp");
        Assert.Contains(rows, r => r[1] == "sshd" && r[8].StartsWith("var/log/journal/", StringComparison.Ordinal));
        Assert.Equal($"{rows.Count} row(s)", lines[^1]);
    }

    [SkippableFact]
    public void On_a_90_column_terminal_a_wide_query_table_fits_the_width()
    {
        // util-linux's script gives the program a pseudo-terminal; stty sets its width.
        Skip.IfNot(File.Exists("/usr/bin/script"), "script (util-linux) is not installed");
        var output = OnTerminal(["query", "logins", "--case", sample.CaseDir], noColor: true);
        var screen = Regex.Replace(output, "\x1b(?:\\[[0-9;?]*[A-Za-z]|[=>])", "").Replace("\r", "", StringComparison.Ordinal);
        var lines = screen.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains("source", StringComparison.Ordinal) && l.Contains("user", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("wtmp", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.True(l.TrimEnd().Length <= 90, $"{l.TrimEnd().Length} columns: {l}"));
    }

    [SkippableFact]
    public void Risky_settings_and_high_level_detections_are_red_on_a_terminal_unless_NO_COLOR_and_never_in_a_pipe()
    {
        Skip.IfNot(File.Exists("/usr/bin/script"), "script (util-linux) is not installed");
        using var rules = new TempDir();
        File.WriteAllText(rules.Combine("colour.yml"), string.Join("---\n", new[] { ("high", "Colour test high"), ("medium", "Colour test medium") }.Select(r =>
            $"title: {r.Item2}\nlevel: {r.Item1}\nlogsource:\n    product: linux\n    service: sshd\ndetection:\n    selection:\n        event: ssh.failed_password\n    condition: selection\n")));
        const string red = "\u001b[1;31m";
        string[] Investigate(string suffix) => ["investigate", Path.Combine(RepoPaths.DataSamples, "droplet1"), "--out", sample.CaseDir + suffix, "--sigma", rules.Path];

        var coloured = OnTerminal(Investigate("-colour"), noColor: false);
        Assert.Contains(red + "RISKY\u001b[0m", coloured, StringComparison.Ordinal);
        Assert.Contains(red + "  high:\u001b[0m", coloured, StringComparison.Ordinal);
        Assert.Contains(red + "   - Colour test high: ", coloured, StringComparison.Ordinal);
        Assert.Contains("   - Colour test medium: ", coloured, StringComparison.Ordinal);
        Assert.DoesNotContain(red + "   - Colour test medium", coloured, StringComparison.Ordinal);

        var plain = OnTerminal(Investigate("-nocolour"), noColor: true);
        Assert.Contains(": RISKY, ", plain, StringComparison.Ordinal);
        Assert.Contains("   - Colour test high: ", plain, StringComparison.Ordinal);
        Assert.DoesNotContain(red, plain, StringComparison.Ordinal);

        var piped = CaseSessionTests.RunCli(Investigate("-piped"));
        Assert.Contains(": RISKY, ", piped.Stdout, StringComparison.Ordinal);
        Assert.Contains("\n   - Colour test high: ", piped.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", piped.Stdout, StringComparison.Ordinal);
    }

    /// <summary>The command's output as a 90-column terminal shows it (util-linux script gives it a pseudo-terminal).</summary>
    private static string OnTerminal(string[] args, bool noColor)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "forensics.dll");
        var psi = new ProcessStartInfo("/usr/bin/script") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        var command = $"stty cols 90 rows 50; dotnet '{cli}' " + string.Join(' ', args.Select(a => $"'{a}'"));
        foreach (var a in new[] { "-qec", command, "/dev/null" }) psi.ArgumentList.Add(a);
        if (noColor) psi.Environment["NO_COLOR"] = "1";
        else psi.Environment.Remove("NO_COLOR");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        return stdout.Result;
    }

    [Fact]
    public void The_query_list_in_a_pipe_is_one_tab_separated_line_per_query()
    {
        var (code, stdout, stderr) = CaseSessionTests.RunCli(["queries"]);
        Assert.True(code == 0, stderr);
        var lines = Lines(stdout);
        Assert.Equal("name\tdescription\tparameters", lines[0]);
        Assert.Equal(Directory.GetFiles(RepoPaths.Queries, "*.sql").Length, lines.Length - 1);
        Assert.All(lines, l => Assert.Equal(2, l.Count(c => c == '\t')));
    }
}
