using Forensics.Pipeline.Model;
using ParquetSharp;

namespace Forensics.Pipeline.Case;

/// <summary>
/// Writes one Parquet file of a small case table (rejects, sessions, context tables) row by row, through
/// ParquetSharp's logical column writers. Events, the large table, go through <see cref="EventPartWriter"/>.
/// Same schema rules as events (<see cref="ParquetSchema"/>): timestamps are TIMESTAMP(MICROS, UTC). The file is
/// written under a temporary name and renamed when complete, so a failed run leaves no half-written part.
/// </summary>
public sealed class ParquetTableWriter : IDisposable
{
    private readonly string _path;
    private readonly string _tempPath;
    /// <summary>Where the file lands when complete.</summary>
    public string FilePath => _path;
    private readonly ParquetFileWriter _file;
    private readonly List<object?>[] _buffers;
    private readonly int _rowGroupSize;
    private bool _completed;

    public IReadOnlyList<ColumnSpec> Columns { get; }
    public long RowsWritten { get; private set; }
    public int BufferedRows => _buffers.Length == 0 ? 0 : _buffers[0].Count;

    public ParquetTableWriter(string path, IReadOnlyList<ColumnSpec> columns, int rowGroupSize)
    {
        _path = path;
        _tempPath = Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + ".tmp");
        Columns = columns;
        _rowGroupSize = rowGroupSize;
        _buffers = columns.Select(_ => new List<object?>()).ToArray();
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
        if (BufferedRows >= _rowGroupSize) Flush();
    }

    private void Flush()
    {
        if (BufferedRows == 0) return;
        RowsWritten += BufferedRows;
        using var rowGroup = _file.AppendRowGroup();
        for (int c = 0; c < Columns.Count; c++)
        {
            using var column = rowGroup.NextColumn();
            var values = _buffers[c];
            switch (Columns[c].Type)
            {
                case ColumnType.String: Write(column, values, ToText); break;
                case ColumnType.Binary: Write(column, values, v => v as byte[]); break;
                case ColumnType.Int64: Write(column, values, v => v is null ? (long?)null : Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture)); break;
                case ColumnType.Int32: Write(column, values, v => v is null ? (int?)null : Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture)); break;
                case ColumnType.Double: Write(column, values, v => v is null ? (double?)null : Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture)); break;
                case ColumnType.Bool: Write(column, values, v => v is null ? (bool?)null : Convert.ToBoolean(v, System.Globalization.CultureInfo.InvariantCulture)); break;
                case ColumnType.Timestamp: WriteTimestamps(column, values); break;
                default: throw new InvalidOperationException($"no writer for {Columns[c]}");
            }
            values.Clear();
        }
        rowGroup.Close();
    }

    private static string? ToText(object? v) => v switch
    {
        null => null,
        string s => s,
        _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture),
    };

    private static void Write<T>(ColumnWriter column, List<object?> values, Func<object?, T> convert)
    {
        using var writer = column.LogicalWriter<T>();
        var array = new T[values.Count];
        for (int i = 0; i < array.Length; i++) array[i] = convert(values[i]);
        writer.WriteBatch(array);
    }

    // The column is physically int64 µs; writing the numbers keeps microseconds exact whatever DateTime's Kind.
    private static void WriteTimestamps(ColumnWriter column, List<object?> values)
    {
        var writer = (ColumnWriter<long>)column;
        var defs = new short[values.Count];
        var packed = new List<long>(values.Count);
        for (int i = 0; i < values.Count; i++)
        {
            long? micros = values[i] switch
            {
                null => null,
                long l => l,
                DateTime d => ForensicEvent.ToMicros(d.Kind == DateTimeKind.Local ? d.ToUniversalTime() : d),
                var other => Convert.ToInt64(other, System.Globalization.CultureInfo.InvariantCulture),
            };
            if (micros is { } m) { defs[i] = 1; packed.Add(m); }
        }
        writer.WriteBatch(values.Count, defs, default, packed.ToArray());
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
