-- name: ssh_bruteforce_by_ip
-- description: Per source IP, failed SSH authentications (password, publickey, keyboard-interactive, ...) and
-- description: "Invalid user" probes: distinct users tried, first/last seen, attempts per minute, and whether
-- description: the IP ever got in.
-- tables: events
-- param: min_attempts BIGINT 1 only IPs with at least this many failed attempts + invalid-user probes
-- output: src_ip, failed_attempts, invalid_user_probes, distinct_users, users_tried, first_seen, last_seen, attempts_per_minute, accepted_logins, hosts, seen_by
-- A line sshd wrote once but the case holds twice (journal and its rsyslog copy) counts once: events_once,
-- defined by the query session (Query/CaseSession.cs); seen_by names the formats that logged the IP's lines.
-- Attempts are the sshd "Failed ..." lines; "Invalid user" lines are counted apart because sshd logs both for
-- one password attempt by an unknown user (OpenSSH auth.c auth_log + auth2.c), so summing them would double.
-- A line rsyslog folded ("message repeated N times: [ … ]") counts N times (repeat_count).
-- Aggregated per (ip, user, host, formats) first, and the sample of users taken by rank: list aggregates over
-- millions of lines cost more than the rest of the query (bench/e2e-queries.sh: 12.6x its scan floor before).
WITH per_source AS (
    -- one row per (ip, user, host, formats): every later step reads this, not the lines
    SELECT src_ip, user, host, seen_by,
           sum(coalesce(repeat_count, 1)) FILTER (WHERE event IN ('ssh.failed_password', 'ssh.failed_publickey', 'ssh.failed_auth')) AS failed,
           sum(coalesce(repeat_count, 1)) FILTER (WHERE event = 'ssh.invalid_user') AS invalid,
           sum(coalesce(repeat_count, 1)) FILTER (WHERE event LIKE 'ssh.accepted%') AS accepted,
           min(ts) FILTER (WHERE event IN ('ssh.failed_password', 'ssh.failed_publickey', 'ssh.failed_auth', 'ssh.invalid_user')) AS first_seen,
           max(ts) FILTER (WHERE event IN ('ssh.failed_password', 'ssh.failed_publickey', 'ssh.failed_auth', 'ssh.invalid_user')) AS last_seen
    FROM events_once('ssh.%')
    WHERE src_ip IS NOT NULL
    GROUP BY src_ip, user, host, seen_by
), ip_sources AS (
    SELECT src_ip, string_agg(DISTINCT host, ',' ORDER BY host) AS hosts,
           list_distinct(flatten(list(string_split(seen_by, ',')))) AS seen
    FROM per_source GROUP BY src_ip
), per_user AS (
    SELECT src_ip, user, coalesce(sum(failed), 0) AS failed, coalesce(sum(invalid), 0) AS invalid, coalesce(sum(accepted), 0) AS accepted,
           min(first_seen) AS first_seen, max(last_seen) AS last_seen
    FROM per_source GROUP BY src_ip, user
), ranked AS (
    SELECT *, CASE WHEN failed + invalid > 0 THEN row_number() OVER (PARTITION BY src_ip, failed + invalid > 0 ORDER BY user) END AS rn
    FROM per_user
), per_ip AS (
    SELECT src_ip, CAST(sum(failed) AS BIGINT) AS failed_attempts, CAST(sum(invalid) AS BIGINT) AS invalid_user_probes,
           count(*) FILTER (WHERE failed + invalid > 0) AS distinct_users,
           string_agg(user, ',' ORDER BY user) FILTER (WHERE rn <= 20) AS users,
           min(first_seen) AS first_seen, max(last_seen) AS last_seen, CAST(sum(accepted) AS BIGINT) AS accepted_logins
    FROM ranked
    GROUP BY src_ip
)
SELECT src_ip, failed_attempts, invalid_user_probes, distinct_users,
       users || CASE WHEN distinct_users > 20 THEN ',…' ELSE '' END AS users_tried,
       first_seen, last_seen,
       round((failed_attempts + invalid_user_probes) / greatest(date_diff('second', first_seen, last_seen) / 60.0, 1.0), 2) AS attempts_per_minute,
       accepted_logins, hosts, array_to_string(list_sort(seen), ',') AS seen_by
FROM per_ip JOIN ip_sources USING (src_ip)
WHERE failed_attempts + invalid_user_probes >= $min_attempts
ORDER BY failed_attempts + invalid_user_probes DESC, src_ip;
