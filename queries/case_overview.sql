-- name: case_overview
-- description: What the case holds, per format and host: events, files, event kinds, time span, timestamp
-- description: quality, and the rejects of those files.
-- tables: events, rejects, files
-- output: format, host, events, files, event_kinds, first_ts, last_ts, ts_inferred_or_assumed, ts_missing, rejects
-- Counted per (format, host, file, kind, quality) first: a few thousand groups, so the distinct counts run over
-- those and not over every event (count(DISTINCT) over 50 M rows cost 3x the scan, bench/e2e-queries.sh).
WITH per_file AS (
    SELECT format, host, source_file, event, ts_quality, count(*) AS n, count(ts) AS timed, min(ts) AS first_ts, max(ts) AS last_ts
    FROM events GROUP BY ALL
), ev AS (
    SELECT format, host, CAST(sum(n) AS BIGINT) AS events, count(DISTINCT source_file) AS files, count(DISTINCT event) AS event_kinds,
           min(first_ts) AS first_ts, max(last_ts) AS last_ts,
           CAST(coalesce(sum(n) FILTER (WHERE ts_quality NOT IN ('exact', 'missing')), 0) AS BIGINT) AS ts_inferred_or_assumed,
           CAST(sum(n - timed) AS BIGINT) AS ts_missing
    FROM per_file GROUP BY format, host
), rj AS (
    SELECT format, count(*) AS rejects FROM rejects GROUP BY format
), hosts AS (
    SELECT format, count(*) AS host_rows FROM ev GROUP BY format
)
-- Rejects carry no host; they are shown on the format's row when it has one host, else on a row of their own.
SELECT ev.format, ev.host, ev.events, ev.files, ev.event_kinds, ev.first_ts, ev.last_ts, ev.ts_inferred_or_assumed, ev.ts_missing,
       CASE WHEN hosts.host_rows = 1 THEN coalesce(rj.rejects, 0) END AS rejects
FROM ev JOIN hosts USING (format) LEFT JOIN rj ON rj.format IS NOT DISTINCT FROM ev.format
UNION ALL
SELECT rj.format, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, rj.rejects
FROM rj LEFT JOIN hosts ON hosts.format IS NOT DISTINCT FROM rj.format
WHERE hosts.host_rows IS NULL OR hosts.host_rows > 1
UNION ALL
SELECT '(unrecognised files)', NULL, 0, count(*), NULL, NULL, NULL, NULL, NULL, NULL
FROM files WHERE format IS NULL HAVING count(*) > 0
ORDER BY 1 NULLS LAST, 2 NULLS LAST, 3 DESC, 10 NULLS FIRST;
