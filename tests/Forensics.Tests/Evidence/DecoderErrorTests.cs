using Forensics.Tests.Support;

namespace Forensics.Tests.Evidence;

/// <summary>
/// Regression tests for tests/fuzz.sh findings (target "compressed"): a decoder's own exception type for corrupt
/// data (ZstdSharp's ZstdException) escaped discovery and failed the whole run, losing every other input.
/// </summary>
public class DecoderErrorTests
{
    private static byte[] ZstdWithChecksum(byte[] content)
    {
        using var compressor = new ZstdSharp.Compressor(3);
        compressor.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_checksumFlag, 1);
        return compressor.Wrap(content).ToArray();
    }

    [Fact]
    public void A_zstd_file_whose_checksum_fails_is_partial_with_its_records_and_the_run_goes_on()
    {
        using var dir = new TempDir();
        // More than the 64 KiB sniffing head, so the error comes while the content is spooled (an error inside the
        // head is the archive-fault work of issue 13 item 2).
        var zst = ZstdWithChecksum(ArchiveKit.AuthLines(2000));
        zst[^1] ^= 0xFF; // RFC 8878 §3.1.1: the frame ends with the low 4 bytes of the content's XXH64
        File.WriteAllBytes(dir.Combine("auth.log.1.zst"), zst);
        File.WriteAllBytes(dir.Combine("auth.log"), ArchiveKit.AuthLines(7, host: "web2"));

        var m = ArchiveKit.Ingest(dir, "case", null, "UTC", dir.Combine("auth.log.1.zst"), dir.Combine("auth.log"));

        var damaged = ArchiveKit.Entry(m, "auth.log.1.zst!");
        Assert.True(damaged.Status == "partial", $"{damaged.Status}: {damaged.Reason}");
        Assert.Contains("zstd data is corrupt", damaged.Reason);
        Assert.Contains("checksum", damaged.Reason);
        // The decoder withholds its last window when the checksum fails: what it did give is parsed.
        Assert.InRange(damaged.Events, 1, 1999);
        Assert.Equal(7, ArchiveKit.Entry(m, "/auth.log").Events);
        Assert.True(m.Totals.Balanced);
    }

    [Fact]
    public void A_zstd_file_corrupt_from_its_first_block_fails_alone()
    {
        using var dir = new TempDir();
        var zst = ZstdWithChecksum(ArchiveKit.AuthLines(500));
        for (int i = 12; i < 40; i++) zst[i] ^= 0x5A; // the first block's header and literals
        File.WriteAllBytes(dir.Combine("auth.log.2.zst"), zst);
        File.WriteAllBytes(dir.Combine("auth.log"), ArchiveKit.AuthLines(7, host: "web2"));

        var m = ArchiveKit.Ingest(dir, "case", null, "UTC", dir.Combine("auth.log.2.zst"), dir.Combine("auth.log"));

        var damaged = ArchiveKit.Entry(m, "auth.log.2.zst!");
        Assert.Contains(damaged.Status, new[] { "failed", "partial" });
        Assert.Contains("zstd data is corrupt", damaged.Reason);
        Assert.Equal(7, ArchiveKit.Entry(m, "/auth.log").Events);
    }
}
