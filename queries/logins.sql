-- name: logins
-- description: Successful logins from every source side by side, in time order: sshd "Accepted ...", wtmp
-- description: sessions (last-style pairing) and audit USER_LOGIN res=success. corroborated_by names the other
-- description: sources of the same machine (evidence_host) that saw the same user (and IP, when both know it) within
-- description: the tolerance.
-- tables: events, sessions
-- param: tolerance INTERVAL 2m how far apart two sources may stamp the same login
-- output: ts, source, user, src_ip, host, detail, session_end, corroborated_by, source_file, source_offset, seen_by
-- An sshd line held by both the journal and its rsyslog copy is one login (events_once, Query/CaseSession.cs);
-- seen_by names the formats that logged it.
WITH file_hosts AS (
    -- sessions.host is ut_host (the remote peer); the machine is the host of the wtmp file's events.
    SELECT source_file, min(host) AS host FROM events WHERE format = 'wtmp' GROUP BY source_file
), logins AS (
    SELECT ts, 'sshd' AS source, user, src_ip, host,
           coalesce(auth_method, replace(event, 'ssh.accepted_', '')) || coalesce(' ' || key_fingerprint, '') AS detail,
           CAST(NULL AS TIMESTAMP) AS session_end, source_file, source_offset, seen_by, evidence_host
    FROM events_once('ssh.accepted%')
    UNION ALL
    SELECT session_start, 'wtmp', user, src_ip, (SELECT h.host FROM file_hosts h WHERE h.source_file = sessions.source_file),
           coalesce(line, '?') || ' ' || coalesce(end_reason, '') || coalesce(' ' || CAST(round(duration_s) AS BIGINT) || 's', ''),
           session_end, source_file, start_offset, 'wtmp', evidence_host
    FROM sessions WHERE coalesce(kind, 'user') = 'user'
    UNION ALL
    SELECT ts, 'audit', user, src_ip, host,
           coalesce(audit_terminal, '') || coalesce(' ' || audit_exe, ''),
           CAST(NULL AS TIMESTAMP), source_file, source_offset, format, evidence_host
    FROM events
    WHERE event = 'audit.user_login' AND (audit_result = 'success' OR (audit_result IS NULL AND message LIKE '%res=success%'))
)
SELECT l.ts, l.source, l.user, l.src_ip, l.host, l.detail, l.session_end,
       (SELECT array_to_string(list_sort(list_distinct(list(o.source))), ',')
        FROM logins o
        WHERE o.source <> l.source AND o.evidence_host IS NOT DISTINCT FROM l.evidence_host AND o.user IS NOT DISTINCT FROM l.user
          AND (o.src_ip IS NULL OR l.src_ip IS NULL OR o.src_ip = l.src_ip)
          AND o.ts BETWEEN l.ts - CAST($tolerance AS INTERVAL) AND l.ts + CAST($tolerance AS INTERVAL)) AS corroborated_by,
       l.source_file, l.source_offset, l.seen_by
FROM logins l
ORDER BY l.ts NULLS LAST, l.source, l.user, l.source_offset;
