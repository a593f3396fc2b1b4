namespace Forensics.Pipeline.Model;

/// <summary>
/// One normalized event: the spine columns every format fills, plus format-specific typed columns.
/// Per-file constants (format, source_file, source_sha256) are not stored here; the writer takes them
/// from the file's context, so a parser only fills what varies per record.
/// Nulls mean "does not exist in this record"; never use empty strings as stand-ins.
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
    public string? SrcIp;
    public int? SrcPort;
    /// <summary>The record's original text (for binary records, a faithful rendering of it).</summary>
    public string? Message;
    /// <summary>Byte offset of the record in its (decompressed) source file.</summary>
    public long SourceOffset;

    private ExtraValue[]? _extras;
    private int _extraCount;

    public int ExtraCount => _extraCount;
    public ReadOnlySpan<ExtraValue> Extras => _extras.AsSpan(0, _extraCount);

    /// <summary>Sets a format-specific column; the column must be declared by the format (or a classifier it uses).</summary>
    public void Set(ExtraColumn column, object? value)
    {
        if (value is null) return;
        for (int i = 0; i < _extraCount; i++)
        {
            if (ReferenceEquals(_extras![i].Column, column)) { _extras[i] = new ExtraValue(column, value); return; }
        }
        _extras ??= new ExtraValue[4];
        if (_extraCount == _extras.Length) Array.Resize(ref _extras, _extras.Length * 2);
        _extras[_extraCount++] = new ExtraValue(column, value);
    }

    public object? Get(ExtraColumn column)
    {
        for (int i = 0; i < _extraCount; i++)
            if (ReferenceEquals(_extras![i].Column, column)) return _extras[i].Value;
        return null;
    }

    public static DateTime? ToDateTime(long? micros) =>
        micros is { } m ? DateTime.UnixEpoch.AddTicks(m * 10) : null;

    public static long ToMicros(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) / 10;
}

public readonly record struct ExtraValue(ExtraColumn Column, object Value);
