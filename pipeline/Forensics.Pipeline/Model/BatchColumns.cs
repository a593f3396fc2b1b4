using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;

namespace Forensics.Pipeline.Model;

/// <summary>
/// One column of one <see cref="EventBatch"/>, kept in Parquet's own shape so the writer hands it to the encoder
/// without a copy: a definition level per row (1 present, 0 null) and the present values packed in row order.
/// Rows are appended in order; a column that a row leaves unset is padded with nulls before the next value.
/// </summary>
public abstract class BatchColumn
{
    private short[] _def;

    protected BatchColumn(int capacity) => _def = new short[capacity];

    /// <summary>Rows this column covers (present or null).</summary>
    public int Rows { get; private set; }
    /// <summary>Present values.</summary>
    public int Values { get; protected set; }
    public ReadOnlySpan<short> DefinitionLevels => _def.AsSpan(0, Rows);
    public bool IsNull(int row) => _def[row] == 0;

    /// <summary>Pads with nulls up to <paramref name="rows"/>.</summary>
    public void PadTo(int rows)
    {
        if (rows <= Rows) return;
        EnsureRows(rows);
        _def.AsSpan(Rows, rows - Rows).Clear();
        Rows = rows;
    }

    public void AppendNull() => PadTo(Rows + 1);

    /// <summary>Bytes of the buffers this column holds.</summary>
    public virtual long FootprintBytes => _def.Length * 2L;

    /// <summary>Marks the next row present; the caller appends its value.</summary>
    protected void AppendPresent()
    {
        EnsureRows(Rows + 1);
        _def[Rows++] = 1;
        Values++;
    }

    /// <summary>Takes over another column's levels (a rebuilt copy of this one).</summary>
    protected void TakeLevelsFrom(BatchColumn other)
    {
        _def = other._def;
        Rows = other.Rows;
        Values = other.Values;
        _valueIndex = null;
        _valueIndexRows = -1;
    }

    /// <summary>Appends another batch's definition levels (its values are appended by the caller).</summary>
    protected void AppendLevels(ReadOnlySpan<short> levels, int presentValues)
    {
        EnsureRows(Rows + levels.Length);
        levels.CopyTo(_def.AsSpan(Rows));
        Rows += levels.Length;
        Values += presentValues;
        _valueIndex = null;
    }

    /// <summary>Appends all rows of a column of the same kind (compaction of small batches).</summary>
    public abstract void AppendFrom(BatchColumn source);

    /// <summary>Appends a staged extra value, converted to this column's type (a virtual call, not a type switch per value).</summary>
    internal abstract void AppendSlot(in ExtraSlot value, ForensicEvent row);

    private void EnsureRows(int rows)
    {
        if (rows > _def.Length) Array.Resize(ref _def, Math.Max(rows, _def.Length * 2));
    }

    public virtual void Reset()
    {
        Rows = 0;
        Values = 0;
        _valueIndex = null;
        _valueIndexRows = -1;
    }

    /// <summary>The value of a row as a CLR object (for tests and diagnostics; the write path never boxes).</summary>
    public abstract object? GetObject(int row);

    /// <summary>Index of a present row's value among the packed values.</summary>
    protected int ValueIndex(int row)
    {
        if (_valueIndex is null || _valueIndexRows != Rows)
        {
            // Reads are rare (tests, diagnostics): a prefix count built once per read-after-write keeps them linear.
            _valueIndex = new int[Rows];
            int index = 0;
            for (int i = 0; i < Rows; i++) { _valueIndex[i] = index; index += _def[i]; }
            _valueIndexRows = Rows;
        }
        return _valueIndex[row];
    }

    private int[]? _valueIndex;
    private int _valueIndexRows = -1;
}

/// <summary>Fixed-width values (int64, int32, double, bool, timestamps as int64 µs).</summary>
public sealed class ValueBatchColumn<T>(int capacity) : BatchColumn(capacity) where T : unmanaged
{
    private T[] _values = new T[capacity];

    public ReadOnlySpan<T> PackedValues => _values.AsSpan(0, Values);

    public override unsafe long FootprintBytes => base.FootprintBytes + (long)_values.Length * sizeof(T);

    public void Append(T value)
    {
        if (Values == _values.Length) Array.Resize(ref _values, _values.Length * 2);
        _values[Values] = value;
        AppendPresent();
    }

    public void Append(T? value)
    {
        if (value is { } v) Append(v);
        else AppendNull();
    }

    public T Get(int row) => _values[ValueIndex(row)];

    internal override void AppendSlot(in ExtraSlot x, ForensicEvent row)
    {
        // typeof(T) tests are constants per instantiation: the JIT keeps one branch.
        if (typeof(T) == typeof(long)) { long v = x.Kind == ExtraKind.Real ? (long)x.Real : x.Integer; Append(Unsafe.As<long, T>(ref v)); }
        else if (typeof(T) == typeof(int)) { int v = x.Kind == ExtraKind.Real ? (int)x.Real : checked((int)x.Integer); Append(Unsafe.As<int, T>(ref v)); }
        else if (typeof(T) == typeof(double)) { double v = x.Kind == ExtraKind.Real ? x.Real : x.Integer; Append(Unsafe.As<double, T>(ref v)); }
        else if (typeof(T) == typeof(bool)) { bool v = x.Integer != 0; Append(Unsafe.As<bool, T>(ref v)); }
        else throw new InvalidOperationException($"no column buffer for {x.Column}");
    }

    /// <summary>Becomes <paramref name="other"/> (a rebuilt copy of this column).</summary>
    public void TakeFrom(ValueBatchColumn<T> other)
    {
        _values = other._values;
        TakeLevelsFrom(other);
    }

    public override void AppendFrom(BatchColumn source)
    {
        var from = (ValueBatchColumn<T>)source;
        if (Values + from.Values > _values.Length) Array.Resize(ref _values, Math.Max(Values + from.Values, _values.Length * 2));
        from.PackedValues.CopyTo(_values.AsSpan(Values));
        AppendLevels(from.DefinitionLevels, from.Values);
    }

    public override object? GetObject(int row) => IsNull(row) ? null : Get(row);
}

/// <summary>
/// UTF-8 text (or raw bytes) in one arena per batch. Low-cardinality values (host, process, user, event kind)
/// are set from the same string instances over and over (<see cref="Text.StringCache"/>, constants), so a small
/// cache of recent string instances stores their bytes once per batch and repeats point at them. The slot comes
/// from the length and two characters, not <c>RuntimeHelpers.GetHashCode</c>: an object's first identity hash
/// takes a slow path in the runtime (it was 6 of 20 CPU-seconds of a 300 MB ingest); columns of unique values
/// (<paramref name="repetitive"/> false: messages) skip the cache.
/// </summary>
public sealed class Utf8BatchColumn(int capacity, bool binary = false, bool repetitive = true) : BatchColumn(capacity)
{
    private const int CacheSlots = 64;
    private byte[] _arena = ArrayPool<byte>.Shared.Rent(1024);
    private int _used;
    private int[] _starts = new int[capacity];
    private int[] _lengths = new int[capacity];
    private readonly string?[] _cacheKeys = new string?[CacheSlots];
    private readonly (int Start, int Length)[] _cacheValues = new (int, int)[CacheSlots];

    public bool IsBinary { get; } = binary;
    public override long FootprintBytes => base.FootprintBytes + _arena.Length + _starts.Length * 8L;
    /// <summary>The arena; a value is <c>Arena[Start(i)..][..Length(i)]</c> for packed value i.</summary>
    public byte[] Arena => _arena;
    public ReadOnlySpan<int> Starts => _starts.AsSpan(0, Values);
    public ReadOnlySpan<int> Lengths => _lengths.AsSpan(0, Values);

    public void Append(string? value)
    {
        if (value is null) { AppendNull(); return; }
        int slot = 0;
        if (repetitive)
        {
            slot = value.Length == 0 ? 0 : (value.Length * 7 + value[0] * 3 + value[^1]) & (CacheSlots - 1);
            if (ReferenceEquals(_cacheKeys[slot], value))
            {
                var (start, length) = _cacheValues[slot];
                AppendSlice(start, length);
                return;
            }
        }
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        EnsureArena(max);
        int written = Encoding.UTF8.GetBytes(value, _arena.AsSpan(_used));
        if (repetitive)
        {
            _cacheKeys[slot] = value;
            _cacheValues[slot] = (_used, written);
        }
        AppendSlice(_used, written);
        _used += written;
    }

    /// <summary>Appends bytes that are already what is stored (valid UTF-8 for text columns).</summary>
    public void Append(ReadOnlySpan<byte> value)
    {
        EnsureArena(value.Length);
        value.CopyTo(_arena.AsSpan(_used));
        AppendSlice(_used, value.Length);
        _used += value.Length;
    }

    internal override void AppendSlot(in ExtraSlot x, ForensicEvent row)
    {
        if (x.Kind == ExtraKind.Scratch) Append(row.ScratchBytes(x.Integer));
        else if (x.Ref is byte[] bytes) Append(bytes.AsSpan());
        else Append(x.Box() as string);
    }

    public void Append(byte[]? value)
    {
        if (value is null) AppendNull();
        else Append(value.AsSpan());
    }

    private void AppendSlice(int start, int length)
    {
        if (Values == _starts.Length)
        {
            Array.Resize(ref _starts, _starts.Length * 2);
            Array.Resize(ref _lengths, _lengths.Length * 2);
        }
        _starts[Values] = start;
        _lengths[Values] = length;
        AppendPresent();
    }

    private void EnsureArena(int more)
    {
        if (_used + more <= _arena.Length) return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_arena.Length * 2, _used + more));
        _arena.AsSpan(0, _used).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_arena);
        _arena = bigger;
    }

    /// <summary>Becomes <paramref name="other"/> (a rebuilt copy of this column); this column's arena goes back to the pool.</summary>
    public void TakeFrom(Utf8BatchColumn other)
    {
        if (_arena.Length > 0) ArrayPool<byte>.Shared.Return(_arena);
        _arena = other._arena;
        _used = other._used;
        _starts = other._starts;
        _lengths = other._lengths;
        Array.Clear(_cacheKeys);
        other._arena = [];
        TakeLevelsFrom(other);
    }

    public override void AppendFrom(BatchColumn source)
    {
        var from = (Utf8BatchColumn)source;
        int baseOffset = _used;
        EnsureArena(from._used);
        from._arena.AsSpan(0, from._used).CopyTo(_arena.AsSpan(_used));
        _used += from._used;
        int needed = Values + from.Values;
        if (needed > _starts.Length)
        {
            int size = Math.Max(needed, _starts.Length * 2);
            Array.Resize(ref _starts, size);
            Array.Resize(ref _lengths, size);
        }
        var starts = from.Starts;
        for (int i = 0; i < starts.Length; i++) _starts[Values + i] = baseOffset + starts[i];
        from.Lengths.CopyTo(_lengths.AsSpan(Values));
        AppendLevels(from.DefinitionLevels, from.Values);
    }

    /// <summary>The bytes of packed value <paramref name="valueIndex"/> (not a row number: nulls have no value).</summary>
    public ReadOnlySpan<byte> ValueBytes(int valueIndex) => _arena.AsSpan(_starts[valueIndex], _lengths[valueIndex]);

    public ReadOnlySpan<byte> GetBytes(int row)
    {
        int i = ValueIndex(row);
        return _arena.AsSpan(_starts[i], _lengths[i]);
    }

    public string? GetString(int row) => IsNull(row) ? null : Encoding.UTF8.GetString(GetBytes(row));

    public override object? GetObject(int row) => IsNull(row) ? null : IsBinary ? GetBytes(row).ToArray() : GetString(row);

    public override void Reset()
    {
        base.Reset();
        _used = 0;
        Array.Clear(_cacheKeys);
    }
}
