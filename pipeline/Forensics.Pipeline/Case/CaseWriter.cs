using Forensics.Pipeline.Formats;
using Forensics.Pipeline.Model;
using Forensics.Pipeline.Text;

namespace Forensics.Pipeline.Case;

/// <summary>
/// Writes events, rejects and side tables of one run into the case folder. Single-threaded by design (the
/// pipeline's write stage owns it); encoding runs on background tasks inside <see cref="EventPartWriter"/>.
/// Each format gets its own folder of part files whose schema is the spine plus the format's declared columns
/// (<see cref="EventSchema.ForFormat"/>), so formats never share a schema and <c>union_by_name</c> reads them
/// together. Batches of a format alternate between <c>lanes</c> part files (part-L): one Parquet file is
/// encoded by one thread at a time, and a single lane left a core idle on 2-core machines.
/// Each run of a case names its files with its own <c>partPrefix</c> (<see cref="CaseLayout.PartPrefix"/>), so the
/// parts an <c>ingest --add</c> writes sit beside the earlier runs' parts without replacing them.
/// </summary>
public sealed class CaseWriter(string caseDirectory, int rowGroupSize, int lanes = 1, string partPrefix = "") : IAsyncDisposable
{
    private readonly Dictionary<(string? Host, string Format, int Lane), EventPartWriter> _eventParts = [];
    private readonly Dictionary<(string? Host, string Format), (long Batches, HashSet<ExtraColumn> Declared)> _formats = [];
    private readonly Dictionary<string, ParquetTableWriter> _sideTables = new(StringComparer.Ordinal);
    private ParquetTableWriter? _rejects;
    private (string? SourceFile, string? Sha256, FileConstants? Bytes) _lastFile;

    /// <summary>CPU time the encoders used so far (TimeSpan ticks).</summary>
    public long EncodeCpuTicks => _eventParts.Values.Sum(p => Interlocked.Read(ref p.EncodeCpuTicks));

    /// <summary>Queues a parsed batch of one file's events; the writer owns the batch from here on.</summary>
    public async Task WriteEventsAsync(ILogFormat format, string? evidenceHost, string sourceFile, string sha256, EventBatch events)
    {
        if (events.Count == 0) { events.Return(); return; }
        if (!_formats.TryGetValue((evidenceHost, format.Id), out var state))
            state = (0, new HashSet<ExtraColumn>(format.ExtraColumns, ReferenceEqualityComparer.Instance));
        foreach (var used in events.UsedExtras)
        {
            if (!state.Declared.Contains(used))
            {
                events.Return();
                throw new InvalidOperationException($"format {format.Id} set column {used.Name} that it does not declare in ExtraColumns");
            }
        }
        int lane = (int)(state.Batches % Math.Max(1, lanes));
        _formats[(evidenceHost, format.Id)] = (state.Batches + 1, state.Declared);
        if (!_eventParts.TryGetValue((evidenceHost, format.Id, lane), out var part))
        {
            var columns = EventSchema.ForFormat(format);
            var dup = columns.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1);
            if (dup is not null) throw new InvalidOperationException($"format {format.Id} declares column {dup.Key} twice");
            var path = Path.Combine(caseDirectory, CaseLayout.EventPartFolder(evidenceHost, format.Id), $"{partPrefix}part-{lane}.parquet");
            part = new EventPartWriter(path, format.Id, evidenceHost, columns, format.ExtraColumns, rowGroupSize);
            _eventParts[(evidenceHost, format.Id, lane)] = part;
        }
        if (!ReferenceEquals(_lastFile.SourceFile, sourceFile) || !ReferenceEquals(_lastFile.Sha256, sha256))
            _lastFile = (sourceFile, sha256, new FileConstants(System.Text.Encoding.UTF8.GetBytes(sourceFile), System.Text.Encoding.UTF8.GetBytes(sha256)));
        await part.AddAsync(events, _lastFile.Bytes!).ConfigureAwait(false);
    }

    public Task WriteRejectsAsync(string? formatId, string? evidenceHost, string sourceFile, string sha256, IEnumerable<Reject> rejects, CancellationToken cancel)
    {
        foreach (var r in rejects)
        {
            cancel.ThrowIfCancellationRequested();
            _rejects ??= new ParquetTableWriter(Path.Combine(caseDirectory, CaseLayout.RejectsFolder, partPrefix + "part-0.parquet"), CaseLayout.RejectColumns, rowGroupSize);
            _rejects.AddRow([sourceFile, sha256, formatId, r.SourceOffset, r.Reason, r.Raw, Utf8Text.Decode(r.Raw), evidenceHost]);
        }
        return Task.CompletedTask;
    }

    /// <summary>Appends a side table's rows (with provenance columns: source file, its SHA-256, its evidence host) to CASE/&lt;name&gt;/.</summary>
    public Task WriteSideTableAsync(SideTable table, string? evidenceHost, string sourceFile, string sha256, CancellationToken cancel)
    {
        var columns = table.Columns.Select(c => new ColumnSpec(c.Column, c.Type, c.Type == ColumnType.String))
            .Append(new ColumnSpec("source_file", ColumnType.String, true))
            .Append(new ColumnSpec("source_sha256", ColumnType.String, true))
            .Append(new ColumnSpec(HostPartition.Key, ColumnType.String, true)).ToList();
        var key = table.Name + "|" + string.Join(",", columns.Select(c => c.Name + ":" + c.Type));
        if (!_sideTables.TryGetValue(key, out var writer))
        {
            int part = _sideTables.Keys.Count(k => k.StartsWith(table.Name + "|", StringComparison.Ordinal));
            var path = Path.Combine(caseDirectory, table.Name.Replace('/', Path.DirectorySeparatorChar), $"{partPrefix}part-{part}.parquet");
            writer = new ParquetTableWriter(path, columns, rowGroupSize);
            _sideTables[key] = writer;
        }
        if (table.Typed is { } typed)
        {
            for (int i = 0; i < typed.Count; i++)
            {
                if ((i & 4095) == 0) cancel.ThrowIfCancellationRequested();
                writer.BeginRow();
                typed.WriteRow(i, writer);
                writer.Text(sourceFile);
                writer.Text(sha256);
                writer.Text(evidenceHost);
                writer.EndRow();
            }
            return Task.CompletedTask;
        }
        var values = new object?[columns.Count];
        foreach (var row in table.Rows)
        {
            cancel.ThrowIfCancellationRequested();
            if (row.Length != table.Columns.Count) throw new InvalidOperationException($"side table {table.Name}: row has {row.Length} values for {table.Columns.Count} columns");
            row.CopyTo(values, 0);
            values[row.Length] = sourceFile;
            values[row.Length + 1] = sha256;
            values[row.Length + 2] = evidenceHost;
            writer.AddRow(values);
        }
        return Task.CompletedTask;
    }

    /// <summary>Completes every part file and returns each one's path and row count, for the manifest.</summary>
    public async Task<List<(string Path, long Rows)>> CompleteAsync(CancellationToken cancel)
    {
        var parts = new List<(string Path, long Rows)>();
        foreach (var part in _eventParts.Values)
        {
            cancel.ThrowIfCancellationRequested();
            await part.CompleteAsync().ConfigureAwait(false);
            parts.Add((part.FilePath, part.RowsWritten));
        }
        foreach (var t in _sideTables.Values.Append(_rejects).OfType<ParquetTableWriter>())
        {
            t.Complete();
            parts.Add((t.FilePath, t.RowsWritten));
        }
        return parts;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var part in _eventParts.Values) await part.DisposeAsync().ConfigureAwait(false);
        foreach (var t in _sideTables.Values) t.Dispose();
        _rejects?.Dispose();
    }
}
