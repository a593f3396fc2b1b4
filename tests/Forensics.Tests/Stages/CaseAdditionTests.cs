using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Forensics.Pipeline.Case;
using Forensics.Pipeline.Query;
using Forensics.Pipeline.Stages;
using Forensics.Tests.Query;
using Forensics.Tests.Support;

namespace Forensics.Tests.Stages;

/// <summary>
/// ingest --add: evidence added to a case in steps gives the case one ingest of all of it gives; the same file
/// again is a duplicate that changes nothing; an add that fails or is cancelled leaves the case byte for byte as it was.
/// The evidence is the embedded sample machine split in two (its etc/ and journals, then its wtmp, web app and
/// unit files) and the web server error logs, whose local-time stamps need the zone only the first part names
/// (an etc/timezone the tests add: Europe/Berlin).
/// </summary>
public sealed class CaseAdditionTests
{
    private sealed record Evidence(string First, string Second, string WebLogs)
    {
        public string[] All => [First, Second, WebLogs];
        public string[] Added => [Second, WebLogs];
    }

    private static Evidence SplitSample(TempDir dir)
    {
        var source = Path.Combine(RepoPaths.DataSamples, "droplet1");
        var first = dir.Combine("evidence", "droplet1-first");
        var second = dir.Combine("evidence", "droplet1-second");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file).Replace(Path.DirectorySeparatorChar, '/');
            bool inFirst = relative.StartsWith("etc/", StringComparison.Ordinal) || relative.StartsWith("var/log/journal/", StringComparison.Ordinal) || relative == "var/log/btmp";
            var target = Path.Combine(inFirst ? first : second, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            File.SetLastWriteTimeUtc(target, File.GetLastWriteTimeUtc(file)); // year inference reads file times
        }
        // A zone other than UTC, so that a run reading local times in another zone gives other answers.
        File.WriteAllText(Path.Combine(first, "etc", "timezone"), "Europe/Berlin\n");
        return new Evidence(first, second, Path.Combine(RepoPaths.DataSamples, "webserver-errors"));
    }

    private static Task<Manifest> Ingest(string caseDir, string[] inputs, bool add = false, Action<string>? onPublish = null,
        Action<Forensics.Pipeline.Framing.RecordBatch>? onParse = null, CancellationToken cancel = default) =>
        IngestRunner.RunAsync(new IngestOptions { Inputs = inputs, CaseDirectory = caseDir, Add = add, Workers = 2, OnPublish = onPublish, OnParse = onParse }, cancel);

    /// <summary>Every canned query's answer and every table's rows, as sorted lines with the columns in name order (row and column order are not the question).</summary>
    private static SortedDictionary<string, string> Answers(string caseDir, bool tables = true)
    {
        var answers = new SortedDictionary<string, string>(StringComparer.Ordinal);
        using var session = CaseSession.Open(caseDir);
        foreach (var q in QueryCatalogTests.Queries) answers["query " + q.Name] = Sorted(session.Run(q.Sql, q.Bind()));
        foreach (var table in session.Views.Where(_ => tables).Where(v => v is "events" or "sessions" or "rejects" or "detections" || v.StartsWith("context_", StringComparison.Ordinal)))
        {
            var columns = session.Run($"DESCRIBE {table}").Rows.Select(r => (string)r[0]!).Order(StringComparer.Ordinal).Select(c => $"\"{c}\"");
            answers["table " + table] = Sorted(session.Run($"SELECT {string.Join(", ", columns)} FROM {table}"));
        }
        return answers;

        static string Sorted(QueryResult result)
        {
            var lines = result.ToTsv().TrimEnd('\n').Split('\n');
            return string.Join('\n', lines.Take(1).Concat(lines.Skip(1).Order(StringComparer.Ordinal)));
        }
    }

    /// <summary>Every folder and file of the case with its bytes' SHA-256.</summary>
    private static SortedDictionary<string, string> Snapshot(string caseDir)
    {
        var snapshot = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var d in Directory.EnumerateDirectories(caseDir, "*", SearchOption.AllDirectories)) snapshot[Path.GetRelativePath(caseDir, d) + "/"] = "folder";
        foreach (var f in Directory.EnumerateFiles(caseDir, "*", SearchOption.AllDirectories))
            snapshot[Path.GetRelativePath(caseDir, f)] = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f)));
        return snapshot;
    }

    /// <summary>Equal answers, or a failure naming the first query or table that differs and its first differing line.</summary>
    private static void AssertSameAnswers(SortedDictionary<string, string> expected, SortedDictionary<string, string> actual)
    {
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (name, answer) in expected)
        {
            if (answer == actual[name]) continue;
            var (e, a) = (answer.Split('\n'), actual[name].Split('\n'));
            int line = Enumerable.Range(0, Math.Min(e.Length, a.Length)).FirstOrDefault(i => e[i] != a[i], Math.Min(e.Length, a.Length));
            Assert.Fail($"{name} differs at line {line} of {e.Length}/{a.Length}:\n  expected {(line < e.Length ? e[line] : "(end)")}\n  actual   {(line < a.Length ? a[line] : "(end)")}");
        }
    }

    private static void AssertIntact(string caseDir)
    {
        Assert.Empty(CaseIntegrity.Check(caseDir));
        SecondReader.AgreesWithDuckDb(caseDir);
    }

    [Fact]
    public async Task Evidence_added_in_two_steps_answers_every_query_as_one_ingest_of_all_of_it()
    {
        using var dir = new TempDir();
        var evidence = SplitSample(dir);
        var once = dir.Combine("once");
        var steps = dir.Combine("steps");
        await Ingest(once, evidence.All);
        var first = await Ingest(steps, [evidence.First]);
        using (var session = CaseSession.Open(steps))
        {
            Assert.Equal(0L, Convert.ToInt64(session.Run("SELECT count(*) FROM sessions").Rows[0][0]));
            Assert.Equal(0L, Convert.ToInt64(session.Run("SELECT count(*) FROM context_systemd_units").Rows[0][0]));
        }
        var added = await Ingest(steps, evidence.Added, add: true);

        AssertIntact(steps);
        AssertSameAnswers(Answers(once), Answers(steps));
        // The second step brought sessions (wtmp) and context tables of its own, beside the first step's.
        using (var session = CaseSession.Open(steps))
        {
            Assert.True(Convert.ToInt64(session.Run("SELECT count(*) FROM sessions").Rows[0][0]) > 0);
            Assert.True(Convert.ToInt64(session.Run("SELECT count(*) FROM context_systemd_units").Rows[0][0]) > 0);
            Assert.True(Convert.ToInt64(session.Run("SELECT count(*) FROM context_passwd").Rows[0][0]) > 0);
        }
        Assert.Equal([1, 2], added.Runs.Select(r => r.Run));
        Assert.Equal(first.LastRun.Inputs.Count, added.Runs[0].Inputs.Count);
        Assert.Contains(added.Parts!, p => p.Path.Contains("/run2-part-", StringComparison.Ordinal));
        Assert.DoesNotContain(added.Parts!, p => p.Path.StartsWith(CaseLayout.TempFolder, StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(steps, CaseLayout.TempFolder)));
        // The counts add up per run and for the case, and match the single ingest's.
        var reread = Manifest.Load(Path.Combine(steps, CaseLayout.ManifestFile));
        Assert.Equal(2, reread.Runs.Count);
        foreach (var run in reread.Runs)
        {
            Assert.Equal(run.Inputs.Sum(i => i.Records), run.Totals.Records);
            Assert.Equal(run.Totals.Records, run.Totals.Events + run.Totals.Rejects);
        }
        var whole = Manifest.Load(Path.Combine(once, CaseLayout.ManifestFile)).Totals;
        Assert.Equal(whole.Records, reread.Totals.Records);
        Assert.Equal(whole.Events, reread.Totals.Events);
        Assert.Equal(reread.Runs.Sum(r => r.Totals.Files), reread.Totals.Files);
        // The second part names no zone or host: the case's were taken, as one ingest would have.
        Assert.Contains("the zone of run 1", reread.Runs[1].Options.TimeZoneSource, StringComparison.Ordinal);
        Assert.Equal(reread.Runs[0].Options.Host, reread.Runs[1].Options.Host);
    }

    [Fact]
    public async Task Adding_the_same_evidence_again_records_duplicates_and_changes_no_answer()
    {
        using var dir = new TempDir();
        var evidence = SplitSample(dir);
        var caseDir = dir.Combine("case");
        var first = await Ingest(caseDir, evidence.All);
        var before = Answers(caseDir);
        var again = await Ingest(caseDir, [evidence.Second], add: true);

        var run = again.LastRun;
        Assert.Equal(2, run.Run);
        var read = first.LastRun.Inputs.Where(i => i.SourceFile.StartsWith(evidence.Second, StringComparison.Ordinal) && i.Status is "parsed" or "context").ToList();
        Assert.NotEmpty(read);
        foreach (var original in read)
        {
            var duplicate = Assert.Single(run.Inputs, i => i.SourceFile == original.SourceFile);
            Assert.Equal("duplicate", duplicate.Status);
            Assert.Equal(original.SourceFile, duplicate.DuplicateOf);
            Assert.Equal(1, duplicate.DuplicateOfRun);
            Assert.Contains("read by run 1", duplicate.Reason, StringComparison.Ordinal);
        }
        Assert.Equal(0, run.Totals.Records);
        Assert.Equal(run.Inputs.Count(i => i.Status == "duplicate"), run.Totals.FilesDuplicate);
        Assert.Equal(first.Parts!.Select(p => p.Path), again.Parts!.Select(p => p.Path)); // no part written
        AssertSameAnswers(before, Answers(caseDir));
        AssertIntact(caseDir);
    }

    [Theory]
    [InlineData("first part")]
    [InlineData("third part")]
    [InlineData("manifest.json")]
    public async Task An_add_that_fails_while_publishing_leaves_the_case_byte_for_byte_as_it_was(string failAt)
    {
        using var dir = new TempDir();
        var evidence = SplitSample(dir);
        var caseDir = dir.Combine("case");
        await Ingest(caseDir, [evidence.First]);
        var before = Snapshot(caseDir);
        int parts = 0;
        void Fault(string step)
        {
            bool hit = failAt switch
            {
                "first part" => step != CaseLayout.ManifestFile && ++parts == 1,
                "third part" => step != CaseLayout.ManifestFile && ++parts == 3,
                _ => step == CaseLayout.ManifestFile,
            };
            if (hit) throw new IOException($"injected fault before {step}");
        }
        var failed = await Assert.ThrowsAsync<CaseOutputException>(() => Ingest(caseDir, evidence.Added, add: true, onPublish: Fault));
        Assert.Contains("injected fault", failed.Message, StringComparison.Ordinal);
        Assert.Contains("as it was before this run", failed.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(caseDir));
        AssertIntact(caseDir);
        // The case still takes the evidence afterwards.
        var added = await Ingest(caseDir, evidence.Added, add: true);
        Assert.Equal(2, added.Runs.Count);
        AssertIntact(caseDir);
    }

    [Fact]
    public async Task An_add_cancelled_or_failing_mid_run_leaves_the_case_byte_for_byte_as_it_was()
    {
        using var dir = new TempDir();
        var evidence = SplitSample(dir);
        var caseDir = dir.Combine("case");
        await Ingest(caseDir, [evidence.First]);
        var before = Snapshot(caseDir);

        using var cancel = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Ingest(caseDir, evidence.Added, add: true, onParse: _ => cancel.Cancel(), cancel: cancel.Token));
        Assert.Equal(before, Snapshot(caseDir));

        var failed = await Assert.ThrowsAsync<IngestFailedException>(() => Ingest(caseDir, evidence.Added, add: true, onParse: _ => throw new InvalidDataException("injected parse fault")));
        Assert.Contains("as it was before this run", failed.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(caseDir));
        AssertIntact(caseDir);
    }

    [Fact]
    public async Task Leftovers_of_a_killed_add_keep_the_case_readable_and_the_next_add_removes_them()
    {
        using var dir = new TempDir();
        var evidence = SplitSample(dir);
        var caseDir = dir.Combine("case");
        var first = await Ingest(caseDir, [evidence.First]);
        var aPart = Path.Combine(caseDir, first.Parts![0].Path);

        // Killed while writing: staged parts in the scratch folder are not case data.
        var staged = Path.Combine(caseDir, CaseLayout.TempFolder, CaseLayout.StagingFolder, "events", "werkzeug", "run2-part-0.parquet");
        Directory.CreateDirectory(Path.GetDirectoryName(staged)!);
        File.Copy(aPart, staged);
        Assert.Empty(CaseIntegrity.Check(caseDir));

        // Killed while publishing, after a part was moved in and before the manifest named it.
        var moved = Path.Combine(caseDir, "events", "werkzeug", "run2-part-0.parquet");
        Directory.CreateDirectory(Path.GetDirectoryName(moved)!);
        File.Copy(aPart, moved);
        File.WriteAllText(Path.Combine(caseDir, CaseLayout.TempFolder, CasePublish.JournalFile),
            """{"parts": ["events/werkzeug/run2-part-0.parquet", "sessions/run2-part-0.parquet"], "folders": ["events/werkzeug"]}""");
        var problem = Assert.Single(CaseIntegrity.Check(caseDir));
        Assert.Contains("killed while publishing", problem, StringComparison.Ordinal);
        Assert.Contains("ingest --add", problem, StringComparison.Ordinal);

        var added = await Ingest(caseDir, evidence.Added, add: true);
        Assert.Contains(added.LastRun.Notes, n => n.Contains("killed while publishing", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(caseDir, CaseLayout.TempFolder)));
        AssertIntact(caseDir);
        // The leftover copy is gone: the case holds what the runs wrote.
        var once = dir.Combine("once");
        await Ingest(once, evidence.All);
        AssertSameAnswers(Answers(once), Answers(caseDir));
    }

    [Fact]
    public async Task An_add_killed_mid_run_leaves_the_case_as_it_was_or_whole_and_the_next_add_completes_it()
    {
        using var dir = new TempDir();
        var evidence = SplitSample(dir);
        var caseDir = dir.Combine("case");
        await Ingest(caseDir, [evidence.First]);
        var before = Snapshot(caseDir);
        // A small log first, then one large enough that the run is still reading it when the first file's line appears.
        var added = dir.Combine("evidence", "added");
        Directory.CreateDirectory(added);
        File.WriteAllText(Path.Combine(added, "a-auth.log"), "May 21 03:54:46 droplet1 sshd[1]: Connection closed by 10.0.0.1 port 1\n");
        using (var big = new StreamWriter(Path.Combine(added, "b-auth.log")))
            for (int i = 0; i < 100_000; i++) big.Write($"May 21 03:{i / 6000 % 60:00}:{i / 100 % 60:00} droplet1 sshd[{i}]: Failed password for root from 10.0.{i % 250}.{i % 200} port {i % 60000} ssh2\n");

        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "forensics.dll"), "ingest", added, "--out", caseDir, "--add", "--workers", "1" }) psi.ArgumentList.Add(a);
        using (var process = System.Diagnostics.Process.Start(psi)!)
        {
            _ = process.StandardOutput.ReadToEndAsync();
            // Killed (SIGKILL, no clean-up) when the first file is done: wherever that lands, the case must hold.
            while (process.StandardError.ReadLine() is { } line && !line.Contains("a-auth.log", StringComparison.Ordinal)) { }
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        var problems = CaseIntegrity.Check(caseDir);
        var manifest = Manifest.Load(Path.Combine(caseDir, CaseLayout.ManifestFile));
        if (problems.Count > 0) Assert.Contains("killed while publishing", Assert.Single(problems), StringComparison.Ordinal);
        else if (manifest.Runs.Count == 1)
            Assert.Equal(before, new SortedDictionary<string, string>(Snapshot(caseDir).Where(e => !e.Key.StartsWith(CaseLayout.TempFolder, StringComparison.Ordinal)).ToDictionary(), StringComparer.Ordinal));

        await Ingest(caseDir, [added], add: true);
        AssertIntact(caseDir);
        var once = dir.Combine("once");
        await Ingest(once, [evidence.First, added]);
        // The canned queries and the counts (every row of 100 k events as text would make this test slow, not stronger).
        AssertSameAnswers(Answers(once, tables: false), Answers(caseDir, tables: false));
        Assert.Equal(Manifest.Load(Path.Combine(once, CaseLayout.ManifestFile)).Totals.Events, Manifest.Load(Path.Combine(caseDir, CaseLayout.ManifestFile)).Totals.Events);
    }

    [Fact]
    public async Task A_case_written_before_runs_existed_is_read_and_takes_more_evidence()
    {
        using var dir = new TempDir();
        var evidence = SplitSample(dir);
        var caseDir = dir.Combine("case");
        await Ingest(caseDir, [evidence.First]);
        // The version 1 shape: one run's fields at the top level, with the parts.
        var path = Path.Combine(caseDir, CaseLayout.ManifestFile);
        var v2 = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var v1 = v2["runs"]![0]!.DeepClone().AsObject();
        v1.Remove("run");
        v1.Insert(0, "tool", "forensics");
        v1["parts"] = v2["parts"]!.DeepClone();
        File.WriteAllText(path, v1.ToJsonString());

        Assert.Empty(CaseIntegrity.Check(caseDir));
        var legacy = Manifest.Load(path);
        Assert.Equal(1, Assert.Single(legacy.Runs).Run);
        Assert.Equal(v1["inputs"]!.AsArray().Count, legacy.Inputs.Count);
        Assert.Equal(v1["totals"]!["events"]!.GetValue<long>(), legacy.Totals.Events);

        var added = await Ingest(caseDir, evidence.Added, add: true);
        Assert.Equal(2, added.Runs.Count);
        Assert.Equal(Manifest.CurrentVersion, JsonNode.Parse(File.ReadAllText(path))!["manifest_version"]!.GetValue<int>());
        AssertIntact(caseDir);
    }

    [Fact]
    public async Task A_second_ingest_adding_to_the_same_case_at_once_is_refused()
    {
        using var dir = new TempDir();
        var evidence = SplitSample(dir);
        var caseDir = dir.Combine("case");
        await Ingest(caseDir, [evidence.First]);
        var temp = Path.Combine(caseDir, CaseLayout.TempFolder);
        Directory.CreateDirectory(temp);
        using (new FileStream(Path.Combine(temp, "lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var refused = await Assert.ThrowsAsync<CaseFolderException>(() => Ingest(caseDir, evidence.Added, add: true));
            Assert.Contains("another ingest is writing", refused.Message, StringComparison.Ordinal);
        }
        await Ingest(caseDir, evidence.Added, add: true);
        AssertIntact(caseDir);
    }

    [Fact]
    public void Add_on_a_folder_that_is_not_a_case_or_with_replace_exits_2_naming_the_fix_and_writes_nothing()
    {
        using var dir = new TempDir();
        var evidence = Path.Combine(RepoPaths.DataSamples, "webserver-errors");
        var notes = dir.Combine("notes");
        Directory.CreateDirectory(notes);
        File.WriteAllText(Path.Combine(notes, "todo.txt"), "analyst notes");

        var (code, _, stderr) = CaseSessionTests.RunCli(["ingest", evidence, "--out", notes, "--add"]);
        Assert.Equal(2, code);
        Assert.Contains("is not a case folder", Assert.Single(stderr.TrimEnd('\n').Split('\n')), StringComparison.Ordinal);
        Assert.Equal(["todo.txt"], Directory.EnumerateFileSystemEntries(notes).Select(Path.GetFileName));

        (code, _, stderr) = CaseSessionTests.RunCli(["ingest", evidence, "--out", dir.Combine("missing"), "--add"]);
        Assert.Equal(2, code);
        Assert.Contains("drop --add", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Combine("missing")));

        var caseDir = dir.Combine("case");
        Assert.Equal(0, CaseSessionTests.RunCli(["ingest", evidence, "--out", caseDir]).Code);
        var before = Snapshot(caseDir);
        (code, _, stderr) = CaseSessionTests.RunCli(["ingest", evidence, "--out", caseDir, "--add", "--replace"]);
        Assert.Equal(2, code);
        Assert.Contains("--add and --replace exclude each other", stderr, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(caseDir));
    }

    [Fact]
    public void The_ingest_summary_of_an_add_gives_the_run_and_the_case_and_both_add_up()
    {
        using var dir = new TempDir();
        var evidence = SplitSample(dir);
        var caseDir = dir.Combine("case");
        Assert.Equal(0, CaseSessionTests.RunCli(["ingest", evidence.First, "--out", caseDir]).Code);
        var (code, stdout, stderr) = CaseSessionTests.RunCli(["ingest", .. evidence.Added, "--out", caseDir, "--add"]);
        Assert.True(code == 0, stderr);
        var manifest = Manifest.Load(Path.Combine(caseDir, CaseLayout.ManifestFile));
        var run = manifest.LastRun.Totals;
        var total = manifest.Totals;
        Assert.Contains($"run 2: {run.Files} files ({run.FilesParsed} parsed, ", stdout, StringComparison.Ordinal);
        Assert.Contains($"{run.Records:N0} records = {run.Events:N0} events + {run.Rejects:N0} rejects", stdout, StringComparison.Ordinal);
        Assert.Contains($"case, 2 runs: {total.Files} files ({total.FilesParsed} parsed, ", stdout, StringComparison.Ordinal);
        Assert.Contains($"{total.Records:N0} records = {total.Events:N0} events + {total.Rejects:N0} rejects", stdout, StringComparison.Ordinal);
        Assert.Equal(manifest.Runs[0].Totals.Records + run.Records, total.Records);
        Assert.Contains("as run 2", stdout, StringComparison.Ordinal);
    }
}
