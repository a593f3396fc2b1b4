using System.Text;
using Forensics.Pipeline.Case;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Query;

/// <summary>Which columns a timeline keeps: the spine only, or the spine and every typed column (<c>auth_method</c>, <c>http_status</c>, <c>audit_*</c>, …).</summary>
public enum TimelineColumns { All, Spine }

/// <summary>
/// SQL expressions the timeline exports share, all evaluated by DuckDB while it streams the rows (no per-row .NET
/// work): the analyst's sentence for login records, the per-kind timestamp_desc, the typed columns, and times in a
/// display zone.
/// </summary>
internal static class TimelineSql
{
    /// <summary>Formats whose stored message is a field dump (utmpdump's line, lastlog's slot, a bodyfile line) rather than text a program wrote.</summary>
    public const string DumpFormats = "('wtmp', 'btmp', 'lastlog', 'bodyfile')";

    /// <summary>
    /// The message an analyst reads. wtmp/btmp/lastlog rows store utmpdump's line (<c>[7] [01163] [ts/0] [root] [pts/0]
    /// [174.72.166.246] …</c>), which the differential tests compare with utmpdump; the export says it as a sentence
    /// from the typed columns (<c>root logged in on pts/0 from 174.72.166.246</c>) and keeps the dump in
    /// <c>raw_message</c>; a bodyfile row reads as mactime lays it out (MACB letters, path, mode, owner, size, inode). Every other format's message is its own text and stays as it is.
    /// RUN_LVL's ut_pid is the new run level's character plus 256 × the previous one (sysvinit, systemd-update-utmp).
    /// </summary>
    public const string Message = $"""
        CASE WHEN format NOT IN {DumpFormats} THEN message
             WHEN event = 'login.session_start' THEN coalesce("user", '?') || ' logged in on ' || coalesce(utmp_line, '?') || {From}
             WHEN event = 'login.session_end' THEN 'logout on ' || coalesce(utmp_line, '?') || coalesce(' (pid ' || pid || ')', '')
             WHEN event = 'login.failed' THEN 'failed login as ' || coalesce("user", '?') || ' on ' || coalesce(utmp_line, '?') || {From}
             WHEN event = 'system.boot' THEN 'system boot' || coalesce(', kernel ' || utmp_host, '')
             WHEN event = 'system.shutdown' THEN 'system shutdown' || coalesce(', kernel ' || utmp_host, '')
             WHEN event = 'login.run_level' AND pid % 256 BETWEEN 33 AND 126 THEN 'run level changed to ' || chr(CAST(pid % 256 AS INTEGER))
             WHEN event = 'login.clock_change' THEN CASE utmp_type WHEN 'OLD_TIME' THEN 'clock changed (time before the change)' ELSE 'clock changed (time after the change)' END
             WHEN event = 'login.login_process' THEN lower(replace(utmp_type, '_', ' ')) || coalesce(' on ' || utmp_line, '') || coalesce(' (pid ' || pid || ')', '')
             WHEN event = 'login.lastlog' AND ts IS NULL THEN coalesce("user", 'uid ' || uid) || ' has no recorded login'
             WHEN event = 'login.lastlog' THEN coalesce("user", 'uid ' || uid) || ' last logged in on ' || coalesce(utmp_line, '?') || {From}
             WHEN format = 'bodyfile' THEN {FileTimes}
             ELSE message END
        """;

    // A bodyfile row as mactime lays it out, in words: "m.c. /etc/passwd (-rw-r--r--, uid 0, gid 0, 1297 bytes, inode 409983)".
    private const string FileTimes = """fs_macb || ' ' || coalesce(fs_path, '?') || coalesce(' -> ' || fs_link_target, '') || ' (' || concat_ws(', ', fs_mode, 'uid ' || fs_uid, 'gid ' || fs_gid, fs_size || ' bytes', 'inode ' || fs_inode, 'md5 ' || fs_md5) || ')'""";

    // ut_host is the remote end as login/sshd wrote it (a name or an address); ut_addr_v6 is added when it says more.
    private const string From = """(coalesce(' from ' || utmp_host, '') || coalesce(' (' || CASE WHEN addr IS DISTINCT FROM utmp_host THEN addr END || ')', ''))""";

    /// <summary>The stored message of rows whose export message is a sentence; null for every other row.</summary>
    public const string RawMessage = $"CASE WHEN format IN {DumpFormats} THEN message END";

    /// <summary>
    /// <c>timestamp_desc</c> per event kind (<see cref="EventDescriptions"/>): a small table joined on the kind (one
    /// hash probe per row; a CASE of ~90 branches compared strings one by one), <see cref="Fallback"/> for kinds it lacks.
    /// </summary>
    public static string TimestampDescJoin { get; } = BuildTimestampDescJoin();

    /// <summary>The column the join adds, with plaso's generic description for kinds not in the table.</summary>
    public const string TimestampDesc = "coalesce(_kinds.timestamp_desc, '" + EventDescriptions.Fallback + "')";

    private static string BuildTimestampDescJoin()
    {
        var sb = new StringBuilder("LEFT JOIN (VALUES ");
        sb.AppendJoin(", ", EventDescriptions.TimestampDesc.Select(kv => $"({CaseSession.Literal(kv.Key)}, {CaseSession.Literal(kv.Value)})"));
        return sb.Append(") AS _kinds(kind, timestamp_desc) ON _kinds.kind = events.event").ToString();
    }

    /// <summary>
    /// ", col, col, …": the typed columns (schema order) that a format present in the case writes, for --columns all;
    /// "" for spine. A column no format of the case writes would be empty on every row: it costs time and memory
    /// in every batch and says nothing. <paramref name="formats"/> null means every format.
    /// </summary>
    public static string TypedList(TimelineColumns columns, IReadOnlyCollection<string>? formats)
    {
        if (columns == TimelineColumns.Spine) return "";
        var typed = EventSchema.AllEventColumns.Skip(EventSchema.Spine.Count)
            .Where(c => formats is null || EventSchema.FormatsWriting(c.Name).Any(formats.Contains))
            .Select(c => "\"" + c.Name + "\"").ToList();
        return typed.Count == 0 ? "" : ", " + string.Join(", ", typed);
    }

    /// <summary>
    /// ISO 8601 with the offset of <c>$tz</c> at that instant (<c>2024-05-21T15:50:09.512887+02:00</c>): DuckDB's
    /// ICU <c>timezone(zone, ts)</c> gives the wall-clock time; its distance from UTC is the offset.
    /// </summary>
    public const string IsoInZone = """
        strftime(timezone($tz, CAST(ts AS TIMESTAMPTZ)), '%Y-%m-%dT%H:%M:%S.%f') ||
        (CASE WHEN epoch(timezone($tz, CAST(ts AS TIMESTAMPTZ))) - epoch(CAST(ts AS TIMESTAMPTZ)) < 0 THEN '-' ELSE '+' END) ||
        lpad(CAST(CAST(floor(abs(epoch(timezone($tz, CAST(ts AS TIMESTAMPTZ))) - epoch(CAST(ts AS TIMESTAMPTZ))) / 3600) AS INTEGER) AS VARCHAR), 2, '0') || ':' ||
        lpad(CAST(CAST(floor(abs(epoch(timezone($tz, CAST(ts AS TIMESTAMPTZ))) - epoch(CAST(ts AS TIMESTAMPTZ))) % 3600 / 60) AS INTEGER) AS VARCHAR), 2, '0')
        """;

    /// <summary>l2tcsv is read line by line (grep, sort, plaso's own tools): CR and LF in a field are written as \r and \n.</summary>
    public static string OneLine(string expression) =>
        $"(CASE WHEN contains({expression}, chr(10)) OR contains({expression}, chr(13)) THEN replace(replace({expression}, chr(13), '\\r'), chr(10), '\\n') ELSE {expression} END)";
}
