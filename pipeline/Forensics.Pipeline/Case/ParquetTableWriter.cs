using Forensics.Pipeline.Model;
using Parquet;
using Parquet.Schema;

namespace Forensics.Pipeline.Case;

/// <summary>A column of a case table: name, type, and whether strings repeat enough to dictionary-encode.</summary>
public sealed record ColumnSpec(string Name, ColumnType Type, bool Dictionary = false);

/// <summary>
/// Writes one Parquet file of a case table, row group by row group, with Parquet.Net's low-level column API.
/// Facts that shape it (../shared/design/DEPENDENCIES.md, checked again in our tests):
/// <list type="bullet">
/// <item>Timestamps are INT96: Parquet.Net writes wrong min/max statistics for TIMESTAMP(MICROS) columns and
/// DuckDB then prunes row groups, so <c>WHERE ts &gt;= …</c> returns nothing; INT96 keeps microseconds and
/// DuckDB reads it as TIMESTAMP (UTC by our contract).</item>
/// <item>Zstd at CompressionLevel.Fastest (the default SmallestSize is ~100x slower).</item>
/// <item>Strings are dictionary-encoded only when asked per column.</item>
/// <item>The file is written under a temporary name and renamed when complete: a failed write would leave a
/// footer DuckDB rejects.</item>
/// </list>
/// </summary>
public sealed class ParquetTableWriter : IAsyncDisposable
{
    private readonly string _path;
    private readonly string _tempPath;
    private readonly FileStream _stream;
    private readonly ParquetWriter _writer;
    private readonly DataField[] _fields;
    private IColumnBuffer[] _buffers;
    private IColumnBuffer[] _spare;
    private Task _pendingFlush = Task.CompletedTask;
    private readonly int _rowGroupSize;
    private bool _completed;

    public IReadOnlyList<ColumnSpec> Columns { get; }
    public int BufferedRows { get; private set; }
    public long RowsWritten { get; private set; }

    private ParquetTableWriter(string path, IReadOnlyList<ColumnSpec> columns, int rowGroupSize, FileStream stream, ParquetWriter writer, DataField[] fields)
    {
        _path = path;
        _tempPath = stream.Name;
        _stream = stream;
        _writer = writer;
        _fields = fields;
        Columns = columns;
        _rowGroupSize = rowGroupSize;
        _buffers = columns.Select(c => IColumnBuffer.Create(c.Type, rowGroupSize)).ToArray();
        _spare = columns.Select(c => IColumnBuffer.Create(c.Type, rowGroupSize)).ToArray();
    }

    public static async Task<ParquetTableWriter> CreateAsync(string path, IReadOnlyList<ColumnSpec> columns, int rowGroupSize = 128 * 1024, CancellationToken cancel = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var fields = columns.Select(ToField).ToArray();
        var options = new ParquetOptions { CompressionMethod = CompressionMethod.Zstd, CompressionLevel = System.IO.Compression.CompressionLevel.Fastest };
        foreach (var c in columns.Where(c => c.Dictionary)) options.ColumnEncodingHints[c.Name] = EncodingHint.Dictionary;
        var tempPath = Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + ".tmp");
        var stream = new FileStream(tempPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream, options, false, cancel).ConfigureAwait(false);
        return new ParquetTableWriter(path, columns, rowGroupSize, stream, writer, fields);
    }

    private static DataField ToField(ColumnSpec c) => c.Type switch
    {
        ColumnType.String => new DataField<string>(c.Name, true),
        ColumnType.Int64 => new DataField<long?>(c.Name),
        ColumnType.Int32 => new DataField<int?>(c.Name),
        ColumnType.Double => new DataField<double?>(c.Name),
        ColumnType.Bool => new DataField<bool?>(c.Name),
        ColumnType.Timestamp => new DateTimeDataField(c.Name, DateTimeFormat.Impala, isNullable: true),
        ColumnType.Binary => new DataField<byte[]>(c.Name, true),
        _ => throw new ArgumentOutOfRangeException(nameof(c), c.Type, null),
    };

    /// <summary>Typed access to a column's buffer for the current row.</summary>
    public IColumnBuffer Column(int index) => _buffers[index];

    /// <summary>
    /// Ends the current row (every column must have received one value) and flushes the row group when it holds
    /// <c>rowGroupSize</c> rows or about <see cref="RowGroupByteBudget"/> bytes (wide rows such as the journal's
    /// fields JSON would otherwise hold gigabytes per row group). True when it flushed: the buffers returned by
    /// <see cref="Column"/> before the call must then be fetched again.
    /// </summary>
    public async ValueTask<bool> EndRowAsync(CancellationToken cancel = default)
    {
        BufferedRows++;
        if (BufferedRows < _rowGroupSize && (BufferedRows & 1023) != 0) return false;
        if (BufferedRows < _rowGroupSize && ApproximateBytes() < RowGroupByteBudget) return false;
        await FlushAsync(cancel).ConfigureAwait(false);
        return true;
    }

    /// <summary>Buffered bytes after which a row group is written whatever its row count.</summary>
    public const long RowGroupByteBudget = 24L << 20;

    private long ApproximateBytes()
    {
        long total = 0;
        foreach (var b in _buffers) total += b.ApproximateBytes;
        return total;
    }

    /// <summary>
    /// Hands the buffered rows to a background row-group write and returns once the previous one is done:
    /// encoding and compressing one row group overlaps with filling the next (double buffering), so the
    /// single write stage uses a second core instead of making the parse workers wait.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancel = default)
    {
        if (BufferedRows == 0) return;
        await _pendingFlush.ConfigureAwait(false);
        var full = _buffers;
        int rows = BufferedRows;
        _buffers = _spare;
        _spare = full;
        BufferedRows = 0;
        _pendingFlush = Task.Run(() => WriteRowGroupAsync(full, rows, cancel), cancel);
    }

    private async Task WriteRowGroupAsync(IColumnBuffer[] buffers, int rows, CancellationToken cancel)
    {
        using (var rg = _writer.CreateRowGroup())
        {
            for (int i = 0; i < _fields.Length; i++)
            {
                if (buffers[i].Count != rows) throw new InvalidOperationException($"column {Columns[i].Name} has {buffers[i].Count} values for {rows} rows");
                await buffers[i].WriteAsync(rg, _fields[i], cancel).ConfigureAwait(false);
                buffers[i].Clear();
            }
        }
        RowsWritten += rows;
    }

    /// <summary>Flushes, closes and renames the file into place.</summary>
    public async Task CompleteAsync(CancellationToken cancel = default)
    {
        await FlushAsync(cancel).ConfigureAwait(false);
        await _pendingFlush.ConfigureAwait(false);
        await _writer.DisposeAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        File.Move(_tempPath, _path, overwrite: true);
        _completed = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_completed) return;
        try { await _pendingFlush.ConfigureAwait(false); } catch (Exception) { /* reported by the stage that awaited it */ }
        try { await _writer.DisposeAsync().ConfigureAwait(false); } catch (Exception) { /* the run already failed; the temp file is removed below */ }
        await _stream.DisposeAsync().ConfigureAwait(false);
        try { File.Delete(_tempPath); } catch (IOException) { }
    }
}

/// <summary>A growable column of one row group.</summary>
public interface IColumnBuffer
{
    int Count { get; }
    /// <summary>Rough memory held by the buffered values (for row-group sizing, not accounting).</summary>
    long ApproximateBytes { get; }
    void AddObject(object? value);
    Task WriteAsync(ParquetRowGroupWriter rowGroup, DataField field, CancellationToken cancel);
    void Clear();

    static IColumnBuffer Create(ColumnType type, int capacity) => type switch
    {
        ColumnType.String => new StringColumn(capacity),
        ColumnType.Int64 => new ValueColumn<long>(capacity),
        ColumnType.Int32 => new ValueColumn<int>(capacity),
        ColumnType.Double => new ValueColumn<double>(capacity),
        ColumnType.Bool => new ValueColumn<bool>(capacity),
        ColumnType.Timestamp => new TimestampColumn(capacity),
        ColumnType.Binary => new BinaryColumn(capacity),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}

public sealed class StringColumn(int capacity) : IColumnBuffer
{
    private readonly List<string?> _values = new(capacity);
    private long _chars;
    public int Count => _values.Count;
    public long ApproximateBytes => _chars * 2 + _values.Count * 8L;
    public void Add(string? value)
    {
        _values.Add(value);
        if (value is not null) _chars += value.Length;
    }
    public void AddObject(object? value) => Add(value switch { null => null, string s => s, _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) });
    public Task WriteAsync(ParquetRowGroupWriter rg, DataField field, CancellationToken cancel) => rg.WriteAsync(field, _values!, null);
    public void Clear() { _values.Clear(); _chars = 0; }
}

public sealed class ValueColumn<T>(int capacity) : IColumnBuffer where T : struct
{
    private T?[] _values = new T?[capacity];
    public int Count { get; private set; }
    public long ApproximateBytes => Count * 16L;
    public void Add(T? value)
    {
        if (Count == _values.Length) Array.Resize(ref _values, _values.Length * 2);
        _values[Count++] = value;
    }
    // The exact type is the common case; Convert.ChangeType (IConvertible) only for widening, e.g. int into long.
    public void AddObject(object? value) => Add(value switch
    {
        null => null,
        T t => t,
        _ => (T)Convert.ChangeType(value, typeof(T), System.Globalization.CultureInfo.InvariantCulture),
    });
    public Task WriteAsync(ParquetRowGroupWriter rg, DataField field, CancellationToken cancel) =>
        rg.WriteAsync<T>(field, _values.AsMemory(0, Count), null, null, cancel);
    public void Clear() => Count = 0;
}

/// <summary>UTC microseconds in, INT96 timestamps out.</summary>
public sealed class TimestampColumn(int capacity) : IColumnBuffer
{
    private DateTime?[] _values = new DateTime?[capacity];
    public int Count { get; private set; }
    public long ApproximateBytes => Count * 16L;
    public void Add(long? micros)
    {
        if (Count == _values.Length) Array.Resize(ref _values, _values.Length * 2);
        _values[Count++] = ForensicEvent.ToDateTime(micros);
    }
    public void AddObject(object? value) => Add(value switch { null => null, long l => l, DateTime d => ForensicEvent.ToMicros(d.ToUniversalTime()), _ => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) });
    public Task WriteAsync(ParquetRowGroupWriter rg, DataField field, CancellationToken cancel) =>
        rg.WriteAsync<DateTime>(field, _values.AsMemory(0, Count), null, null, cancel);
    public void Clear() => Count = 0;
}

public sealed class BinaryColumn(int capacity) : IColumnBuffer
{
    private readonly List<byte[]?> _values = new(capacity);
    private long _bytes;
    public int Count => _values.Count;
    public long ApproximateBytes => _bytes + _values.Count * 8L;
    public void Add(byte[]? value)
    {
        _values.Add(value);
        if (value is not null) _bytes += value.Length;
    }
    public void AddObject(object? value) => Add(value as byte[]);
    public Task WriteAsync(ParquetRowGroupWriter rg, DataField field, CancellationToken cancel) => rg.WriteAsync(field, _values!, null);
    public void Clear() { _values.Clear(); _bytes = 0; }
}
