using Forensics.Pipeline.Time;
using Forensics.Tests.Support;
using Forensics.Tests.Time;

namespace Forensics.Tests.Stages;

/// <summary>
/// The zone of local-time logs from the evidence folder itself: etc/localtime as a symbolic link (as tar and
/// cp -a keep it), as a TZif file that is not byte-identical to this machine's tzdata, and the plain statement
/// when no usable zone is found. Each case ingests one RFC 3164 line written at 12:00 local time.
/// </summary>
public class ZoneEvidenceTests
{
    private const string Line = "May 21 12:00:00 host1 sshd[5]: Connection closed by 203.0.113.9 port 40000 [preauth]\n";

    private static string Machine(TempDir dir)
    {
        var root = dir.Combine("machine");
        Directory.CreateDirectory(Path.Combine(root, "etc"));
        Directory.CreateDirectory(Path.Combine(root, "var", "log"));
        File.WriteAllText(Path.Combine(root, "var", "log", "auth.log"), Line);
        return root;
    }

    private static string UtcClock(CaseRun run) => ((DateTime)Duck.Scalar($"SELECT ts FROM {run.Events}")!).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    [SkippableFact]
    public void Localtime_symlink_in_a_folder_names_the_zone_without_being_followed()
    {
        Skip.IfNot(File.Exists("/usr/share/zoneinfo/Europe/Berlin"), "tzdata is not installed");
        using var dir = new TempDir();
        var root = Machine(dir);
        File.CreateSymbolicLink(Path.Combine(root, "etc", "localtime"), "/usr/share/zoneinfo/Europe/Berlin");
        using var run = CaseRun.Ingest([root], year: 2024);
        Assert.Equal("Europe/Berlin", run.Manifest.LastRun.Options.TimeZone);
        Assert.False(run.Manifest.LastRun.Options.TimeZoneAssumed);
        Assert.Contains("-> /usr/share/zoneinfo/Europe/Berlin", run.Manifest.LastRun.Options.TimeZoneSource, StringComparison.Ordinal);
        Assert.Equal("10:00", UtcClock(run)); // CEST, UTC+2
    }

    [Fact]
    public void Localtime_symlink_to_a_zone_unknown_here_reads_the_evidences_own_zoneinfo_file()
    {
        using var dir = new TempDir();
        var root = Machine(dir);
        var own = Path.Combine(root, "usr", "share", "zoneinfo", "Mars", "Olympus");
        Directory.CreateDirectory(Path.GetDirectoryName(own)!);
        // UTC-3 all year, a zone no tzdata has
        File.WriteAllBytes(own, TzifZoneTests.WriteTzif([], [], [new(-10800, false, "-03")], "<-03>3"));
        File.CreateSymbolicLink(Path.Combine(root, "etc", "localtime"), "../usr/share/zoneinfo/Mars/Olympus");
        using var run = CaseRun.Ingest([root], year: 2024);
        Assert.False(run.Manifest.LastRun.Options.TimeZoneAssumed);
        Assert.Contains("read from the evidence", run.Manifest.LastRun.Options.TimeZoneSource, StringComparison.Ordinal);
        Assert.Equal("15:00", UtcClock(run));
    }

    /// <summary>A localtime from another tzdata release or distribution: not identical to any file here, read as TZif.</summary>
    [Fact]
    public void Localtime_not_identical_to_this_machines_tzdata_is_read_as_tzif()
    {
        using var dir = new TempDir();
        var root = Machine(dir);
        File.AppendAllText(Path.Combine(root, "var", "log", "auth.log"), Line.Replace("May 21", "Jan 15", StringComparison.Ordinal));
        // Central European rules, footer only (zic -b slim would keep a few transitions; none are needed here)
        File.WriteAllBytes(Path.Combine(root, "etc", "localtime"), TzifZoneTests.WriteTzif([], [], [new(3600, false, "CET")], "CET-1CEST,M3.5.0,M10.5.0/3"));
        using var run = CaseRun.Ingest([root], year: 2024);
        Assert.False(run.Manifest.LastRun.Options.TimeZoneAssumed);
        Assert.Contains("read as TZif", run.Manifest.LastRun.Options.TimeZoneSource, StringComparison.Ordinal);
        Assert.Contains("CET-1CEST,M3.5.0,M10.5.0/3", run.Manifest.LastRun.Options.TimeZoneSource, StringComparison.Ordinal);
        var times = Duck.Rows($"SELECT strftime(ts, '%m-%d %H:%M') FROM {run.Events} ORDER BY ts").Select(r => (string)r[0]!).ToList();
        Assert.Equal(["01-15 11:00", "05-21 10:00"], times);
    }

    [Fact]
    public void Foreign_tzif_inside_a_tar_is_read_before_the_logs_that_need_it()
    {
        using var dir = new TempDir();
        var tar = dir.Combine("machine.tar");
        using (var fs = File.Create(tar))
        using (var w = new System.Formats.Tar.TarWriter(fs, System.Formats.Tar.TarEntryFormat.Pax))
        {
            void Add(string name, byte[] bytes) =>
                w.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, name) { DataStream = new MemoryStream(bytes) });
            Add("var/log/auth.log", System.Text.Encoding.UTF8.GetBytes(Line));
            // Eastern North America rules, footer only: 12:00 EDT in May is 16:00 UTC
            Add("etc/localtime", TzifZoneTests.WriteTzif([], [], [new(-18000, false, "EST")], "EST5EDT,M3.2.0,M11.1.0"));
        }
        using var run = CaseRun.Ingest([tar], year: 2024);
        Assert.Contains("read as TZif", run.Manifest.LastRun.Options.TimeZoneSource, StringComparison.Ordinal);
        Assert.Equal("16:00", UtcClock(run));
    }

    [Fact]
    public void Assumed_utc_is_said_plainly_and_names_the_unusable_file()
    {
        using var dir = new TempDir();
        var root = Machine(dir);
        File.WriteAllText(Path.Combine(root, "etc", "localtime"), "Europe/Berlin\n"); // text, not TZif
        using (var run = CaseRun.Ingest([root], year: 2024))
        {
            var o = run.Manifest.LastRun.Options;
            Assert.True(o.TimeZoneAssumed);
            Assert.StartsWith("ASSUMED UTC", o.TimeZoneSource, StringComparison.Ordinal);
            Assert.Contains("localtime", o.TimeZoneSource, StringComparison.Ordinal);
            Assert.Contains("not a TZif file", o.TimeZoneSource, StringComparison.Ordinal);
            Assert.DoesNotContain("no etc/timezone or etc/localtime", o.TimeZoneSource, StringComparison.Ordinal);
            Assert.Contains(run.Manifest.LastRun.Notes, n => n.Contains("ASSUMED to be UTC", StringComparison.Ordinal));
            Assert.Equal("12:00", UtcClock(run));
        }
        File.Delete(Path.Combine(root, "etc", "localtime"));
        using (var run = CaseRun.Ingest([root], year: 2024))
        {
            Assert.True(run.Manifest.LastRun.Options.TimeZoneAssumed);
            Assert.Contains("no etc/timezone or etc/localtime in the evidence", run.Manifest.LastRun.Options.TimeZoneSource, StringComparison.Ordinal);
            Assert.Equal("zone_assumed", Duck.Scalar($"SELECT ts_quality FROM {run.Events}")); // --year given: only the zone is assumed
        }
        using (var run = CaseRun.Ingest([root], tz: "UTC", year: 2024))
            Assert.False(run.Manifest.LastRun.Options.TimeZoneAssumed);
    }
}
