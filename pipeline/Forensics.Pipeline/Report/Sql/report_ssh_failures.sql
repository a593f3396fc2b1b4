-- name: report_ssh_failures
-- description: Failed SSH authentications per hour (per day when the case spans more than max_buckets hours),
-- description: split by the top source IPs; the rest are "other". Each record counted once (events_once), a
-- description: line rsyslog folded counts N times. "Invalid user" lines are not added: sshd logs a "Failed ..."
-- description: line for the same attempt (see ssh_bruteforce_by_ip).
-- tables: events
-- param: top_ips BIGINT 5 how many source IPs get a series of their own
-- param: max_buckets BIGINT 400 at most this many hourly buckets, else daily
-- output: bucket, bucket_seconds, series, failures
WITH failures AS (
    SELECT ts, src_ip, coalesce(repeat_count, 1) AS n
    FROM events_once('ssh.failed%')
    WHERE event IN ('ssh.failed_password', 'ssh.failed_publickey', 'ssh.failed_auth') AND ts IS NOT NULL
), width AS (
    SELECT CASE WHEN (epoch(max(ts)) - epoch(min(ts))) / 3600 > $max_buckets THEN 86400 ELSE 3600 END AS b FROM failures
), top AS (
    SELECT src_ip FROM failures WHERE src_ip IS NOT NULL GROUP BY src_ip ORDER BY sum(n) DESC, src_ip LIMIT $top_ips
)
SELECT to_timestamp(floor(epoch(ts) / width.b) * width.b) AS bucket, width.b AS bucket_seconds,
       CASE WHEN src_ip IN (SELECT src_ip FROM top) THEN src_ip ELSE 'other' END AS series,
       CAST(sum(n) AS BIGINT) AS failures
FROM failures, width
GROUP BY ALL
ORDER BY bucket, series;
