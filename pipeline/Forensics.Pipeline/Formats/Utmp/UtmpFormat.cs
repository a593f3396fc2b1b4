using System.Globalization;
using Forensics.Pipeline.Framing;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats.Utmp;

/// <summary>Which file of the utmp family: the records are identical, the meaning is not.</summary>
public enum UtmpFileKind
{
    /// <summary>wtmp (history) or utmp (current sessions): one event per record, sessions paired like <c>last</c>.</summary>
    Wtmp,
    /// <summary>btmp: every record is a failed login (written by login(1)/sshd, read by <c>lastb</c>).</summary>
    Btmp,
}

/// <summary>
/// Linux utmp/wtmp/btmp files: fixed-size glibc <c>struct utmp</c> records (see <see cref="UtmpLayout"/>).
/// One format class, two registrations: wtmp (also utmp) and btmp. btmp content is byte-for-byte the same
/// structure as wtmp, so only the file name (btmp*) tells them apart; the wtmp instance therefore scores
/// btmp* names a little lower and the btmp instance scores only btmp* names.
///
/// Decisions (each a reject with offset and reason, never an exception):
/// - an all-zero record is "empty record (all zero)": util-linux utmpdump prints it as type 0 at 1970, but it
///   carries no fact (pre-allocated or wiped slot); a type-0 record with any data is kept as an event;
/// - an all-0xFF record, ut_type outside 0..9, a negative or over-limit pid, tv_sec outside 1970..2100 or
///   tv_usec outside 0..999999 are rejected with the field named;
/// - a trailing partial record (plaso utmp_corrupted: 4 x 384 + 50 bytes; wtmp.1: one stray byte) is rejected;
/// - bytes that put the records out of step (one byte inserted, NULs prepended, a record cut short) are one
///   reject, and the records after them are read in their new step (<see cref="UtmpResync"/>);
/// - when no record of the file is plausible in any layout (FreeBSD utx.log, random data) every record is
///   rejected as "not a Linux utmp record", so a forced parse reports the file instead of inventing logins.
/// Layout and byte order are chosen once per file in <see cref="Frame"/> from the first 64 records (walked with resynchronisation).
/// </summary>
public sealed class UtmpFormat(UtmpFileKind kind) : ILogFormat
{
    public static readonly ExtraColumn UtmpType = new("utmp_type", ColumnType.String, "ut_type name: EMPTY, RUN_LVL, BOOT_TIME, NEW_TIME, OLD_TIME, INIT_PROCESS, LOGIN_PROCESS, USER_PROCESS, DEAD_PROCESS, ACCOUNTING");
    public static readonly ExtraColumn UtmpLine = new("utmp_line", ColumnType.String, "ut_line: terminal (pts/0, tty1, ssh:notty, ~ for boot/shutdown)");
    public static readonly ExtraColumn UtmpId = new("utmp_id", ColumnType.String, "ut_id: inittab id / terminal suffix");
    public static readonly ExtraColumn UtmpHost = new("utmp_host", ColumnType.String, "ut_host: remote host text (kernel release for boot records); not the machine name");
    public static readonly ExtraColumn Session = new("session", ColumnType.Int64, "ut_session: session id");
    public static readonly ExtraColumn ExitTermination = new("exit_termination", ColumnType.Int32, "ut_exit.e_termination");
    public static readonly ExtraColumn ExitStatus = new("exit_status", ColumnType.Int32, "ut_exit.e_exit");
    public static readonly ExtraColumn Addr = new("addr", ColumnType.String, "ut_addr_v6 as text (IPv4 in word 0 when words 1..3 are zero)");
    public static readonly ExtraColumn RecordLayout = new("record_layout", ColumnType.String, "detected struct layout: x86_64-384-le, ppc-384-be, aarch64-400-le, s390x-400-be");

    public static IReadOnlyList<string> TypeNames { get; } =
        ["EMPTY", "RUN_LVL", "BOOT_TIME", "NEW_TIME", "OLD_TIME", "INIT_PROCESS", "LOGIN_PROCESS", "USER_PROCESS", "DEAD_PROCESS", "ACCOUNTING"];

    private const int NotUtmpFlag = 0x100;
    private const int OutOfStepFlag = 0x200;
    private const int RecordsPerRead = 1024;

    public UtmpFileKind Kind { get; } = kind;
    public string Id => Kind == UtmpFileKind.Btmp ? "btmp" : "wtmp";
    public string Description => Kind == UtmpFileKind.Btmp
        ? "Linux btmp failed-login records (glibc struct utmp, 384/400 bytes, LE/BE)"
        : "Linux wtmp/utmp login records (glibc struct utmp, 384/400 bytes, LE/BE) and last-style sessions";

    public IReadOnlyList<ExtraColumn> ExtraColumns { get; } =
        [UtmpType, UtmpLine, UtmpId, UtmpHost, Session, ExitTermination, ExitStatus, Addr, RecordLayout];

    public static bool IsBtmpName(string fileName) => Path.GetFileName(fileName).StartsWith("btmp", StringComparison.OrdinalIgnoreCase);

    public int Sniff(ReadOnlySpan<byte> head, string fileName)
    {
        var (_, examined, good) = UtmpLayout.Detect(head);
        if (examined == 0 || good == 0) return 0;
        int score = good * 10 >= examined * 9 ? 80 : good * 2 >= examined ? 40 : 5;
        bool btmpName = IsBtmpName(fileName);
        if (Kind == UtmpFileKind.Btmp) return btmpName ? score + 5 : 0;
        return btmpName ? score - 10 : score;
    }

    public IEnumerable<RecordBatch> Frame(Stream input, FileContext file, CancellationToken cancel)
    {
        var head = new byte[64 * UtmpLayout.Large];
        int headLength = ReadFull(input, head, 0);
        var (layout, examined, good) = UtmpLayout.Detect(head.AsSpan(0, headLength));
        if (good == 0 && headLength == head.Length)
        {
            // A junk head (the file was recognised further in): the layout of the records in the same windows
            // FormatDetection sniffed.
            var window = new byte[ILogFormat.SniffBytes];
            foreach (long at in FormatDetection.WindowOffsets(input.Length, ILogFormat.SniffBytes))
            {
                input.Seek(at, SeekOrigin.Begin);
                int n = ReadFull(input, window, 0);
                var further = UtmpLayout.Detect(window.AsSpan(0, n), maxRecords: n / UtmpLayout.Small);
                if (further.Good > 0) { (layout, examined, good) = further; break; }
            }
        }
        bool notUtmp = examined > 0 && good == 0;
        input.Seek(0, SeekOrigin.Begin);

        var sessions = Kind == UtmpFileKind.Wtmp && file.SideTables is not null && !notUtmp
            ? new UtmpSessionBuilder(IsUtmpName(file.FileName)) : null;
        int size = layout.RecordSize, lookahead = UtmpResync.Lookahead(layout);
        var buffer = new byte[size * RecordsPerRead];
        int start = 0, end = 0;
        bool eof = false;
        var batch = new RecordBatch(bufferSize: size * RecordBatch.DefaultCapacity);
        long offset = 0;
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            if (!eof && end - start < lookahead)
            {
                buffer.AsSpan(start, end - start).CopyTo(buffer);
                end -= start;
                start = 0;
                int n = ReadFull(input, buffer, end);
                eof = end + n < buffer.Length;
                end += n;
            }
            if (start == end) break;
            // A file with no plausible record is rejected record by record, in step (no boundary to find).
            int left = end - start;
            var step = notUtmp ? new UtmpStep(left < size ? UtmpStepKind.PartialRecord : UtmpStepKind.Record, Math.Min(size, left))
                : UtmpResync.Step(buffer.AsSpan(start, left), layout);
            if (!batch.CanAdd(step.Length))
            {
                yield return batch;
                batch = new RecordBatch(bufferSize: size * RecordBatch.DefaultCapacity);
            }
            AddRecord(batch, sessions, buffer.AsSpan(start, step.Length), step.Kind, layout, offset, notUtmp);
            offset += step.Length;
            start += step.Length;
        }
        if (batch.Count > 0) yield return batch;
        else batch.Release();
        if (sessions is not null) file.SideTables!.Add(sessions.Build());
    }

    private static void AddRecord(RecordBatch batch, UtmpSessionBuilder? sessions, ReadOnlySpan<byte> record, UtmpStepKind kind, UtmpLayout layout, long offset, bool notUtmp)
    {
        int hint = layout.Code | (notUtmp ? NotUtmpFlag : 0) | (kind == UtmpStepKind.OutOfStep ? OutOfStepFlag : 0);
        batch.Add(record, offset, hint, truncated: kind == UtmpStepKind.PartialRecord);
        if (sessions is not null && kind == UtmpStepKind.Record && Problem(record, layout) is null) sessions.Add(record, layout, offset);
    }

    private static bool IsUtmpName(string fileName) => Path.GetFileName(fileName).StartsWith("utmp", StringComparison.OrdinalIgnoreCase);

    private static int ReadFull(Stream s, byte[] buffer, int from)
    {
        int total = 0;
        while (from + total < buffer.Length)
        {
            int n = s.Read(buffer, from + total, buffer.Length - from - total);
            if (n <= 0) break;
            total += n;
        }
        return total;
    }

    /// <summary>Why a full-size record is rejected, or null.</summary>
    internal static string? Problem(ReadOnlySpan<byte> record, UtmpLayout layout)
    {
        if (UtmpLayout.AllBytes(record, 0)) return "empty record (all zero)";
        if (UtmpLayout.AllBytes(record, 0xFF)) return "all-0xFF record";
        return layout.Implausible(record);
    }

    public void Parse(RecordBatch batch, FileContext file, ParseOutput output)
    {
        var cache = new UtmpFieldCache();
        for (int i = 0; i < batch.Count; i++)
        {
            var raw = batch.Record(i);
            long offset = batch.Offset(i);
            int hint = batch.Hint(i);
            var layout = UtmpLayout.ByCode(hint & 0xFF);
            if (batch.Truncated(i))
            {
                output.Reject(offset, $"trailing partial record ({raw.Length} of {layout.RecordSize} bytes)", raw);
                continue;
            }
            if ((hint & OutOfStepFlag) != 0)
            {
                output.Reject(offset, $"{raw.Length} bytes out of step with the {layout.RecordSize}-byte records (bytes inserted or lost): records resume at offset {offset + raw.Length} ({layout.Name})", raw);
                continue;
            }
            if ((hint & NotUtmpFlag) != 0)
            {
                output.Reject(offset, "not a Linux utmp record (no record of the file is plausible in any layout)", raw);
                continue;
            }
            if (Problem(raw, layout) is { } reason)
            {
                output.Reject(offset, $"{reason} ({layout.Name})", raw);
                continue;
            }
            var e = output.NewEvent(offset);
            Decode(raw, layout, e, cache);
            // The records are the examined machine's own; ut_host is the remote end and stays in utmp_host.
            e.Host = file.DefaultHost;
        }
    }

    private void Decode(ReadOnlySpan<byte> r, UtmpLayout layout, ForensicEvent e, UtmpFieldCache cache)
    {
        short type = layout.Type(r);
        int pid = layout.Pid(r);
        long sec = layout.TvSec(r), usec = layout.TvUsec(r);
        string? line = cache.Field(r.Slice(UtmpLayout.LineOffset, UtmpLayout.LineSize));
        string? id = cache.Field(r.Slice(UtmpLayout.IdOffset, UtmpLayout.IdSize));
        string? user = cache.Field(r.Slice(UtmpLayout.UserOffset, UtmpLayout.UserSize));
        string? host = cache.Field(r.Slice(UtmpLayout.HostOffset, UtmpLayout.HostSize));
        string? addr = cache.Address(layout.Addr(r));
        short term = layout.ExitTermination(r), exit = layout.ExitStatus(r);
        long session = layout.Session(r);

        e.TsMicros = sec * 1_000_000 + usec;
        e.TsQuality = TsQuality.Exact;
        e.Event = Kind == UtmpFileKind.Btmp ? EventKinds.LoginFailed : KindOf(type, user);
        e.Pid = pid;
        e.User = user;
        e.SrcIp = addr ?? UtmpText.HostAsIp(host);
        var t = DateTime.UnixEpoch.AddSeconds(sec);
        // utmpdump's line, written as UTF-8 in place (no string per record); fields are at most 32+4+32+256 chars.
        var room = e.MessageScratch(1600);
        if (System.Text.Unicode.Utf8.TryWrite(room, CultureInfo.InvariantCulture,
                $"[{type}] [{pid:D5}] [{id}] [{user}] [{line}] [{host}] [{addr ?? "0.0.0.0"}] [{t:s},{usec:D6}+00:00]", out int written)
            && !Text.Utf8Text.NeedsEscaping(room[..written]))
            e.CommitMessage(written);
        else
            e.Message = string.Create(CultureInfo.InvariantCulture, $"[{type}] [{pid:D5}] [{id}] [{user}] [{line}] [{host}] [{addr ?? "0.0.0.0"}] [{t:s},{usec:D6}+00:00]");
        e.Set(UtmpType, TypeNames[type]);
        e.Set(UtmpLine, line);
        e.Set(UtmpId, id);
        e.Set(UtmpHost, host);
        e.Set(Session, session);
        e.Set(ExitTermination, (int)term);
        e.Set(ExitStatus, (int)exit);
        e.Set(Addr, addr);
        e.Set(RecordLayout, layout.Name);
    }

    /// <summary>
    /// Event kind of a wtmp/utmp record. The shutdown record is RUN_LVL with user "shutdown" and line "~"
    /// (sysvinit halt.c / systemd-update-utmp write it so); a type-0 record with data has no login meaning.
    /// </summary>
    private static string KindOf(short type, string? user) => type switch
    {
        1 => user == "shutdown" ? EventKinds.SystemShutdown : EventKinds.LoginRunLevel,
        2 => EventKinds.SystemBoot,
        3 or 4 => EventKinds.LoginClockChange,
        5 or 6 => EventKinds.LoginProcess,
        7 => EventKinds.LoginSessionStart,
        8 => EventKinds.LoginSessionEnd,
        9 => EventKinds.LoginAccounting,
        _ => EventKinds.LogLine,
    };
}
