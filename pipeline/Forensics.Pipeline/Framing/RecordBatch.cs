using System.Buffers;

namespace Forensics.Pipeline.Framing;

/// <summary>
/// A batch of framed records from one file: slices of one byte buffer, each with its offset in the file.
/// Batches (not single records) cross the pipeline's channels; one record must become exactly one event or
/// one reject, which the runner checks per batch. Binary formats that decode while framing put their decoded
/// record in <see cref="Decoded"/> (same index) and may leave the byte slice empty.
/// </summary>
public sealed class RecordBatch
{
    public const int DefaultCapacity = 4096;

    private byte[] _buffer;
    private int _bufferUsed;
    private Slot[] _slots;

    public RecordBatch(int bufferSize = 1 << 20, int capacity = DefaultCapacity)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        _slots = new Slot[capacity];
    }

    /// <summary>Order of this batch within its file (0, 1, ...), set by the frame stage so the writer can keep file order.</summary>
    public int Sequence { get; internal set; }
    public int Count { get; private set; }
    public int Capacity => _slots.Length;
    public int BufferFree => _buffer.Length - _bufferUsed;
    public object?[]? Decoded { get; private set; }

    public long Offset(int i) => _slots[i].Offset;
    /// <summary>A per-record value the framer computed in order (e.g. the inferred year of a year-less stamp).</summary>
    public int Hint(int i) => _slots[i].Hint;
    /// <summary>
    /// Bytes the framer carried to this record from earlier records of the same file (e.g. the previous lines of
    /// the same sshd process, for a line that names no address); empty for most records. Parse workers see one
    /// batch and never the records before it, so what needs file order is handed over here, by the framer.
    /// </summary>
    public ReadOnlySpan<byte> Carried(int i) => _buffer.AsSpan(_slots[i].Start + _slots[i].Length, _slots[i].CarriedLength);
    /// <summary>Set when the framer had to cut the record (giant line); the parser turns it into a reject.</summary>
    public bool Truncated(int i) => _slots[i].Truncated;
    public ReadOnlySpan<byte> Record(int i) => _buffer.AsSpan(_slots[i].Start, _slots[i].Length);
    public ReadOnlyMemory<byte> RecordMemory(int i) => _buffer.AsMemory(_slots[i].Start, _slots[i].Length);

    public bool CanAdd(int length) => Count < _slots.Length && length <= BufferFree;

    /// <summary>Copies a record into the batch. Call <see cref="CanAdd"/> first.</summary>
    public void Add(ReadOnlySpan<byte> record, long offset, int hint = 0, bool truncated = false, ReadOnlySpan<byte> carried = default)
    {
        int length = record.Length + carried.Length;
        if (length > BufferFree) GrowBuffer(length);
        record.CopyTo(_buffer.AsSpan(_bufferUsed));
        carried.CopyTo(_buffer.AsSpan(_bufferUsed + record.Length));
        _slots[Count++] = new Slot(_bufferUsed, record.Length, offset, hint, truncated, carried.Length);
        _bufferUsed += length;
    }

    /// <summary>Adds a record decoded by the framer (binary formats); <paramref name="raw"/> may be empty.</summary>
    public void AddDecoded(object decoded, long offset, ReadOnlySpan<byte> raw = default, int hint = 0)
    {
        Decoded ??= new object?[_slots.Length];
        Decoded[Count] = decoded;
        Add(raw, offset, hint);
    }

    private void GrowBuffer(int needed)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _bufferUsed + needed));
        _buffer.AsSpan(0, _bufferUsed).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    /// <summary>Returns the buffer to the pool; the batch must not be used afterwards.</summary>
    public void Release()
    {
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        Decoded = null;
    }

    private readonly record struct Slot(int Start, int Length, long Offset, int Hint, bool Truncated, int CarriedLength);
}
