-- name: case_overview
-- description: What the case holds, per machine (evidence_host), format and host: events, files, event kinds,
-- description: time span, timestamp quality, and the rejects of those files.
-- tables: events, rejects, files
-- output: evidence_host, format, host, events, files, event_kinds, first_ts, last_ts, ts_inferred_or_assumed, ts_missing, rejects
-- Counted per (machine, format, host, file, kind, quality) first: a few thousand groups, so the distinct counts run
-- over those and not over every event (count(DISTINCT) over 50 M rows cost 3x the scan, bench/e2e-queries.sh).
WITH per_file AS (
    SELECT evidence_host, format, host, source_file, event, ts_quality, count(*) AS n, count(ts) AS timed, min(ts) AS first_ts, max(ts) AS last_ts
    FROM events GROUP BY ALL
), ev AS (
    SELECT evidence_host, format, host, CAST(sum(n) AS BIGINT) AS events, count(DISTINCT source_file) AS files, count(DISTINCT event) AS event_kinds,
           min(first_ts) AS first_ts, max(last_ts) AS last_ts,
           CAST(coalesce(sum(n) FILTER (WHERE ts_quality NOT IN ('exact', 'missing')), 0) AS BIGINT) AS ts_inferred_or_assumed,
           CAST(sum(n - timed) AS BIGINT) AS ts_missing
    FROM per_file GROUP BY evidence_host, format, host
), rj AS (
    SELECT evidence_host, format, count(*) AS rejects FROM rejects GROUP BY evidence_host, format
), hosts AS (
    SELECT evidence_host, format, count(*) AS host_rows FROM ev GROUP BY evidence_host, format
)
-- Rejects carry no record host; they are shown on the machine's format row when it has one host, else on a row of their own.
SELECT ev.evidence_host, ev.format, ev.host, ev.events, ev.files, ev.event_kinds, ev.first_ts, ev.last_ts, ev.ts_inferred_or_assumed, ev.ts_missing,
       CASE WHEN hosts.host_rows = 1 THEN coalesce(rj.rejects, 0) END AS rejects
FROM ev JOIN hosts ON hosts.evidence_host IS NOT DISTINCT FROM ev.evidence_host AND hosts.format IS NOT DISTINCT FROM ev.format
LEFT JOIN rj ON rj.evidence_host IS NOT DISTINCT FROM ev.evidence_host AND rj.format IS NOT DISTINCT FROM ev.format
UNION ALL
SELECT rj.evidence_host, rj.format, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, rj.rejects
FROM rj LEFT JOIN hosts ON hosts.evidence_host IS NOT DISTINCT FROM rj.evidence_host AND hosts.format IS NOT DISTINCT FROM rj.format
WHERE hosts.host_rows IS NULL OR hosts.host_rows > 1
UNION ALL
-- A file added again (ingest --add) is listed once per run: counted once, and a duplicate of a read file not at all.
SELECT evidence_host, '(unrecognised files)', NULL, 0, count(DISTINCT source_file), NULL, NULL, NULL, NULL, NULL, NULL
FROM files WHERE format IS NULL AND status <> 'duplicate' GROUP BY evidence_host HAVING count(*) > 0
ORDER BY 1 NULLS LAST, 2 NULLS LAST, 3 NULLS LAST, 4 DESC, 11 NULLS FIRST;
