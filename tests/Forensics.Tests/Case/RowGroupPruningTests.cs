using Forensics.Pipeline.Case;
using Forensics.Pipeline.Formats;
using Forensics.Pipeline.Model;
using Forensics.Pipeline.Query;
using Forensics.Tests.Support;

namespace Forensics.Tests.Case;

public class RowGroupPruningTests
{
    /// <summary>
    /// DuckDB skips row groups whose <c>ts</c> statistics lie outside a time filter, through the case's
    /// <c>events</c> view. Proof by poison: the <c>ts</c> column chunks of every row group before the filter are
    /// overwritten with junk, so a scan that read them would fail; the narrow filter still answers, and gives
    /// the count a full scan of the intact file gave.
    /// </summary>
    [Fact]
    public async Task A_narrow_time_filter_reads_only_the_row_groups_it_needs()
    {
        using var dir = new TempDir();
        var writer = new CaseWriter(dir.Path, rowGroupSize: 8_000);
        var start = new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc);
        var syslog = FormatRegistry.ById("syslog")!;
        for (int b = 0; b < 10; b++)
        {
            var events = Enumerable.Range(b * 4096, 4096).Select(i => new ForensicEvent
            {
                TsMicros = ForensicEvent.ToMicros(start) + i * 1_000_000L, Event = EventKinds.SshFailedPassword, User = "u" + (i % 7), Message = "line " + i, SourceOffset = i * 80L,
            });
            await writer.WriteEventsAsync(syslog, "h", "auth.log", new string('a', 64), EventBatch.FromEvents(events));
        }
        await writer.CompleteAsync(CancellationToken.None);
        await writer.DisposeAsync();
        var part = Duck.EventPart(dir.Path, "syslog");
        var groups = Duck.Rows($"SELECT row_group_id, data_page_offset, total_compressed_size, stats_max FROM parquet_metadata('{part}') WHERE path_in_schema = 'ts' ORDER BY row_group_id");
        Assert.True(groups.Count >= 5, $"{groups.Count} row groups");

        // The last 100 seconds: inside the last row group only.
        var from = start.AddSeconds(40_960 - 100);
        const string Narrow = "SELECT count(*), min(source_offset) FROM events WHERE ts >= $from";
        var parameters = new Dictionary<string, object?> { ["from"] = DateTime.SpecifyKind(from, DateTimeKind.Unspecified) };
        object?[] intact;
        using (var session = CaseSession.Open(dir.Path)) intact = session.Run(Narrow, parameters).Rows[0];
        Assert.Equal(100L, intact[0]);

        using (var file = new FileStream(part, FileMode.Open, FileAccess.ReadWrite))
        {
            foreach (var g in groups.Take(groups.Count - 1))
            {
                file.Position = Convert.ToInt64(g[1]);
                file.Write(Enumerable.Repeat((byte)0xFF, Convert.ToInt32(g[2])).ToArray());
            }
        }
        using (var session = CaseSession.Open(dir.Path))
        {
            Assert.Equal(intact, session.Run(Narrow, parameters).Rows[0]);
            // Without a time filter the poisoned chunks are read, and DuckDB says the file is broken: the poison works.
            Assert.ThrowsAny<Exception>(() => session.Run("SELECT sum(epoch_us(ts)) FROM events"));
        }
    }
}
