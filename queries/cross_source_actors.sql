-- name: cross_source_actors
-- description: Source IPs seen in more than one evidence family (ssh, http, login/wtmp, audit, ...), with event
-- description: counts per family and first/last seen: the same actor probing several services.
-- tables: events, sessions
-- param: min_families BIGINT 2 report IPs seen in at least this many families
-- output: src_ip, families, family_count, events, ssh_events, http_events, login_events, audit_events, other_events, first_seen, last_seen
-- Aggregated per (ip, event) first and mapped to families after: a per-row family expression and per-IP list
-- aggregates over every address cost most of the query when a web log holds millions of addresses (bench
-- e2e-queries.sh); the family lists are built only for the addresses that pass min_families.
WITH per_event AS (
    -- a line rsyslog folded ("message repeated N times: [ … ]") counts N times
    SELECT src_ip, event, sum(coalesce(repeat_count, 1)) AS n, min(ts) AS first_seen, max(ts) AS last_seen
    FROM events_once('%') -- a journal line and its rsyslog copy count once (Query/CaseSession.cs)
    WHERE src_ip IS NOT NULL AND src_ip NOT IN ('', '::', '0.0.0.0')
    GROUP BY src_ip, event
    UNION ALL
    SELECT src_ip, 'login.session', count(*), min(session_start), max(session_start)
    FROM sessions WHERE src_ip IS NOT NULL AND src_ip NOT IN ('', '::', '0.0.0.0')
    GROUP BY src_ip
), per_family AS (
    SELECT src_ip,
           CASE split_part(event, '.', 1)
               WHEN 'ssh' THEN 'ssh' WHEN 'pam' THEN 'ssh'
               WHEN 'http' THEN 'http'
               WHEN 'login' THEN 'login'
               WHEN 'audit' THEN 'audit'
               ELSE split_part(event, '.', 1) END AS family,
           sum(n) AS n, min(first_seen) AS first_seen, max(last_seen) AS last_seen
    FROM per_event GROUP BY ALL
), actors AS (
    SELECT src_ip FROM per_family GROUP BY src_ip HAVING count(*) >= $min_families
)
SELECT src_ip,
       array_to_string(list_sort(list(family)), ',') AS families,
       count(*) AS family_count,
       CAST(sum(n) AS BIGINT) AS events,
       CAST(coalesce(sum(n) FILTER (WHERE family = 'ssh'), 0) AS BIGINT) AS ssh_events,
       CAST(coalesce(sum(n) FILTER (WHERE family = 'http'), 0) AS BIGINT) AS http_events,
       CAST(coalesce(sum(n) FILTER (WHERE family = 'login'), 0) AS BIGINT) AS login_events,
       CAST(coalesce(sum(n) FILTER (WHERE family = 'audit'), 0) AS BIGINT) AS audit_events,
       CAST(coalesce(sum(n) FILTER (WHERE family NOT IN ('ssh', 'http', 'login', 'audit')), 0) AS BIGINT) AS other_events,
       min(first_seen) AS first_seen, max(last_seen) AS last_seen
FROM per_family SEMI JOIN actors USING (src_ip)
GROUP BY src_ip
ORDER BY family_count DESC, events DESC, src_ip;
