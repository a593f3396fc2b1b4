using Forensics.Pipeline.Case;
using Forensics.Pipeline.Formats;
using Forensics.Pipeline.Formats.Classify;
using Forensics.Pipeline.Model;
using Forensics.Pipeline.Stages;
using Forensics.Tests.Support;

namespace Forensics.Tests.Case;

public class CaseWriterTests
{
    private static List<ForensicEvent> Batch(int start, int count) => Enumerable.Range(start, count).Select(i =>
    {
        var e = new ForensicEvent { TsMicros = 1_716_299_409_000_000L + i, Event = EventKinds.SshInvalidUser, User = "u" + i, Message = "m" + i, SourceOffset = i * 10 };
        e.Set(SshdClassifier.InvalidUser, i % 2 == 0);
        return e;
    }).ToList();

    [Fact]
    public async Task Batches_that_straddle_row_groups_are_written_whole_and_in_order()
    {
        // Row groups of 1000 rows, batches of 600: a row group is made of whole batches, so every second batch
        // closes one while the previous one may still be encoding in the background (regression: buffers of a
        // row group being written were reused for the next rows).
        using var dir = new TempDir();
        var writer = new CaseWriter(dir.Path, rowGroupSize: 1000);
        for (int b = 0; b < 5; b++)
            await writer.WriteEventsAsync(FormatRegistry.ById("syslog")!, "h", "f", "sha", EventBatch.FromEvents(Batch(b * 600, 600)));
        await writer.CompleteAsync(CancellationToken.None);
        await writer.DisposeAsync();
        SecondReader.AgreesWithDuckDb(dir.Path);
        var rows = Duck.Rows($"SELECT source_offset, \"user\", message, invalid_user FROM {Duck.Events(dir.Path)}");
        Assert.Equal(3000, rows.Count);
        for (int i = 0; i < 3000; i++)
        {
            Assert.Equal((long)i * 10, rows[i][0]);
            Assert.Equal("u" + i, rows[i][1]);
            Assert.Equal("m" + i, rows[i][2]);
            Assert.Equal(i % 2 == 0, rows[i][3]);
        }
        Assert.Equal("1200,1200,600", string.Join(',', Duck.Rows($"SELECT row_group_num_rows FROM parquet_metadata('{Duck.EventPart(dir.Path, "syslog")}') WHERE column_id = 0 ORDER BY row_group_id").Select(r => r[0])));
    }

    [Fact]
    public async Task Small_batches_of_many_files_are_compacted_and_keep_each_rows_file()
    {
        // Files of a few lines give batches of a few rows; the writer copies them into one batch, and each row
        // must still name its own file and hash, in order, with extra columns only where their file set them.
        using var dir = new TempDir();
        var writer = new CaseWriter(dir.Path, rowGroupSize: 100_000);
        var syslog = FormatRegistry.ById("syslog")!;
        for (int f = 0; f < 300; f++)
        {
            var events = Batch(f * 10, 3 + f % 5); // every third file sets invalid_user, the others do not
            await writer.WriteEventsAsync(syslog, "h", $"file-{f}", $"sha-{f}", EventBatch.FromEvents(f % 3 == 0 ? events : events.Select(e => new ForensicEvent { TsMicros = e.TsMicros, Event = e.Event, User = e.User, Message = e.Message, SourceOffset = e.SourceOffset })));
        }
        await writer.CompleteAsync(CancellationToken.None);
        await writer.DisposeAsync();
        SecondReader.AgreesWithDuckDb(dir.Path);
        var rows = Duck.Rows($"SELECT source_file, source_sha256, source_offset, \"user\", invalid_user FROM {Duck.Events(dir.Path)}");
        int expected = Enumerable.Range(0, 300).Sum(f => 3 + f % 5);
        Assert.Equal(expected, rows.Count);
        int r = 0;
        for (int f = 0; f < 300; f++)
        {
            for (int i = 0; i < 3 + f % 5; i++, r++)
            {
                int n = f * 10 + i;
                Assert.Equal($"file-{f}", rows[r][0]);
                Assert.Equal($"sha-{f}", rows[r][1]);
                Assert.Equal((long)n * 10, rows[r][2]);
                Assert.Equal("u" + n, rows[r][3]);
                Assert.Equal(f % 3 == 0 ? n % 2 == 0 : null, rows[r][4]);
            }
        }
    }

    [Fact]
    public async Task Two_files_of_one_format_through_small_row_groups_keep_every_record()
    {
        using var dir = new TempDir();
        var folder = dir.Combine("evidence");
        Directory.CreateDirectory(folder);
        for (int f = 0; f < 2; f++)
            File.WriteAllText(Path.Combine(folder, $"auth.log.{f}"), string.Concat(Enumerable.Range(0, 1500 + f * 77).Select(i =>
                $"2024-05-21T03:{i / 60 % 60:00}:{i % 60:00}.000000+00:00 h{f} sshd[{i}]: Connection closed by 10.0.{f}.{i % 250} port {i}\n")));
        var manifest = await IngestRunner.RunAsync(new IngestOptions { Inputs = [folder], CaseDirectory = dir.Combine("case"), RowGroupSize = 1000, Workers = 2 });
        Assert.Equal(3077, manifest.Totals.Events);
        SecondReader.AgreesWithDuckDb(dir.Combine("case"));
        Assert.Equal(3077L, Duck.Scalar($"SELECT count(DISTINCT (source_file, source_offset)) FROM {Duck.Events(dir.Combine("case"))}"));
        Assert.Equal(1577L, Duck.Scalar($"SELECT count(*) FROM {Duck.Events(dir.Combine("case"))} WHERE host = 'h1' AND src_ip LIKE '10.0.1.%'"));
    }
}
