using System.Buffers;
using System.Buffers.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Forensics.Pipeline.Formats.Classify;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats.Journal;

/// <summary>
/// Spine mapping shared by the binary, export and JSON journal forms (field names from systemd.journal-fields(7)):
/// ts ← __REALTIME_TIMESTAMP, host ← _HOSTNAME, process ← SYSLOG_IDENTIFIER else _COMM, pid ← _PID else
/// SYSLOG_PID, unit ← _SYSTEMD_UNIT else UNIT else USER_UNIT (the classifier overrides it with the unit a
/// systemd message is about), message ← MESSAGE. Every field also goes, losslessly, into <c>fields</c>.
/// </summary>
public static class JournalNormalizer
{
    public static readonly ExtraColumn Priority = new("priority", ColumnType.Int32, "syslog priority 0..7 (PRIORITY)");
    public static readonly ExtraColumn Facility = new("facility", ColumnType.Int32, "syslog facility number (SYSLOG_FACILITY)");
    public static readonly ExtraColumn BootId = new("boot_id", ColumnType.String, "boot id (32 hex digits) of the entry");
    public static readonly ExtraColumn MachineId = new("machine_id", ColumnType.String, "_MACHINE_ID");
    public static readonly ExtraColumn Seqnum = new("seqnum", ColumnType.Int64, "journal sequence number of the entry");
    public static readonly ExtraColumn MonotonicUs = new("monotonic_us", ColumnType.Int64, "CLOCK_MONOTONIC µs since boot (__MONOTONIC_TIMESTAMP)");
    public static readonly ExtraColumn Cursor = new("cursor", ColumnType.String, "journal cursor (computed for binary files, as given in export/json)");
    public static readonly ExtraColumn Transport = new("transport", ColumnType.String, "_TRANSPORT (journal, syslog, kernel, stdout, audit, driver)");
    public static readonly ExtraColumn Fields = new("fields", ColumnType.String, "all fields as a JSON object, like journalctl -o json (repeated fields as arrays, binary values as arrays of bytes)");

    public static readonly ExtraColumn CutFields = new("cut_fields", ColumnType.String, "fields whose value was over the 1 MiB field limit, as NAME=original bytes (comma-separated); their first 1 MiB is kept");

    public static IReadOnlyList<ExtraColumn> Columns { get; } =
        [Priority, Facility, BootId, MachineId, Seqnum, MonotonicUs, Cursor, Transport, Fields, CutFields, .. MessageClassifier.Columns];

    public static void Fill(ForensicEvent e, JournalRecord r)
    {
        string? process = null, unitFallback = null, userUnit = null;
        bool hasMessage = false;
        long? pidFallback = null;
        string? cut = null;
        foreach (var f in r.Fields)
        {
            if (f.IsCut) cut = (cut is null ? "" : cut + ",") + f.Name + "=" + f.OriginalLength.ToString(System.Globalization.CultureInfo.InvariantCulture);
            switch (f.Name)
            {
                case "MESSAGE": if (!hasMessage) { e.SetMessage(f.Value); hasMessage = true; } break;
                case "_HOSTNAME": e.Host ??= NullIfEmpty(f.Text); break;
                case "SYSLOG_IDENTIFIER": process = NullIfEmpty(f.Text) ?? process; break;
                case "_COMM": e.Process ??= NullIfEmpty(f.Text); break;
                case "_PID": if (e.Pid is null && TryLong(f.Value, out long p)) e.Pid = p; break;
                case "SYSLOG_PID": if (pidFallback is null && TryLong(f.Value, out long sp)) pidFallback = sp; break;
                case "_SYSTEMD_UNIT": e.Unit ??= NullIfEmpty(f.Text); break;
                case "UNIT": unitFallback ??= NullIfEmpty(f.Text); break;
                case "USER_UNIT": userUnit ??= NullIfEmpty(f.Text); break;
                case "PRIORITY": if (TryLong(f.Value, out long pr)) e.Set(Priority, (int)pr); break;
                case "SYSLOG_FACILITY": if (TryLong(f.Value, out long fa)) e.Set(Facility, (int)fa); break;
                case "_MACHINE_ID": e.Set(MachineId, NullIfEmpty(f.Text)); break;
                case "_TRANSPORT": e.Set(Transport, NullIfEmpty(f.Text)); break;
                case "_BOOT_ID": if (r.BootId is null) e.Set(BootId, NullIfEmpty(f.Text)); break;
            }
        }
        if (cut is not null) e.Set(CutFields, cut);
        if (process is not null) e.Process = process;
        e.Pid ??= pidFallback;
        // systemd (PID 1 / user manager) runs in init.scope / user@.service; its UNIT= / USER_UNIT= name the unit
        // the message is about, which is what an analyst filters on.
        if (e.Process == "systemd" && (unitFallback ?? userUnit) is { } subject) e.Unit = subject;
        e.Unit ??= unitFallback ?? userUnit;
        if (r.RealtimeUs is { } rt) { e.TsMicros = rt; e.TsQuality = TsQuality.Exact; }
        else e.TsQuality = TsQuality.Missing;
        if (r.BootId is not null) e.Set(BootId, r.BootId);
        if (r.Seqnum is { } sq) e.Set(Seqnum, sq);
        if (r.MonotonicUs is { } mo) e.Set(MonotonicUs, mo);
        if (r.CursorParts is { } parts)
        {
            var room = e.Utf8Scratch(JournalCursor.MaxLength);
            e.CommitUtf8(Cursor, parts.Format(room));
        }
        else e.Set(Cursor, r.Cursor);
        var json = WriteJson(r);
        e.SetUtf8(Fields, json);
        MessageClassifier.Classify(e, e.Process, e.MessageChars);
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;

    private static bool TryLong(ReadOnlySpan<byte> v, out long value) =>
        Utf8Parser.TryParse(v, out value, out int used) && used == v.Length;

    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;

    /// <summary>
    /// The entry as journalctl -o json prints it (systemd src/shared/logs-show.c output_json, v252): the
    /// __CURSOR/__REALTIME_TIMESTAMP/__MONOTONIC_TIMESTAMP/_BOOT_ID header first, then each field; a field seen
    /// more than once becomes an array; a non-printable value becomes an array of byte numbers. Key order is
    /// stable here (journalctl's is random), so compare as key/value sets.
    /// </summary>
    public static string ToJson(JournalRecord r) => System.Text.Encoding.UTF8.GetString(WriteJson(r));

    [ThreadStatic] private static Dictionary<string, int>? t_counts;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    /// <summary><see cref="ToJson"/> as UTF-8, what the <c>fields</c> column stores; valid until this thread's next call.</summary>
    private static ReadOnlySpan<byte> WriteJson(JournalRecord r)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        // Occurrences per name, counted once: a field that repeats is written as one array at its first place.
        var counts = t_counts ??= new Dictionary<string, int>(StringComparer.Ordinal);
        counts.Clear();
        foreach (var f in r.Fields) counts[f.Name] = counts.GetValueOrDefault(f.Name) + 1;
        buffer.ResetWrittenCount();
        // One writer per thread, reset per entry (a new Utf8JsonWriter per entry was an allocation each).
        var w = t_writer ??= new Utf8JsonWriter(buffer, JsonOptions);
        w.Reset(buffer);
        {
            w.WriteStartObject();
            Span<byte> text = stackalloc byte[JournalCursor.MaxLength];
            bool hasCursor = r.CursorParts is not null || r.Cursor is not null;
            if (r.CursorParts is { } parts) w.WriteString("__CURSOR"u8, text[..parts.Format(text)]);
            else if (r.Cursor is not null) w.WriteString("__CURSOR", r.Cursor);
            if (r.RealtimeUs is { } rt && Utf8Formatter.TryFormat(rt, text, out int n)) w.WriteString("__REALTIME_TIMESTAMP"u8, text[..n]);
            if (r.MonotonicUs is { } mo && Utf8Formatter.TryFormat(mo, text, out n)) w.WriteString("__MONOTONIC_TIMESTAMP"u8, text[..n]);
            if (r.Seqnum is { } sq && !hasCursor && Utf8Formatter.TryFormat(sq, text, out n)) w.WriteString("__SEQNUM"u8, text[..n]);
            if (r.BootId is not null) w.WriteString("_BOOT_ID", r.BootId);
            var fields = r.Fields;
            for (int i = 0; i < fields.Count; i++)
            {
                var f = fields[i];
                if (r.BootId is not null && f.Name == "_BOOT_ID") continue;
                int count = counts[f.Name];
                if (count == 0) continue; // already written with its first occurrence
                w.WritePropertyName(f.Name);
                if (count == 1) WriteValue(w, f);
                else
                {
                    w.WriteStartArray();
                    for (int j = i; j < fields.Count; j++) if (fields[j].Name == f.Name) WriteValue(w, fields[j]);
                    w.WriteEndArray();
                    counts[f.Name] = 0;
                }
            }
            w.WriteEndObject();
            w.Flush();
        }
        return buffer.WrittenSpan;
    }

    private static void WriteValue(Utf8JsonWriter w, JournalField f)
    {
        if (f.IsJsonPrintable) { w.WriteStringValue(f.Value); return; }
        w.WriteStartArray();
        foreach (byte b in f.Value) w.WriteNumberValue(b);
        w.WriteEndArray();
    }

    /// <summary>
    /// The entry as journalctl -o export writes it (logs-show.c output_export, v252): __CURSOR,
    /// __REALTIME_TIMESTAMP, __MONOTONIC_TIMESTAMP, _BOOT_ID from the entry header, then the fields in entry order
    /// without the _BOOT_ID data field; non-printable values in the binary-safe form NAME\n le64 length, bytes\n.
    /// Used by the differential tests and usable as an export writer.
    /// </summary>
    public static void WriteExport(JournalRecord r, IBufferWriter<byte> w)
    {
        static void Line(IBufferWriter<byte> w, string s) { w.Write(System.Text.Encoding.UTF8.GetBytes(s)); w.Write("\n"u8); }
        if (r.Cursor is not null) Line(w, "__CURSOR=" + r.Cursor);
        if (r.RealtimeUs is { } rt) Line(w, "__REALTIME_TIMESTAMP=" + rt.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (r.MonotonicUs is { } mo) Line(w, "__MONOTONIC_TIMESTAMP=" + mo.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (r.BootId is not null) Line(w, "_BOOT_ID=" + r.BootId);
        Span<byte> len = stackalloc byte[8];
        foreach (var f in r.Fields)
        {
            if (r.BootId is not null && f.Name == "_BOOT_ID") continue;
            var name = System.Text.Encoding.UTF8.GetBytes(f.Name);
            w.Write(name);
            if (f.IsPrintable)
            {
                w.Write("="u8);
                w.Write(f.Value);
            }
            else
            {
                w.Write("\n"u8);
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)f.Value.Length);
                w.Write(len);
                w.Write(f.Value);
            }
            w.Write("\n"u8);
        }
        w.Write("\n"u8);
    }
}
