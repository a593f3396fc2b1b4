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
        // Row groups of 4 rows, batches of 3: a row group is made of whole batches, so every second batch
        // closes one while the previous one may still be encoding in the background (regression: buffers of a
        // row group being written were reused for the next rows).
        using var dir = new TempDir();
        var writer = new CaseWriter(dir.Path, rowGroupSize: 4);
        for (int b = 0; b < 5; b++)
            await writer.WriteEventsAsync(FormatRegistry.ById("syslog")!, "f", "sha", EventBatch.FromEvents(Batch(b * 3, 3)));
        await writer.CompleteAsync(CancellationToken.None);
        await writer.DisposeAsync();
        SecondReader.AgreesWithDuckDb(dir.Path);
        var rows = Duck.Rows($"SELECT source_offset, \"user\", message, invalid_user FROM {Duck.Events(dir.Path)}");
        Assert.Equal(15, rows.Count);
        for (int i = 0; i < 15; i++)
        {
            Assert.Equal((long)i * 10, rows[i][0]);
            Assert.Equal("u" + i, rows[i][1]);
            Assert.Equal("m" + i, rows[i][2]);
            Assert.Equal(i % 2 == 0, rows[i][3]);
        }
        // 3+3, 3+3, 3: rows 6, 6, 3.
        Assert.Equal("6,6,3", string.Join(',', Duck.Rows($"SELECT row_group_num_rows FROM parquet_metadata('{dir.Path}/events/syslog/part-0.parquet') WHERE column_id = 0 ORDER BY row_group_id").Select(r => r[0])));
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
