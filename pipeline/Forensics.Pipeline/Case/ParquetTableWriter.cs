using Forensics.Pipeline.Formats;
using Forensics.Pipeline.Model;
using ParquetSharp;

namespace Forensics.Pipeline.Case;

/// <summary>
/// Writes one Parquet file of a small case table (rejects, sessions, context tables) row by row, through
/// ParquetSharp's logical column writers. Events, the large table, go through <see cref="EventPartWriter"/>.
/// Same schema rules as events (<see cref="ParquetSchema"/>): timestamps are TIMESTAMP(MICROS, UTC). The file is
/// written under a temporary name and renamed when complete, so a failed run leaves no half-written part.
/// </summary>
public sealed class ParquetTableWriter : IDisposable, ITableRowSink
{
    private readonly string _path;
    private readonly string _tempPath;
    /// <summary>Where the file lands when complete.</summary>
    public string FilePath => _path;
    private readonly ParquetFileWriter _file;
    // Typed per column: values are stored as what they are written as, not boxed per value.
    private readonly ColumnBuffer[] _buffers;
    private readonly int _rowGroupSize;
    private int _cursor = -1; // column of the next ITableRowSink call, -1 outside BeginRow/EndRow
    private bool _completed;

    public IReadOnlyList<ColumnSpec> Columns { get; }
    public long RowsWritten { get; private set; }
    public int BufferedRows { get; private set; }

    public ParquetTableWriter(string path, IReadOnlyList<ColumnSpec> columns, int rowGroupSize)
    {
        _path = path;
        _tempPath = Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + ".tmp");
        Columns = columns;
        _rowGroupSize = rowGroupSize;
        _buffers = columns.Select(ColumnBuffer.For).ToArray();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var schema = ParquetSchema.Build(columns);
        using var properties = ParquetSchema.Properties(columns);
        _file = new ParquetFileWriter(_tempPath, schema, properties);
    }

    /// <summary>Adds a row: one value per column (string, long, int, double, bool, byte[], and long µs or DateTime for timestamps).</summary>
    public void AddRow(ReadOnlySpan<object?> values)
    {
        if (values.Length != _buffers.Length) throw new ArgumentException($"row has {values.Length} values for {_buffers.Length} columns", nameof(values));
        for (int i = 0; i < values.Length; i++) _buffers[i].Add(values[i]);
        RowDone();
    }

    /// <summary>Starts a row given value by value through <see cref="ITableRowSink"/> (no boxing); end it with <see cref="EndRow"/>.</summary>
    public void BeginRow()
    {
        if (_cursor >= 0) throw new InvalidOperationException("a row is already open");
        _cursor = 0;
    }

    public void EndRow()
    {
        if (_cursor != _buffers.Length) throw new InvalidOperationException($"row has {_cursor} values for {_buffers.Length} columns");
        _cursor = -1;
        RowDone();
    }

    public void Text(string? value) => Next<TextBuffer>().Values.Add(value);
    public void Int64(long? value) => Next<ValueBuffer<long>>().Values.Add(value);
    public void Double(double? value) => Next<ValueBuffer<double>>().Values.Add(value);
    public void Timestamp(long? value) => Next<TimestampBuffer>().Add(value);

    private T Next<T>() where T : ColumnBuffer
    {
        if (_cursor < 0 || _cursor >= _buffers.Length) throw new InvalidOperationException("value outside a row, or more values than columns");
        var column = _buffers[_cursor];
        if (column is not T typed) throw new InvalidOperationException($"column {Columns[_cursor].Name} is {Columns[_cursor].Type}, not written as {typeof(T).Name}");
        _cursor++;
        return typed;
    }

    private void RowDone()
    {
        BufferedRows++;
        if (BufferedRows >= _rowGroupSize) Flush();
    }

    private void Flush()
    {
        if (BufferedRows == 0) return;
        RowsWritten += BufferedRows;
        using var rowGroup = _file.AppendRowGroup();
        foreach (var buffer in _buffers)
        {
            using var column = rowGroup.NextColumn();
            buffer.WriteTo(column);
            buffer.Clear();
        }
        rowGroup.Close();
        BufferedRows = 0;
    }

    private abstract class ColumnBuffer
    {
        public abstract void Add(object? value);
        public abstract void WriteTo(ColumnWriter column);
        public abstract void Clear();

        public static ColumnBuffer For(ColumnSpec spec) => spec.Type switch
        {
            ColumnType.String => new TextBuffer(),
            ColumnType.Binary => new BinaryBuffer(),
            ColumnType.Int64 => new ValueBuffer<long>(v => Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture)),
            ColumnType.Int32 => new ValueBuffer<int>(v => Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture)),
            ColumnType.Double => new ValueBuffer<double>(v => Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture)),
            ColumnType.Bool => new ValueBuffer<bool>(v => Convert.ToBoolean(v, System.Globalization.CultureInfo.InvariantCulture)),
            ColumnType.Timestamp => new TimestampBuffer(),
            _ => throw new InvalidOperationException($"no writer for {spec}"),
        };
    }

    private sealed class TextBuffer : ColumnBuffer
    {
        public List<string?> Values { get; } = [];
        public override void Add(object? value) => Values.Add(value switch
        {
            null => null,
            string s => s,
            _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
        });
        public override void WriteTo(ColumnWriter column)
        {
            using var writer = column.LogicalWriter<string?>();
            writer.WriteBatch(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(Values));
        }
        public override void Clear() => Values.Clear();
    }

    private sealed class BinaryBuffer : ColumnBuffer
    {
        private readonly List<byte[]?> _values = [];
        public override void Add(object? value) => _values.Add(value as byte[]);
        public override void WriteTo(ColumnWriter column)
        {
            using var writer = column.LogicalWriter<byte[]?>();
            writer.WriteBatch(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_values));
        }
        public override void Clear() => _values.Clear();
    }

    private sealed class ValueBuffer<T>(Func<object, T> convert) : ColumnBuffer where T : struct
    {
        public List<T?> Values { get; } = [];
        public override void Add(object? value) => Values.Add(value is null ? null : convert(value));
        public override void WriteTo(ColumnWriter column)
        {
            using var writer = column.LogicalWriter<T?>();
            writer.WriteBatch(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(Values));
        }
        public override void Clear() => Values.Clear();
    }

    // The column is physically int64 µs; writing the numbers keeps microseconds exact whatever DateTime's Kind.
    private sealed class TimestampBuffer : ColumnBuffer
    {
        private readonly List<short> _defs = [];
        private readonly List<long> _packed = [];
        public void Add(long? micros)
        {
            _defs.Add(micros is null ? (short)0 : (short)1);
            if (micros is { } m) _packed.Add(m);
        }
        public override void Add(object? value) => Add(value switch
        {
            null => null,
            long l => l,
            DateTime d => ForensicEvent.ToMicros(d.Kind == DateTimeKind.Local ? d.ToUniversalTime() : d),
            var other => Convert.ToInt64(other, System.Globalization.CultureInfo.InvariantCulture),
        });
        public override void WriteTo(ColumnWriter column) =>
            ((ColumnWriter<long>)column).WriteBatch(_defs.Count, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_defs), default,
                System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_packed));
        public override void Clear() { _defs.Clear(); _packed.Clear(); }
    }

    /// <summary>Flushes, closes and renames the file into place.</summary>
    public void Complete()
    {
        Flush();
        _file.Close();
        _file.Dispose();
        File.Move(_tempPath, _path, overwrite: true);
        _completed = true;
    }

    public void Dispose()
    {
        if (_completed) return;
        try { _file.Dispose(); } catch (Exception) { /* the run already failed; the temp file is removed below */ }
        try { File.Delete(_tempPath); } catch (IOException) { }
    }
}
