-- name: report_detections
-- description: The Sigma matches of the case (the detections table, written by forensics sigma and investigate):
-- description: each rule's first matches in time with the count of all its matches. The report groups them by
-- description: rule, highest level first (SigmaRule.LevelRank).
-- tables: detections
-- param: per_rule BIGINT 20 matches listed per rule
-- output: rule_id, rule_title, rule_level, rule_tags, rule_author, rule_file, matches, ts, host, event, source_file, source_offset
SELECT rule_id, rule_title, rule_level, rule_tags, rule_author, rule_file,
       count(*) OVER (PARTITION BY rule_file, rule_id, rule_title) AS matches,
       ts, host, event, source_file, source_offset
FROM detections
QUALIFY row_number() OVER (PARTITION BY rule_file, rule_id, rule_title ORDER BY ts, source_file, source_offset) <= $per_rule
ORDER BY rule_file, rule_id, rule_title, ts, source_file, source_offset;
