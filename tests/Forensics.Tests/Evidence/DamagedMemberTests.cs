using System.Formats.Tar;
using System.IO.Compression;
using Forensics.Tests.Support;

namespace Forensics.Tests.Evidence;

/// <summary>
/// One damaged member is that member's problem: it becomes partial or failed with its offset and reason, and the
/// other members and inputs are ingested (archives and damage written by the tests themselves).
/// </summary>
public class DamagedMemberTests
{
    private static readonly (string Name, int Lines)[] Members = [("var/log/one.log", 5), ("var/log/two.log", 3000), ("var/log/three.log", 7)];

    [Fact]
    public void A_tar_gz_cut_in_the_first_bytes_of_a_member_keeps_the_members_before_it_and_the_other_inputs()
    {
        using var dir = new TempDir();
        var tar = new MemoryStream();
        using (var w = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
            foreach (var (name, lines) in Members)
                w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(ArchiveKit.AuthLines(lines)), ModificationTime = ArchiveKit.FixedMtime });
        // Cut 1,000 bytes into two.log's data: inside the head that is read to recognise the member's format.
        int twoData = FindMemberData(tar.ToArray(), "var/log/two.log");
        var cut = dir.Combine("cut.tar.gz");
        using (var f = File.Create(cut))
        using (var gz = new GZipStream(f, CompressionLevel.Fastest))
            gz.Write(tar.ToArray().AsSpan(0, twoData + 1000));
        var other = dir.Combine("other.log");
        File.WriteAllBytes(other, ArchiveKit.AuthLines(4, host: "web2"));

        var m = ArchiveKit.Ingest(dir, "case", null, "UTC", cut, other);

        Assert.Equal(5, ArchiveKit.Entry(m, "!var/log/one.log").Events);
        var two = ArchiveKit.Entry(m, "!var/log/two.log");
        Assert.Equal("partial", two.Status);
        Assert.Equal(1000, two.Size);
        Assert.Contains("truncated", two.Reason, StringComparison.Ordinal);
        Assert.Contains("after 1000 ", two.Reason, StringComparison.Ordinal);
        Assert.True(two.Events > 0 && two.Events < 3000, $"{two.Events} events");
        var archive = ArchiveKit.Entry(m, "cut.tar.gz");
        Assert.Equal("failed", archive.Status);
        Assert.Matches("offset [0-9]+", archive.Reason!);
        Assert.Equal(4, ArchiveKit.Entry(m, "other.log").Events);
        Assert.Equal("complete", m.Status);
        Assert.True(m.Totals.Balanced);
    }

    /// <summary>Damage to one member: its deflate data, its CRC-32, or its compression method (APPNOTE 4.4.5, 4.4.7).</summary>
    [Theory]
    [InlineData("data")]
    [InlineData("crc")]
    [InlineData("method")]
    public void A_zip_member_with_corrupt_data_fails_alone_and_the_other_members_and_inputs_are_read(string damage)
    {
        using var dir = new TempDir();
        var bytes = Zip(Members);
        int data = LocalData(bytes, "var/log/two.log");
        int header = LocalHeaderOf(bytes, "var/log/two.log"), central = CentralHeaderOf(bytes, "var/log/two.log");
        switch (damage)
        {
            case "data": // the decoder meets an invalid block (or a CRC mismatch at the end)
                for (int i = 0; i < 16; i++) bytes[data + 40 + i] ^= 0xA5;
                break;
            case "crc": // the data inflates, its CRC-32 does not match (local header offset 14, central 16)
                bytes[header + 14] ^= 0xFF;
                bytes[central + 16] ^= 0xFF;
                break;
            case "method": // method 99 (AE-x encryption marker, not a compression) in both headers (offsets 8 and 10)
                bytes[header + 8] = 99;
                bytes[central + 10] = 99;
                break;
        }
        var zip = dir.Combine("corrupt.zip");
        File.WriteAllBytes(zip, bytes);
        var other = dir.Combine("other.log");
        File.WriteAllBytes(other, ArchiveKit.AuthLines(4, host: "web2"));

        var m = ArchiveKit.Ingest(dir, "case", null, "UTC", zip, other);

        Assert.Equal(5, ArchiveKit.Entry(m, "!var/log/one.log").Events);
        Assert.Equal(7, ArchiveKit.Entry(m, "!var/log/three.log").Events);
        var two = ArchiveKit.Entry(m, "!var/log/two.log");
        Assert.Contains(two.Status, new[] { "partial", "failed" });
        Assert.Matches("after [0-9]+ decompressed bytes", two.Reason!);
        Assert.Equal(4, ArchiveKit.Entry(m, "other.log").Events);
        Assert.Equal("complete", m.Status);
    }

    /// <summary>
    /// A zip with one byte inserted: before the first local header unzip reads every member ("1 extra byte at
    /// beginning or within zipfile"); inside the first header (its signature, its fields) that member is lost
    /// and unzip's offset compensation loses the rest too. The local-header scan reads every member whose
    /// header is intact: at least what unzip reads, checked against `unzip -t` when it is installed.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(20)]
    public void A_zip_with_one_byte_inserted_near_the_start_recovers_every_member_with_an_intact_header(int at)
    {
        using var dir = new TempDir();
        var bytes = Zip(Members);
        var shifted = dir.Combine("shifted.zip");
        File.WriteAllBytes(shifted, [.. bytes.AsSpan(0, at), (byte)'X', .. bytes.AsSpan(at)]);

        var m = ArchiveKit.Ingest(dir, "case", null, "UTC", shifted);

        var intact = at == 0 ? Members : Members[1..];
        foreach (var (name, lines) in intact)
            Assert.Equal(lines, ArchiveKit.Entry(m, "!" + name).Events);
        var archive = ArchiveKit.Entry(m, "shifted.zip");
        Assert.Contains("recovered from local headers", archive.Reason, StringComparison.Ordinal);
        if (File.Exists("/usr/bin/unzip"))
        {
            var unzipRead = UnzipTestedOk(shifted);
            if (at == 0) Assert.Equal(3, unzipRead.Count);
            Assert.Subset(intact.Select(e => e.Name).ToHashSet(), unzipRead.ToHashSet());
        }
    }

    private static byte[] Zip((string Name, int Lines)[] members)
    {
        var ms = new MemoryStream();
        using (var a = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, lines) in members)
            {
                var e = a.CreateEntry(name, CompressionLevel.Optimal);
                e.LastWriteTime = ArchiveKit.FixedMtime;
                using var s = e.Open();
                s.Write(ArchiveKit.AuthLines(lines));
            }
        return ms.ToArray();
    }

    /// <summary>Offset of a member's data after its local header (APPNOTE 4.3.7: 30 bytes, name, extra field).</summary>
    private static int LocalData(byte[] zip, string name)
    {
        var nameBytes = System.Text.Encoding.ASCII.GetBytes(name);
        for (int i = 0; i + 30 < zip.Length; i++)
        {
            if (!zip.AsSpan(i).StartsWith("PK\x03\x04"u8) || !zip.AsSpan(i + 30).StartsWith(nameBytes)) continue;
            return i + 30 + BitConverter.ToUInt16(zip, i + 26) + BitConverter.ToUInt16(zip, i + 28);
        }
        throw new InvalidOperationException($"no local header for {name}");
    }

    private static int LocalHeaderOf(byte[] zip, string name) => HeaderOf(zip, name, "PK\x03\x04"u8.ToArray(), 30);
    private static int CentralHeaderOf(byte[] zip, string name) => HeaderOf(zip, name, "PK\x01\x02"u8.ToArray(), 46);

    private static int HeaderOf(byte[] zip, string name, byte[] signature, int nameAt)
    {
        var nameBytes = System.Text.Encoding.ASCII.GetBytes(name);
        for (int i = 0; i + nameAt < zip.Length; i++)
            if (zip.AsSpan(i).StartsWith(signature) && zip.AsSpan(i + nameAt).StartsWith(nameBytes)) return i;
        throw new InvalidOperationException($"no header for {name}");
    }

    /// <summary>Offset of a tar member's data: the 512-byte block after the header that names it.</summary>
    private static int FindMemberData(byte[] tar, string name)
    {
        var nameBytes = System.Text.Encoding.ASCII.GetBytes(name);
        for (int block = 0; block < tar.Length; block += 512)
            if (tar.AsSpan(block).StartsWith(nameBytes) && tar[block + 156] == (byte)'0') return block + 512;
        throw new InvalidOperationException($"no tar header for {name}");
    }

    /// <summary>Members `unzip -t` reads back intact ("testing: NAME OK").</summary>
    private static List<string> UnzipTestedOk(string zip)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("unzip", ["-t", zip]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return output.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("testing: ", StringComparison.Ordinal) && l.EndsWith(" OK", StringComparison.Ordinal))
            .Select(l => l["testing: ".Length..^" OK".Length].Trim()).ToList();
    }
}
