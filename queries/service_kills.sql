-- name: service_kills
-- description: Units whose main process was killed by a signal or timed out: the signal and exit status, the CPU
-- description: the run consumed (systemd "Consumed ... CPU time"), the timer that started it, how long it ran,
-- description: and the silence before the kill (time since the unit's previous line: a hung job goes quiet).
-- tables: events
-- param: merge INTERVAL 1m kill evidence of one unit this close together is one incident (exited + failed + timeout lines)
-- output: kill_ts, host, unit, how, signal, exit_status, unit_result, cpu_seconds, trigger, triggered_at, started_at, ran_seconds, previous_line_at, silence_seconds, previous_line, source_file, source_offset
-- The incidents come from the session macro unit_kills (Query/UnitKillsMacro.cs): systemd logs one kill as
-- several lines, merged into one incident per unit, with its first kill line (source_file, source_offset);
-- service_kill_candidates reads the same incidents.
-- The trigger is the latest X.timer firing for X.service before the kill (systemd.timer(5): a timer activates the
-- service of the same name unless Unit= says otherwise; a Unit= override is not seen here). Lookups are ASOF joins
-- (one sort-merge), not per-incident subqueries: on a 50 M-event case those took minutes.
WITH unit_lines AS (
    SELECT ts, coalesce(host, '') AS hkey, unit, event, message
    FROM events WHERE unit IS NOT NULL AND ts IS NOT NULL
), incidents AS (
    SELECT * FROM unit_kills($merge)
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
