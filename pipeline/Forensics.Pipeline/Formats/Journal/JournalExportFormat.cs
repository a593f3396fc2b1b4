using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text;
using Forensics.Pipeline.Framing;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats.Journal;

/// <summary>
/// <c>journalctl -o export</c> streams (systemd docs/JOURNAL_EXPORT_FORMATS.md, "Journal Export Format"):
/// entries separated by one empty line; a field is <c>NAME=value\n</c>, or, when the value is not printable
/// (newline, control bytes, invalid UTF-8), the binary-safe form <c>NAME\n</c> + le64 length + raw bytes + <c>\n</c>.
/// Because a binary value may hold blank lines, a line framer cannot find entry boundaries: this format has its
/// own small framer that follows the length prefixes. Pseudo-fields: __CURSOR, __REALTIME_TIMESTAMP,
/// __MONOTONIC_TIMESTAMP, __SEQNUM / __SEQNUM_ID (systemd ≥ 254), _BOOT_ID.
/// </summary>
public sealed class JournalExportFormat : ILogFormat
{
    /// <summary>Largest entry accepted; a bigger one is cut, skipped to its end, and rejected.</summary>
    public const int MaxEntryBytes = 64 << 20;

    public string Id => "journal_export";
    public string Description => "journalctl -o export stream (text and binary-safe length-prefixed fields)";
    public IReadOnlyList<ExtraColumn> ExtraColumns => JournalNormalizer.Columns;

    public int Sniff(ReadOnlySpan<byte> head, string fileName)
    {
        if (head.StartsWith("__CURSOR=s="u8)) return 95;
        // Streams written by other tools may start with a timestamp pseudo-field or a regular field.
        if (head.StartsWith("__REALTIME_TIMESTAMP="u8)) return 90;
        int nl = head.IndexOf((byte)'\n');
        if (nl > 0 && head[..nl].IndexOf("__REALTIME_TIMESTAMP="u8) < 0 && head.IndexOf("\n__REALTIME_TIMESTAMP="u8) >= 0
            && head.IndexOf("\n_BOOT_ID="u8) >= 0 && head[0] != (byte)'{') return 60;
        return 0;
    }

    public IEnumerable<RecordBatch> Frame(Stream input, FileContext file, CancellationToken cancel)
    {
        var reader = new ExportEntryReader(input);
        var batch = new RecordBatch();
        while (reader.Next(out int length, out long offset, out bool cut))
        {
            cancel.ThrowIfCancellationRequested();
            if (!batch.CanAdd(length) && batch.Count > 0)
            {
                yield return batch;
                batch = new RecordBatch();
            }
            batch.Add(reader.Current, offset, truncated: cut);
        }
        if (batch.Count > 0) yield return batch;
        else batch.Release();
    }

    public void Parse(RecordBatch batch, FileContext file, ParseOutput output)
    {
        for (int i = 0; i < batch.Count; i++)
        {
            var raw = batch.Record(i);
            if (batch.Truncated(i)) { output.Reject(batch.Offset(i), $"export entry longer than {MaxEntryBytes} bytes or cut by the end of file", raw); continue; }
            var rec = TryDecode(raw, out string? error);
            if (rec is null) { output.Reject(batch.Offset(i), error!, raw); continue; }
            JournalNormalizer.Fill(output.NewEvent(batch.Offset(i)), rec);
        }
    }

    /// <summary>Decodes one framed entry (without its terminating blank line).</summary>
    public static JournalRecord? TryDecode(ReadOnlySpan<byte> raw, out string? error)
    {
        var rec = new JournalRecord { Fields = new List<JournalField>(32) };
        int p = 0;
        while (p < raw.Length)
        {
            var rest = raw[p..];
            int nl = rest.IndexOf((byte)'\n');
            var line = nl < 0 ? rest : rest[..nl];
            int eq = line.IndexOf((byte)'=');
            if (eq > 0)
            {
                var name = line[..eq];
                var value = line[(eq + 1)..];
                if (!Meta(rec, name, value)) rec.Fields.Add(JournalField.Of(Names.Get(name), value));
                p += nl < 0 ? rest.Length : nl + 1;
                continue;
            }
            if (nl <= 0) { error = $"field line without '=' at entry byte {p}"; return null; }
            // Binary-safe form: NAME\n, le64 size, data, \n.
            if (rest.Length < nl + 1 + 8) { error = $"binary field {Encoding.UTF8.GetString(line)} cut before its length"; return null; }
            ulong size = BinaryPrimitives.ReadUInt64LittleEndian(rest[(nl + 1)..]);
            long dataStart = nl + 1 + 8;
            if (size > (ulong)(rest.Length - dataStart)) { error = $"binary field {Encoding.UTF8.GetString(line)} claims {size} bytes, entry has {rest.Length - dataStart}"; return null; }
            var data = rest.Slice((int)dataStart, (int)size);
            rec.Fields.Add(JournalField.Of(Names.Get(line), data));
            p += (int)dataStart + (int)size;
            if (p < raw.Length && raw[p] == (byte)'\n') p++;
        }
        if (rec.Fields.Count == 0 && rec.RealtimeUs is null) { error = "empty export entry"; return null; }
        error = null;
        return rec;
    }

    private static bool Meta(JournalRecord rec, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (name.Length < 2 || name[0] != (byte)'_' || name[1] != (byte)'_')
        {
            if (name.SequenceEqual("_BOOT_ID"u8)) rec.BootId = Encoding.ASCII.GetString(value);
            return false;
        }
        if (name.SequenceEqual("__CURSOR"u8)) { rec.Cursor = Encoding.UTF8.GetString(value); return true; }
        if (name.SequenceEqual("__REALTIME_TIMESTAMP"u8) && Utf8Parser.TryParse(value, out long rt, out int a) && a == value.Length) { rec.RealtimeUs = rt; return true; }
        if (name.SequenceEqual("__MONOTONIC_TIMESTAMP"u8) && Utf8Parser.TryParse(value, out long mo, out int b) && b == value.Length) { rec.MonotonicUs = mo; return true; }
        if (name.SequenceEqual("__SEQNUM"u8) && Utf8Parser.TryParse(value, out long sq, out int c) && c == value.Length) { rec.Seqnum = sq; return true; }
        return false; // other __ fields (e.g. __SEQNUM_ID) are kept as fields
    }
}

/// <summary>Interns the few distinct field names of journal text forms across threads.</summary>
internal static class Names
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> s_names = new();
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> s_lookup = s_names.GetAlternateLookup<ReadOnlySpan<char>>();

    public static string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > 128) return Encoding.UTF8.GetString(utf8);
        Span<char> chars = stackalloc char[utf8.Length];
        int n = Encoding.UTF8.GetChars(utf8, chars);
        if (s_lookup.TryGetValue(chars[..n], out var s)) return s;
        s = new string(chars[..n]);
        if (s_names.Count < 10_000) s_names.TryAdd(s, s);
        return s;
    }
}

/// <summary>Reads export entries (up to the blank line) following binary-field length prefixes.</summary>
internal sealed class ExportEntryReader(Stream stream)
{
    private byte[] _buf = new byte[1 << 16];
    private int _start, _end;
    private long _bufOffset;
    private bool _eof;

    private byte[] _current = [];
    private int _currentStart, _currentLength;

    /// <summary>The entry found by <see cref="Next"/>; valid until the next call.</summary>
    public ReadOnlySpan<byte> Current => _current.AsSpan(_currentStart, _currentLength);

    public bool Next(out int length, out long offset, out bool cut)
    {
        bool ok = TryRead(out var entry, out offset, out cut);
        length = entry.Length;
        if (ok)
        {
            // entry is a slice of _buf, or of a copy for cut entries: find which.
            if (cut) { _current = entry.ToArray(); _currentStart = 0; }
            else { _current = _buf; _currentStart = (int)(_lastStart); }
            _currentLength = entry.Length;
        }
        return ok;
    }

    private int _lastStart;

    /// <summary>Returns the next entry's bytes (valid until the next call), without the blank separator line.</summary>
    private bool TryRead(out ReadOnlySpan<byte> entry, out long offset, out bool cut)
    {
        cut = false;
        // Skip extra blank lines between entries.
        while (true)
        {
            if (_start == _end && !Fill()) { entry = default; offset = 0; return false; }
            if (_buf[_start] != (byte)'\n') break;
            _start++;
        }
        offset = _bufOffset + _start;
        int p = 0; // position relative to _start; Fill() may move _start, so _lastStart is set on return
        while (true)
        {
            // At a line start: blank line ends the entry.
            if (!Ensure(p + 1)) { _lastStart = _start; entry = _buf.AsSpan(_start, _end - _start); _start = _end; return true; }
            if (_buf[_start + p] == (byte)'\n') { _lastStart = _start; entry = _buf.AsSpan(_start, p); _start += p + 1; return true; }
            int nl;
            while ((nl = _buf.AsSpan(_start + p, _end - _start - p).IndexOf((byte)'\n')) < 0)
            {
                if (_end - _start > JournalExportFormat.MaxEntryBytes) return Cut(out entry, out cut);
                if (!Fill()) { _lastStart = _start; entry = _buf.AsSpan(_start, _end - _start); _start = _end; return true; }
            }
            var line = _buf.AsSpan(_start + p, nl);
            if (line.IndexOf((byte)'=') >= 0) { p += nl + 1; continue; }
            // Binary field: name line, then le64 size, data, newline.
            if (!Ensure(p + nl + 1 + 8)) { _lastStart = _start; entry = _buf.AsSpan(_start, _end - _start); _start = _end; return true; }
            ulong size = BinaryPrimitives.ReadUInt64LittleEndian(_buf.AsSpan(_start + p + nl + 1));
            if (size > (ulong)JournalExportFormat.MaxEntryBytes) return Cut(out entry, out cut);
            long need = p + nl + 1 + 8 + (long)size + 1;
            if (need > JournalExportFormat.MaxEntryBytes) return Cut(out entry, out cut);
            if (!Ensure((int)need)) { _lastStart = _start; entry = _buf.AsSpan(_start, _end - _start); _start = _end; return true; }
            p = (int)need;
        }
    }

    /// <summary>Hands out what is buffered as a cut entry and skips to the next blank line.</summary>
    private bool Cut(out ReadOnlySpan<byte> entry, out bool cut)
    {
        cut = true;
        int n = Math.Min(_end - _start, Reject.MaxRawBytes);
        var copy = _buf.AsSpan(_start, n).ToArray();
        _start = _end;
        while (true)
        {
            int idx = _buf.AsSpan(_start, _end - _start).IndexOf("\n\n"u8);
            if (idx >= 0) { _start += idx + 2; break; }
            _start = Math.Max(_start, _end - 1);
            if (!Fill()) { _start = _end; break; }
        }
        entry = copy;
        return true;
    }

    private bool Ensure(int n)
    {
        while (_end - _start < n) if (!Fill()) return false;
        return true;
    }

    private bool Fill()
    {
        if (_eof) return false;
        if (_start > 0)
        {
            _buf.AsSpan(_start, _end - _start).CopyTo(_buf);
            _bufOffset += _start;
            _end -= _start;
            _start = 0;
        }
        if (_end == _buf.Length) Array.Resize(ref _buf, _buf.Length * 2);
        int n = stream.Read(_buf, _end, _buf.Length - _end);
        if (n <= 0) { _eof = true; return false; }
        _end += n;
        return true;
    }
}
