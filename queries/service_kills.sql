-- name: service_kills
-- description: Units whose main process was killed by a signal or timed out: the signal and exit status, the CPU
-- description: the run consumed (systemd "Consumed ... CPU time"), the timer that started it, how long it ran,
-- description: and the silence before the kill (time since the unit's previous line: a hung job goes quiet).
-- tables: events
-- param: merge INTERVAL 1m kill evidence of one unit this close together is one incident (exited + failed + timeout lines)
-- output: kill_ts, host, unit, how, signal, exit_status, unit_result, cpu_seconds, trigger, triggered_at, started_at, ran_seconds, previous_line_at, silence_seconds, previous_line
-- systemd logs one kill as several lines (src/core/service.c service_sigchld_event: "Main process exited,
-- code=killed, status=9/KILL", then "Failed with result 'signal'", unit_timeout for "State 'stop-sigterm' timed
-- out. Killing."), so they are merged into one incident per unit.
WITH evidence AS (
    SELECT ts, host, unit, event, signal, exit_code, exit_status, unit_result, message
    FROM events
    WHERE unit IS NOT NULL AND ts IS NOT NULL
      AND ((event = 'systemd.main_process_exited' AND (exit_code IN ('killed', 'dumped') OR signal IS NOT NULL))
        OR (event = 'systemd.unit_failed' AND unit_result IN ('signal', 'timeout', 'core-dump', 'watchdog'))
        OR event IN ('systemd.unit_timeout', 'systemd.unit_killing'))
), numbered AS (
    SELECT *, sum(CASE WHEN prev IS NULL OR ts - prev > CAST($merge AS INTERVAL) THEN 1 ELSE 0 END)
                  OVER (PARTITION BY host, unit ORDER BY ts ROWS UNBOUNDED PRECEDING) AS incident
    FROM (SELECT *, lag(ts) OVER (PARTITION BY host, unit ORDER BY ts) AS prev FROM evidence)
), incidents AS (
    SELECT host, unit, incident, min(ts) AS kill_ts, max(ts) AS last_evidence_ts,
           CASE WHEN bool_or(event = 'systemd.unit_timeout' OR unit_result = 'timeout') THEN 'timeout' ELSE 'signal' END AS how,
           max(signal) AS signal, max(exit_status) AS exit_status, max(unit_result) AS unit_result
    FROM numbered GROUP BY host, unit, incident
    HAVING bool_or(event <> 'systemd.unit_killing')
), unit_lines AS (
    SELECT ts, host, unit, event, message, cpu_seconds FROM events WHERE unit IS NOT NULL AND ts IS NOT NULL
), enriched AS (
SELECT i.kill_ts, i.host, i.unit, i.how, i.signal, i.exit_status, i.unit_result,
       (SELECT arg_min(u.cpu_seconds, u.ts) FROM unit_lines u
        WHERE u.unit = i.unit AND u.host IS NOT DISTINCT FROM i.host AND u.event = 'systemd.cpu_consumed'
          AND u.ts BETWEEN i.kill_ts AND i.last_evidence_ts + CAST($merge AS INTERVAL)) AS cpu_seconds,
       (SELECT arg_max(t.unit, t.ts) FROM unit_lines t
        WHERE t.event = 'systemd.timer_triggered' AND t.host IS NOT DISTINCT FROM i.host AND t.ts <= i.kill_ts
          AND (t.unit = regexp_replace(i.unit, '\.service$', '') || '.timer' OR t.message LIKE '%' || i.unit || '%')) AS trigger,
       (SELECT max(t.ts) FROM unit_lines t
        WHERE t.event = 'systemd.timer_triggered' AND t.host IS NOT DISTINCT FROM i.host AND t.ts <= i.kill_ts
          AND (t.unit = regexp_replace(i.unit, '\.service$', '') || '.timer' OR t.message LIKE '%' || i.unit || '%')) AS triggered_at,
       (SELECT max(s.ts) FROM unit_lines s
        WHERE s.unit = i.unit AND s.host IS NOT DISTINCT FROM i.host AND s.ts <= i.kill_ts
          AND s.event IN ('systemd.unit_starting', 'systemd.unit_started')) AS started_at,
       (SELECT max(p.ts) FROM unit_lines p
        WHERE p.unit = i.unit AND p.host IS NOT DISTINCT FROM i.host AND p.ts < i.kill_ts) AS previous_line_at,
       (SELECT arg_max(p.message, p.ts) FROM unit_lines p
        WHERE p.unit = i.unit AND p.host IS NOT DISTINCT FROM i.host AND p.ts < i.kill_ts) AS previous_line
FROM incidents i
)
SELECT kill_ts, host, unit, how, signal, exit_status, unit_result, cpu_seconds, trigger, triggered_at, started_at,
       date_diff('second', started_at, kill_ts) AS ran_seconds, previous_line_at,
       date_diff('millisecond', previous_line_at, kill_ts) / 1000.0 AS silence_seconds, previous_line
FROM enriched
ORDER BY kill_ts, host, unit;
