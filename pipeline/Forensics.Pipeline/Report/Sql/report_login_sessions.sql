-- name: report_login_sessions
-- description: Login sessions as intervals, one lane per kind of evidence: wtmp sessions (as last pairs them;
-- description: still open ones end at the case's last event) and sshd logins (accepted authentication, ending
-- description: at the first "pam_unix(sshd:session): session closed" of the same sshd process on the same host;
-- description: the "Disconnected" line comes from the session's child, another pid). A login one
-- description: source shows and the other does not is the gap the chart makes visible.
-- tables: events, sessions
-- output: lane, start_ts, end_ts, open_ended, user, src_ip, detail, source_file, source_offset
WITH last_event AS (
    SELECT max(ts) AS t FROM events
), accepted AS (
    SELECT ts, host, pid, src_ip, user, coalesce(auth_method, event) AS detail, source_file, source_offset
    FROM events_once('ssh.accepted%')
), closes AS (
    SELECT ts, host, pid FROM events_once('pam.session_closed') WHERE process = 'sshd'
)
SELECT 'wtmp' AS lane, s.session_start AS start_ts, coalesce(s.session_end, last_event.t) AS end_ts,
       s.session_end IS NULL AS open_ended, s.user, s.src_ip,
       s.line || ' ' || coalesce(s.end_reason, '') AS detail, s.source_file, s.start_offset AS source_offset
FROM sessions s, last_event
WHERE s.kind = 'user' AND s.session_start IS NOT NULL
UNION ALL
SELECT 'sshd', a.ts, coalesce(d.ts, last_event.t), d.ts IS NULL, a.user, a.src_ip, a.detail, a.source_file, a.source_offset
FROM accepted a
CROSS JOIN last_event
LEFT JOIN LATERAL (
    SELECT min(x.ts) AS ts FROM closes x
    WHERE x.host IS NOT DISTINCT FROM a.host AND x.pid = a.pid AND x.ts >= a.ts
) d ON true
ORDER BY start_ts, lane;
