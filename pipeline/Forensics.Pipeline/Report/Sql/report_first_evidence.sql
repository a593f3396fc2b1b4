-- name: report_first_evidence
-- description: For each source IP and each user name given, the first record that names it (file and byte
-- description: offset): the evidence link of a findings row that counts many records (per IP, per user name).
-- description: User names are matched in SSH records only, as the SSH findings count them.
-- tables: events
-- param: ips VARCHAR null source IPs, one per line
-- param: users VARCHAR null user names, one per line
-- output: kind, value, ts, source_file, source_offset
WITH ips AS (
    SELECT DISTINCT unnest(string_split(coalesce($ips, ''), chr(10))) AS v
), users AS (
    SELECT DISTINCT unnest(string_split(coalesce($users, ''), chr(10))) AS v
)
SELECT 'src_ip' AS kind, src_ip AS value, ts, source_file, source_offset
FROM events
WHERE src_ip IN (SELECT v FROM ips WHERE v <> '')
QUALIFY row_number() OVER (PARTITION BY src_ip ORDER BY ts, source_file, source_offset) = 1
UNION ALL
SELECT 'user', "user", ts, source_file, source_offset
FROM events
WHERE "user" IN (SELECT v FROM users WHERE v <> '') AND event LIKE 'ssh.%'
QUALIFY row_number() OVER (PARTITION BY "user" ORDER BY ts, source_file, source_offset) = 1
ORDER BY kind, value;
