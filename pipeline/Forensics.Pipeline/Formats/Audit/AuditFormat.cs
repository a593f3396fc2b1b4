using System.Buffers;
using Forensics.Pipeline.Formats.Classify;
using Forensics.Pipeline.Framing;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats.Audit;

/// <summary>
/// Linux audit.log (auditd, raw and enriched log_format); record syntax in <see cref="AuditRecordParser"/>.
/// The kernel emits the records of one event (SYSCALL, EXECVE, CWD, PATH..., PROCTITLE, EOE) with one serial;
/// under load, and when user-space records race kernel ones, records of different events interleave in the
/// log (SYSCALL 10, SYSCALL 11, PROCTITLE 10, PROCTITLE 11). The framer therefore reassembles as auditd's
/// auparse does (auparse.c: an event is complete at its EOE record, or when it is older than
/// end_of_event_timeout, 2 s by default in auditd.conf(5), than the newest record read): lines with the same
/// node and <c>msg=audit(time:serial)</c> are joined into one record = one event while the event is open,
/// within a window of <see cref="SerialReassembler.MaxOpenEvents"/> open events and 2 s of audit time. Events
/// leave the framer in the order of their first line, so offsets stay in file order. A record of a serial
/// whose event already left the window becomes a separate event sharing audit_serial.
/// </summary>
public sealed class AuditFormat : ILogFormat
{
    public string Id => "auditd";
    public string Description => "Linux audit.log (type=... msg=audit(...)), raw and enriched, records of one serial reassembled";
    public IReadOnlyList<ExtraColumn> ExtraColumns => AuditRecordClassifier.Columns;

    /// <summary>A joined event longer than this is closed and the rest starts a new one (same limit as lines).</summary>
    private const int MaxRecordBytes = 1 << 20;

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
        var reader = new ChunkedLineReader(input, MaxRecordBytes);
        var events = new SerialReassembler();
        var batch = new RecordBatch();
        while (reader.TryReadLine(out var line, out long offset, out bool truncated))
        {
            cancel.ThrowIfCancellationRequested();
            events.Add(reader.Get(line), offset, truncated);
            while (events.TakeReady(flush: false) is { } ready)
                if (AddOrFull(ref batch, ready) is { } full) yield return full;
        }
        while (events.TakeReady(flush: true) is { } ready)
            if (AddOrFull(ref batch, ready) is { } full) yield return full;
        if (batch.Count > 0) yield return batch;
        else batch.Release();
    }

    /// <summary>Adds an event to the batch; returns the previous batch when it was full.</summary>
    private static RecordBatch? AddOrFull(ref RecordBatch batch, SerialReassembler.Pending ready)
    {
        RecordBatch? full = null;
        if (!batch.CanAdd(ready.Bytes.WrittenCount) && batch.Count > 0) { full = batch; batch = new RecordBatch(); }
        batch.Add(ready.Bytes.WrittenSpan, ready.Offset, truncated: ready.Truncated);
        ready.Bytes.Clear();
        return full;
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
            Web.LogText.SetMessage(e, raw);
            AuditRecordClassifier.Apply(e, records, setProcessAndHost: true, file.UserNames);
        }
    }

    /// <summary>
    /// Open audit events in the order of their first line. A line joins the open event with its key (node +
    /// <c>audit(time:serial)</c>), else opens one; lines without a key (garbage, cut lines) are events of their
    /// own, complete at once, so they keep their place. The oldest event leaves when it is complete (EOE), when
    /// more than <see cref="MaxOpenEvents"/> are open, or when the newest record is more than
    /// <see cref="TimeoutSeconds"/> younger.
    /// </summary>
    internal sealed class SerialReassembler
    {
        public const int MaxOpenEvents = 32;
        public const long TimeoutSeconds = 2;

        public sealed class Pending
        {
            public byte[] Key = new byte[64];
            public int KeyLength = -1; // -1: no key (complete on arrival)
            public readonly ArrayBufferWriter<byte> Bytes = new(256);
            public long Offset;
            public bool Truncated;
            public bool Complete;
            public long Seconds;
        }

        private readonly LinkedList<Pending> _open = new();
        private readonly Stack<Pending> _free = new();
        private Pending? _handedOut;
        private long _newestSeconds = long.MinValue;

        public void Add(ReadOnlySpan<byte> line, long offset, bool truncated)
        {
            var key = truncated ? default : Key(line);
            if (!key.IsEmpty)
            {
                // Newest first: the record usually belongs to the event just opened.
                for (var node = _open.Last; node is not null; node = node.Previous)
                {
                    var p = node.Value;
                    if (p.Complete || p.KeyLength != key.Length || !key.SequenceEqual(p.Key.AsSpan(0, p.KeyLength))) continue;
                    if (p.Bytes.WrittenCount + 1 + line.Length > MaxRecordBytes) { p.Complete = true; break; }
                    p.Bytes.Write("\n"u8);
                    p.Bytes.Write(line);
                    if (IsEndOfEvent(line)) p.Complete = true;
                    return;
                }
            }
            var fresh = _free.Count > 0 ? _free.Pop() : new Pending();
            fresh.Bytes.Clear();
            fresh.Bytes.Write(line);
            fresh.Offset = offset;
            fresh.Truncated = truncated;
            fresh.Complete = key.IsEmpty || IsEndOfEvent(line);
            fresh.KeyLength = key.IsEmpty ? -1 : key.Length;
            fresh.Seconds = 0;
            if (!key.IsEmpty)
            {
                if (fresh.Key.Length < key.Length) fresh.Key = new byte[key.Length];
                key.CopyTo(fresh.Key);
                if (StampSeconds(line) is { } sec)
                {
                    fresh.Seconds = sec;
                    if (sec > _newestSeconds) _newestSeconds = sec;
                }
            }
            _open.AddLast(fresh);
        }

        /// <summary>The oldest event if it may leave (all of them when <paramref name="flush"/>); valid until the next call.</summary>
        public Pending? TakeReady(bool flush)
        {
            if (_handedOut is not null) { _free.Push(_handedOut); _handedOut = null; }
            var head = _open.First;
            if (head is null) return null;
            var p = head.Value;
            bool ready = flush || p.Complete || _open.Count > MaxOpenEvents
                || (p.KeyLength >= 0 && _newestSeconds - p.Seconds > TimeoutSeconds);
            if (!ready) return null;
            _open.RemoveFirst();
            _handedOut = p;
            return p;
        }

        private static bool IsEndOfEvent(ReadOnlySpan<byte> line)
        {
            int t = line.IndexOf("type="u8);
            return t >= 0 && line[(t + 5)..].StartsWith("EOE "u8);
        }

        private static long? StampSeconds(ReadOnlySpan<byte> line)
        {
            int m = line.IndexOf("msg=audit("u8);
            if (m < 0) return null;
            var s = line[(m + 10)..];
            int dot = s.IndexOf((byte)'.');
            return dot > 0 && System.Buffers.Text.Utf8Parser.TryParse(s[..dot], out long sec, out int used) && used == dot ? sec : null;
        }

        // From line start (node=...) to the ')' closing audit(...): node + stamp + serial; the type differs
        // between records of one event, so it is left out.
        private static ReadOnlySpan<byte> Key(ReadOnlySpan<byte> line)
        {
            int m = line.IndexOf("msg=audit("u8);
            if (m < 0) return default;
            int close = line[m..].IndexOf((byte)')');
            if (close < 0) return default;
            int typeStart = line.IndexOf("type="u8);
            var node = typeStart > 0 ? line[..typeStart] : default;
            var stamp = line.Slice(m, close + 1);
            return node.IsEmpty || m + close + 1 > 256 ? stamp : ConcatKey(node, stamp);
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
