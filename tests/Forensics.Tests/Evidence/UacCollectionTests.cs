using System.Text;
using Forensics.Pipeline.Case;
using Forensics.Pipeline.Evidence.Collections;
using Forensics.Tests.Formats.Bodyfile;
using Forensics.Tests.Support;

namespace Forensics.Tests.Evidence;

/// <summary>The UAC collection in tests/fixtures/uac (written by the real UAC 3.3.0), as a tarball and extracted.</summary>
public class UacCollectionTests
{
    [Fact]
    public void A_UAC_tarball_ingests_as_one_hosts_evidence_with_its_bodyfile_timeline()
    {
        using var run = CaseRun.Ingest([UacFixture.Tarball]);
        AssertCollection(run);
    }

    [Fact]
    public void An_extracted_UAC_collection_folder_ingests_the_same()
    {
        using var dir = new TempDir();
        var folder = dir.Combine("uac-uacsynth1");
        Directory.CreateDirectory(folder);
        using (var gz = new System.IO.Compression.GZipStream(File.OpenRead(UacFixture.Tarball), System.IO.Compression.CompressionMode.Decompress))
            System.Formats.Tar.TarFile.ExtractToDirectory(gz, folder, overwriteFiles: false);
        using var run = CaseRun.Ingest([folder]);
        AssertCollection(run);
    }

    private static void AssertCollection(CaseRun run)
    {
        var m = run.Manifest;
        Assert.True(m.Totals.Balanced);
        Assert.Equal("uacsynth1", m.LastRun.Options.Host);

        var log = Assert.Single(m.Inputs, i => i.RelativePath.EndsWith("uac.log", StringComparison.Ordinal));
        Assert.Equal("context", log.Status);
        Assert.Equal("context:uac_log", log.Format);
        var c = log.Collection!;
        Assert.Equal("uac", c.Kind);
        Assert.Equal("3.3.0", c.ToolVersion);
        Assert.Equal("uacsynth1", c.Hostname);
        Assert.Equal("linux", c.OperatingSystem);
        Assert.Equal("x86_64", c.Architecture);
        Assert.Equal("Etc/UTC", c.TimeZone);
        Assert.StartsWith("/tmp/uac-fixture.", c.MountPoint, StringComparison.Ordinal);
        Assert.True(c.CollectionCompleted);
        Assert.Equal(new DateTime(2026, 12, 7, 21, 49, 26, DateTimeKind.Utc), c.StartedUtc);
        Assert.True(c.FinishedUtc > c.StartedUtc);
        Assert.Equal(Encoding.UTF8.GetString(UacFixture.Member("uac.log")).Split('\n').Count(l => l.Length > 30 && l[25..30] == " ERR "), c.Errors);
        Assert.Null(m.Inputs.Where(i => i != log).FirstOrDefault(i => i.Collection is not null));
        var table = Duck.Rows($"SELECT hostname, uac_version, started FROM read_parquet('{run.CaseDir}/context/uac_collection/*.parquet')");
        Assert.Equal("uacsynth1", Assert.Single(table)[0]);
        Assert.Equal("3.3.0", table[0][1]);

        // The machine's logs under [root]/ parse as in any copied file system.
        ManifestInput Input(string suffix) => Assert.Single(m.Inputs, i => i.RelativePath.EndsWith(suffix, StringComparison.Ordinal));
        Assert.Equal(("syslog", 7L, 0L), (Input("[root]/var/log/auth.log").Format, Input("[root]/var/log/auth.log").Events, Input("[root]/var/log/auth.log").Rejects));
        Assert.Equal(("wtmp", 3L), (Input("[root]/var/log/wtmp").Format, Input("[root]/var/log/wtmp").Events));
        Assert.Equal(("journal", 3L), (Input("system.journal").Format, Input("system.journal").Events));
        Assert.Equal("context", Input("[root]/etc/passwd").Status);

        // The bodyfile: one event per line and distinct known time, counted here from the raw text alone.
        var body = Input("bodyfile/bodyfile.txt");
        Assert.Equal("bodyfile", body.Format);
        var (expectedEvents, joined) = CountEntries(UacFixture.Member("bodyfile/bodyfile.txt"));
        Assert.Equal(1, joined); // tmp/two<LF>lines, split over two lines by UAC's statx
        Assert.Equal(expectedEvents, body.Events);
        Assert.Equal(0, body.Rejects);
        Assert.Equal(body.Events + body.Rejects, body.Records);
        var fs = Duck.Rows($"SELECT count(*), count(DISTINCT host), min(host), count(*) FILTER (WHERE \"user\" = 'root'), count(*) FILTER (WHERE event LIKE 'fs.%' AND fs_macb IS NOT NULL) FROM {run.Events} WHERE format = 'bodyfile'")[0];
        Assert.Equal(expectedEvents, Convert.ToInt64(fs[0]));
        Assert.Equal(1L, Convert.ToInt64(fs[1]));
        Assert.Equal("uacsynth1", fs[2]);
        Assert.Equal(expectedEvents, Convert.ToInt64(fs[3])); // every file of the prepared root is owned by uid 0
        Assert.Equal(expectedEvents, Convert.ToInt64(fs[4]));
        // UAC named the files by the collecting machine's path (its --mount-point first): fs_path is the examined machine's.
        Assert.Contains(body.Notes!, n => n.Contains($"mount point {c.MountPoint}", StringComparison.Ordinal));
        var paths = Duck.Rows($"SELECT count(*) FILTER (WHERE fs_path LIKE '/tmp/uac-fixture.%'), count(*) FILTER (WHERE fs_path = '/etc/passwd'), count(*) FILTER (WHERE fs_path = '/'), count(*) FILTER (WHERE message LIKE '0|/tmp/uac-fixture.%') FROM {run.Events} WHERE format = 'bodyfile'")[0];
        Assert.Equal(0L, Convert.ToInt64(paths[0]));
        Assert.True(Convert.ToInt64(paths[1]) > 0);
        Assert.True(Convert.ToInt64(paths[2]) > 0);
        Assert.Equal(expectedEvents, Convert.ToInt64(paths[3]));
        var link = Duck.Rows($"SELECT DISTINCT fs_path, fs_link_target FROM {run.Events} WHERE fs_link_target IS NOT NULL");
        Assert.Equal(["/home/alice/pw-link", "/etc/passwd"], Assert.Single(link).Cast<string>());
        var split = Duck.Rows($"SELECT fs_macb FROM {run.Events} WHERE format = 'bodyfile' AND fs_path = '/tmp/two' || chr(10) || 'lines' ORDER BY ts");
        Assert.Equal(["ma..", "..cb"], split.Select(r => (string)r[0]!));

        // UAC's other outputs are listed with what they are.
        Assert.Contains("UAC collection hash_executables/", Input("hash_executables/hash_executables.md5").Reason, StringComparison.Ordinal);
        Assert.Contains("UAC collection system/", Input("system/hidden_files.txt").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_file_system_timeline_exports_with_MACB_letters_and_plaso_descriptions()
    {
        using var run = CaseRun.Ingest([UacFixture.Tarball]);
        using var session = Forensics.Pipeline.Query.CaseSession.Open(run.CaseDir);
        var l2t = Path.Combine(run.CaseDir, "..", "t.l2t.csv");
        var ts = Path.Combine(run.CaseDir, "..", "t.timesketch.csv");
        await Forensics.Pipeline.Query.TimelineExport.WriteAsync(session, Forensics.Pipeline.Query.TimelineFormat.L2tCsv, new Forensics.Pipeline.Query.TimelineFilter(), l2t);
        await Forensics.Pipeline.Query.TimelineExport.WriteAsync(session, Forensics.Pipeline.Query.TimelineFormat.Timesketch, new Forensics.Pipeline.Query.TimelineFilter(), ts);
        string Read(string path) => $"read_csv('{path}', header = true, all_varchar = true, quote = '\"', escape = '\"', delim = ',')";

        // /home/alice/report|final.txt: mtime = atime (2026-11-02 09:35), so one row "MA.." with both descriptions.
        var row = Duck.Rows($"SELECT MACB, source, sourcetype, type, inode, host FROM {Read(l2t)} WHERE contains(\"desc\", '/home/alice/report|final.txt (') AND MACB LIKE 'M%'");
        Assert.Equal(["MA..", "FILE", "bodyfile", "Content Modification Time; Last Access Time", "11880823", "uacsynth1"], Assert.Single(row).Cast<string>());
        var passwd = Duck.Rows($"SELECT \"desc\" FROM {Read(l2t)} WHERE sourcetype = 'bodyfile' AND \"desc\" LIKE '% /etc/passwd (%' AND MACB = 'M...'");
        Assert.Equal("m... /etc/passwd (-rw-r--r--, uid 0, gid 0, 175 bytes, inode 11880812)", Assert.Single(passwd)[0]);
        // Log rows keep "...." and LOG.
        var logs = Duck.Rows($"SELECT DISTINCT MACB, source FROM {Read(l2t)} WHERE sourcetype <> 'bodyfile'");
        Assert.Equal(["....", "LOG"], Assert.Single(logs).Cast<string>());
        var descs = Duck.Rows($"SELECT DISTINCT timestamp_desc FROM {Read(ts)} WHERE event LIKE 'fs.%' ORDER BY 1").Select(r => (string)r[0]!).ToList();
        Assert.Contains("Content Modification Time", descs);
        Assert.All(descs, d => Assert.NotEqual(Forensics.Pipeline.Model.EventDescriptions.Fallback, d));
    }

    /// <summary>
    /// Entries counted from the raw text: a line with fewer than eleven '|' fields is joined with the next (a name
    /// holding a newline); each record gives one entry per distinct non-zero time of its last four fields.
    /// </summary>
    private static (long Entries, int Joined) CountEntries(byte[] bodyfile)
    {
        long entries = 0;
        int joined = 0;
        var lines = Encoding.Latin1.GetString(bodyfile).Split('\n').Where(l => l.Length > 0).ToList();
        for (int i = 0; i < lines.Count; i++)
        {
            var record = lines[i];
            if (record.Split('|').Length < 11 && i + 1 < lines.Count) { record += "\n" + lines[++i]; joined++; }
            var fields = record.Split('|');
            entries += Math.Max(1, fields[^4..].Where(t => t != "0").Distinct().Count());
        }
        return (entries, joined);
    }

    [Fact]
    public void Ingest_says_which_collection_it_read()
    {
        using var dir = new TempDir();
        var (code, stdout, _) = Forensics.Tests.Query.CaseSessionTests.RunCli(["ingest", UacFixture.Tarball, "--out", dir.Combine("case")]);
        Assert.Equal(0, code);
        Assert.Contains("uac collection uac.log: host uacsynth1, linux x86_64, uac 3.3.0, collected 2026-12-07 21:49:26 → 2026-12-07 21:52:02 UTC, 10 errors in its log, from mount point /tmp/uac-fixture.", stdout, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void The_real_UAC_live_response_outputs_are_listed_with_what_they_are()
    {
        // UAC's live_response artifacts run commands on the machine UAC runs on (here: this one), so their output is
        // not committed; this test runs the real UAC (about 2 s) when ../shared/tools/uac is present.
        var uac = Path.GetFullPath(Path.Combine(RepoPaths.Root, "..", "shared", "tools", "uac"));
        Skip.IfNot(File.Exists(Path.Combine(uac, "uac")), "../shared/tools/uac is not present on this machine");
        Skip.IfNot(Environment.UserName == "root", "UAC collects as root only");
        Skip.IfNot(File.Exists("/usr/bin/last"), "last (util-linux) is not installed");
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.Combine("root", "var", "log"));
        Directory.CreateDirectory(dir.Combine("root", "etc"));
        Directory.CreateDirectory(dir.Combine("out"));
        File.WriteAllBytes(dir.Combine("root", "var", "log", "wtmp"), UacFixture.Member("[root]/var/log/wtmp"));
        File.WriteAllText(dir.Combine("root", "etc", "hostname"), "uacsynth1\n");
        var psi = new System.Diagnostics.ProcessStartInfo("sh") { WorkingDirectory = uac, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["./uac", "-a", "live_response/system/last.yaml", "--mount-point", dir.Combine("root"), "--hostname", "uacsynth1", "-o", "uac-lr", dir.Combine("out")])
            psi.ArgumentList.Add(a);
        using (var p = System.Diagnostics.Process.Start(psi)!)
        {
            var stderr = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            Assert.True(p.WaitForExit(120_000), "UAC did not finish in 2 minutes");
            Assert.True(p.ExitCode == 0, $"UAC exited {p.ExitCode}: {stderr.Result}");
        }
        using var run = CaseRun.Ingest([dir.Combine("out", "uac-lr.tar.gz")]);
        Assert.Equal("uacsynth1", run.Manifest.Inputs.Single(i => i.Collection is not null).Collection!.Hostname);
        var outputs = run.Manifest.Inputs.Where(i => i.RelativePath.StartsWith("live_response/", StringComparison.Ordinal)).ToList();
        Assert.True(outputs.Count >= 3, $"{outputs.Count} live_response files");
        // last, last -a -F and last -i print the same two lines for this machine's empty wtmp: duplicates by hash.
        Assert.All(outputs, i => Assert.Contains(i.Status, new[] { "skipped", "duplicate" }));
        Assert.All(outputs.Where(i => i.Size > 0 && i.Status != "duplicate"),
            i => Assert.StartsWith("UAC collection live_response/", i.Reason, StringComparison.Ordinal));
        Assert.Contains(outputs, i => i.Reason!.StartsWith("UAC collection live_response/", StringComparison.Ordinal));
        // `last -a -F -f` over the prepared root's wtmp: the text is listed; the wtmp's own records are what the case parses.
        var ours = Assert.Single(outputs, i => i.RelativePath.Contains("last_-a_-F_-f_", StringComparison.Ordinal));
        Assert.Contains("`last` output is a rendering of wtmp/btmp/utmp", ours.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Live_response_outputs_are_named_with_what_they_are()
    {
        Assert.Contains("text a command printed on the live system", UacCollection.SkipReason("uac-h/live_response/process/ps_-ef.txt"), StringComparison.Ordinal);
        var last = UacCollection.SkipReason("live_response/system/last_-a_-F.txt")!;
        Assert.Contains("`last` output is a rendering of wtmp/btmp/utmp", last, StringComparison.Ordinal);
        Assert.Contains("`who` output", UacCollection.SkipReason("live_response/system/who_-T.txt"), StringComparison.Ordinal);
        Assert.Null(UacCollection.SkipReason("var/log/system/notes.txt"));
        Assert.Null(UacCollection.SkipReason("[root]/var/log/auth.log"));
    }

    [Fact]
    public void A_uac_log_that_UAC_did_not_write_is_not_collection_metadata()
    {
        Assert.Null(UacCollection.ReadLog("2026-11-02T09:14:01.120334+00:00 host app[1]: started\n"u8));
        Assert.Null(UacCollection.ReadLog("2026-12-07 21:49:26 +0000 INF some other tool 1.0\n"u8));
        var c = UacCollection.ReadLog("2026-12-07 22:49:26 +0100 INF Unix-like Artifacts Collector 3.3.0\n2026-12-07 22:49:27 +0100 ERR cannot run x\n"u8)!;
        Assert.Equal(new DateTime(2026, 12, 7, 21, 49, 26, DateTimeKind.Utc), c.StartedUtc);
        Assert.Equal(1, c.Errors);
        Assert.False(c.CollectionCompleted);
    }
}
