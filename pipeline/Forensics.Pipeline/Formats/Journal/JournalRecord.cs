using System.Text;

namespace Forensics.Pipeline.Formats.Journal;

/// <summary>
/// One journal field (<c>NAME=value</c>). The value is kept as raw bytes because journal values may be binary
/// or non-UTF-8; text renderings are computed once and shared, since the binary reader hands the same
/// instance to every entry that references the same DATA object (journald deduplicates values).
/// </summary>
public sealed class JournalField(string name, byte[] value)
{
    /// <summary>
    /// Largest value kept, as lines are capped at 1 MiB: one 30 MiB binary value otherwise costs about 1 GB on
    /// its way to the case (its JSON rendering as byte numbers, the message text, the Parquet pages).
    /// </summary>
    public const int MaxValueBytes = 1 << 20;

    public string Name { get; } = name;
    public byte[] Value { get; } = value;

    /// <summary>Size of the value in the evidence; larger than <see cref="Value"/> when it was cut.</summary>
    public long OriginalLength { get; private init; } = value.Length;
    public bool IsCut => OriginalLength > Value.Length;

    /// <summary>A field with its value copied, cut to <see cref="MaxValueBytes"/> (at a UTF-8 character start) when longer.</summary>
    public static JournalField Of(string name, ReadOnlySpan<byte> value)
    {
        if (value.Length <= MaxValueBytes) return new JournalField(name, value.ToArray());
        int keep = MaxValueBytes;
        for (int back = 0; back < 3 && (value[keep] & 0xC0) == 0x80; back++) keep--; // not inside a UTF-8 sequence
        return new JournalField(name, value[..keep].ToArray()) { OriginalLength = value.Length };
    }

    private string? _text;
    private int _printable; // 0 unknown, 1 printable, 2 not

    /// <summary>The value as text; invalid UTF-8 is replaced (U+FFFD) — the raw bytes stay in <see cref="Value"/>.</summary>
    public string Text => _text ??= Encoding.UTF8.GetString(Value);

    /// <summary>
    /// journalctl's notion of "printable" (systemd src/basic/utf8.c utf8_is_printable_newline with newline=false):
    /// valid UTF-8, no C0 control except TAB, no DEL/C1. Non-printable values are written by journalctl in the
    /// binary export form and as byte arrays in JSON, so renderers must use the same rule.
    /// </summary>
    public bool IsPrintable
    {
        get
        {
            if (_printable == 0) _printable = ComputePrintable(Value) ? 1 : 2;
            return _printable == 1;
        }
    }

    /// <summary>
    /// JSON output uses utf8_is_printable (newline allowed) where export uses newline=false: a multi-line value
    /// is a string in -o json but a binary field in -o export (checked against journalctl 252 output).
    /// </summary>
    public bool IsJsonPrintable => IsPrintable || ComputePrintable(Value, newlineAllowed: true);

    public static bool ComputePrintable(ReadOnlySpan<byte> v, bool newlineAllowed = false)
    {
        if (System.Text.Unicode.Utf8.IsValid(v) is false) return false;
        for (int i = 0; i < v.Length; i++)
        {
            byte b = v[i];
            if (b < 0x20 && b != (byte)'\t' && !(newlineAllowed && b == (byte)'\n')) return false;
            if (b == 0x7F) return false;
            // C1 controls U+0080..U+009F are encoded as C2 80..C2 9F.
            if (b == 0xC2 && i + 1 < v.Length && v[i + 1] >= 0x80 && v[i + 1] <= 0x9F) return false;
        }
        return true;
    }
}

/// <summary>
/// One journal entry, whatever form it came from (binary file, export stream, JSON line). Fields keep their
/// order and duplicates. For the binary form the entry metadata comes from the ENTRY object header; for the
/// text forms it comes from the <c>__CURSOR</c>/<c>__REALTIME_TIMESTAMP</c>/... pseudo-fields.
/// </summary>
public sealed class JournalRecord
{
    public required List<JournalField> Fields { get; init; }
    public long? RealtimeUs { get; set; }
    public long? MonotonicUs { get; set; }
    public long? Seqnum { get; set; }
    /// <summary>32 lowercase hex digits.</summary>
    public string? BootId { get; set; }

    private string? _cursor;
    /// <summary>The cursor text: given by export/json, computed from <see cref="CursorParts"/> for binary files.</summary>
    public string? Cursor
    {
        get
        {
            if (_cursor is null && CursorParts is { } parts)
            {
                Span<byte> buf = stackalloc byte[JournalCursor.MaxLength];
                _cursor = Encoding.UTF8.GetString(buf[..parts.Format(buf)]);
            }
            return _cursor;
        }
        set => _cursor = value;
    }

    /// <summary>What a binary entry's cursor is made of, formatted only when stored (no string per entry).</summary>
    public JournalCursor? CursorParts { get; set; }

    public JournalField? Find(string name)
    {
        foreach (var f in Fields) if (f.Name == name) return f;
        return null;
    }
}

/// <summary>
/// A binary entry's cursor, as journalctl prints it (systemd src/libsystemd/sd-journal/sd-journal.c
/// sd_journal_get_cursor): <c>s=SEQNUM_ID;i=SEQNUM;b=BOOT_ID;m=MONOTONIC;t=REALTIME;x=XOR_HASH</c>, numbers in hex.
/// </summary>
public readonly record struct JournalCursor(string SeqnumId, long Seqnum, string BootId, long MonotonicUs, long RealtimeUs, ulong Xor)
{
    public const int MaxLength = 2 + 32 + 3 + 16 + 3 + 32 + 3 + 16 + 3 + 16 + 3 + 16;

    /// <summary>Writes the cursor as UTF-8; returns its length.</summary>
    public int Format(Span<byte> destination)
    {
        if (!System.Text.Unicode.Utf8.TryWrite(destination, System.Globalization.CultureInfo.InvariantCulture,
            $"s={SeqnumId};i={Seqnum:x};b={BootId};m={MonotonicUs:x};t={RealtimeUs:x};x={Xor:x}", out int written))
            throw new InvalidOperationException("cursor longer than " + MaxLength);
        return written;
    }
}

/// <summary>Damage found while framing a binary journal: becomes a reject with this reason.</summary>
public sealed record JournalDamage(string Reason);
