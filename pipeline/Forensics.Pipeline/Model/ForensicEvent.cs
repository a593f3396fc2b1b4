using System.Text;
using Forensics.Pipeline.Text;

namespace Forensics.Pipeline.Model;

/// <summary>
/// One event's values while a parser fills them: the spine every format fills, plus format-specific typed
/// columns. On the ingest path one instance per parse worker is reused for every record and appended to the
/// batch's columns (<see cref="EventBatch"/>) when the next record starts, so no object survives per event;
/// <see cref="EventBatch.ToEvents"/> makes separate instances for tests.
/// Per-file constants (format, source_file, source_sha256) are not stored here; the writer takes them from the
/// file's context. Nulls mean "does not exist in this record"; never use empty strings as stand-ins.
/// </summary>
public sealed class ForensicEvent
{
    /// <summary>UTC time in microseconds since the Unix epoch; null when the record has no usable time.</summary>
    public long? TsMicros;
    /// <summary>How far <see cref="TsMicros"/> can be trusted; see <see cref="TsQuality"/>.</summary>
    public string TsQuality = Model.TsQuality.Exact;
    public string? Host;
    /// <summary>Kind from <see cref="EventKinds"/>; unclassified records stay <see cref="EventKinds.LogLine"/>.</summary>
    public string Event = EventKinds.LogLine;
    public string? Process;
    public long? Pid;
    public string? Unit;
    public string? User;
    /// <summary>The peer address; set from evidence bytes or chars with <see cref="SetSrcIp(ReadOnlySpan{byte})"/> (no string per record).</summary>
    public string? SrcIp
    {
        get
        {
            if (_srcIp is null && _srcIpLength >= 0) _srcIp = Encoding.UTF8.GetString(_srcIpUtf8, 0, _srcIpLength);
            return _srcIp;
        }
        set
        {
            _srcIp = value;
            _srcIpLength = -1;
        }
    }
    public int? SrcPort;
    /// <summary>Byte offset of the record in its (decompressed) source file.</summary>
    public long SourceOffset;
    /// <summary>
    /// Not stored: how this record takes part in per-file ordered state resolved after parsing (see
    /// <see cref="Formats.ILogFormat.InOrder"/>), e.g. an sshd line that names its peer or needs it carried.
    /// </summary>
    public PeerRole PeerRole;
    /// <summary>Not stored: the peer a <see cref="PeerRole.NamesPeer"/> record names when it is not an address (a host name).</summary>
    public string? PeerName;

    // src_ip set from a span: kept as UTF-8 for the column, a string only if someone reads SrcIp. Addresses are
    // mostly distinct (bots), so a string per line was the largest allocation of the sshd and web paths.
    private string? _srcIp;
    private readonly byte[] _srcIpUtf8 = new byte[MaxAddressLength * 3];
    private int _srcIpLength = -1;
    /// <summary>Longest address kept without a string (IPv6 with a zone fits easily).</summary>
    public const int MaxAddressLength = 64;

    /// <summary>True when the record has a src_ip (without making its string).</summary>
    public bool HasSrcIp => _srcIp is not null || _srcIpLength >= 0;

    /// <summary>Sets src_ip from its text as logged (valid UTF-8, no NUL: callers checked it is an address).</summary>
    public void SetSrcIp(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > _srcIpUtf8.Length) { SrcIp = Encoding.UTF8.GetString(utf8); return; }
        utf8.CopyTo(_srcIpUtf8);
        _srcIp = null;
        _srcIpLength = utf8.Length;
    }

    /// <summary>Sets src_ip from characters (classifiers that work on the decoded message).</summary>
    public void SetSrcIp(ReadOnlySpan<char> address)
    {
        if (address.Length > MaxAddressLength) { SrcIp = address.ToString(); return; }
        _srcIpLength = Encoding.UTF8.GetBytes(address, _srcIpUtf8);
        _srcIp = null;
    }

    /// <summary>src_ip's UTF-8 bytes when it was set from a span (empty otherwise: then read <see cref="SrcIp"/>).</summary>
    internal ReadOnlySpan<byte> SrcIpUtf8 => _srcIpLength >= 0 ? _srcIpUtf8.AsSpan(0, _srcIpLength) : default;
    internal bool SrcIpIsUtf8 => _srcIpLength >= 0;

    private string? _message;
    // Message set from evidence bytes (SetMessage): kept as UTF-8 for the column and as chars for classifiers,
    // so the hot formats never allocate a string per line.
    private byte[] _messageBytes = [];
    private int _messageByteCount = -1;
    private char[] _messageChars = [];
    private int _messageCharCount = -1; // -1: not decoded yet (formats that never classify skip the transcoding)

    private ExtraSlot[] _extras = new ExtraSlot[4];
    private int _extraCount;
    // UTF-8 values set with SetUtf8, for this row only (reused): no byte[] or string per value.
    private byte[] _scratch = new byte[1024];
    private int _scratchUsed;

    /// <summary>The record's original text (for binary records, a faithful rendering of it).</summary>
    public string? Message
    {
        get
        {
            if (_message is null && _messageByteCount >= 0) _message = new string(MessageChars);
            return _message;
        }
        set
        {
            _message = value;
            _messageByteCount = -1;
        }
    }

    /// <summary>
    /// Sets the message from evidence bytes: valid UTF-8 is kept as is; invalid sequences and NUL bytes become
    /// <c>\xHH</c> (as <see cref="Utf8Text.Decode"/> renders them).
    /// </summary>
    public void SetMessage(ReadOnlySpan<byte> raw)
    {
        _message = null;
        if (Utf8Text.NeedsEscaping(raw))
        {
            Message = Utf8Text.Decode(raw);
            return;
        }
        raw.CopyTo(MessageScratch(raw.Length));
        CommitMessage(raw.Length);
    }

    /// <summary>Room to write a message as UTF-8 in place (valid UTF-8, no NUL); then <see cref="CommitMessage"/>.</summary>
    public Span<byte> MessageScratch(int maxLength)
    {
        if (_messageBytes.Length < maxLength) _messageBytes = new byte[Math.Max(maxLength, 256)];
        return _messageBytes.AsSpan(0, maxLength);
    }

    /// <summary>Makes the first <paramref name="length"/> bytes of <see cref="MessageScratch"/> the message.</summary>
    public void CommitMessage(int length)
    {
        _message = null;
        _messageByteCount = length;
        _messageCharCount = -1;
    }

    /// <summary>The message as characters without making a string (empty when there is none).</summary>
    public ReadOnlySpan<char> MessageChars
    {
        get
        {
            if (_messageByteCount < 0) return _message.AsSpan();
            if (_messageCharCount < 0)
            {
                if (_messageChars.Length < _messageByteCount) _messageChars = new char[Math.Max(_messageByteCount, 256)];
                _messageCharCount = Encoding.UTF8.GetChars(_messageBytes.AsSpan(0, _messageByteCount), _messageChars);
            }
            return _messageChars.AsSpan(0, _messageCharCount);
        }
    }

    /// <summary>The message's UTF-8 bytes when it was set with <see cref="SetMessage"/>.</summary>
    // (A bare null here would convert to an empty Memory through byte[]'s implicit conversion, not to null.)
    internal ReadOnlyMemory<byte>? MessageUtf8 => _messageByteCount >= 0 ? new ReadOnlyMemory<byte>(_messageBytes, 0, _messageByteCount) : (ReadOnlyMemory<byte>?)null;

    internal ReadOnlySpan<ExtraSlot> ExtraSlots => _extras.AsSpan(0, _extraCount);

    // Typed setters: the ingest path never boxes. A null value leaves the column null.
    public void Set(ExtraColumn column, string? value) { if (value is not null) Put(new ExtraSlot(column, ExtraKind.Ref, 0, 0, value)); }
    public void Set(ExtraColumn column, byte[]? value) { if (value is not null) Put(new ExtraSlot(column, ExtraKind.Ref, 0, 0, value)); }
    public void Set(ExtraColumn column, long value) => Put(new ExtraSlot(column, ExtraKind.Integer, value, 0, null));
    public void Set(ExtraColumn column, long? value) { if (value is { } v) Set(column, v); }
    public void Set(ExtraColumn column, int value) => Put(new ExtraSlot(column, ExtraKind.Integer, value, 0, null));
    public void Set(ExtraColumn column, int? value) { if (value is { } v) Set(column, v); }
    public void Set(ExtraColumn column, bool value) => Put(new ExtraSlot(column, ExtraKind.Integer, value ? 1 : 0, 0, null));
    public void Set(ExtraColumn column, double value) => Put(new ExtraSlot(column, ExtraKind.Real, 0, value, null));

    /// <summary>Sets a text column from UTF-8 bytes that are what is stored (valid UTF-8), copied into the row's scratch.</summary>
    public void SetUtf8(ExtraColumn column, ReadOnlySpan<byte> utf8)
    {
        var target = Utf8Scratch(utf8.Length);
        utf8.CopyTo(target);
        CommitUtf8(column, utf8.Length);
    }

    /// <summary>Room for <paramref name="length"/> bytes of a value to be committed with <see cref="CommitUtf8"/> (write it in place).</summary>
    public Span<byte> Utf8Scratch(int length)
    {
        if (_scratchUsed + length > _scratch.Length) Array.Resize(ref _scratch, Math.Max(_scratch.Length * 2, _scratchUsed + length));
        return _scratch.AsSpan(_scratchUsed, length);
    }

    /// <summary>Makes the first <paramref name="length"/> bytes written to <see cref="Utf8Scratch"/> the column's value.</summary>
    public void CommitUtf8(ExtraColumn column, int length)
    {
        Put(new ExtraSlot(column, ExtraKind.Scratch, ((long)_scratchUsed << 32) | (uint)length, 0, null));
        _scratchUsed += length;
    }

    internal ReadOnlySpan<byte> ScratchBytes(long packed) => _scratch.AsSpan((int)(packed >> 32), (int)(packed & 0xFFFFFFFF));

    /// <summary>Sets a value whose type is known only at run time (tests, generic code).</summary>
    public void Set(ExtraColumn column, object? value)
    {
        switch (value)
        {
            case null: return;
            case string s: Set(column, s); break;
            case byte[] b: Set(column, b); break;
            case long l: Set(column, l); break;
            case int i: Set(column, i); break;
            case bool f: Set(column, f); break;
            case double d: Set(column, d); break;
            case DateTime t: Set(column, ToMicros(t.ToUniversalTime())); break;
            default: Set(column, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)); break;
        }
    }

    private void Put(ExtraSlot slot)
    {
        for (int i = 0; i < _extraCount; i++)
        {
            if (ReferenceEquals(_extras[i].Column, slot.Column)) { _extras[i] = slot; return; }
        }
        if (_extraCount == _extras.Length) Array.Resize(ref _extras, _extras.Length * 2);
        _extras[_extraCount++] = slot;
    }

    /// <summary>The value of an extra column in its column's CLR type (boxed: for tests and rare reads).</summary>
    public object? Get(ExtraColumn column)
    {
        for (int i = 0; i < _extraCount; i++)
        {
            if (!ReferenceEquals(_extras[i].Column, column)) continue;
            if (_extras[i].Kind == ExtraKind.Scratch)
            {
                var bytes = ScratchBytes(_extras[i].Integer);
                return column.Type == ColumnType.Binary ? bytes.ToArray() : Encoding.UTF8.GetString(bytes);
            }
            return _extras[i].Box();
        }
        return null;
    }

    /// <summary>Clears every value for the next record.</summary>
    internal void Reset(long offset)
    {
        TsMicros = null;
        TsQuality = Model.TsQuality.Exact;
        Host = null;
        Event = EventKinds.LogLine;
        Process = null;
        Pid = null;
        Unit = null;
        User = null;
        _srcIp = null;
        _srcIpLength = -1;
        SrcPort = null;
        SourceOffset = offset;
        PeerRole = PeerRole.None;
        PeerName = null;
        _message = null;
        _messageByteCount = -1;
        Array.Clear(_extras, 0, _extraCount);
        _extraCount = 0;
        _scratchUsed = 0;
    }

    public static DateTime? ToDateTime(long? micros) =>
        micros is { } m ? DateTime.UnixEpoch.AddTicks(m * 10) : null;

    public static long ToMicros(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) / 10;
}

/// <summary>A record's part in carrying a connection's peer address to later records of the same process.</summary>
public enum PeerRole : byte { None, NamesPeer, WantsPeer }

internal enum ExtraKind : byte { Integer, Real, Ref, Scratch }

/// <summary>An extra column's value without boxing: integers (and bools) in one long, reals in a double, text and bytes by reference.</summary>
internal readonly record struct ExtraSlot(ExtraColumn Column, ExtraKind Kind, long Integer, double Real, object? Ref)
{
    public object? Box() => Column.Type switch
    {
        ColumnType.Int32 => Kind == ExtraKind.Real ? (int)Real : (int)Integer,
        ColumnType.Int64 or ColumnType.Timestamp => Kind == ExtraKind.Real ? (long)Real : Integer,
        ColumnType.Bool => Integer != 0,
        ColumnType.Double => Kind == ExtraKind.Real ? Real : Integer,
        ColumnType.String => Ref as string ?? (Ref is byte[] b ? Encoding.UTF8.GetString(b) : Kind == ExtraKind.Real ? Real.ToString(System.Globalization.CultureInfo.InvariantCulture) : Integer.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ColumnType.Binary => Ref as byte[] ?? (Ref is string s ? Encoding.UTF8.GetBytes(s) : null),
        _ => null,
    };

    /// <summary>Appends the value to a column of the column's declared type (converting where the setter's type differs).</summary>
    public void AppendTo(BatchColumn target, ForensicEvent row) => target.AppendSlot(this, row);
}
