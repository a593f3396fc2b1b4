namespace Forensics.Pipeline.Query;

/// <summary>
/// <c>unit_kills(merge)</c>: one row per kill incident of a systemd unit, defined once per session so that
/// <c>service_kills</c> (what happened) and <c>service_kill_candidates</c> (who did it) agree on the incidents.
/// systemd logs one kill as several lines (src/core/service.c service_sigchld_event: "Main process exited,
/// code=killed, status=9/KILL", then "Failed with result 'signal'"; service_dispatch_timer: "State 'stop-sigterm'
/// timed out. Killing."), so lines of one unit less than <c>merge</c> apart are one incident.
/// </summary>
public static class UnitKillsMacro
{
    public const string Sql = """
        CREATE OR REPLACE MACRO unit_kills(merge) AS TABLE
        WITH evidence AS (
            SELECT ts, coalesce(host, '') AS hkey, host, evidence_host, unit, event, source_file, source_offset, signal, exit_code, exit_status, unit_result, cpu_seconds,
                   (event = 'systemd.main_process_exited' AND (exit_code IN ('killed', 'dumped') OR signal IS NOT NULL))
                OR (event = 'systemd.unit_failed' AND unit_result IN ('signal', 'timeout', 'core-dump', 'watchdog', 'oom-kill'))
                OR event = 'systemd.unit_timeout' AS is_kill
            FROM events
            WHERE unit IS NOT NULL AND ts IS NOT NULL
              AND event IN ('systemd.main_process_exited', 'systemd.unit_failed', 'systemd.unit_timeout', 'systemd.unit_killing', 'systemd.cpu_consumed')
        ), numbered AS (
            SELECT *, sum(CASE WHEN prev IS NULL OR ts - prev > CAST(merge AS INTERVAL) THEN 1 ELSE 0 END)
                          OVER (PARTITION BY hkey, unit ORDER BY ts, source_offset ROWS UNBOUNDED PRECEDING) AS incident
            FROM (SELECT *, lag(ts) OVER (PARTITION BY hkey, unit ORDER BY ts, source_offset) AS prev FROM evidence)
        )
        SELECT hkey, min(host) AS host, unit, incident,
               min(ts) FILTER (WHERE is_kill) AS kill_ts,
               min(ts) AS first_line_ts,
               -- the first kill line of the incident: the record the finding rests on
               arg_min(source_file, (ts, source_offset)) FILTER (WHERE is_kill) AS source_file,
               arg_min(source_offset, (ts, source_offset)) FILTER (WHERE is_kill) AS source_offset,
               CASE WHEN bool_or(event = 'systemd.unit_timeout' OR unit_result = 'timeout') THEN 'timeout' ELSE 'signal' END AS how,
               max(signal) AS signal, max(exit_status) AS exit_status, max(unit_result) AS unit_result,
               arg_max(cpu_seconds, ts) FILTER (WHERE event = 'systemd.cpu_consumed') AS cpu_seconds,
               -- the machine whose evidence held the kill line: its unit files (context_systemd_units) explain it
               arg_min(evidence_host, (ts, source_offset)) FILTER (WHERE is_kill) AS evidence_host
        FROM numbered GROUP BY hkey, unit, incident
        HAVING bool_or(is_kill)
        """;
}
