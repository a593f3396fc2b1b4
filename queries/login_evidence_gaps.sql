-- name: login_evidence_gaps
-- description: Signs of edited login records: sshd Accepted logins that had a terminal but no wtmp session within the tolerance;
-- description: remote wtmp sessions with no sshd login; wtmp records whose time goes backwards in file order
-- description: (time travel); zeroed/timeless wtmp records (holes); and long silences between wtmp records.
-- description: The cross-checks run only when the case holds both kinds of evidence, and only after the other kind
-- description: begins (a wtmp session from before the journal's first line is rotated away, not missing). There is no
-- description: upper bound: a login after the last wtmp record is exactly what a truncated wtmp looks like.
-- description: No evidence at all is a collection question, answered by case_overview, not a per-login finding.
-- description: sshd writes wtmp only for sessions with a terminal (pty); a command or sftp session writes none, so an
-- description: sshd login is expected in wtmp only with evidence of its terminal: sshd's "Starting session: shell on
-- description: pts/N" (LogLevel VERBOSE), audit's USER_LOGIN on a tty (OpenSSH writes it with the wtmp record), or a
-- description: lastlog entry at that time (written with it too). Each machine (evidence_host) is checked against its
-- description: own evidence only: a login on one machine is never explained by another machine's wtmp.
-- tables: events, sessions
-- param: tolerance INTERVAL 2m how far apart sshd and wtmp may stamp the same login
-- param: gap INTERVAL 30d a silence between consecutive wtmp records longer than this is reported
-- output: finding, ts, user, src_ip, host, detail, source_file, source_offset
-- An sshd login held by both the journal and its rsyslog copy is checked once (events_once, Query/CaseSession.cs).
WITH accepted AS (
    SELECT ts, user, src_ip, host, evidence_host, source_file, source_offset FROM events_once('ssh.accepted%')
), terminals AS (
    -- Evidence that a login had a terminal (OpenSSH session.c, loginrec.c, audit-linux.c).
    SELECT ts, user, src_ip, evidence_host, 'sshd started a shell on ' || ssh_tty AS evidence FROM events
    WHERE event = 'ssh.session_started' AND ssh_tty IS NOT NULL
    UNION ALL
    SELECT ts, user, src_ip, evidence_host, 'audit USER_LOGIN on ' || audit_terminal FROM events
    WHERE event = 'audit.user_login' AND (audit_result = 'success' OR (audit_result IS NULL AND message LIKE '%res=success%'))
      AND regexp_matches(audit_terminal, '^(/dev/)?(pts/|tty)')
    UNION ALL
    SELECT ts, user, src_ip, evidence_host, 'lastlog entry on ' || coalesce(utmp_line, '?') FROM events WHERE event = 'login.lastlog'
), sshd AS (
    SELECT a.*, (SELECT min(t.evidence) FROM terminals t
                 WHERE t.evidence_host IS NOT DISTINCT FROM a.evidence_host
                   AND (t.user = a.user OR (t.user IS NULL AND t.src_ip = a.src_ip))
                   AND (t.src_ip IS NULL OR a.src_ip IS NULL OR t.src_ip = a.src_ip)
                   AND t.ts BETWEEN a.ts - CAST($tolerance AS INTERVAL) AND a.ts + CAST($tolerance AS INTERVAL)) AS terminal
    FROM accepted a
), file_hosts AS (
    -- sessions.host is ut_host (the remote peer); the machine is the host of the wtmp file's events.
    SELECT source_file, min(host) AS host FROM events WHERE format = 'wtmp' GROUP BY source_file
), wtmp_sessions AS (
    SELECT session_start AS ts, user, src_ip, (SELECT h.host FROM file_hosts h WHERE h.source_file = s.source_file) AS host,
           line, s.evidence_host, s.source_file, start_offset AS source_offset
    FROM sessions s WHERE coalesce(kind, 'user') = 'user'
), wtmp_records AS (
    -- Every wtmp record in file order; utmp writers (login, sshd, systemd) append, so the file order is the
    -- time order unless the clock was changed (NEW_TIME/OLD_TIME records say so) or the file was edited.
    SELECT ts, user, src_ip, host, evidence_host, event, utmp_type, source_file, source_offset,
           lag(ts) OVER (PARTITION BY source_file ORDER BY source_offset) AS prev_ts,
           lag(event) OVER (PARTITION BY source_file ORDER BY source_offset) AS prev_event
    FROM events WHERE format = 'wtmp'
), have AS (
    -- per machine: which kinds of evidence it has, and from when
    SELECT m.evidence_host,
           (SELECT count(*) FROM wtmp_sessions w WHERE w.evidence_host IS NOT DISTINCT FROM m.evidence_host)
             + (SELECT count(*) FROM wtmp_records r WHERE r.evidence_host IS NOT DISTINCT FROM m.evidence_host) > 0 AS wtmp,
           (SELECT count(*) FROM events e WHERE e.event LIKE 'ssh.%' AND e.evidence_host IS NOT DISTINCT FROM m.evidence_host) > 0 AS sshd,
           (SELECT min(ts) FROM events e WHERE e.event LIKE 'ssh.%' AND e.evidence_host IS NOT DISTINCT FROM m.evidence_host) AS sshd_from,
           (SELECT min(ts) FROM wtmp_records r WHERE r.ts >= TIMESTAMP '1980-01-01' AND r.evidence_host IS NOT DISTINCT FROM m.evidence_host) AS wtmp_from
    FROM (SELECT DISTINCT evidence_host FROM events) m
)
SELECT 'sshd_login_without_wtmp' AS finding, s.ts, s.user, s.src_ip, s.host,
       'had a terminal (' || s.terminal || ') but no wtmp session for this user within ' || CAST(CAST($tolerance AS INTERVAL) AS VARCHAR) AS detail,
       s.source_file, s.source_offset
FROM sshd s JOIN have ON have.evidence_host IS NOT DISTINCT FROM s.evidence_host
WHERE have.wtmp AND s.terminal IS NOT NULL AND s.ts >= have.wtmp_from - CAST($tolerance AS INTERVAL)
  AND NOT EXISTS (
    SELECT 1 FROM wtmp_sessions w
    WHERE w.evidence_host IS NOT DISTINCT FROM s.evidence_host AND w.user = s.user AND (w.src_ip IS NULL OR s.src_ip IS NULL OR w.src_ip = s.src_ip)
      AND w.ts BETWEEN s.ts - CAST($tolerance AS INTERVAL) AND s.ts + CAST($tolerance AS INTERVAL))
UNION ALL
SELECT 'wtmp_session_without_sshd', w.ts, w.user, w.src_ip, w.host,
       'remote session on ' || coalesce(w.line, '?') || ' with no sshd Accepted line within ' || CAST(CAST($tolerance AS INTERVAL) AS VARCHAR),
       w.source_file, w.source_offset
FROM wtmp_sessions w JOIN have ON have.evidence_host IS NOT DISTINCT FROM w.evidence_host
WHERE have.sshd AND w.src_ip IS NOT NULL
  AND w.ts >= have.sshd_from - CAST($tolerance AS INTERVAL)
  AND NOT EXISTS (
    SELECT 1 FROM sshd s
    WHERE s.evidence_host IS NOT DISTINCT FROM w.evidence_host AND s.user = w.user AND s.ts BETWEEN w.ts - CAST($tolerance AS INTERVAL) AND w.ts + CAST($tolerance AS INTERVAL))
UNION ALL
SELECT 'wtmp_time_travel', ts, user, src_ip, host,
       'record is ' || CAST(date_diff('second', ts, prev_ts) AS VARCHAR) || ' s earlier than the record before it in the file',
       source_file, source_offset
FROM wtmp_records
WHERE ts < prev_ts AND event <> 'login.clock_change' AND coalesce(prev_event, '') <> 'login.clock_change'
UNION ALL
SELECT 'wtmp_hole', ts, user, src_ip, host,
       'record without a usable time (' || coalesce(utmp_type, event) || '): zeroed or overwritten',
       source_file, source_offset
FROM wtmp_records
WHERE ts IS NULL OR ts < TIMESTAMP '1980-01-01'
UNION ALL
SELECT 'wtmp_gap', ts, user, src_ip, host,
       'no wtmp record for ' || CAST(date_diff('hour', prev_ts, ts) AS VARCHAR) || ' h before this one',
       source_file, source_offset
FROM wtmp_records
WHERE ts - prev_ts > CAST($gap AS INTERVAL)
ORDER BY ts NULLS FIRST, finding, source_file, source_offset;
