using Forensics.Pipeline.Formats;
using Forensics.Pipeline.Model;
using Forensics.Pipeline.Text;

namespace Forensics.Pipeline.Case;

/// <summary>
/// Writes events, rejects and side tables of one run into the case folder. Single-threaded by design
/// (the pipeline's write stage owns it). Each format gets its own folder of part files, so formats never share
/// a schema and <c>union_by_name</c> reads them together.
/// A part's schema is the spine plus only the extra columns its events use: a format declares every column
/// it might set (syslog: 25, most of them for systemd or audit lines), and null columns cost Parquet.Net about
/// as much CPU per row as filled ones. When a batch sets a column the current part lacks, the part is closed
/// and the next one starts with the union, so parts per format stay few (the set only grows).
/// Batches of a format alternate between <c>lanes</c> part files (part-N-L): one Parquet file is encoded by
/// one thread, and a single lane left a core idle on 2-core machines while the parse workers waited.
/// </summary>
public sealed class CaseWriter(string caseDirectory, int rowGroupSize, int lanes = 1) : IAsyncDisposable
{
    private readonly Dictionary<(string Format, int Lane), EventTable> _eventTables = [];
    private readonly Dictionary<string, long> _batchesPerFormat = new(StringComparer.Ordinal);
    private readonly List<ParquetTableWriter> _closedParts = [];
    private readonly Dictionary<string, ParquetTableWriter> _sideTables = new(StringComparer.Ordinal);
    private ParquetTableWriter? _rejects;

    private sealed record EventTable(ParquetTableWriter Writer, Dictionary<ExtraColumn, int> ExtraIndex, int ExtraCount, HashSet<ExtraColumn> Columns, int Part);

    public async Task WriteEventsAsync(string formatId, IReadOnlyList<ExtraColumn> extras, string sourceFile, string sha256, List<ForensicEvent> events, CancellationToken cancel)
    {
        if (events.Count == 0) return;
        var used = new HashSet<ExtraColumn>(ReferenceEqualityComparer.Instance);
        foreach (var e in events)
            foreach (var x in e.Extras) used.Add(x.Column);
        long batchNumber = _batchesPerFormat.GetValueOrDefault(formatId);
        _batchesPerFormat[formatId] = batchNumber + 1;
        int lane = (int)(batchNumber % Math.Max(1, lanes));
        _eventTables.TryGetValue((formatId, lane), out var table);
        if (table is null || !used.IsSubsetOf(table.Columns))
        {
            var declared = new HashSet<ExtraColumn>(extras, ReferenceEqualityComparer.Instance);
            var undeclared = used.FirstOrDefault(c => !declared.Contains(c));
            if (undeclared is not null) throw new InvalidOperationException($"format {formatId} set column {undeclared.Name} that it does not declare in ExtraColumns");
            if (table is not null)
            {
                await table.Writer.CompleteAsync(cancel).ConfigureAwait(false);
                _closedParts.Add(table.Writer);
                used.UnionWith(table.Columns);
            }
            // Declared order, so a part's column order does not depend on which line came first.
            var chosen = extras.Where(used.Contains).ToList();
            var columns = CaseLayout.SpineColumns.Concat(chosen.Select(x => new ColumnSpec(x.Name, x.Type, x.Type == ColumnType.String))).ToList();
            var dup = columns.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1);
            if (dup is not null) throw new InvalidOperationException($"format {formatId} declares column {dup.Key} twice");
            int part = table is null ? 0 : table.Part + 1;
            var path = Path.Combine(caseDirectory, CaseLayout.EventsFolder, formatId, lanes <= 1 ? $"part-{part}.parquet" : $"part-{part}-{lane}.parquet");
            var writer = await ParquetTableWriter.CreateAsync(path, columns, rowGroupSize, cancel).ConfigureAwait(false);
            var index = new Dictionary<ExtraColumn, int>(ReferenceEqualityComparer.Instance);
            for (int i = 0; i < chosen.Count; i++) index[chosen[i]] = CaseLayout.SpineColumns.Count + i;
            table = new EventTable(writer, index, chosen.Count, new HashSet<ExtraColumn>(chosen, ReferenceEqualityComparer.Instance), part);
            _eventTables[(formatId, lane)] = table;
        }
        var w = table.Writer;
        var spineColumns = new SpineColumns(w);
        int spine = CaseLayout.SpineColumns.Count;
        var extraSeen = new bool[table.ExtraCount];
        foreach (var e in events)
        {
            var c = spineColumns;
            c.Ts.Add(e.TsMicros);
            c.Quality.Add(e.TsMicros is null ? TsQuality.Missing : e.TsQuality);
            c.Host.Add(e.Host);
            c.Format.Add(formatId);
            c.Kind.Add(e.Event);
            c.Process.Add(e.Process);
            c.Pid.Add(e.Pid);
            c.Unit.Add(e.Unit);
            c.User.Add(e.User);
            c.SrcIp.Add(e.SrcIp);
            c.SrcPort.Add(e.SrcPort);
            c.Message.Add(e.Message);
            c.File.Add(sourceFile);
            c.Offset.Add(e.SourceOffset);
            c.Sha.Add(sha256);
            if (table.ExtraCount > 0)
            {
                Array.Clear(extraSeen);
                foreach (var x in e.Extras)
                {
                    if (!table.ExtraIndex.TryGetValue(x.Column, out int col))
                        throw new InvalidOperationException($"format {formatId} set column {x.Column.Name} that it does not declare in ExtraColumns");
                    w.Column(col).AddObject(x.Value);
                    extraSeen[col - spine] = true;
                }
                for (int i = 0; i < extraSeen.Length; i++)
                    if (!extraSeen[i]) w.Column(spine + i).AddObject(null);
            }
            else if (e.ExtraCount > 0)
            {
                throw new InvalidOperationException($"format {formatId} set column {e.Extras[0].Column.Name} that it does not declare in ExtraColumns");
            }
            if (await w.EndRowAsync(cancel).ConfigureAwait(false))
                spineColumns = new SpineColumns(w); // a flush swapped the writer's buffers: never append to the ones being written
        }
    }

    /// <summary>Typed views of the spine buffers of the writer's current row group.</summary>
    private sealed class SpineColumns(ParquetTableWriter w)
    {
        public readonly TimestampColumn Ts = (TimestampColumn)w.Column(0);
        public readonly StringColumn Quality = (StringColumn)w.Column(1);
        public readonly StringColumn Host = (StringColumn)w.Column(2);
        public readonly StringColumn Format = (StringColumn)w.Column(3);
        public readonly StringColumn Kind = (StringColumn)w.Column(4);
        public readonly StringColumn Process = (StringColumn)w.Column(5);
        public readonly ValueColumn<long> Pid = (ValueColumn<long>)w.Column(6);
        public readonly StringColumn Unit = (StringColumn)w.Column(7);
        public readonly StringColumn User = (StringColumn)w.Column(8);
        public readonly StringColumn SrcIp = (StringColumn)w.Column(9);
        public readonly ValueColumn<int> SrcPort = (ValueColumn<int>)w.Column(10);
        public readonly StringColumn Message = (StringColumn)w.Column(11);
        public readonly StringColumn File = (StringColumn)w.Column(12);
        public readonly ValueColumn<long> Offset = (ValueColumn<long>)w.Column(13);
        public readonly StringColumn Sha = (StringColumn)w.Column(14);
    }

    public async Task WriteRejectsAsync(string? formatId, string sourceFile, string sha256, IEnumerable<Reject> rejects, CancellationToken cancel)
    {
        foreach (var r in rejects)
        {
            _rejects ??= await ParquetTableWriter.CreateAsync(Path.Combine(caseDirectory, CaseLayout.RejectsFolder, "part-0.parquet"), CaseLayout.RejectColumns, rowGroupSize, cancel).ConfigureAwait(false);
            ((StringColumn)_rejects.Column(0)).Add(sourceFile);
            ((StringColumn)_rejects.Column(1)).Add(sha256);
            ((StringColumn)_rejects.Column(2)).Add(formatId);
            ((ValueColumn<long>)_rejects.Column(3)).Add(r.SourceOffset);
            ((StringColumn)_rejects.Column(4)).Add(r.Reason);
            ((BinaryColumn)_rejects.Column(5)).Add(r.Raw);
            ((StringColumn)_rejects.Column(6)).Add(Utf8Text.Decode(r.Raw));
            await _rejects.EndRowAsync(cancel).ConfigureAwait(false);
        }
    }

    /// <summary>Appends a side table's rows (with provenance columns) to CASE/&lt;name&gt;/.</summary>
    public async Task WriteSideTableAsync(SideTable table, string sourceFile, string sha256, CancellationToken cancel)
    {
        var columns = table.Columns.Select(c => new ColumnSpec(c.Column, c.Type, c.Type == ColumnType.String))
            .Append(new ColumnSpec("source_file", ColumnType.String, true))
            .Append(new ColumnSpec("source_sha256", ColumnType.String, true)).ToList();
        var key = table.Name + "|" + string.Join(",", columns.Select(c => c.Name + ":" + c.Type));
        if (!_sideTables.TryGetValue(key, out var writer))
        {
            int part = _sideTables.Keys.Count(k => k.StartsWith(table.Name + "|", StringComparison.Ordinal));
            var path = Path.Combine(caseDirectory, table.Name.Replace('/', Path.DirectorySeparatorChar), $"part-{part}.parquet");
            writer = await ParquetTableWriter.CreateAsync(path, columns, rowGroupSize, cancel).ConfigureAwait(false);
            _sideTables[key] = writer;
        }
        foreach (var row in table.Rows)
        {
            if (row.Length != table.Columns.Count) throw new InvalidOperationException($"side table {table.Name}: row has {row.Length} values for {table.Columns.Count} columns");
            for (int i = 0; i < row.Length; i++) writer.Column(i).AddObject(row[i]);
            ((StringColumn)writer.Column(row.Length)).Add(sourceFile);
            ((StringColumn)writer.Column(row.Length + 1)).Add(sha256);
            await writer.EndRowAsync(cancel).ConfigureAwait(false);
        }
    }

    public async Task CompleteAsync(CancellationToken cancel)
    {
        foreach (var t in _eventTables.Values) await t.Writer.CompleteAsync(cancel).ConfigureAwait(false);
        foreach (var t in _sideTables.Values) await t.CompleteAsync(cancel).ConfigureAwait(false);
        if (_rejects is not null) await _rejects.CompleteAsync(cancel).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var t in _closedParts) await t.DisposeAsync().ConfigureAwait(false);
        foreach (var t in _eventTables.Values) await t.Writer.DisposeAsync().ConfigureAwait(false);
        foreach (var t in _sideTables.Values) await t.DisposeAsync().ConfigureAwait(false);
        if (_rejects is not null) await _rejects.DisposeAsync().ConfigureAwait(false);
    }
}
