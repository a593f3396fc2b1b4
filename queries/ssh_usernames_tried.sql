-- name: ssh_usernames_tried
-- description: User names tried over SSH with failure/success counts and source IPs, joined with the case's
-- description: etc/passwd (context_passwd): whether the account exists and can log in. exists_in_passwd and
-- description: can_login are NULL when the case holds no passwd file (unknown, not false). One row per machine and
-- description: user: the attempts are counted per evidence_host (the machine whose logs recorded them) and joined
-- description: with that machine's passwd only.
-- tables: events, context_passwd
-- param: limit_rows BIGINT 1000 at most this many user names, most tried first
-- output: evidence_host, user, failed_attempts, invalid_user_probes, accepted_logins, source_ips, first_seen, last_seen, exists_in_passwd, can_login, uid, shell
WITH tried AS (
    SELECT evidence_host, user,
           -- a line rsyslog folded ("message repeated N times: [ … ]") counts N times
           CAST(coalesce(sum(coalesce(repeat_count, 1)) FILTER (WHERE event IN ('ssh.failed_password', 'ssh.failed_publickey', 'ssh.failed_auth')), 0) AS BIGINT) AS failed_attempts,
           CAST(coalesce(sum(coalesce(repeat_count, 1)) FILTER (WHERE event = 'ssh.invalid_user'), 0) AS BIGINT) AS invalid_user_probes,
           CAST(coalesce(sum(coalesce(repeat_count, 1)) FILTER (WHERE event LIKE 'ssh.accepted%'), 0) AS BIGINT) AS accepted_logins,
           count(DISTINCT src_ip) AS source_ips,
           min(ts) AS first_seen, max(ts) AS last_seen
    FROM events_once('ssh.%')  -- a journal line and its rsyslog copy count once (Query/CaseSession.cs)
    WHERE user IS NOT NULL
      AND event IN ('ssh.failed_password', 'ssh.failed_publickey', 'ssh.failed_auth', 'ssh.invalid_user',
                    'ssh.accepted_password', 'ssh.accepted_publickey', 'ssh.accepted_other')
    GROUP BY evidence_host, user
), passwd AS (
    -- One row per machine and user name even if several passwd files of one machine were collected.
    SELECT evidence_host, user, bool_or(can_login) AS can_login, min(uid) AS uid, min(shell) AS shell
    FROM context_passwd GROUP BY evidence_host, user
), has_passwd AS (SELECT DISTINCT evidence_host, true AS present FROM context_passwd)
SELECT t.evidence_host, t.user, t.failed_attempts, t.invalid_user_probes, t.accepted_logins, t.source_ips, t.first_seen, t.last_seen,
       CASE WHEN h.present THEN p.user IS NOT NULL END AS exists_in_passwd,
       p.can_login, p.uid, p.shell
FROM tried t
LEFT JOIN has_passwd h ON h.evidence_host IS NOT DISTINCT FROM t.evidence_host
LEFT JOIN passwd p ON p.evidence_host IS NOT DISTINCT FROM t.evidence_host AND p.user = t.user
ORDER BY t.evidence_host NULLS LAST, t.failed_attempts + t.invalid_user_probes DESC, t.accepted_logins DESC, t.user
LIMIT $limit_rows;
