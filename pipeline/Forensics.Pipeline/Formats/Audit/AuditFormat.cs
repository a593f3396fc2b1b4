using Forensics.Pipeline.Formats.Classify;
using Forensics.Pipeline.Framing;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats.Audit;

/// <summary>
/// Linux audit.log (auditd, raw and enriched log_format); record syntax in <see cref="AuditRecordParser"/>.
/// The kernel emits the records of one event (SYSCALL, EXECVE, CWD, PATH..., PROCTITLE, EOE) with one serial,
/// and auditd writes them as consecutive lines in nearly every case, so the framer joins ADJACENT lines with
/// the same <c>msg=audit(time:serial)</c> (and node) into one record = one event. Records of one serial that
/// arrive interleaved with other events (possible under load, and for user-space records racing kernel ones)
/// stay separate events sharing audit_serial; join them in SQL on (host, audit_serial, ts) if needed.
/// </summary>
public sealed class AuditFormat : ILogFormat
{
    public string Id => "auditd";
    public string Description => "Linux audit.log (type=... msg=audit(...)), raw and enriched, same-serial records grouped";
    public IReadOnlyList<ExtraColumn> ExtraColumns => AuditRecordClassifier.Columns;

    public int Sniff(ReadOnlySpan<byte> head, string fileName)
    {
        int hits = 0, lines = 0;
        foreach (var range in head.Split((byte)'\n'))
        {
            var line = head[range];
            if (line.IsEmpty) continue;
            if (++lines > 100) break;
            if ((line.StartsWith("type="u8) || line.StartsWith("node="u8)) && line.IndexOf(" msg=audit("u8) > 0) hits++;
        }
        return hits == 0 ? 0 : hits * 2 >= lines ? 95 : 50;
    }

    public IEnumerable<RecordBatch> Frame(Stream input, FileContext file, CancellationToken cancel)
    {
        var grouper = new SerialGrouper();
        return LineFramer.Frame(input, new LineFramingOptions { IsContinuation = grouper.IsContinuation }, cancel);
    }

    public void Parse(RecordBatch batch, FileContext file, ParseOutput output)
    {
        var records = new List<AuditRecord>(8);
        for (int i = 0; i < batch.Count; i++)
        {
            var raw = batch.Record(i);
            long offset = batch.Offset(i);
            if (batch.Truncated(i)) { output.Reject(offset, "line longer than the framer limit; cut", raw); continue; }
            if (raw.IsEmpty) { output.Reject(offset, "empty line", raw); continue; }
            records.Clear();
            bool ok = true;
            foreach (var range in raw.Split((byte)'\n'))
            {
                var r = new AuditRecord();
                if (!AuditRecordParser.TryParseLogLine(raw[range], r)) { ok = false; break; }
                records.Add(r);
            }
            if (!ok || records.Count == 0) { output.Reject(offset, "not an audit record (no type=... header)", raw); continue; }
            var e = output.NewEvent(offset);
            e.Host = file.DefaultHost;
            e.TsQuality = TsQuality.Missing;
            e.Message = Web.LogText.Lossless(raw);
            AuditRecordClassifier.Apply(e, records, setProcessAndHost: true);
        }
    }

    /// <summary>Joins a line to the previous one when both carry the same node and <c>audit(time:serial)</c>.</summary>
    private sealed class SerialGrouper
    {
        private byte[] _previous = new byte[64];
        private int _previousLength = -1;

        public bool IsContinuation(ReadOnlySpan<byte> line)
        {
            var key = Key(line);
            bool same = !key.IsEmpty && _previousLength == key.Length && key.SequenceEqual(_previous.AsSpan(0, _previousLength));
            if (key.IsEmpty) _previousLength = -1;
            else
            {
                if (_previous.Length < key.Length) _previous = new byte[key.Length];
                key.CopyTo(_previous);
                _previousLength = key.Length;
            }
            return same;
        }

        // From line start (node=...) to the ')' closing audit(...): node + stamp + serial.
        private static ReadOnlySpan<byte> Key(ReadOnlySpan<byte> line)
        {
            int m = line.IndexOf("msg=audit("u8);
            if (m < 0) return default;
            int close = line[m..].IndexOf((byte)')');
            if (close < 0) return default;
            int typeStart = line.IndexOf("type="u8);
            // node prefix + the stamp; the type differs between records of one event, so it is left out.
            var node = typeStart > 0 ? line[..typeStart] : default;
            var stamp = line.Slice(m, close + 1);
            return node.IsEmpty ? stamp : line[..(m + close + 1)].Length > 256 ? stamp : ConcatKey(node, stamp);
        }

        [ThreadStatic] private static byte[]? t_key;
        private static ReadOnlySpan<byte> ConcatKey(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
        {
            var buf = t_key ??= new byte[512];
            if (a.Length + b.Length > buf.Length) return b;
            a.CopyTo(buf);
            b.CopyTo(buf.AsSpan(a.Length));
            return buf.AsSpan(0, a.Length + b.Length);
        }
    }
}
