using System.Formats.Tar;
using System.IO.Compression;
using Forensics.Pipeline.Evidence;
using Forensics.Tests.Support;

namespace Forensics.Tests.Evidence;

/// <summary>Crafted hostile archives, written by the tests themselves: each case is a clean, named reject.</summary>
public class HostileArchiveTests
{
    private static void AddFile(TarWriter w, string name, byte[] data)
    {
        var e = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data), ModificationTime = ArchiveKit.FixedMtime };
        w.WriteEntry(e);
    }

    [Fact]
    public void Tar_links_devices_and_traversal_are_skipped_with_reasons_and_nothing_is_written()
    {
        using var dir = new TempDir();
        var tar = dir.Combine("hostile.tar");
        using (var fs = File.Create(tar))
        using (var w = new TarWriter(fs, TarEntryFormat.Pax))
        {
            AddFile(w, "../../escape.log", ArchiveKit.AuthLines(3));
            AddFile(w, "/etc/cron.d/evil", ArchiveKit.AuthLines(3));
            w.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "var/log/link.log") { LinkName = "/etc/shadow" });
            w.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "var/log/hard.log") { LinkName = "../../../etc/shadow" });
            w.WriteEntry(new PaxTarEntry(TarEntryType.CharacterDevice, "dev/zero") { DeviceMajor = 1, DeviceMinor = 5 });
            w.WriteEntry(new PaxTarEntry(TarEntryType.BlockDevice, "dev/sda") { DeviceMajor = 8, DeviceMinor = 0 });
            w.WriteEntry(new PaxTarEntry(TarEntryType.Fifo, "run/fifo"));
            AddFile(w, "var/log/" + new string('a', 150) + "/auth.log", ArchiveKit.AuthLines(5)); // pax long name
        }
        var before = Directory.GetFileSystemEntries(dir.Path, "*", SearchOption.AllDirectories).Length;
        var m = ArchiveKit.Ingest(dir, "case", null, "UTC", tar);

        Assert.Contains("path traversal", ArchiveKit.Entry(m, "!../../escape.log").Reason);
        Assert.Equal("skipped", ArchiveKit.Entry(m, "!../../escape.log").Status);
        Assert.Contains("absolute member path", ArchiveKit.Entry(m, "!/etc/cron.d/evil").Reason);
        Assert.Contains("symbolic link to '/etc/shadow' (not followed)", ArchiveKit.Entry(m, "!var/log/link.log").Reason);
        Assert.Contains("hard link", ArchiveKit.Entry(m, "!var/log/hard.log").Reason);
        Assert.Contains("character device", ArchiveKit.Entry(m, "!dev/zero").Reason);
        Assert.Contains("block device", ArchiveKit.Entry(m, "!dev/sda").Reason);
        Assert.Contains("FIFO", ArchiveKit.Entry(m, "!run/fifo").Reason);
        var good = ArchiveKit.Entry(m, "/auth.log");
        Assert.Equal("parsed", good.Status);
        Assert.Equal(5, good.Events);
        Assert.Equal("archive", ArchiveKit.Entry(m, "hostile.tar").Status);
        // Nothing escaped: no file appeared outside the case folder, and none named after a member anywhere.
        Assert.False(File.Exists(Path.Combine(dir.Path, "..", "escape.log")));
        var outside = Directory.GetFileSystemEntries(dir.Path, "*", SearchOption.AllDirectories).Where(p => !p.StartsWith(dir.Combine("case"), StringComparison.Ordinal)).ToList();
        Assert.Equal(before, outside.Count);
        Assert.DoesNotContain(Directory.GetFiles(dir.Combine("case"), "*", SearchOption.AllDirectories), p => p.Contains("escape", StringComparison.Ordinal) || p.Contains("shadow", StringComparison.Ordinal));
    }

    [Fact]
    public void Zip_symlinks_and_traversal_are_skipped_and_the_rest_is_read()
    {
        using var dir = new TempDir();
        var zip = dir.Combine("hostile.zip");
        using (var fs = File.Create(zip))
        using (var a = new ZipArchive(fs, ZipArchiveMode.Create))
        {
            var slip = a.CreateEntry("../../../tmp/zip-slip.log");
            using (var s = slip.Open()) s.Write(ArchiveKit.AuthLines(2));
            var win = a.CreateEntry("..\\..\\windows.log");
            using (var s = win.Open()) s.Write(ArchiveKit.AuthLines(2));
            // Info-ZIP stores a symlink as mode S_IFLNK|0777 in the external attributes' high half; content = target.
            var link = a.CreateEntry("var/log/secure");
            link.ExternalAttributes = unchecked((int)(0xA1FFu << 16));
            using (var s = link.Open()) s.Write("/etc/shadow"u8);
            var dev = a.CreateEntry("dev/null");
            dev.ExternalAttributes = unchecked((int)(0x21B6u << 16));
            var ok = a.CreateEntry("var/log/auth.log");
            using (var s = ok.Open()) s.Write(ArchiveKit.AuthLines(7));
        }
        var m = ArchiveKit.Ingest(dir, "case", null, "UTC", zip);
        Assert.Contains("path traversal", ArchiveKit.Entry(m, "!../../../tmp/zip-slip.log").Reason);
        Assert.Contains("path traversal", ArchiveKit.Entry(m, "!../../windows.log").Reason);
        Assert.Contains("symbolic link to '/etc/shadow' (not followed)", ArchiveKit.Entry(m, "!var/log/secure").Reason);
        Assert.Contains("character device", ArchiveKit.Entry(m, "!dev/null").Reason);
        Assert.Equal(7, ArchiveKit.Entry(m, "!var/log/auth.log").Events);
        Assert.False(File.Exists("/tmp/zip-slip.log"));
    }

    private static readonly AcquisitionLimits SmallLimits = new() { RatioGraceBytes = 1 << 20, MaxExpansionRatio = 50, InMemorySpoolBytes = 4 << 20 };

    [Fact]
    public void A_bomb_member_in_a_tar_gz_is_cut_and_the_following_members_are_still_read()
    {
        using var dir = new TempDir();
        var tgz = dir.Combine("bomb.tar.gz");
        using (var fs = File.Create(tgz))
        using (var gz = new GZipStream(fs, CompressionLevel.SmallestSize))
        using (var w = new TarWriter(gz, TarEntryFormat.Pax))
        {
            AddFile(w, "var/log/before.log", ArchiveKit.AuthLines(4));
            AddFile(w, "var/log/zeros.log", new byte[24 << 20]); // ~1000:1 in gzip
            AddFile(w, "var/log/after.log", ArchiveKit.AuthLines(6));
        }
        var m = ArchiveKit.Ingest(dir, "case", SmallLimits, "UTC", tgz);
        var bomb = ArchiveKit.Entry(m, "!var/log/zeros.log");
        Assert.Contains("expansion ratio", bomb.Reason);
        Assert.Contains("decompression bomb", bomb.Reason);
        Assert.True(bomb.Size < 24 << 20, $"bomb member was read to {bomb.Size} bytes");
        Assert.Equal(4, ArchiveKit.Entry(m, "!var/log/before.log").Events);
        Assert.Equal(6, ArchiveKit.Entry(m, "!var/log/after.log").Events);
        Assert.Equal("archive", ArchiveKit.Entry(m, "bomb.tar.gz").Status);
        Assert.True(m.Totals.Balanced);
    }

    [Fact]
    public void A_single_gz_bomb_is_cut_with_the_reason_and_a_member_size_limit_applies()
    {
        using var dir = new TempDir();
        var gzPath = dir.Combine("auth.log.1.gz");
        using (var fs = File.Create(gzPath))
        using (var gz = new GZipStream(fs, CompressionLevel.SmallestSize))
            gz.Write(new byte[24 << 20]);
        var big = dir.Combine("big.log.gz");
        using (var fs = File.Create(big))
        using (var gz = new GZipStream(fs, CompressionLevel.Fastest))
            gz.Write(ArchiveKit.AuthLines(20000));
        var m = ArchiveKit.Ingest(dir, "case", new AcquisitionLimits { RatioGraceBytes = 1 << 20, MaxExpansionRatio = 50, MaxMemberBytes = 512 << 10 }, "UTC", gzPath, big);
        var bomb = ArchiveKit.Entry(m, "auth.log.1.gz!");
        Assert.Contains("passed the limit", bomb.Reason);
        var capped = ArchiveKit.Entry(m, "big.log.gz!");
        Assert.Equal("partial", capped.Status);
        Assert.Contains("decompressed size passed the limit of 524288 bytes", capped.Reason);
        Assert.True(capped.Events > 0);
    }

    [Fact]
    public void A_truncated_tar_gz_keeps_the_members_before_the_damage_and_names_the_offset()
    {
        using var dir = new TempDir();
        var full = new MemoryStream();
        using (var gz = new GZipStream(full, CompressionLevel.Optimal, leaveOpen: true))
        using (var w = new TarWriter(gz, TarEntryFormat.Gnu))
        {
            AddFileGnu(w, "var/log/first.log", ArchiveKit.AuthLines(10));
            AddFileGnu(w, "var/log/second.log", ArchiveKit.AuthLines(4000));
        }
        var bytes = full.ToArray();
        var cut = dir.Combine("cut.tar.gz");
        File.WriteAllBytes(cut, bytes[..(bytes.Length * 2 / 3)]);
        var m = ArchiveKit.Ingest(dir, "case", null, "UTC", cut);
        Assert.Equal(10, ArchiveKit.Entry(m, "!var/log/first.log").Events);
        var second = ArchiveKit.Entry(m, "!var/log/second.log");
        Assert.Equal("partial", second.Status);
        Assert.True(second.Events > 0 && second.Events < 4000);
        var archive = ArchiveKit.Entry(m, "cut.tar.gz");
        Assert.Equal("failed", archive.Status);
        Assert.Matches("offset [0-9]+", archive.Reason!);
        Assert.Contains("second.log", archive.Reason);
        Assert.True(m.Totals.Balanced);
    }

    private static void AddFileGnu(TarWriter w, string name, byte[] data) =>
        w.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data), ModificationTime = ArchiveKit.FixedMtime });

    [Fact]
    public void A_corrupt_tar_header_names_the_last_good_member_and_the_offset()
    {
        using var dir = new TempDir();
        var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Ustar, leaveOpen: true))
        {
            w.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "a.log") { DataStream = new MemoryStream(ArchiveKit.AuthLines(3)) });
            w.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "b.log") { DataStream = new MemoryStream(ArchiveKit.AuthLines(3)) });
        }
        var bytes = ms.ToArray();
        int second = 512 + ((ArchiveKit.AuthLines(3).Length + 511) / 512) * 512;
        bytes[second + 148] = (byte)'9'; // not an octal digit: the header checksum is unreadable
        var tar = dir.Combine("bad.tar");
        File.WriteAllBytes(tar, bytes);
        var m = ArchiveKit.Ingest(dir, "case", null, "UTC", tar);
        Assert.Equal(3, ArchiveKit.Entry(m, "!a.log").Events);
        var archive = ArchiveKit.Entry(m, "bad.tar");
        Assert.Equal("failed", archive.Status);
        Assert.Contains($"offset {second}", archive.Reason);
        Assert.Contains("after member 'a.log'", archive.Reason);
    }

    [Fact]
    public void A_zip_without_its_central_directory_is_recovered_from_local_headers()
    {
        using var dir = new TempDir();
        var ms = new MemoryStream();
        using (var a = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (n, lines) in new[] { ("one.log", 5), ("two.log", 6) })
            {
                var e = a.CreateEntry("var/log/" + n);
                using var s = e.Open();
                s.Write(ArchiveKit.AuthLines(lines));
            }
        }
        var bytes = ms.ToArray();
        var zip = dir.Combine("truncated.zip");
        File.WriteAllBytes(zip, bytes[..(bytes.Length - 40)]);
        var m = ArchiveKit.Ingest(dir, "case", null, "UTC", zip);
        Assert.Equal(5, ArchiveKit.Entry(m, "!var/log/one.log").Events);
        Assert.Equal(6, ArchiveKit.Entry(m, "!var/log/two.log").Events);
        var archive = ArchiveKit.Entry(m, "truncated.zip");
        Assert.Equal("failed", archive.Status);
        Assert.Contains("recovered from local headers", archive.Reason);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_a_named_failure()
    {
        using var dir = new TempDir();
        byte[] content = ArchiveKit.AuthLines(2);
        for (int i = 0; i < 4; i++)
        {
            var ms = new MemoryStream();
            using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(content);
            content = ms.ToArray();
        }
        var path = dir.Combine("deep.log.gz.gz.gz.gz");
        File.WriteAllBytes(path, content);
        var m = ArchiveKit.Ingest(dir, "case", new AcquisitionLimits { MaxNesting = 2 }, "UTC", path);
        Assert.Contains(m.Inputs, i => i.Status == "failed" && i.Reason!.Contains("nested deeper than 2", StringComparison.Ordinal));
    }
}
