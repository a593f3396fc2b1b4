using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Forensics.Pipeline.Framing;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats.Journal;

/// <summary>
/// <c>journalctl -o json</c> (one object per line; docs/JOURNAL_EXPORT_FORMATS.md "Journal JSON Format"):
/// values are strings; non-printable values are arrays of byte numbers; a field present more than once is an
/// array of such values; a value over the size threshold without <c>-a</c> is <c>null</c> (kept as an empty
/// value named in <c>fields</c>, the data was not in the input). Key order is random per run (hashmap seeding).
/// </summary>
public sealed class JournalJsonFormat : ILogFormat
{
    private static readonly LineFramingOptions Framing = new() { MaxLineBytes = 16 << 20 };

    public string Id => "journal_json";
    public string Description => "journalctl -o json lines";
    public IReadOnlyList<ExtraColumn> ExtraColumns => JournalNormalizer.Columns;

    public int Sniff(ReadOnlySpan<byte> head, string fileName)
    {
        if (head.IsEmpty || head[0] != (byte)'{') return 0;
        int nl = head.IndexOf((byte)'\n');
        var first = nl < 0 ? head : head[..nl];
        bool cursor = first.IndexOf("\"__CURSOR\":"u8) >= 0, realtime = first.IndexOf("\"__REALTIME_TIMESTAMP\":"u8) >= 0;
        return cursor && realtime ? 95 : realtime ? 80 : 0;
    }

    public IEnumerable<RecordBatch> Frame(Stream input, FileContext file, CancellationToken cancel) => LineFramer.Frame(input, Framing, cancel);

    public void Parse(RecordBatch batch, FileContext file, ParseOutput output)
    {
        for (int i = 0; i < batch.Count; i++)
        {
            var raw = batch.Record(i);
            if (batch.Truncated(i)) { output.Reject(batch.Offset(i), $"JSON line longer than {Framing.MaxLineBytes} bytes", raw); continue; }
            var rec = TryDecode(raw, out string? error);
            if (rec is null) { output.Reject(batch.Offset(i), error!, raw); continue; }
            JournalNormalizer.Fill(output.NewEvent(batch.Offset(i)), rec);
        }
    }

    public static JournalRecord? TryDecode(ReadOnlySpan<byte> line, out string? error)
    {
        var rec = new JournalRecord { Fields = new List<JournalField>(32) };
        try
        {
            var r = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 4 });
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject) { error = "not a JSON object"; return null; }
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                string name = r.HasValueSequence || r.ValueIsEscaped ? r.GetString()! : Names.Get(r.ValueSpan);
                if (!r.Read()) break;
                switch (r.TokenType)
                {
                    case JsonTokenType.String:
                        var v = GetField(ref r, name);
                        if (!Meta(rec, name, v.Value)) rec.Fields.Add(v);
                        break;
                    case JsonTokenType.Null:
                        rec.Fields.Add(new JournalField(name, []));
                        break;
                    case JsonTokenType.StartArray:
                        if (!ReadArray(ref r, name, rec, out error)) return null;
                        break;
                    default:
                        error = $"field {name}: unexpected JSON {r.TokenType}";
                        return null;
                }
            }
            if (r.TokenType != JsonTokenType.EndObject) { error = "JSON object not closed"; return null; }
        }
        catch (JsonException ex)
        {
            error = "invalid JSON: " + ex.Message;
            return null;
        }
        error = null;
        return rec;
    }

    /// <summary>An array is either one binary value (numbers) or a repeated field (strings / byte arrays).</summary>
    private static bool ReadArray(ref Utf8JsonReader r, string name, JournalRecord rec, out string? error)
    {
        var bytes = new List<byte>();
        bool isBinary = false;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            switch (r.TokenType)
            {
                case JsonTokenType.Number:
                    if (!r.TryGetByte(out byte b)) { error = $"field {name}: byte value out of range"; return false; }
                    bytes.Add(b); isBinary = true; break;
                case JsonTokenType.String:
                    rec.Fields.Add(GetField(ref r, name)); break;
                case JsonTokenType.Null:
                    rec.Fields.Add(new JournalField(name, [])); break;
                case JsonTokenType.StartArray:
                    var inner = new List<byte>();
                    while (r.Read() && r.TokenType == JsonTokenType.Number)
                    {
                        if (!r.TryGetByte(out byte ib)) { error = $"field {name}: byte value out of range"; return false; }
                        inner.Add(ib);
                    }
                    if (r.TokenType != JsonTokenType.EndArray) { error = $"field {name}: bad nested array"; return false; }
                    rec.Fields.Add(JournalField.Of(name, [.. inner])); break;
                default:
                    error = $"field {name}: unexpected JSON {r.TokenType} in array"; return false;
            }
        }
        if (isBinary) rec.Fields.Add(JournalField.Of(name, [.. bytes]));
        error = null;
        return true;
    }

    private static JournalField GetField(ref Utf8JsonReader r, string name)
    {
        if (!r.HasValueSequence && !r.ValueIsEscaped) return JournalField.Of(name, r.ValueSpan);
        return JournalField.Of(name, Encoding.UTF8.GetBytes(r.GetString()!));
    }

    private static bool Meta(JournalRecord rec, string name, byte[] v)
    {
        switch (name)
        {
            case "__CURSOR": rec.Cursor = Encoding.UTF8.GetString(v); return true;
            case "__REALTIME_TIMESTAMP" when Utf8Parser.TryParse(v, out long rt, out int a) && a == v.Length: rec.RealtimeUs = rt; return true;
            case "__MONOTONIC_TIMESTAMP" when Utf8Parser.TryParse(v, out long mo, out int b) && b == v.Length: rec.MonotonicUs = mo; return true;
            case "__SEQNUM" when Utf8Parser.TryParse(v, out long sq, out int c) && c == v.Length: rec.Seqnum = sq; return true;
            case "_BOOT_ID": rec.BootId = Encoding.ASCII.GetString(v); return false;
            default: return false;
        }
    }
}
