using System.Buffers;

namespace Forensics.Pipeline.Framing;

/// <summary>
/// Splits a byte stream into lines (LF, with a trailing CR removed) and packs them into batches, with the
/// byte offset of each line. Shared by every line-oriented format; formats customise it through
/// <see cref="LineFramingOptions"/> (continuation lines, per-line hints) instead of writing their own loop.
/// A line longer than <see cref="LineFramingOptions.MaxLineBytes"/> is cut and marked truncated, so the
/// parser rejects it with its offset instead of the framer buffering without bound.
/// </summary>
public static class LineFramer
{
    public static IEnumerable<RecordBatch> Frame(Stream input, LineFramingOptions options, CancellationToken cancel)
    {
        var reader = new ChunkedLineReader(input, options.MaxLineBytes);
        var batch = new RecordBatch();
        var batches = new BatchCursor();
        // Multi-line record being assembled (first line + continuation lines), when the format joins lines.
        var pending = new ArrayBufferWriter<byte>();
        long pendingOffset = -1;
        bool pendingTruncated = false;
        var isContinuation = options.IsContinuation;

        while (reader.TryReadLine(out var line, out long offset, out bool truncated))
        {
            cancel.ThrowIfCancellationRequested();
            if (isContinuation is null)
            {
                if (batches.TakeIfFull(line.Length) is { } full) yield return full;
                Add(batches.Current, reader.Get(line), offset, truncated, options);
                continue;
            }
            var span = reader.Get(line);
            // Called for every line, the first and cut ones included, so stateful predicates (traceback
            // joiner, audit serial grouper) see the whole sequence.
            bool continues = isContinuation(span);
            if (pendingOffset >= 0 && !truncated && continues && pending.WrittenCount + span.Length + 1 <= options.MaxLineBytes)
            {
                pending.Write("\n"u8);
                pending.Write(span);
                continue;
            }
            if (pendingOffset >= 0)
            {
                if (batches.TakeIfFull(pending.WrittenCount) is { } full) yield return full;
                Add(batches.Current, pending.WrittenSpan, pendingOffset, pendingTruncated, options);
            }
            pending.Clear();
            pending.Write(reader.Get(line));
            pendingOffset = offset;
            pendingTruncated = truncated;
        }
        if (pendingOffset >= 0)
        {
            if (batches.TakeIfFull(pending.WrittenCount) is { } full) yield return full;
            Add(batches.Current, pending.WrittenSpan, pendingOffset, pendingTruncated, options);
        }
        if (batches.Current.Count > 0) yield return batches.Current;
        else batches.Current.Release();
    }

    /// <summary>The batch being filled; hands it out when the next record does not fit (the frame stage numbers batches).</summary>
    private sealed class BatchCursor
    {
        public RecordBatch Current { get; private set; } = new();

        public RecordBatch? TakeIfFull(int nextRecordLength)
        {
            if (Current.CanAdd(nextRecordLength) || Current.Count == 0) return null;
            var full = Current;
            Current = new RecordBatch();
            return full;
        }
    }

    private static void Add(RecordBatch batch, ReadOnlySpan<byte> record, long offset, bool truncated, LineFramingOptions options)
    {
        int hint = options.Hint is { } h ? h(record, offset) : 0;
        if (options.Carry is { } carry)
        {
            var carried = options.CarryBuffer;
            carried.Clear();
            carry(record, carried);
            batch.Add(record, offset, hint, truncated, carried.WrittenSpan);
        }
        else batch.Add(record, offset, hint, truncated);
    }
}

public sealed class LineFramingOptions
{
    /// <summary>Lines longer than this are cut and rejected (default 1 MiB).</summary>
    public int MaxLineBytes { get; init; } = 1 << 20;
    /// <summary>True when a line continues the previous record (indented journal text, tracebacks). Called once per line, in order, first line included.</summary>
    public Func<ReadOnlySpan<byte>, bool>? IsContinuation { get; init; }
    /// <summary>Computes a per-record hint in file order (e.g. the inferred year); runs on the framing thread.</summary>
    public Func<ReadOnlySpan<byte>, long, int>? Hint { get; init; }
    /// <summary>Writes bytes carried to a record from earlier records, in file order (<see cref="RecordBatch.Carried"/>); runs on the framing thread.</summary>
    public CarryWriter? Carry { get; init; }
    internal ArrayBufferWriter<byte> CarryBuffer { get; } = new();
}

/// <summary>Appends to <paramref name="carried"/> what a record takes from the records before it (nothing for most).</summary>
public delegate void CarryWriter(ReadOnlySpan<byte> record, ArrayBufferWriter<byte> carried);

/// <summary>Reads lines from a stream through a reusable buffer; a line is valid until the next call.</summary>
internal sealed class ChunkedLineReader(Stream stream, int maxLine)
{
    private byte[] _buffer = new byte[Math.Min(Math.Max(maxLine + 1, 1 << 16), 4 << 20) ];
    private int _start, _end;
    private long _bufferOffset; // file offset of _buffer[0]
    private bool _eof;
    private bool _skippingRestOfGiantLine;

    /// <summary>Where a line lies in the reader's buffer; valid until the next <see cref="TryReadLine"/>.</summary>
    public readonly record struct LineSlice(int Start, int Length);

    public ReadOnlySpan<byte> Get(LineSlice slice) => _buffer.AsSpan(slice.Start, slice.Length);

    public bool TryReadLine(out LineSlice line, out long offset, out bool truncated)
    {
        truncated = false;
        while (true)
        {
            var window = _buffer.AsSpan(_start, _end - _start);
            int nl = window.IndexOf((byte)'\n');
            if (_skippingRestOfGiantLine)
            {
                if (nl < 0) { _start = _end; if (!Fill()) { line = default; offset = 0; return false; } continue; }
                _start += nl + 1;
                _skippingRestOfGiantLine = false;
                continue;
            }
            if (nl >= 0)
            {
                offset = _bufferOffset + _start;
                line = new LineSlice(_start, TrimCrLength(window[..nl]));
                _start += nl + 1;
                return true;
            }
            if (window.Length >= maxLine)
            {
                // Giant line: hand out its first maxLine bytes, marked truncated, and skip the rest.
                offset = _bufferOffset + _start;
                line = new LineSlice(_start, maxLine);
                truncated = true;
                _start = _end;
                _skippingRestOfGiantLine = true;
                return true;
            }
            if (!Fill())
            {
                if (_end > _start)
                {
                    offset = _bufferOffset + _start;
                    line = new LineSlice(_start, TrimCrLength(_buffer.AsSpan(_start, _end - _start)));
                    _start = _end;
                    return true;
                }
                line = default; offset = 0;
                return false;
            }
        }
    }

    private static int TrimCrLength(ReadOnlySpan<byte> s) => s.Length > 0 && s[^1] == (byte)'\r' ? s.Length - 1 : s.Length;

    private bool Fill()
    {
        if (_eof) return false;
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _bufferOffset += _start;
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        int n = stream.Read(_buffer, _end, _buffer.Length - _end);
        if (n <= 0) { _eof = true; return false; }
        _end += n;
        return true;
    }
}
