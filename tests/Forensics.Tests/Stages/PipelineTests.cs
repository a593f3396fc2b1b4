using Forensics.Pipeline.Formats;
using System.Security.Cryptography;
using Forensics.Pipeline.Case;
using Forensics.Pipeline.Stages;
using Forensics.Tests.Support;

namespace Forensics.Tests.Stages;

public class PipelineTests
{
    // The garbage comes first: later non-timestamp lines would continue the previous record (rsyslog multi-line).
    private const string AuthLog =
        "garbage line that is not syslog\n" +
        "May 21 03:54:40 droplet1 sshd[2856055]: Invalid user pi from 95.223.184.224 port 12868\n" +
        "May 21 03:54:46 droplet1 sshd[2856055]: Connection closed by invalid user pi 95.223.184.224 port 12868 [preauth]\n" +
        "May 21 04:00:00 droplet1 CRON[1]: pam_unix(crond:session): session opened for user root(uid=0) by (uid=0)\n";

    private static string WriteEvidence(TempDir dir, string name = "auth.log", string content = AuthLog)
    {
        var folder = dir.Combine("evidence");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, content);
        File.SetLastWriteTimeUtc(path, new DateTime(2024, 5, 22, 0, 0, 0, DateTimeKind.Utc));
        return folder;
    }

    /// <summary>
    /// Many small files with progress reporting on: the frame stage once read a batch's last offset after handing
    /// the batch to a parse worker, which may already have released it; files then came out "partial" at random.
    /// </summary>
    [Fact]
    public async Task Many_small_files_with_progress_are_all_parsed_whole()
    {
        using var dir = new TempDir();
        var folder = dir.Combine("evidence");
        for (int f = 0; f < 600; f++)
        {
            var sub = Path.Combine(folder, "d" + (f / 100));
            Directory.CreateDirectory(sub);
            File.WriteAllText(Path.Combine(sub, $"auth.log.{f}"), string.Concat(Enumerable.Range(0, 3).Select(i =>
                $"2024-05-21T03:00:0{i}.000000+00:00 h{f} sshd[{i}]: Connection closed by 10.0.0.{i} port {1000 + i}\n")));
        }
        var progressCalls = 0;
        var manifest = await IngestRunner.RunAsync(new IngestOptions
        {
            Inputs = [folder], CaseDirectory = dir.Combine("case"), Workers = 2,
            Progress = new InlineProgress(_ => Interlocked.Increment(ref progressCalls)),
        });
        Assert.True(progressCalls > 0);
        Assert.All(manifest.Inputs, i => Assert.True(i.Status == "parsed", $"{i.SourceFile}: {i.Status} {i.Reason}"));
        Assert.Equal(1800, manifest.Totals.Events);
        Assert.Equal(600L, Duck.Scalar($"SELECT count(DISTINCT source_file) FROM {Duck.Events(dir.Combine("case"))}"));
    }

    private sealed class InlineProgress(Action<IngestProgress> report) : IProgress<IngestProgress>
    {
        public void Report(IngestProgress value) => report(value);
    }

    [Fact]
    public void Spine_columns_have_the_contract_names_types_and_nulls()
    {
        using var dir = new TempDir();
        using var run = CaseRun.Ingest([WriteEvidence(dir)]);
        var columns = Duck.Rows($"DESCRIBE SELECT * FROM {run.Events}").ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        var expected = new Dictionary<string, string>
        {
            ["ts"] = "TIMESTAMP WITH TIME ZONE", ["ts_quality"] = "VARCHAR", ["host"] = "VARCHAR", ["format"] = "VARCHAR", ["event"] = "VARCHAR",
            ["process"] = "VARCHAR", ["pid"] = "BIGINT", ["unit"] = "VARCHAR", ["user"] = "VARCHAR", ["src_ip"] = "VARCHAR",
            ["src_port"] = "INTEGER", ["message"] = "VARCHAR", ["source_file"] = "VARCHAR", ["source_offset"] = "BIGINT", ["source_sha256"] = "VARCHAR",
        };
        foreach (var (name, type) in expected) Assert.Equal(type, columns[name]);
        // The files carry exactly the declared schema (the one source the views and exports derive from).
        var declared = EventSchema.ForFormat(FormatRegistry.ById("syslog")!);
        Assert.Equal(declared.Select(c => c.Name), columns.Keys);
        Assert.All(declared, c => Assert.Equal(EventSchema.DuckDbType(c.Type), columns[c.Name]));
        // Nulls where a value does not exist, never empty strings.
        Assert.Equal(0L, Duck.Scalar($"SELECT count(*) FROM {run.Events} WHERE host = '' OR process = '' OR unit = '' OR src_ip = ''"));
        Assert.Equal(3L, Duck.Scalar($"SELECT count(*) FROM {run.Events} WHERE unit IS NULL"));
        Assert.Equal(1L, Duck.Scalar($"SELECT count(*) FROM {run.Events} WHERE src_ip IS NULL"));
        var file = Directory.GetFiles(Path.Combine(dir.Path, "evidence"))[0];
        var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
        Assert.Equal(sha, Duck.Scalar($"SELECT DISTINCT source_sha256 FROM {run.Events}"));
        Assert.Equal(file, Duck.Scalar($"SELECT DISTINCT source_file FROM {run.Events}"));
        // source_offset points at the record: the bytes at that offset start with the record's timestamp.
        var offsets = Duck.Rows($"SELECT source_offset FROM {run.Events} ORDER BY source_offset").Select(r => (long)r[0]!).ToList();
        Assert.Equal([AuthLog.IndexOf("May 21 03:54:40", StringComparison.Ordinal), AuthLog.IndexOf("May 21 03:54:46", StringComparison.Ordinal), AuthLog.IndexOf("May 21 04:00:00", StringComparison.Ordinal)], offsets);
    }

    [Fact]
    public void Time_filters_in_DuckDB_return_the_right_rows_on_a_file_the_pipeline_wrote()
    {
        // Guards the Parquet.Net statistics trap: TIMESTAMP(MICROS) min/max are wrong and DuckDB prunes row groups.
        using var dir = new TempDir();
        var lines = string.Concat(Enumerable.Range(0, 5000).Select(i => $"2024-05-21T03:{i / 100 % 60:00}:{i % 60:00}.{i:000000}+00:00 h sshd[{i}]: Connection closed by 10.0.0.{i % 250} port {1000 + i}\n"));
        using var run = CaseRun.Ingest([WriteEvidence(dir, "auth.log", lines)]);
        long all = (long)Duck.Scalar($"SELECT count(*) FROM {run.Events}")!;
        long viaFilter = (long)Duck.Scalar($"SELECT count(*) FILTER (WHERE ts >= TIMESTAMP '2024-05-21 03:25:00') FROM {run.Events}")!;
        long viaWhere = (long)Duck.Scalar($"SELECT count(*) FROM {run.Events} WHERE ts >= TIMESTAMP '2024-05-21 03:25:00'")!;
        Assert.Equal(5000, all);
        Assert.True(viaFilter > 0 && viaFilter < all);
        Assert.Equal(viaFilter, viaWhere);
        // Microseconds survive.
        Assert.Equal("2024-05-21 03:00:01.000001", Duck.Scalar($"SELECT strftime(ts, '%Y-%m-%d %H:%M:%S.%f') FROM {run.Events} WHERE pid = 1"));
    }

    [Fact]
    public void Every_record_is_an_event_or_a_reject_and_the_manifest_says_so()
    {
        using var dir = new TempDir();
        using var run = CaseRun.Ingest([WriteEvidence(dir)]);
        var input = Assert.Single(run.Manifest.Inputs);
        Assert.Equal(4, input.Records);
        Assert.Equal(3, input.Events);
        Assert.Equal(1, input.Rejects);
        Assert.True(run.Manifest.Totals.Balanced);
        Assert.Equal("complete", run.Manifest.Status);
        var reject = Duck.Rows($"SELECT source_offset, reason, raw_text FROM {Duck.Rejects(run.CaseDir)}").Single();
        Assert.Equal((long)AuthLog.IndexOf("garbage", StringComparison.Ordinal), reject[0]);
        Assert.Equal("garbage line that is not syslog", reject[2]);
        var reread = Manifest.Load(Path.Combine(run.CaseDir, "manifest.json"));
        Assert.Equal(input.Sha256, reread.Inputs.Single().Sha256);
        Assert.Equal(new DateTime(2024, 5, 21, 3, 54, 40), reread.Inputs.Single().FirstTsUtc);
    }

    [Fact]
    public void Evidence_is_never_modified()
    {
        using var dir = new TempDir();
        var folder = WriteEvidence(dir);
        var file = Directory.GetFiles(folder)[0];
        var before = (File.ReadAllBytes(file), File.GetLastWriteTimeUtc(file), Directory.GetFileSystemEntries(folder, "*", SearchOption.AllDirectories).Order().ToList());
        using (CaseRun.Ingest([folder])) { }
        Assert.Equal(before.Item1, File.ReadAllBytes(file));
        Assert.Equal(before.Item2, File.GetLastWriteTimeUtc(file));
        Assert.Equal(before.Item3, Directory.GetFileSystemEntries(folder, "*", SearchOption.AllDirectories).Order().ToList());
    }

    [Fact]
    public async Task Case_inside_the_evidence_or_a_non_empty_case_is_refused_and_replace_says_so()
    {
        using var dir = new TempDir();
        var folder = WriteEvidence(dir);
        await Assert.ThrowsAsync<CaseFolderException>(() => IngestRunner.RunAsync(new IngestOptions { Inputs = [folder], CaseDirectory = Path.Combine(folder, "case") }));
        var caseDir = dir.Combine("case");
        await IngestRunner.RunAsync(new IngestOptions { Inputs = [folder], CaseDirectory = caseDir });
        var again = await Assert.ThrowsAsync<CaseFolderException>(() => IngestRunner.RunAsync(new IngestOptions { Inputs = [folder], CaseDirectory = caseDir }));
        Assert.Contains("--replace", again.Message);
        var replaced = await IngestRunner.RunAsync(new IngestOptions { Inputs = [folder], CaseDirectory = caseDir, Replace = true });
        Assert.Contains(replaced.LastRun.Notes, n => n.Contains("replaced", StringComparison.Ordinal));
        Assert.Equal(3L, Duck.Scalar($"SELECT count(*) FROM {Duck.Events(caseDir)}")); // not duplicated
        File.WriteAllText(Path.Combine(caseDir, "notes.txt"), "analyst notes");
        await Assert.ThrowsAsync<CaseFolderException>(() => IngestRunner.RunAsync(new IngestOptions { Inputs = [folder], CaseDirectory = caseDir, Replace = true }));
        Assert.True(File.Exists(Path.Combine(caseDir, "notes.txt")));
    }

    [Theory]
    [InlineData("evlink")]   // evlink -> evidence, case at evlink/case
    [InlineData("out")]      // out -> evidence/var, case at out/case
    public async Task A_case_folder_reached_through_a_symlink_into_the_evidence_is_refused(string shape)
    {
        using var dir = new TempDir();
        var folder = WriteEvidence(dir);
        Directory.CreateDirectory(Path.Combine(folder, "var"));
        var link = dir.Combine(shape);
        Directory.CreateSymbolicLink(link, shape == "evlink" ? folder : Path.Combine(folder, "var"));
        var before = Directory.GetFileSystemEntries(folder, "*", SearchOption.AllDirectories).Order().ToList();
        var refused = await Assert.ThrowsAsync<CaseFolderException>(() => IngestRunner.RunAsync(new IngestOptions { Inputs = [folder], CaseDirectory = Path.Combine(link, "case") }));
        Assert.Contains("inside the input folder", refused.Message);
        Assert.Equal(before, Directory.GetFileSystemEntries(folder, "*", SearchOption.AllDirectories).Order().ToList());
    }

    [Fact]
    public async Task A_failing_stage_ends_the_run_with_its_name_and_no_hang()
    {
        using var dir = new TempDir();
        var lines = string.Concat(Enumerable.Range(0, 50_000).Select(i => $"May 21 03:54:46 h sshd[{i}]: Connection closed by 10.0.0.1 port {i}\n"));
        var folder = WriteEvidence(dir, "auth.log", lines);
        int calls = 0;
        var options = new IngestOptions
        {
            Inputs = [folder], CaseDirectory = dir.Combine("case"), Workers = 2,
            OnParse = _ => { if (Interlocked.Increment(ref calls) == 3) throw new IOException("disk on fire"); },
        };
        var run = IngestRunner.RunAsync(options);
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(2)));
        Assert.Same(run, finished); // hang guard, not a timing assertion
        var ex = await Assert.ThrowsAsync<IngestFailedException>(() => run);
        Assert.Contains("parse worker", ex.Message);
        Assert.Contains("disk on fire", ex.Message);
        var manifest = Manifest.Load(Path.Combine(options.CaseDirectory, "manifest.json"));
        Assert.Equal("failed", manifest.Status);
        Assert.Empty(Directory.GetFiles(options.CaseDirectory, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Zone_comes_from_tz_option_then_etc_timezone_then_etc_localtime()
    {
        using var dir = new TempDir();
        var root = dir.Combine("machine");
        Directory.CreateDirectory(Path.Combine(root, "etc"));
        Directory.CreateDirectory(Path.Combine(root, "var", "log"));
        File.WriteAllText(Path.Combine(root, "var", "log", "auth.log"), "Jan 15 12:00:00 h sshd[1]: Connection closed by 10.0.0.1 port 1\n");
        File.SetLastWriteTimeUtc(Path.Combine(root, "var", "log", "auth.log"), new DateTime(2024, 1, 20, 0, 0, 0, DateTimeKind.Utc));
        File.Copy("/usr/share/zoneinfo/America/New_York", Path.Combine(root, "etc", "localtime"));

        using (var run = CaseRun.Ingest([root]))
        {
            Assert.Equal("America/New_York", run.Manifest.LastRun.Options.TimeZone);
            Assert.Contains("etc/localtime", run.Manifest.LastRun.Options.TimeZoneSource);
            Assert.Equal(new DateTime(2024, 1, 15, 17, 0, 0), Duck.Scalar($"SELECT ts FROM {run.Events}"));
            Assert.Equal("year_inferred;zone_assumed", Duck.Scalar($"SELECT ts_quality FROM {run.Events}"));
        }
        File.WriteAllText(Path.Combine(root, "etc", "timezone"), "Europe/Berlin\n");
        using (var run = CaseRun.Ingest([root]))
        {
            Assert.Equal("Europe/Berlin", run.Manifest.LastRun.Options.TimeZone);
            Assert.Equal(new DateTime(2024, 1, 15, 11, 0, 0), Duck.Scalar($"SELECT ts FROM {run.Events}"));
        }
        using (var run = CaseRun.Ingest([root], tz: "Asia/Tokyo"))
        {
            Assert.Equal("--tz", run.Manifest.LastRun.Options.TimeZoneSource);
            Assert.Equal(new DateTime(2024, 1, 15, 3, 0, 0), Duck.Scalar($"SELECT ts FROM {run.Events}"));
        }
    }

    [Fact]
    public void Renamed_file_is_detected_from_content_and_unknown_files_are_reported()
    {
        using var dir = new TempDir();
        var folder = WriteEvidence(dir, "evidence-0001.bin");
        File.WriteAllBytes(Path.Combine(folder, "random.dat"), [0x00, 0x01, 0x02, 0xff, 0x10, 0x00, 0x00, 0x00]);
        File.WriteAllText(Path.Combine(folder, "empty.log"), "");
        File.WriteAllText(Path.Combine(folder, "zz-copy-of-auth"), AuthLog);
        using var run = CaseRun.Ingest([folder]);
        var byName = run.Manifest.Inputs.ToDictionary(i => Path.GetFileName(i.SourceFile));
        Assert.Equal("syslog", byName["evidence-0001.bin"].Format);
        Assert.Equal("skipped", byName["random.dat"].Status);
        Assert.Contains("no parser recognised", byName["random.dat"].Reason);
        Assert.Equal("empty file", byName["empty.log"].Reason);
        Assert.Equal("duplicate", byName["zz-copy-of-auth"].Status);
        Assert.Equal(Path.Combine(folder, "evidence-0001.bin"), byName["zz-copy-of-auth"].DuplicateOf);
        Assert.Contains("duplicate of " + Path.Combine(folder, "evidence-0001.bin"), byName["zz-copy-of-auth"].Reason);
    }

    [Fact]
    public void Gzip_rotated_file_is_decompressed_hashed_twice_and_named_through_the_layer()
    {
        using var dir = new TempDir();
        var folder = dir.Combine("evidence");
        Directory.CreateDirectory(folder);
        var gz = Path.Combine(folder, "auth.log.2.gz");
        using (var f = File.Create(gz))
        using (var z = new System.IO.Compression.GZipStream(f, System.IO.Compression.CompressionLevel.Optimal))
            z.Write(System.Text.Encoding.UTF8.GetBytes(AuthLog));
        using var run = CaseRun.Ingest([folder]);
        var input = Assert.Single(run.Manifest.Inputs);
        Assert.Equal(gz + "!", input.SourceFile);
        Assert.Equal("gzip", input.Compression);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(gz))), input.StoredSha256);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(AuthLog))), input.Sha256);
        Assert.Equal(3, input.Events);
    }
}
