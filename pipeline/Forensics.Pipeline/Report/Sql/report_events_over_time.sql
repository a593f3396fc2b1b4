-- name: report_events_over_time
-- description: Events per time bucket, per format and host: the HTML report's stacked histogram. The bucket is
-- description: the smallest of 1 min, 5 min, 15 min, 1 h, 3 h, 6 h, 1 d, 7 d, 30 d that keeps the case's span
-- description: within max_buckets buckets.
-- tables: events
-- param: max_buckets BIGINT 160 at most this many buckets over the case's span
-- output: bucket, bucket_seconds, series, events
WITH span AS (
    SELECT epoch(max(ts)) - epoch(min(ts)) AS seconds FROM events WHERE ts IS NOT NULL
), width AS (
    SELECT coalesce(min(b), 2592000) AS b
    FROM unnest([60, 300, 900, 3600, 10800, 21600, 86400, 604800, 2592000]) AS t(b), span
    WHERE coalesce(span.seconds, 0) / b <= $max_buckets
)
SELECT to_timestamp(floor(epoch(ts) / width.b) * width.b) AS bucket, width.b AS bucket_seconds,
       format || ' @ ' || coalesce(host, '?') AS series, count(*) AS events
FROM events, width
WHERE ts IS NOT NULL
GROUP BY ALL
ORDER BY bucket, series;
