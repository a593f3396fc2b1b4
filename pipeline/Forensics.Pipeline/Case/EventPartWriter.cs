using Forensics.Pipeline.Model;
using Forensics.Pipeline.Runtime;
using ParquetSharp;
using ParquetSharp.Schema;

namespace Forensics.Pipeline.Case;

/// <summary>
/// Writes one Parquet part file of a format's events with ParquetSharp's low-level column writers (Apache
/// Arrow's C++ Parquet encoder): each <see cref="EventBatch"/> column goes to the encoder as it is, definition
/// levels and packed values, UTF-8 slices pinned in place. Why this writer (../shared/design/DEPENDENCIES.md,
/// measured on 5 M rows): 0.7 CPU-s per million rows against 1.5 for Parquet.Net, and TIMESTAMP(MICROS, UTC)
/// with correct statistics, so DuckDB prunes row groups on time filters.
/// Batches are collected into row groups by row count; a full row group is encoded on a background task while
/// the next one fills (one row group in flight per file: a Parquet file is written in order).
/// </summary>
internal sealed class EventPartWriter : IAsyncDisposable
{
    private readonly string _path;
    private readonly string _tempPath;
    private readonly IReadOnlyList<ColumnSpec> _columns;
    private readonly ExtraColumn[] _extras;
    private readonly int _rowGroupRows;
    private readonly ParquetFileWriter _file;
    private List<PendingBatch> _pending = [];
    private int _pendingRows;
    private long _pendingBytes;

    /// <summary>
    /// Memory a filling row group may hold before it is written whatever its row count: many small files give
    /// many small batches, each with buffers of its own.
    /// </summary>
    public const long RowGroupByteBudget = 32L << 20;
    private Task _encoding = Task.CompletedTask;
    private bool _completed;

    /// <summary>A batch waiting for its row group, with the per-file constants of its rows (null: see the batch's file runs).</summary>
    private readonly record struct PendingBatch(EventBatch Batch, FileConstants? File);

    /// <summary>Batches smaller than this are copied into one (many small files would each hold buffers of their own).</summary>
    public const int SmallBatchRows = 512;
    private EventBatch? _accumulator;
    private readonly byte[] _format;
    /// <summary>The part's evidence host (UTF-8), null when unknown: one value for the whole part, like its format.</summary>
    private readonly byte[]? _evidenceHost;

    public long RowsWritten { get; private set; }
    /// <summary>Where the file lands when complete.</summary>
    public string FilePath => _path;
    /// <summary>Thread CPU time spent encoding (ticks of <see cref="TimeSpan"/>).</summary>
    public long EncodeCpuTicks;

    public EventPartWriter(string path, string formatId, string? evidenceHost, IReadOnlyList<ColumnSpec> columns, IReadOnlyList<ExtraColumn> extras, int rowGroupRows)
    {
        _path = path;
        _format = System.Text.Encoding.UTF8.GetBytes(formatId);
        _evidenceHost = evidenceHost is null ? null : System.Text.Encoding.UTF8.GetBytes(evidenceHost);
        _tempPath = Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + ".tmp");
        _columns = columns;
        _extras = [.. extras];
        _rowGroupRows = rowGroupRows;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var schema = ParquetSchema.Build(columns);
        using var properties = ParquetSchema.Properties(columns);
        _file = new ParquetFileWriter(_tempPath, schema, properties);
    }

    /// <summary>Queues a batch (the writer owns it from now on and returns it to the pool once encoded).</summary>
    public async Task AddAsync(EventBatch batch, FileConstants file)
    {
        if (batch.Count < SmallBatchRows)
        {
            _accumulator ??= EventBatch.Rent();
            _accumulator.AppendRows(batch, file);
            batch.Return();
            if (_accumulator.Count >= RecordBatchRows) await EnqueueAccumulatorAsync().ConfigureAwait(false);
            return;
        }
        await EnqueueAccumulatorAsync().ConfigureAwait(false); // rows keep file order within the part
        await EnqueueAsync(new PendingBatch(batch, file)).ConfigureAwait(false);
    }

    private const int RecordBatchRows = Framing.RecordBatch.DefaultCapacity;

    private async Task EnqueueAccumulatorAsync()
    {
        if (_accumulator is not { } acc) return;
        _accumulator = null;
        acc.Seal();
        await EnqueueAsync(new PendingBatch(acc, null)).ConfigureAwait(false);
    }

    private async Task EnqueueAsync(PendingBatch pending)
    {
        var batch = pending.Batch;
        _pending.Add(pending);
        _pendingRows += batch.Count;
        _pendingBytes += batch.FootprintBytes;
        if (_pendingRows >= _rowGroupRows || _pendingBytes >= RowGroupByteBudget) await FlushAsync().ConfigureAwait(false);
    }

    private async Task FlushAsync()
    {
        if (_pending.Count == 0) return;
        await _encoding.ConfigureAwait(false);
        var group = _pending;
        _pending = [];
        _pendingRows = 0;
        _pendingBytes = 0;
        // A dedicated thread: encoding blocks in native code for ~100 ms, and on the thread pool that made the
        // pool inject threads that then spun for work on a 2-core machine.
        _encoding = Task.Factory.StartNew(() => WriteRowGroup(group), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void WriteRowGroup(List<PendingBatch> group)
    {
        long cpuStart = ThreadCpu.Now();
        try
        {
            using var rowGroup = _file.AppendRowGroup();
            var scratch = new ByteArrayScratch();
            for (int c = 0; c < _columns.Count; c++)
            {
                using var column = rowGroup.NextColumn();
                foreach (var p in group) WriteColumn(column, c, p, scratch);
            }
            rowGroup.Close();
            foreach (var p in group) RowsWritten += p.Batch.Count;
        }
        finally
        {
            foreach (var p in group) p.Batch.Return();
            Interlocked.Add(ref EncodeCpuTicks, ThreadCpu.Now() - cpuStart);
        }
    }

    private void WriteColumn(ColumnWriter writer, int column, in PendingBatch p, ByteArrayScratch scratch)
    {
        var b = p.Batch;
        int rows = b.Count;
        switch (column)
        {
            case 0: Values(writer, b.Ts); return;
            case 1: Text(writer, b.TsQuality, scratch); return;
            case 2: Text(writer, b.Host, scratch); return;
            case 3: Constant(writer, rows, _format, scratch); return;
            case 4: Text(writer, b.Event, scratch); return;
            case 5: Text(writer, b.Process, scratch); return;
            case 6: Values(writer, b.Pid); return;
            case 7: Text(writer, b.Unit, scratch); return;
            case 8: Text(writer, b.User, scratch); return;
            case 9: Text(writer, b.SrcIp, scratch); return;
            case 10: Values(writer, b.SrcPort); return;
            case 11: Text(writer, b.Message, scratch); return;
            case 12: FileColumn(writer, p, static f => f.SourceFile, scratch); return;
            case 13: ((ColumnWriter<long>)writer).WriteBatch(rows, Levels.Ones(rows), default, b.SourceOffsets); return;
            case 14: FileColumn(writer, p, static f => f.Sha256, scratch); return;
            case 15:
                if (_evidenceHost is null) Nulls(writer, rows);
                else Constant(writer, rows, _evidenceHost, scratch);
                return;
        }
        var extra = _extras[column - EventSchema.Spine.Count];
        switch (b.Extra(extra))
        {
            case null: Nulls(writer, rows); break;
            case Utf8BatchColumn text: Text(writer, text, scratch); break;
            case ValueBatchColumn<long> l: Values(writer, l); break;
            case ValueBatchColumn<int> i: Values(writer, i); break;
            case ValueBatchColumn<double> d: Values(writer, d); break;
            case ValueBatchColumn<bool> f: Values(writer, f); break;
            default: throw new InvalidOperationException($"no encoder for column {extra}");
        }
    }

    private static void Values<T>(ColumnWriter writer, ValueBatchColumn<T> column) where T : unmanaged =>
        ((ColumnWriter<T>)writer).WriteBatch(column.Rows, column.DefinitionLevels, default, column.PackedValues);

    private static unsafe void Text(ColumnWriter writer, Utf8BatchColumn column, ByteArrayScratch scratch)
    {
        var values = scratch.Get(column.Values);
        var starts = column.Starts;
        var lengths = column.Lengths;
        fixed (byte* arena = column.Arena)
        {
            for (int i = 0; i < values.Length; i++) values[i] = new ByteArray((IntPtr)(arena + starts[i]), lengths[i]);
            ((ColumnWriter<ByteArray>)writer).WriteBatch(column.Rows, column.DefinitionLevels, default, values);
        }
    }

    private static unsafe void Constant(ColumnWriter writer, int rows, byte[] value, ByteArrayScratch scratch)
    {
        var values = scratch.Get(rows);
        fixed (byte* p = value)
        {
            values.Fill(new ByteArray((IntPtr)p, value.Length));
            ((ColumnWriter<ByteArray>)writer).WriteBatch(rows, Levels.Ones(rows), default, values);
        }
    }

    /// <summary>A per-file constant: one value for a whole batch, or one per file run of a compacted batch.</summary>
    private static unsafe void FileColumn(ColumnWriter writer, in PendingBatch p, Func<FileConstants, byte[]> select, ByteArrayScratch scratch)
    {
        int rows = p.Batch.Count;
        if (p.File is { } file) { Constant(writer, rows, select(file), scratch); return; }
        var runs = p.Batch.FileRuns;
        var values = scratch.Get(rows);
        var pins = new System.Runtime.InteropServices.GCHandle[runs.Count];
        try
        {
            for (int r = 0; r < runs.Count; r++)
            {
                var bytes = select((FileConstants)runs[r].Key);
                pins[r] = System.Runtime.InteropServices.GCHandle.Alloc(bytes, System.Runtime.InteropServices.GCHandleType.Pinned);
                int end = r + 1 < runs.Count ? runs[r + 1].StartRow : rows;
                values[runs[r].StartRow..end].Fill(new ByteArray(pins[r].AddrOfPinnedObject(), bytes.Length));
            }
            ((ColumnWriter<ByteArray>)writer).WriteBatch(rows, Levels.Ones(rows), default, values);
        }
        finally
        {
            foreach (var pin in pins) if (pin.IsAllocated) pin.Free();
        }
    }

    private static void Nulls(ColumnWriter writer, int rows)
    {
        var zeros = Levels.Zeros(rows);
        switch (writer)
        {
            case ColumnWriter<ByteArray> w: w.WriteBatch(rows, zeros, default, default); break;
            case ColumnWriter<long> w: w.WriteBatch(rows, zeros, default, default); break;
            case ColumnWriter<int> w: w.WriteBatch(rows, zeros, default, default); break;
            case ColumnWriter<double> w: w.WriteBatch(rows, zeros, default, default); break;
            case ColumnWriter<bool> w: w.WriteBatch(rows, zeros, default, default); break;
            default: throw new InvalidOperationException($"no null encoder for {writer.GetType().Name}");
        }
    }

    /// <summary>Writes what is pending, closes the file and renames it into place.</summary>
    public async Task CompleteAsync()
    {
        await EnqueueAccumulatorAsync().ConfigureAwait(false);
        await FlushAsync().ConfigureAwait(false);
        await _encoding.ConfigureAwait(false);
        _file.Close();
        _file.Dispose();
        File.Move(_tempPath, _path, overwrite: true);
        _completed = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_completed) return;
        try { await _encoding.ConfigureAwait(false); } catch (Exception) { /* reported by the stage that awaited it */ }
        foreach (var p in _pending) p.Batch.Return();
        _pending.Clear();
        _accumulator?.Return();
        _accumulator = null;
        try { _file.Dispose(); } catch (Exception) { /* the run already failed; the temp file is removed below */ }
        try { File.Delete(_tempPath); } catch (IOException) { }
    }

    /// <summary>A reusable array of <see cref="ByteArray"/> slices (one per encoding thread).</summary>
    private sealed class ByteArrayScratch
    {
        private ByteArray[] _values = new ByteArray[4096];
        public Span<ByteArray> Get(int count)
        {
            if (_values.Length < count) _values = new ByteArray[Math.Max(count, _values.Length * 2)];
            return _values.AsSpan(0, count);
        }
    }
}

/// <summary>The per-file constant columns of a file's events, as UTF-8.</summary>
internal sealed record FileConstants(byte[] SourceFile, byte[] Sha256);

/// <summary>Shared definition-level runs: all present, all null.</summary>
internal static class Levels
{
    private static short[] s_ones = CreateOnes(8192);
    private static short[] s_zeros = new short[8192];

    public static ReadOnlySpan<short> Ones(int count)
    {
        var ones = s_ones;
        if (ones.Length < count) s_ones = ones = CreateOnes(Math.Max(count, ones.Length * 2));
        return ones.AsSpan(0, count);
    }

    public static ReadOnlySpan<short> Zeros(int count)
    {
        var zeros = s_zeros;
        if (zeros.Length < count) s_zeros = zeros = new short[Math.Max(count, zeros.Length * 2)];
        return zeros.AsSpan(0, count);
    }

    private static short[] CreateOnes(int count)
    {
        var a = new short[count];
        a.AsSpan().Fill(1);
        return a;
    }
}

/// <summary>Parquet schema and writer settings for case tables, from <see cref="ColumnSpec"/>s.</summary>
internal static class ParquetSchema
{
    public static GroupNode Build(IReadOnlyList<ColumnSpec> columns)
    {
        var nodes = columns.Select(Node).ToArray();
        try { return new GroupNode("schema", Repetition.Required, nodes); }
        finally { foreach (var n in nodes) n.Dispose(); }
    }

    private static Node Node(ColumnSpec c)
    {
        using var logical = c.Type switch
        {
            ColumnType.String => LogicalType.String(),
            ColumnType.Timestamp => LogicalType.Timestamp(isAdjustedToUtc: true, TimeUnit.Micros),
            _ => LogicalType.None(),
        };
        var physical = c.Type switch
        {
            ColumnType.String or ColumnType.Binary => PhysicalType.ByteArray,
            ColumnType.Int64 or ColumnType.Timestamp => PhysicalType.Int64,
            ColumnType.Int32 => PhysicalType.Int32,
            ColumnType.Double => PhysicalType.Double,
            ColumnType.Bool => PhysicalType.Boolean,
            _ => throw new ArgumentOutOfRangeException(nameof(c), c.Type, null),
        };
        return new PrimitiveNode(c.Name, Repetition.Optional, logical, physical);
    }

    /// <summary>
    /// Statistics are kept on the spine and on numeric columns, the ones time, host, user and address filters
    /// prune by; a min/max over user agents, targets or reasons prunes nothing and cost 7–12 % of encoding
    /// (300 MB nginx log). zstd at level 1 (measured on a 300 MB auth log, encode CPU / case size: zstd 1 2.1 s / 76 MB, zstd -3
    /// 1.8 s / 108 MB, snappy 1.7 s / 121 MB, none 1.3 s / 310 MB; higher levels cost more CPU for little); dictionary encoding only on
    /// columns declared repetitive (host, event, user, …: Arrow falls back to plain by itself when a
    /// dictionary outgrows its page); no statistics on free text, which no filter prunes by.
    /// </summary>
    private static bool IsSpine(string name) => EventSchema.Spine.Any(x => x.Name == name);

    public static WriterProperties Properties(IReadOnlyList<ColumnSpec> columns)
    {
        using var builder = new WriterPropertiesBuilder();
        builder.Compression(Compression.Zstd).CompressionLevel(1).DisableDictionary().CreatedBy("forensics");
        foreach (var c in columns)
        {
            if (c.Dictionary) builder.EnableDictionary(c.Name);
            if (c.Name is "message" or "raw" or "raw_text" or "fields" || (c.Type == ColumnType.String && !IsSpine(c.Name))) builder.DisableStatistics(c.Name);
        }
        return builder.Build();
    }
}
