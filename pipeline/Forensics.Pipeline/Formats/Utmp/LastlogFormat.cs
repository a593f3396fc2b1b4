using System.Buffers.Binary;
using Forensics.Pipeline.Framing;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats.Utmp;

/// <summary>
/// /var/log/lastlog: an array indexed by uid of glibc <c>struct lastlog</c> (bits/utmp.h):
/// <c>int32_t ll_time</c> (on 64-bit ABIs with __WORDSIZE_TIME64_COMPAT32, as on x86_64), <c>char ll_line[32]</c>,
/// <c>char ll_host[256]</c> = 292 bytes; shadow's lastlog(8) and login(1)/sshd seek to uid * 292.
/// The file is sparse: slots of uids that never logged in are zero and are not records, so the framer skips
/// them (they are neither events nor rejects). A slot whose bytes are all 0xFF, a negative time or one past
/// 2100 is rejected; a trailing partial slot too. Little-endian 292-byte layout only (aarch64 and s390x
/// lastlog would differ: not in the corpus, not claimed).
/// The slot index is the uid (<see cref="Uid"/>); <c>user</c> is resolved through the case's etc/passwd
/// (FileContext.UserNames) and stays null when the evidence has none or the uid is not in it.
/// Content alone is weak evidence (mostly zeros), so sniffing needs the lastlog* file name; under that name a
/// head of zeros is a sparse lastlog, and a head whose slots are not NUL-padded text (saved command output) is not.
/// </summary>
public sealed class LastlogFormat : ILogFormat
{
    public const int RecordSize = 292;
    private const int LineSize = 32, HostSize = 256;

    public static readonly ExtraColumn Uid = new("uid", ColumnType.Int64, "lastlog slot index = uid of the account");

    public string Id => "lastlog";
    public string Description => "Linux lastlog (292-byte struct lastlog per uid, last login time, line and host)";
    public IReadOnlyList<ExtraColumn> ExtraColumns { get; } = [Uid, UtmpFormat.UtmpLine, UtmpFormat.UtmpHost];

    public int Sniff(ReadOnlySpan<byte> head, string fileName)
    {
        if (!Path.GetFileName(fileName).StartsWith("lastlog", StringComparison.OrdinalIgnoreCase) || head.IsEmpty) return 0;
        // Slots sit at uid * 292, so a machine whose only logins are by uid ≥ 225 (one user with uid 1000) has a
        // first 64 KiB of zeros: a zero head under this name is a sparse lastlog (no text file is all NULs).
        if (UtmpLayout.AllBytes(head, 0)) return 60;
        int good = 0, bad = 0;
        for (int i = 0; (i + 1) * RecordSize <= head.Length; i++)
        {
            var r = head.Slice(i * RecordSize, RecordSize);
            if (UtmpLayout.AllBytes(r, 0)) continue;
            if (Problem(r) is null) good++; else bad++;
        }
        // Saved `lastlog` command output (text) has no NUL-padded fields: every slot is bad, and the file is not ours.
        return good > 0 && bad == 0 ? 80 : good > bad ? 40 : 0;
    }

    private static string? Problem(ReadOnlySpan<byte> r)
    {
        if (UtmpLayout.AllBytes(r, 0xFF)) return "all-0xFF slot";
        int time = BinaryPrimitives.ReadInt32LittleEndian(r);
        if (time < 0) return $"impossible ll_time {time}";
        // login, sshd and lastlog(8) clear the slot and copy the strings in (strncpy/strlcpy): each field is
        // printable text followed by NULs only; ll_host always ends in a NUL, ll_line may fill its 32 bytes.
        if (!IsPaddedText(r.Slice(4, LineSize), needsNul: false) || !IsPaddedText(r.Slice(4 + LineSize, HostSize), needsNul: true))
            return "ll_line/ll_host are not NUL-padded text: not a struct lastlog slot";
        return null;
    }

    private static bool IsPaddedText(ReadOnlySpan<byte> field, bool needsNul)
    {
        int nul = field.IndexOf((byte)0);
        if (nul < 0) return !needsNul && IsText(field);
        return IsText(field[..nul]) && UtmpLayout.AllBytes(field[nul..], 0);
    }

    private static bool IsText(ReadOnlySpan<byte> s)
    {
        foreach (byte b in s) if (b < 0x20 || b == 0x7F) return false;
        return true;
    }

    public IEnumerable<RecordBatch> Frame(Stream input, FileContext file, CancellationToken cancel)
    {
        var buffer = new byte[RecordSize * 1024];
        var batch = new RecordBatch();
        long offset = 0;
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            int n = 0;
            while (n < buffer.Length) { int k = input.Read(buffer, n, buffer.Length - n); if (k <= 0) break; n += k; }
            if (n == 0) break;
            for (int pos = 0; pos < n; pos += RecordSize, offset += RecordSize)
            {
                int len = Math.Min(RecordSize, n - pos);
                if (UtmpLayout.AllBytes(buffer.AsSpan(pos, len), 0)) continue;
                if (!batch.CanAdd(len))
                {
                    yield return batch;
                    batch = new RecordBatch();
                }
                batch.Add(buffer.AsSpan(pos, len), offset, truncated: len < RecordSize);
            }
            if (n < buffer.Length) break;
        }
        if (batch.Count > 0) yield return batch;
        else batch.Release();
    }

    public void Parse(RecordBatch batch, FileContext file, ParseOutput output)
    {
        for (int i = 0; i < batch.Count; i++)
        {
            var r = batch.Record(i);
            long offset = batch.Offset(i);
            if (batch.Truncated(i)) { output.Reject(offset, $"trailing partial slot ({r.Length} of {RecordSize} bytes)", r); continue; }
            if (Problem(r) is { } reason) { output.Reject(offset, reason, r); continue; }
            int time = BinaryPrimitives.ReadInt32LittleEndian(r);
            string? line = UtmpText.Field(r.Slice(4, LineSize));
            string? host = UtmpText.Field(r.Slice(4 + LineSize, HostSize));
            long uid = offset / RecordSize;
            var e = output.NewEvent(offset);
            e.Event = EventKinds.LastLogin;
            if (time > 0) e.TsMicros = time * 1_000_000L;
            else e.TsQuality = TsQuality.Missing;
            e.SrcIp = UtmpText.HostAsIp(host);
            e.Message = $"uid={uid} [{line}] [{host}] [{(time > 0 ? UtmpText.IsoComma(time, 0) : "never")}]";
            e.Set(Uid, uid);
            if (file.UserNames?.GetValueOrDefault(uid) is { } name) e.User = name;
            e.Host = file.DefaultHost;
            e.Set(UtmpFormat.UtmpLine, line);
            e.Set(UtmpFormat.UtmpHost, host);
        }
    }
}
