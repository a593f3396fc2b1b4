using System.Formats.Tar;
using System.IO.Compression;
using Forensics.Pipeline.Evidence;
using Forensics.Tests.Support;

namespace Forensics.Tests.Evidence;

public class ContextAndRotationTests
{
    private static void Add(TarWriter w, string name, string text, DateTime? mtime = null) =>
        w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)), ModificationTime = mtime ?? ArchiveKit.FixedMtime });

    [Fact]
    public void Context_files_in_a_tar_gz_become_tables_and_the_zone_comes_from_the_localtime_symlink()
    {
        using var dir = new TempDir();
        var tgz = dir.Combine("droplet1.tar.gz");
        using (var fs = File.Create(tgz))
        using (var gz = new GZipStream(fs, CompressionLevel.Fastest))
        using (var w = new TarWriter(gz, TarEntryFormat.Pax))
        {
            // Logs first, etc/ last: the zone must still be known before the log is parsed (pre-pass).
            Add(w, "var/log/auth.log", "May 20 10:00:00 droplet1 sshd[1]: Failed password for root from 203.0.113.9 port 4000 ssh2\n");
            Add(w, "etc/passwd", "root:x:0:0:root:/root:/bin/bash\nsshd:x:110:65534::/run/sshd:/usr/sbin/nologin\nsync:x:4:65534:sync:/bin:/bin/sync\nnoshell:x:1001:1001:::\ngarbage\n");
            Add(w, "etc/group", "root:x:0:\nsudo:x:27:alice,bob\n");
            Add(w, "etc/hostname", "droplet1\n");
            Add(w, "etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n");
            Add(w, "etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\nPort 2222\nPermitRootLogin no\nPermitRootLogin yes\nMatch User bob\n  PasswordAuthentication no\n");
            w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "etc/localtime") { LinkName = "/usr/share/zoneinfo/Europe/Berlin" });
        }
        var m = ArchiveKit.Ingest(dir, "case", null, null, tgz);
        Skip.If(m.LastRun.Options.TimeZone == "UTC" && !File.Exists("/usr/share/zoneinfo/Europe/Berlin"), "tzdata is not installed");
        Assert.Equal("Europe/Berlin", m.LastRun.Options.TimeZone);
        Assert.Contains("etc/localtime", m.LastRun.Options.TimeZoneSource, StringComparison.Ordinal);
        Assert.Equal("droplet1", m.LastRun.Options.Host);
        // The local 10:00 in May (CEST, UTC+2) is 08:00 UTC.
        Assert.Equal(["08:00:00"], ArchiveKit.Rows(dir.Combine("case"), "SELECT strftime(ts, '%H:%M:%S') FROM read_parquet('$CASE/events/**/*.parquet')"));

        Assert.Equal("context", ArchiveKit.Entry(m, "!etc/passwd").Status);
        Assert.Equal("context:passwd", ArchiveKit.Entry(m, "!etc/passwd").Format);
        Assert.Equal(
            ["root | 0 | /bin/bash | True", "sshd | 110 | /usr/sbin/nologin | False", "sync | 4 | /bin/sync | False", "noshell | 1001 | ∅ | True", "∅ | ∅ | ∅ | ∅"],
            ArchiveKit.Rows(dir.Combine("case"), "SELECT user, uid, shell, can_login FROM read_parquet('$CASE/context/passwd/*.parquet') ORDER BY line"));
        Assert.Equal(["sudo | 27 | alice,bob"], ArchiveKit.Rows(dir.Combine("case"), "SELECT \"group\", gid, members FROM read_parquet('$CASE/context/group/*.parquet') WHERE gid = 27"));
        Assert.Equal(["Debian GNU/Linux 12 (bookworm)"], ArchiveKit.Rows(dir.Combine("case"), "SELECT value FROM read_parquet('$CASE/context/os_release/*.parquet') WHERE key = 'PRETTY_NAME'"));
        Assert.Equal(["PasswordAuthentication | no | User bob"], ArchiveKit.Rows(dir.Combine("case"), "SELECT keyword, value, in_match_block FROM read_parquet('$CASE/context/sshd_config/*.parquet') WHERE in_match_block IS NOT NULL"));
        // First obtained value wins (sshd_config(5)); absent keywords get OpenSSH defaults; Include may override.
        Assert.Equal(
            ["PasswordAuthentication | yes | default | True", "PermitRootLogin | no | file | True", "Port | 2222 | file | True", "PubkeyAuthentication | yes | default | True"],
            ArchiveKit.Rows(dir.Combine("case"), "SELECT setting, value, source, include_may_override FROM read_parquet('$CASE/context/sshd_settings/*.parquet') WHERE setting IN ('PasswordAuthentication','PermitRootLogin','Port','PubkeyAuthentication') ORDER BY setting"));
    }

    [Theory]
    [InlineData("/x/log/auth.log", "/x/log/auth.log", 0, null)]
    [InlineData("/x/log/auth.log.2.gz!", "/x/log/auth.log", 2, null)]
    [InlineData("a.tar.gz!var/log/secure-20240521.gz!", "a.tar.gz!var/log/secure", 0, "2024-05-21")]
    [InlineData("/x/messages-2024052103", "/x/messages", 0, "2024-05-21")]
    [InlineData("/x/messages-20240521-1716249600", "/x/messages", 0, "2024-05-21")]
    [InlineData("/x/e.tar.gz", "/x/e.tar.gz", 0, null)]
    public void Rotation_names_are_parsed(string path, string set, int number, string? date)
    {
        var (s, rank) = RotationSets.Parse(path);
        Assert.Equal(set, s);
        Assert.Equal(number, rank.Number);
        Assert.Equal(date, rank.Date?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_rotated_file_is_bounded_by_its_newer_siblings_and_the_date_in_its_name()
    {
        var sets = new RotationSets();
        var jan = new DateTime(2025, 1, 3, 0, 0, 0, DateTimeKind.Utc);
        var copied = new DateTime(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc);
        sets.Observe("/l/auth.log", copied);
        sets.Observe("/l/auth.log.1", jan);
        sets.Observe("/l/auth.log.2.gz!", copied);
        Assert.Equal(jan, sets.Bound("/l/auth.log.2.gz!", copied));   // older than .1
        Assert.Equal(copied, sets.Bound("/l/auth.log", copied));       // the live file has no newer sibling
        Assert.Equal(new DateTime(2024, 5, 23, 0, 0, 0, DateTimeKind.Utc), sets.Bound("/l/secure-20240521", copied));
        Assert.Null(sets.Bound("/l/other", new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc))); // epoch mtimes are no evidence
    }

    [Fact]
    public void Year_inference_in_a_tar_uses_the_newer_sibling_even_when_it_comes_later()
    {
        using var dir = new TempDir();
        var tar = dir.Combine("logs.tar");
        var reset = new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc); // copy time, not the log's age
        using (var fs = File.Create(tar))
        using (var w = new TarWriter(fs, TarEntryFormat.Pax))
        {
            // auth.log.1 holds December lines; its own mtime was reset by the copy (2026-03), but the newer
            // auth.log (written 2025-01-10) comes later in the tar and bounds it: December 2024, not 2025.
            Add(w, "var/log/auth.log.1", "Dec 30 10:00:00 h sshd[1]: Failed password for root from 203.0.113.9 port 4000 ssh2\n", reset);
            Add(w, "var/log/auth.log", "Jan 10 10:00:00 h sshd[1]: Failed password for root from 203.0.113.9 port 4001 ssh2\n", new DateTime(2025, 1, 10, 12, 0, 0, DateTimeKind.Utc));
        }
        var m = ArchiveKit.Ingest(dir, "case", null, "UTC", tar);
        Assert.Equal(new DateTime(2025, 1, 10, 12, 0, 0, DateTimeKind.Utc), ArchiveKit.Entry(m, "!var/log/auth.log.1").ReferenceTimeUtc);
        Assert.Equal(["2024-12-30", "2025-01-10"], ArchiveKit.Rows(dir.Combine("case"), "SELECT strftime(ts, '%Y-%m-%d') FROM read_parquet('$CASE/events/**/*.parquet') ORDER BY ts"));
    }
}
