-- name: ssh_bruteforce_by_ip
-- description: Per source IP, failed SSH authentications (password, publickey, keyboard-interactive, ...) and
-- description: "Invalid user" probes: distinct users tried, first/last seen, attempts per minute, and whether
-- description: the IP ever got in.
-- tables: events
-- param: min_attempts BIGINT 1 only IPs with at least this many failed attempts + invalid-user probes
-- output: src_ip, failed_attempts, invalid_user_probes, distinct_users, users_tried, first_seen, last_seen, attempts_per_minute, accepted_logins, hosts
-- Attempts are the sshd "Failed ..." lines; "Invalid user" lines are counted apart because sshd logs both for
-- one password attempt by an unknown user (OpenSSH auth.c auth_log + auth2.c), so summing them would double.
WITH ssh AS (
    SELECT src_ip, ts, user, host, event
    FROM events
    WHERE src_ip IS NOT NULL AND event LIKE 'ssh.%'
), per_ip AS (
    SELECT src_ip,
           count(*) FILTER (WHERE event IN ('ssh.failed_password', 'ssh.failed_publickey', 'ssh.failed_auth')) AS failed_attempts,
           count(*) FILTER (WHERE event = 'ssh.invalid_user') AS invalid_user_probes,
           count(DISTINCT user) FILTER (WHERE event IN ('ssh.failed_password', 'ssh.failed_publickey', 'ssh.failed_auth', 'ssh.invalid_user')) AS distinct_users,
           list_sort(list_distinct(list(user) FILTER (WHERE event IN ('ssh.failed_password', 'ssh.failed_publickey', 'ssh.failed_auth', 'ssh.invalid_user')))) AS users,
           min(ts) FILTER (WHERE event IN ('ssh.failed_password', 'ssh.failed_publickey', 'ssh.failed_auth', 'ssh.invalid_user')) AS first_seen,
           max(ts) FILTER (WHERE event IN ('ssh.failed_password', 'ssh.failed_publickey', 'ssh.failed_auth', 'ssh.invalid_user')) AS last_seen,
           count(*) FILTER (WHERE event LIKE 'ssh.accepted%') AS accepted_logins,
           array_to_string(list_sort(list_distinct(list(host))), ',') AS hosts
    FROM ssh
    GROUP BY src_ip
)
SELECT src_ip, failed_attempts, invalid_user_probes, distinct_users,
       array_to_string(list_slice(users, 1, 20), ',') || CASE WHEN len(users) > 20 THEN ',…' ELSE '' END AS users_tried,
       first_seen, last_seen,
       round((failed_attempts + invalid_user_probes) / greatest(date_diff('second', first_seen, last_seen) / 60.0, 1.0), 2) AS attempts_per_minute,
       accepted_logins, hosts
FROM per_ip
WHERE failed_attempts + invalid_user_probes >= $min_attempts
ORDER BY failed_attempts + invalid_user_probes DESC, src_ip;
