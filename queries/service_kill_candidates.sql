-- name: service_kill_candidates
-- description: Who or what may have sent the signal, for every kill that service_kills lists: one row per candidate
-- description: the evidence holds, with its evidence row. systemd's own timeout and kill lines for the unit
-- description: (systemd_timeout, systemd_kill), systemd-oomd and kernel OOM-killer lines (oom), audit kill/tkill/tgkill
-- description: syscalls aimed at a pid of the unit (audit_kill) and ANOM_* records naming one (audit_anom), root
-- description: sessions open at that moment (root_session: wtmp, logind, sshd), a shutdown or reboot (shutdown);
-- description: "no killer logged" (none) when there is none. Then the unit's configured limits from its unit file
-- description: and drop-ins (unit_setting, from context_systemd_units), which say what systemd itself would do.
-- tables: events, sessions, context_systemd_units
-- param: merge INTERVAL 1m kill evidence of one unit this close together is one incident (as in service_kills)
-- param: window INTERVAL 5m how long before the kill evidence counts (and 5 s after it: lines of one moment arrive out of order)
-- output: kill_ts, host, unit, signal, candidate, candidate_ts, seconds_before_kill, evidence, source_file, source_offset, source_line
-- Sources of the texts matched (cited where the lines are tested, tests/.../ServiceKillCandidatesTests.cs):
-- systemd src/core/service.c ("start operation timed out. Terminating.", "State 'stop-sigterm' timed out. Killing.",
-- "Service reached runtime time limit. Stopping.", "Watchdog timeout (limit …)!"), src/core/unit.c ("Killing process N
-- (x) with signal SIGKILL.", "A process of this unit has been killed by the OOM killer."), src/oom/oomd-manager.c
-- ("Killed /system.slice/x.service due to memory pressure …"), Linux mm/oom_kill.c ("Out of memory: Killed process N
-- (x) …", "oom-kill:…,task_memcg=/system.slice/x.service,task=x,pid=N,uid=0"), src/login/logind-dbus.c ("System is
-- rebooting."), src/shutdown/shutdown.c. The pids of a unit are those of its own lines (journal _PID) since its last
-- start, and any pid systemd named in "Killing process N". Sessions carry no machine name: wtmp's come with the host
-- of their file's events, and a record without a machine name (audit.log without etc/hostname) counts for every
-- host. Unit settings: drop-ins after the unit file, in file-name order, the last assignment wins
-- (systemd.unit(5)); a type-wide drop-in (service.d/) applies to every unit of its type.
WITH kills AS (
    SELECT hkey, host, unit, kill_ts, signal,
           kill_ts - CAST($window AS INTERVAL) AS lo, kill_ts + INTERVAL 5 SECOND AS hi
    FROM unit_kills($merge) WHERE kill_ts IS NOT NULL
), near_ts AS (
    -- the instants inside some kill's window, read from the ts column alone; the semi join below makes DuckDB skip
    -- the row groups outside them (a filter on bounds computed by a subquery read every column of every row group,
    -- bench/e2e-queries.sh), and read nothing at all when there is no kill
    SELECT DISTINCT e.ts FROM events e JOIN kills k ON e.ts BETWEEN k.lo AND k.hi
), starts AS (
    SELECT ts, coalesce(host, '') AS hkey, unit FROM events
    WHERE event IN ('systemd.unit_starting', 'systemd.unit_started') AND unit IN (SELECT unit FROM kills)
), runs AS (
    SELECT k.*, coalesce(s.ts, k.lo) AS run_from
    FROM kills k ASOF LEFT JOIN starts s ON s.hkey = k.hkey AND s.unit = k.unit AND s.ts <= k.kill_ts
), near AS (
    -- every line that may name a killer, read once: inside the kill windows
    SELECT ts, coalesce(host, '') AS hkey, event, process, pid, unit, unit_result, audit_type, audit_fields, message, source_file, source_offset
    FROM events SEMI JOIN near_ts USING (ts)
    WHERE (event IN ('systemd.unit_timeout', 'systemd.unit_killing', 'system.shutdown', 'system.boot')
           OR process IN ('kernel', 'systemd-oomd', 'systemd-logind', 'systemd-shutdown', 'systemd')
           OR audit_type IS NOT NULL)
), unit_pids AS (
    SELECT DISTINCT r.hkey, r.unit, r.kill_ts, e.pid
    FROM runs r JOIN events e ON coalesce(e.host, '') = r.hkey AND e.unit = r.unit AND e.ts BETWEEN r.run_from AND r.hi
    WHERE e.pid > 1 AND e.process IS DISTINCT FROM 'systemd' AND e.event NOT LIKE 'systemd.%'
    UNION
    SELECT r.hkey, r.unit, r.kill_ts, CAST(regexp_extract(e.message, 'Killing process (\d+) ', 1) AS BIGINT)
    FROM runs r JOIN near e ON e.hkey = r.hkey AND e.unit = r.unit AND e.ts BETWEEN r.lo AND r.hi
    WHERE e.event = 'systemd.unit_killing' AND regexp_matches(e.message, 'Killing process \d+ ')
    UNION
    -- the kernel's oom-kill summary names the victim's cgroup and pid: its "Killed process N" line is the same kill
    SELECT r.hkey, r.unit, r.kill_ts, CAST(regexp_extract(e.message, ',pid=(\d+)', 1) AS BIGINT)
    FROM runs r JOIN near e ON e.hkey = r.hkey AND e.ts BETWEEN r.lo AND r.hi
    WHERE e.process = 'kernel' AND e.message LIKE 'oom-kill:%' AND contains(e.message, '/' || r.unit || ',') AND regexp_matches(e.message, ',pid=\d+')
), systemd_lines AS (
    SELECT r.hkey, r.unit, r.kill_ts,
           CASE WHEN e.message LIKE '%OOM killer%' OR e.message LIKE '%systemd-oomd%' OR e.unit_result = 'oom-kill' THEN 'oom'
                WHEN e.event = 'systemd.unit_killing' THEN 'systemd_kill'
                ELSE 'systemd_timeout' END AS candidate,
           e.ts, e.message, e.source_file, e.source_offset
    FROM runs r JOIN near e ON e.hkey = r.hkey AND e.unit = r.unit AND e.ts BETWEEN r.lo AND r.hi
    WHERE e.event IN ('systemd.unit_timeout', 'systemd.unit_killing')
       OR e.unit_result IN ('timeout', 'watchdog', 'oom-kill')
       OR (e.process = 'systemd' AND (e.message LIKE '%killed by the OOM killer%' OR e.message LIKE '%systemd-oomd killed%'
                                      OR e.message LIKE '%runtime time limit%' OR e.message LIKE '%Watchdog timeout%'))
), oom_lines AS (
    -- the kernel names the victim's pid (and, since Linux 4.19, its cgroup); systemd-oomd names the cgroup it killed
    SELECT r.hkey, r.unit, r.kill_ts, 'oom' AS candidate, e.ts, e.message, e.source_file, e.source_offset
    FROM runs r JOIN near e ON e.hkey = r.hkey AND e.ts BETWEEN r.lo AND r.hi
    WHERE (e.process = 'kernel' AND (e.message LIKE '%Killed process %' OR e.message LIKE 'oom-kill:%')
           AND (contains(e.message, '/' || r.unit)
                OR TRY_CAST(coalesce(nullif(regexp_extract(e.message, 'Killed process (\d+) ', 1), ''), nullif(regexp_extract(e.message, ',pid=(\d+)', 1), '')) AS BIGINT)
                   IN (SELECT p.pid FROM unit_pids p WHERE p.hkey = r.hkey AND p.unit = r.unit AND p.kill_ts = r.kill_ts)))
       OR (e.process = 'systemd-oomd' AND e.message LIKE 'Killed %' AND contains(e.message, '/' || r.unit))
), audit_lines AS (
    -- kill(2)/tkill(2)/tgkill(2) (x86_64 62/200/234, aarch64 129/130/131, or ausearch's names): the target is OBJ_PID's
    -- opid, else a0 (hex; tgkill's pid is a1). ANOM_* records name the process that ended in pid=.
    SELECT r.hkey, r.unit, r.kill_ts,
           CASE WHEN e.audit_type LIKE 'ANOM_%' THEN 'audit_anom' ELSE 'audit_kill' END AS candidate,
           e.ts, e.message, e.source_file, e.source_offset
    FROM runs r JOIN near e ON (e.hkey = r.hkey OR e.hkey = '') AND e.ts BETWEEN r.lo AND r.hi
    WHERE e.audit_type IS NOT NULL AND (
          (e.audit_type LIKE 'ANOM_%' AND e.pid IN (SELECT p.pid FROM unit_pids p WHERE p.hkey = r.hkey AND p.unit = r.unit AND p.kill_ts = r.kill_ts))
       OR (e.audit_type LIKE '%SYSCALL%'
           AND coalesce(json_extract_string(e.audit_fields, '$.syscall'), '') IN ('kill', 'tkill', 'tgkill', '62', '200', '234', '129', '130', '131')
           AND (list_has_any(
                    list_transform(coalesce(CAST(json_extract(e.audit_fields, '$._records[*].opid') AS VARCHAR[]), []), x -> TRY_CAST(x AS BIGINT)),
                    (SELECT list(p.pid) FROM unit_pids p WHERE p.hkey = r.hkey AND p.unit = r.unit AND p.kill_ts = r.kill_ts))
                OR TRY_CAST(('0x' || CASE WHEN json_extract_string(e.audit_fields, '$.syscall') IN ('tgkill', '234', '131')
                                          THEN json_extract_string(e.audit_fields, '$.a1') ELSE json_extract_string(e.audit_fields, '$.a0') END) AS BIGINT)
                   IN (SELECT p.pid FROM unit_pids p WHERE p.hkey = r.hkey AND p.unit = r.unit AND p.kill_ts = r.kill_ts))))
), shutdown_lines AS (
    SELECT r.hkey, r.unit, r.kill_ts, 'shutdown' AS candidate, e.ts, e.message, e.source_file, e.source_offset
    FROM runs r JOIN near e ON e.hkey = r.hkey AND e.ts BETWEEN r.lo AND r.hi
    WHERE e.event IN ('system.shutdown', 'system.boot')
       OR (e.process = 'systemd-logind' AND (e.message LIKE 'System is rebooting%' OR e.message LIKE 'System is powering down%' OR e.message LIKE 'System is halting%'))
       OR e.process = 'systemd-shutdown'
), wtmp_hosts AS (
    SELECT source_file, min(coalesce(host, '')) AS hkey FROM events WHERE format = 'wtmp' GROUP BY source_file
), logind_open AS (
    SELECT ts, coalesce(host, '') AS hkey, session_id, message, source_file, source_offset FROM events
    WHERE event = 'logind.new_session' AND "user" = 'root'
), logind_closed AS (
    SELECT ts, coalesce(host, '') AS hkey, session_id FROM events WHERE event = 'logind.session_removed'
), sshd_open AS (
    SELECT ts, coalesce(host, '') AS hkey, pid, message, source_file, source_offset FROM events
    WHERE event LIKE 'ssh.accepted%' AND "user" = 'root' AND pid IS NOT NULL
), sshd_closed AS (
    SELECT ts, coalesce(host, '') AS hkey, pid FROM events
    WHERE event IN ('ssh.disconnected', 'ssh.connection_closed', 'ssh.received_disconnect', 'pam.session_closed') AND pid IS NOT NULL
), root_sessions AS (
    SELECT coalesce(h.hkey, '') AS hkey, s.session_start AS ts, s.session_end AS ends,
           'root logged in on ' || coalesce(s.line, '?') || coalesce(' from ' || s.host, '') || ' (wtmp)' AS message, s.source_file, s.start_offset AS source_offset
    FROM sessions s LEFT JOIN wtmp_hosts h ON h.source_file = s.source_file
    WHERE s."user" = 'root'
    UNION ALL
    SELECT o.hkey, o.ts, min(c.ts) AS ends, o.message, o.source_file, o.source_offset
    FROM logind_open o LEFT JOIN logind_closed c ON c.hkey = o.hkey AND c.session_id = o.session_id AND c.ts >= o.ts
    GROUP BY ALL
    UNION ALL
    SELECT o.hkey, o.ts, min(c.ts) AS ends, o.message, o.source_file, o.source_offset
    FROM sshd_open o LEFT JOIN sshd_closed c ON c.hkey = o.hkey AND c.pid = o.pid AND c.ts >= o.ts
    GROUP BY ALL
), session_lines AS (
    SELECT k.hkey, k.unit, k.kill_ts, 'root_session' AS candidate, s.ts, s.message, s.source_file, s.source_offset
    FROM kills k JOIN root_sessions s ON (s.hkey = k.hkey OR s.hkey = '') AND s.ts <= k.kill_ts AND (s.ends IS NULL OR s.ends >= k.kill_ts)
), found AS (
    SELECT * FROM systemd_lines UNION ALL SELECT * FROM oom_lines UNION ALL SELECT * FROM audit_lines
    UNION ALL SELECT * FROM shutdown_lines UNION ALL SELECT * FROM session_lines
), settings AS (
    SELECT k.hkey, k.unit, k.kill_ts, c.key,
           arg_max(c.value, (c.drop_in IS NOT NULL, coalesce(c.drop_in, ''), c.line)) AS value,
           arg_max(c.config_file, (c.drop_in IS NOT NULL, coalesce(c.drop_in, ''), c.line)) AS config_file,
           arg_max(c.source_file, (c.drop_in IS NOT NULL, coalesce(c.drop_in, ''), c.line)) AS source_file,
           arg_max(c.line, (c.drop_in IS NOT NULL, coalesce(c.drop_in, ''), c.line)) AS line
    FROM kills k JOIN context_systemd_units c
      ON c.unit = k.unit OR c.unit = '*.' || regexp_extract(k.unit, '\.([a-z]+)$', 1)
    WHERE c.key IN ('TimeoutSec', 'TimeoutStartSec', 'TimeoutStopSec', 'TimeoutAbortSec', 'RuntimeMaxSec', 'WatchdogSec',
                    'TimeoutStartFailureMode', 'TimeoutStopFailureMode', 'OOMPolicy', 'OOMScoreAdjust', 'MemoryMax', 'Type')
    GROUP BY ALL
), rows AS (
    SELECT k.kill_ts, k.host, k.unit, k.signal, f.candidate, f.ts AS candidate_ts, f.message AS evidence, f.source_file, f.source_offset,
           CAST(NULL AS BIGINT) AS source_line,
           CASE f.candidate WHEN 'systemd_timeout' THEN 1 WHEN 'systemd_kill' THEN 2 WHEN 'oom' THEN 3 WHEN 'audit_kill' THEN 4
                            WHEN 'audit_anom' THEN 5 WHEN 'shutdown' THEN 6 ELSE 7 END AS rank
    FROM kills k JOIN found f ON f.hkey = k.hkey AND f.unit = k.unit AND f.kill_ts = k.kill_ts
    UNION ALL
    SELECT k.kill_ts, k.host, k.unit, k.signal, 'none', NULL, 'no killer logged', NULL, NULL, NULL, 8
    FROM kills k
    WHERE NOT EXISTS (SELECT 1 FROM found f WHERE f.hkey = k.hkey AND f.unit = k.unit AND f.kill_ts = k.kill_ts)
    UNION ALL
    SELECT k.kill_ts, k.host, k.unit, k.signal, 'unit_setting', NULL, s.key || '=' || s.value || ' (' || s.config_file || ')',
           s.source_file, NULL, s.line, 9
    FROM kills k JOIN settings s ON s.hkey = k.hkey AND s.unit = k.unit AND s.kill_ts = k.kill_ts
)
SELECT kill_ts, host, unit, signal, candidate, candidate_ts,
       date_diff('millisecond', candidate_ts, kill_ts) / 1000.0 AS seconds_before_kill,
       evidence, source_file, source_offset, source_line
FROM rows
ORDER BY kill_ts, host, unit, rank, candidate_ts NULLS LAST, evidence, source_file, source_offset, source_line;
