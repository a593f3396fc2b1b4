-- name: http_proxy_probes
-- description: Requests that tried to use the web server as a proxy: CONNECT host:port (authority form) and
-- description: absolute-form targets (GET http://host/...), per source IP and target, with status codes seen.
-- tables: events
-- output: src_ip, kind, proxy_target, requests, statuses, first_seen, last_seen, hosts, sample_request
WITH probes AS (
    SELECT src_ip, ts, host, http_status, message,
           CASE WHEN event = 'http.proxy_connect' OR http_method = 'CONNECT' THEN 'connect' ELSE 'absolute' END AS kind,
           coalesce(proxy_host || coalesce(':' || CAST(proxy_port AS VARCHAR), ''), http_target) AS proxy_target
    FROM events
    WHERE event IN ('http.proxy_connect', 'http.proxy_absolute')
       OR http_method = 'CONNECT'
       OR (event LIKE 'http.%' AND (http_target ILIKE 'http://%' OR http_target ILIKE 'https://%'))
)
SELECT src_ip, kind, proxy_target, count(*) AS requests,
       array_to_string(list_sort(list_distinct(list(CAST(http_status AS VARCHAR)))), ',') AS statuses,
       min(ts) AS first_seen, max(ts) AS last_seen,
       array_to_string(list_sort(list_distinct(list(host))), ',') AS hosts,
       arg_min(message, ts) AS sample_request
FROM probes
GROUP BY src_ip, kind, proxy_target
ORDER BY requests DESC, src_ip NULLS LAST, kind, proxy_target;
