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
        var batches = new BatchCursor(ChunkedLineReader.SizeFor(input, 4 << 10, 1 << 20));
        // Multi-line record being assembled (first line + continuation lines), when the format joins lines.
        var pending = new ArrayBufferWriter<byte>();
        long pendingOffset = -1;
        bool pendingTruncated = false;
        var isContinuation = options.IsContinuation;
        // Hints of the records a finished line (or joined record) stands for: one, or several with Entries.
        var hints = new int[LineFramingOptions.MaxEntriesPerLine];

        while (reader.TryReadLine(out var line, out long offset, out bool truncated))
        {
            cancel.ThrowIfCancellationRequested();
            if (isContinuation is null)
            {
                int n = Hints(reader.Get(line), offset, truncated, options, hints);
                for (int k = 0; k < n; k++)
                {
                    if (batches.TakeIfFull(line.Length) is { } full) yield return full;
                    batches.Current.Add(reader.Get(line), offset, hints[k], truncated);
                }
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
                int n = Hints(pending.WrittenSpan, pendingOffset, pendingTruncated, options, hints);
                for (int k = 0; k < n; k++)
                {
                    if (batches.TakeIfFull(pending.WrittenCount) is { } full) yield return full;
                    batches.Current.Add(pending.WrittenSpan, pendingOffset, hints[k], pendingTruncated);
                }
            }
            pending.Clear();
            pending.Write(reader.Get(line));
            pendingOffset = offset;
            pendingTruncated = truncated;
        }
        if (pendingOffset >= 0)
        {
            int n = Hints(pending.WrittenSpan, pendingOffset, pendingTruncated, options, hints);
            for (int k = 0; k < n; k++)
            {
                if (batches.TakeIfFull(pending.WrittenCount) is { } full) yield return full;
                batches.Current.Add(pending.WrittenSpan, pendingOffset, hints[k], pendingTruncated);
            }
        }
        if (batches.Current.Count > 0) yield return batches.Current;
        else batches.Current.Release();
    }

    /// <summary>The batch being filled; hands it out when the next record does not fit (the frame stage numbers batches).</summary>
    /// <param name="bufferSize">Bytes a batch starts with: the file's size for small files, so ten-line files do not each take 1 MiB.</param>
    private sealed class BatchCursor(int bufferSize)
    {
        public RecordBatch Current { get; private set; } = new(bufferSize);

        public RecordBatch? TakeIfFull(int nextRecordLength)
        {
            if (Current.CanAdd(nextRecordLength) || Current.Count == 0) return null;
            var full = Current;
            Current = new RecordBatch(bufferSize);
            return full;
        }
    }

    /// <summary>
    /// The hints of the records one finished line (or joined record) stands for, in order; returns how many. One
    /// record with <see cref="LineFramingOptions.Hint"/>'s value, or with <see cref="LineFramingOptions.Entries"/>
    /// one per entry (a cut record is always one, hint 0).
    /// </summary>
    private static int Hints(ReadOnlySpan<byte> record, long offset, bool truncated, LineFramingOptions options, int[] hints)
    {
        if (options.Entries is { } entries)
        {
            if (truncated) { hints[0] = 0; return 1; }
            return Math.Clamp(entries(record, hints), 1, hints.Length);
        }
        hints[0] = options.Hint is { } h ? h(record, offset) : 0;
        return 1;
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
    /// <summary>
    /// For a line that stands for several records (a bodyfile line: one timeline entry per distinct time): writes
    /// one hint per record and returns how many (1 to <see cref="MaxEntriesPerLine"/>); each record is the same line
    /// at the same offset with its own hint, so the manifest's records count entries. A cut line is one record
    /// with hint 0. Applies to the joined record when <see cref="IsContinuation"/> joins lines. Runs on the
    /// framing thread; used instead of <see cref="Hint"/>.
    /// </summary>
    public EntriesOfLine? Entries { get; init; }

    public const int MaxEntriesPerLine = 8;
}

/// <summary>Writes the hints of a line's records into <paramref name="hints"/> and returns their count (see <see cref="LineFramingOptions.Entries"/>).</summary>
public delegate int EntriesOfLine(ReadOnlySpan<byte> line, Span<int> hints);

/// <summary>Reads lines from a stream through a reusable buffer; a line is valid until the next call.</summary>
internal sealed class ChunkedLineReader(Stream stream, int maxLine)
{
    // Starts at the file's size (small files are the common case in a collection) up to 256 KiB; Fill grows it
    // when a line does not fit, up to the line limit.
    private byte[] _buffer = new byte[SizeFor(stream, 4 << 10, 256 << 10)];

    /// <summary>The bytes left in a seekable stream (+1, so end of file is seen in one read), clamped; else <paramref name="max"/>.</summary>
    public static int SizeFor(Stream stream, int min, int max)
    {
        if (!stream.CanSeek) return max;
        long left = stream.Length - stream.Position + 1;
        return (int)Math.Clamp(left, min, max);
    }
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
