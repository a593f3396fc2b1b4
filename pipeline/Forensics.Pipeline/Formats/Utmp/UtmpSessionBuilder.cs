using System.Runtime.InteropServices;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats.Utmp;

/// <summary>
/// Pairs logins with their ends exactly as util-linux <c>last</c> does (login-utils/last.c,
/// process_wtmp_file(), 2.38), but in one forward pass. <c>last</c> reads backwards and keeps a list of the
/// later DEAD/USER records per line, cleared at each boot or shutdown; read forwards that is:
/// - a record's type is first "corrected" like last's COMPAT block: line "~" with user shutdown/reboot/runlevel
///   makes SHUTDOWN/BOOT/RUN_LVL; otherwise user+line set and user != "LOGIN" makes USER_PROCESS (so INIT,
///   LOGIN and ACCOUNTING records with a user count as logins), an empty user makes DEAD_PROCESS, and user
///   "date" with line "|" / "{" makes OLD_TIME / NEW_TIME;
/// - a login is closed by the next DEAD *or USER* record on the same line (a newer login on a line ends the
///   older one: end_reason logout);
/// - a BOOT_TIME closes every open login as crash; a shutdown (SHUTDOWN, or RUN_LVL to '0'/'6' in the low byte
///   of ut_pid) closes them as down; the time of that record is the end;
/// - a boot row ("reboot ... system boot") ends at the next shutdown record anywhere later (last's lastdown:
///   a crash-ended boot thus runs to a later shutdown, as last prints it), else still_running;
/// - a login still open at the end is gone (last's is_phantom() says "gone - no logout" for every session older
///   than the analysing machine's boot, i.e. for all evidence), except in a utmp file, whose USER_PROCESS
///   slots are the sessions open when the file was copied: still_logged_in.
/// Records the parser rejects are not seen here. Only tv_sec matters to last; we keep microseconds.
/// </summary>
internal sealed class UtmpSessionBuilder(bool isUtmpFile)
{
    public const string TableName = "sessions";

    public static IReadOnlyList<(string Column, ColumnType Type)> Columns { get; } =
    [
        ("session_start", ColumnType.Timestamp), ("session_end", ColumnType.Timestamp), ("duration_s", ColumnType.Double),
        ("kind", ColumnType.String), ("user", ColumnType.String), ("line", ColumnType.String), ("host", ColumnType.String),
        ("src_ip", ColumnType.String), ("end_reason", ColumnType.String), ("start_offset", ColumnType.Int64),
        ("end_offset", ColumnType.Int64),
    ];

    // Rows are structs in one list, referred to by index: a 1 M-record wtmp has ~500 k sessions, and half a
    // million retained small objects cost more GC time than the pairing itself.
    private struct Row
    {
        public long Start, StartOffset;
        public long End, EndOffset; // -1: open
        public string Kind;
        public string? User, Line, Host, SrcIp;
        public string? EndReason;
    }

    private readonly List<Row> _rows = [];
    private readonly UtmpFieldCache _cache = new();
    private readonly Dictionary<LineKey, int> _openByLine = [];
    private readonly List<int> _openWithoutLine = [];
    private readonly List<int> _bootsAwaitingShutdown = [];

    private const short Shutdown = -1;

    public void Add(ReadOnlySpan<byte> r, UtmpLayout layout, long offset)
    {
        long micros = layout.TvSec(r) * 1_000_000 + layout.TvUsec(r);
        var line = r.Slice(UtmpLayout.LineOffset, UtmpLayout.LineSize);
        var user = r.Slice(UtmpLayout.UserOffset, UtmpLayout.UserSize);
        short type = CorrectedType(layout.Type(r), line, user);
        switch (type)
        {
            case Shutdown:
                foreach (var boot in _bootsAwaitingShutdown) Close(boot, micros, offset, "down");
                _bootsAwaitingShutdown.Clear();
                CloseAll(micros, offset, "down");
                break;
            case 2: // BOOT_TIME
                CloseAll(micros, offset, "crash");
                _bootsAwaitingShutdown.Add(NewRow(r, layout, offset, micros, "boot"));
                break;
            case 1: // RUN_LVL: runlevel in the low byte of ut_pid (sysvinit utmp.c write_wtmp, util-linux last.c)
                int level = layout.Pid(r) & 0xFF;
                if (level is '0' or '6') goto case Shutdown;
                break;
            case 7: // USER_PROCESS
            {
                var key = LineKey.From(line);
                if (_openByLine.Remove(key, out var previous)) Close(previous, micros, offset, "logout");
                var login = NewRow(r, layout, offset, micros, "user");
                if (key.IsEmpty) _openWithoutLine.Add(login);
                else _openByLine[key] = login;
                break;
            }
            case 8: // DEAD_PROCESS
            {
                var key = LineKey.From(line);
                if (!key.IsEmpty && _openByLine.Remove(key, out var open)) Close(open, micros, offset, "logout");
                break;
            }
        }
    }

    private static short CorrectedType(short type, ReadOnlySpan<byte> line, ReadOnlySpan<byte> user)
    {
        if (line[0] == (byte)'~')
        {
            if (user.StartsWith("shutdown"u8)) return Shutdown;
            if (user.StartsWith("reboot"u8)) return 2;
            if (user.StartsWith("runlevel"u8)) return 1;
            return type;
        }
        var userText = CString(user);
        if (type != 8 && userText.Length > 0 && line[0] != 0 && !userText.SequenceEqual("LOGIN"u8)) type = 7;
        if (userText.Length == 0) type = 8;
        if (userText.SequenceEqual("date"u8))
        {
            if (line[0] == (byte)'|') type = 4;
            if (line[0] == (byte)'{') type = 3;
        }
        return type;
    }

    private static ReadOnlySpan<byte> CString(ReadOnlySpan<byte> field)
    {
        int nul = field.IndexOf((byte)0);
        return nul < 0 ? field : field[..nul];
    }

    private int NewRow(ReadOnlySpan<byte> r, UtmpLayout layout, long offset, long micros, string kind)
    {
        string? host = _cache.Field(r.Slice(UtmpLayout.HostOffset, UtmpLayout.HostSize));
        _rows.Add(new Row
        {
            Start = micros, StartOffset = offset, End = -1, EndOffset = -1, Kind = kind,
            User = _cache.Field(r.Slice(UtmpLayout.UserOffset, UtmpLayout.UserSize)),
            Line = _cache.Field(r.Slice(UtmpLayout.LineOffset, UtmpLayout.LineSize)),
            Host = host,
            SrcIp = _cache.Address(layout.Addr(r)) ?? UtmpText.HostAsIp(host),
        });
        return _rows.Count - 1;
    }

    private void Close(int index, long micros, long offset, string reason)
    {
        ref var row = ref CollectionsMarshal.AsSpan(_rows)[index];
        row.End = micros;
        row.EndOffset = offset;
        row.EndReason = reason;
    }

    private void CloseAll(long micros, long offset, string reason)
    {
        foreach (var open in _openByLine.Values) Close(open, micros, offset, reason);
        foreach (var open in _openWithoutLine) Close(open, micros, offset, reason);
        _openByLine.Clear();
        _openWithoutLine.Clear();
    }

    public SideTable Build()
    {
        var view = new RowView(_rows, isUtmpFile); // the list itself: a copy of half a million rows cost 32 MB
        return new(TableName, Columns, view) { Typed = view };
    }

    /// <summary>
    /// Materialises each row as object?[] only when the writer reads it: half a million boxed rows built up
    /// front and retained until the write cost more than the pairing itself.
    /// </summary>
    private sealed class RowView(List<Row> rows, bool isUtmpFile) : IReadOnlyList<object?[]>, ITypedRows
    {
        public int Count => rows.Count;

        public object?[] this[int index]
        {
            get
            {
                var boxed = new BoxingSink();
                WriteRow(index, boxed);
                return [.. boxed.Values];
            }
        }

        /// <summary>The row in <see cref="Columns"/> order; the one place a session row's values are derived.</summary>
        public void WriteRow(int index, ITableRowSink sink)
        {
            ref readonly var r = ref CollectionsMarshal.AsSpan(rows)[index];
            string reason = r.EndReason ?? (r.Kind == "boot" ? "still_running" : isUtmpFile ? "still_logged_in" : "gone");
            bool open = r.End < 0;
            sink.Timestamp(r.Start);
            sink.Timestamp(open ? null : r.End);
            sink.Double(open ? null : (r.End - r.Start) / 1e6);
            sink.Text(r.Kind);
            sink.Text(r.User);
            sink.Text(r.Line);
            sink.Text(r.Host);
            sink.Text(r.SrcIp);
            sink.Text(reason);
            sink.Int64(r.StartOffset);
            sink.Int64(open ? null : r.EndOffset);
        }

        private sealed class BoxingSink : ITableRowSink
        {
            public List<object?> Values { get; } = [];
            public void Text(string? value) => Values.Add(value);
            public void Int64(long? value) => Values.Add(value);
            public void Double(double? value) => Values.Add(value);
            public void Timestamp(long? value) => Values.Add(value);
        }

        public IEnumerator<object?[]> GetEnumerator()
        {
            for (int i = 0; i < rows.Count; i++) yield return this[i];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>ut_line compared like strncmp(…, UT_LINESIZE): the bytes up to the first NUL.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct LineKey(ulong A, ulong B, ulong C, ulong D)
    {
        public bool IsEmpty => (A & 0xFF) == 0;

        public static LineKey From(ReadOnlySpan<byte> line)
        {
            Span<byte> buf = stackalloc byte[32];
            buf.Clear();
            CString(line).CopyTo(buf);
            var w = MemoryMarshal.Cast<byte, ulong>(buf);
            return new LineKey(w[0], w[1], w[2], w[3]);
        }
    }
}
