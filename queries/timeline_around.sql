-- name: timeline_around
-- description: Every event within a window around a time, all sources merged in time order. Without ts, the
-- description: first successful SSH login of the case is the centre (else the case's first event).
-- tables: events
-- param: ts TIMESTAMP null centre of the window (UTC; ISO 8601)
-- param: window INTERVAL 10m how far before and after the centre
-- param: limit_rows BIGINT 10000 at most this many events
-- output: ts, offset_seconds, host, format, event, process, pid, unit, user, src_ip, message, source_file, source_offset, seen_by
-- A record held by both the journal and its rsyslog copy is listed once, with the formats that logged it in seen_by
-- (events_once, Query/CaseSession.cs); `forensics timeline` exports every row.
WITH centre AS (
    SELECT coalesce(CAST($ts AS TIMESTAMP),
                    (SELECT min(ts) FROM events WHERE event LIKE 'ssh.accepted%'),
                    (SELECT min(ts) FROM events)) AS c
)
SELECT e.ts, date_diff('millisecond', centre.c, e.ts) / 1000.0 AS offset_seconds,
       e.host, e.format, e.event, e.process, e.pid, e.unit, e.user, e.src_ip, e.message, e.source_file, e.source_offset, e.seen_by
FROM events_once_between('%', (SELECT c FROM centre) - CAST($window AS INTERVAL), (SELECT c FROM centre) + CAST($window AS INTERVAL)) e, centre
ORDER BY e.ts, e.source_file, e.source_offset
LIMIT $limit_rows;
