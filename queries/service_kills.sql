-- name: service_kills
-- description: Units whose main process was killed by a signal or timed out: the signal and exit status, the CPU
-- description: the run consumed (systemd "Consumed ... CPU time"), the timer that started it, how long it ran,
-- description: and the silence before the kill (time since the unit's previous line: a hung job goes quiet).
-- tables: events
-- param: merge INTERVAL 1m kill evidence of one unit this close together is one incident (exited + failed + timeout lines)
-- output: kill_ts, host, unit, how, signal, exit_status, unit_result, cpu_seconds, trigger, triggered_at, started_at, ran_seconds, previous_line_at, silence_seconds, previous_line, source_file, source_offset
-- systemd logs one kill as several lines (src/core/service.c service_sigchld_event: "Main process exited,
-- code=killed, status=9/KILL", then "Failed with result 'signal'", unit_timeout for "State 'stop-sigterm' timed
-- out. Killing."), so they are merged into one incident per unit.
-- The trigger is the latest X.timer firing for X.service before the kill (systemd.timer(5): a timer activates the
-- service of the same name unless Unit= says otherwise; a Unit= override is not seen here). Lookups are ASOF joins
-- (one sort-merge), not per-incident subqueries: on a 50 M-event case those took minutes.
WITH unit_lines AS (
    SELECT ts, coalesce(host, '') AS hkey, host, unit, event, message, source_file, source_offset, signal, exit_code, exit_status, unit_result, cpu_seconds
    FROM events WHERE unit IS NOT NULL AND ts IS NOT NULL
), evidence AS (
    SELECT *,
           (event = 'systemd.main_process_exited' AND (exit_code IN ('killed', 'dumped') OR signal IS NOT NULL))
        OR (event = 'systemd.unit_failed' AND unit_result IN ('signal', 'timeout', 'core-dump', 'watchdog'))
        OR event = 'systemd.unit_timeout' AS is_kill
    FROM unit_lines
    WHERE event IN ('systemd.main_process_exited', 'systemd.unit_failed', 'systemd.unit_timeout', 'systemd.unit_killing', 'systemd.cpu_consumed')
), numbered AS (
    SELECT *, sum(CASE WHEN prev IS NULL OR ts - prev > CAST($merge AS INTERVAL) THEN 1 ELSE 0 END)
                  OVER (PARTITION BY hkey, unit ORDER BY ts, source_offset ROWS UNBOUNDED PRECEDING) AS incident
    FROM (SELECT *, lag(ts) OVER (PARTITION BY hkey, unit ORDER BY ts, source_offset) AS prev FROM evidence)
), incidents AS (
    SELECT hkey, min(host) AS host, unit, incident,
           min(ts) FILTER (WHERE is_kill) AS kill_ts,
           -- the first kill line of the incident: the record the finding rests on
           arg_min(source_file, (ts, source_offset)) FILTER (WHERE is_kill) AS source_file,
           arg_min(source_offset, (ts, source_offset)) FILTER (WHERE is_kill) AS source_offset,
           CASE WHEN bool_or(event = 'systemd.unit_timeout' OR unit_result = 'timeout') THEN 'timeout' ELSE 'signal' END AS how,
           max(signal) AS signal, max(exit_status) AS exit_status, max(unit_result) AS unit_result,
           arg_max(cpu_seconds, ts) FILTER (WHERE event = 'systemd.cpu_consumed') AS cpu_seconds
    FROM numbered GROUP BY hkey, unit, incident
    HAVING bool_or(is_kill)
), timers AS (
    SELECT ts, hkey, regexp_replace(unit, '\.timer$', '.service') AS service, unit AS timer
    FROM unit_lines WHERE event = 'systemd.timer_triggered'
), timer_units AS (
    -- At the default log level systemd logs no line when a timer elapses; a started X.timer still names the trigger.
    SELECT ts, hkey, regexp_replace(unit, '\.timer$', '.service') AS service, unit AS timer
    FROM unit_lines WHERE unit LIKE '%.timer' AND event IN ('systemd.timer_triggered', 'systemd.unit_started', 'systemd.unit_starting')
), starts AS (
    SELECT ts, hkey, unit FROM unit_lines WHERE event IN ('systemd.unit_starting', 'systemd.unit_started')
)
SELECT i.kill_ts, i.host, i.unit, i.how, i.signal, i.exit_status, i.unit_result, i.cpu_seconds,
       coalesce(t.timer, tu.timer) AS trigger, t.ts AS triggered_at, s.ts AS started_at,
       date_diff('second', s.ts, i.kill_ts) AS ran_seconds,
       p.ts AS previous_line_at,
       date_diff('millisecond', p.ts, i.kill_ts) / 1000.0 AS silence_seconds,
       p.message AS previous_line, i.source_file, i.source_offset
FROM incidents i
ASOF LEFT JOIN timers t ON t.hkey = i.hkey AND t.service = i.unit AND t.ts <= i.kill_ts
ASOF LEFT JOIN timer_units tu ON tu.hkey = i.hkey AND tu.service = i.unit AND tu.ts <= i.kill_ts
ASOF LEFT JOIN starts s ON s.hkey = i.hkey AND s.unit = i.unit AND s.ts <= i.kill_ts
ASOF LEFT JOIN unit_lines p ON p.hkey = i.hkey AND p.unit = i.unit AND p.ts < i.kill_ts
ORDER BY i.kill_ts, i.host, i.unit;
