using Forensics.Pipeline.Query;
using Forensics.Tests.Support;

namespace Forensics.Tests.Query;

/// <summary>
/// A large timeline is exported as time slices, each sorted on its own (Query/TimelineSlices.cs). Cut into slices
/// of a few rows, the synthetic case (several formats, equal timestamps, a row without a time) must give the very
/// same bytes as one sort, in every format; --unsorted gives the same rows in some order.
/// </summary>
public sealed class TimelineSliceTests
{
    private static async Task<byte[]> Export(string caseDir, TimelineFormat format, TimelineOptions options, TimelineFilter? filter = null)
    {
        using var session = CaseSession.Open(caseDir);
        using var ms = new MemoryStream();
        await TimelineExport.WriteAsync(session, format, filter ?? new TimelineFilter(), ms, options);
        return ms.ToArray();
    }

    [Theory]
    [InlineData(TimelineFormat.Csv)]
    [InlineData(TimelineFormat.Timesketch)]
    [InlineData(TimelineFormat.L2tCsv)]
    [InlineData(TimelineFormat.Jsonl)]
    public async Task Sliced_export_equals_one_sort(TimelineFormat format)
    {
        using var tmp = new TempDir();
        SyntheticCase.Create(tmp.Path);
        var whole = await Export(tmp.Path, format, new TimelineOptions());
        foreach (var rows in new long[] { 1, 3, 7 })
            Assert.Equal(whole, await Export(tmp.Path, format, new TimelineOptions { RowsPerSlice = rows }));
    }

    /// <summary>Arrow files of several slices hold more record batches; their rows, in order, are the same.</summary>
    [Fact]
    public async Task Sliced_arrow_export_has_the_same_rows_in_the_same_order()
    {
        using var tmp = new TempDir();
        SyntheticCase.Create(tmp.Path);
        var whole = ArrowRows(await Export(tmp.Path, TimelineFormat.Arrow, new TimelineOptions()));
        Assert.NotEmpty(whole);
        Assert.Equal(whole, ArrowRows(await Export(tmp.Path, TimelineFormat.Arrow, new TimelineOptions { RowsPerSlice = 2 })));
    }

    private static List<string> ArrowRows(byte[] file)
    {
        using var reader = new Apache.Arrow.Ipc.ArrowFileReader(new MemoryStream(file));
        var rows = new List<string>();
        while (reader.ReadNextRecordBatch() is { } batch)
            using (batch)
                for (int r = 0; r < batch.Length; r++)
                    rows.Add(string.Join("|", Enumerable.Range(0, batch.ColumnCount).Select(c => Value(batch.Column(c), r))));
        return rows;

        static string Value(Apache.Arrow.IArrowArray a, int r) => a.IsNull(r) ? "<null>" : a switch
        {
            Apache.Arrow.StringArray s => s.GetString(r),
            Apache.Arrow.StringViewArray v => v.GetString(r),
            Apache.Arrow.Int64Array i => i.GetValue(r)!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Apache.Arrow.Int32Array i => i.GetValue(r)!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Apache.Arrow.DoubleArray d => d.GetValue(r)!.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            Apache.Arrow.BooleanArray b => b.GetValue(r)!.Value.ToString(),
            Apache.Arrow.TimestampArray t => t.GetTimestampUnchecked(r).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            _ => a.GetType().Name,
        };
    }

    [Fact]
    public async Task Slices_are_planned_and_cover_the_filter()
    {
        using var tmp = new TempDir();
        SyntheticCase.Create(tmp.Path);
        using (var session = CaseSession.Open(tmp.Path))
        {
            var slices = TimelineSlices.Plan(session, "true", new Dictionary<string, object?>(), needsTime: false, rowsPerSlice: 3);
            Assert.True(slices.Count > 3, $"expected several slices, got {slices.Count}");
            Assert.Equal("ts IS NULL", slices[^1]);
        }
        var filter = new TimelineFilter { From = new DateTime(2024, 5, 21, 0, 0, 0, DateTimeKind.Utc), Events = ["ssh.*", "http.request"] };
        Assert.Equal(await Export(tmp.Path, TimelineFormat.Csv, new TimelineOptions(), filter),
                     await Export(tmp.Path, TimelineFormat.Csv, new TimelineOptions { RowsPerSlice = 2 }, filter));
    }

    [Fact]
    public async Task Unsorted_export_has_the_same_rows()
    {
        using var tmp = new TempDir();
        SyntheticCase.Create(tmp.Path);
        static string[] Lines(byte[] csv) => System.Text.Encoding.UTF8.GetString(csv).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToArray();
        var sorted = Lines(await Export(tmp.Path, TimelineFormat.Jsonl, new TimelineOptions()));
        var unsorted = Lines(await Export(tmp.Path, TimelineFormat.Jsonl, new TimelineOptions { Sorted = false, RowsPerSlice = 4 }));
        Assert.Equal(sorted, unsorted);
        Assert.NotEmpty(sorted);
    }
}
