-- name: ssh_bruteforce_then_success
-- description: Successful SSH logins (any user, any method) from an IP that failed at least min_failures times
-- description: within the window before the success: the classic "guessed it" pattern.
-- tables: events
-- param: window INTERVAL 1h how far before the success failures count
-- param: min_failures BIGINT 3 failures from the same IP needed inside the window
-- output: src_ip, success_ts, success_user, auth_method, host, failures_before, users_tried, first_failure, last_failure, seconds_since_last_failure, seen_by
-- Failures and successes are counted once when the journal and its rsyslog copy both hold them (events_once,
-- Query/CaseSession.cs); seen_by names the formats that logged the success.
WITH fails AS (
    -- a line rsyslog folded ("message repeated N times: [ … ]") counts N times
    SELECT src_ip, ts, user, coalesce(repeat_count, 1) AS times FROM events_once('ssh.%')
    WHERE src_ip IS NOT NULL AND event IN ('ssh.failed_password', 'ssh.failed_publickey', 'ssh.failed_auth', 'ssh.invalid_user')
), ok AS (
    SELECT src_ip, ts, user, auth_method, host, source_file, source_offset, seen_by FROM events_once('ssh.accepted%')
    WHERE src_ip IS NOT NULL
)
SELECT ok.src_ip, ok.ts AS success_ts, ok.user AS success_user, ok.auth_method, ok.host,
       CAST(sum(f.times) AS BIGINT) AS failures_before,
       array_to_string(list_slice(list_sort(list_distinct(list(f.user))), 1, 20), ',') AS users_tried,
       min(f.ts) AS first_failure, max(f.ts) AS last_failure,
       date_diff('second', max(f.ts), ok.ts) AS seconds_since_last_failure, ok.seen_by
FROM ok
JOIN fails f ON f.src_ip = ok.src_ip AND f.ts <= ok.ts AND f.ts >= ok.ts - CAST($window AS INTERVAL)
GROUP BY ok.src_ip, ok.ts, ok.user, ok.auth_method, ok.host, ok.source_file, ok.source_offset, ok.seen_by
HAVING sum(f.times) >= $min_failures
ORDER BY success_ts, ok.src_ip, success_user;
