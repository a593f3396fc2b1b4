using System.Formats.Tar;
using System.IO.Compression;
using Forensics.Pipeline.Stages;
using Forensics.Tests.Evidence;
using Forensics.Tests.Support;

namespace Forensics.Tests.Stages;

/// <summary>
/// Decompression overlaps parsing: the next archive member is decompressed and hashed while the current one is
/// still being parsed, instead of after its last batch (on 2 cores the decompressor used to leave the parse
/// workers idle for every member).
/// </summary>
public sealed class ReadAheadTests
{
    [Fact]
    public async Task The_next_member_of_a_tar_gz_is_decompressed_while_the_current_one_is_still_being_parsed()
    {
        using var dir = new TempDir();
        var tgz = dir.Combine("logs.tar.gz");
        using (var f = File.Create(tgz))
        using (var gz = new GZipStream(f, CompressionLevel.Fastest))
        using (var w = new TarWriter(gz, TarEntryFormat.Pax))
        {
            // 40,000 lines are ~10 batches: more than the framed channel holds, so a framer that decompresses
            // the next member only after this one's last batch is stuck while its first batches wait to be parsed.
            w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "var/log/first.log") { DataStream = new MemoryStream(ArchiveKit.AuthLines(40_000)), ModificationTime = ArchiveKit.FixedMtime });
            w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "var/log/second.log") { DataStream = new MemoryStream(ArchiveKit.AuthLines(10, host: "web2")), ModificationTime = ArchiveKit.FixedMtime });
        }
        using var secondDiscovered = new ManualResetEventSlim();
        bool waitedInVain = false;
        var manifest = await IngestRunner.RunAsync(new IngestOptions
        {
            Inputs = [tgz], CaseDirectory = dir.Combine("case"), TimeZone = "UTC", Workers = 2,
            OnDiscovered = path => { if (path.EndsWith("!var/log/second.log", StringComparison.Ordinal)) secondDiscovered.Set(); },
            // Parsing of the first member waits until the second has been decompressed (bounded, so a failure ends).
            OnParse = _ =>
            {
                if (secondDiscovered.IsSet || Volatile.Read(ref waitedInVain)) return;
                if (!secondDiscovered.Wait(TimeSpan.FromSeconds(20))) waitedInVain = true;
            },
        });

        Assert.False(waitedInVain, "the second member was decompressed only after the first one's batches were parsed");
        Assert.Equal(40_000, ArchiveKit.Entry(manifest, "!var/log/first.log").Events);
        Assert.Equal(10, ArchiveKit.Entry(manifest, "!var/log/second.log").Events);
    }
}
