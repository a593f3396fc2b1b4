-- name: ssh_config_risks
-- description: Effective sshd settings of the examined machine (from context_sshd_settings) and the risky ones:
-- description: password authentication, root login, empty passwords, keyboard-interactive. sshd keeps the FIRST
-- description: value it reads for a keyword (sshd_config(5)), and an Include is read where it stands, so a
-- description: setting placed after the Include (include_may_override) loses to a value in an included file.
-- description: One set per machine (evidence_host) when the case holds several.
-- tables: context_sshd_settings
-- output: evidence_host, setting, effective_value, source, config_file, line, risky, why
WITH rows AS (
    SELECT evidence_host, setting, value, source, config_file, line, include_may_override,
           config_file LIKE '%sshd_config.d/%' AS included
    FROM context_sshd_settings
    WHERE setting IS NOT NULL
), ranked AS (
    -- Order of precedence: a main-file value set before any Include, then included files (glob order), then
    -- the main file's later value, then OpenSSH's built-in default.
    SELECT *, row_number() OVER (
        PARTITION BY evidence_host, lower(setting)
        ORDER BY CASE
                   WHEN source = 'file' AND NOT included AND NOT coalesce(include_may_override, false) THEN 0
                   WHEN source = 'file' AND included THEN 1
                   WHEN source = 'file' THEN 2
                   ELSE 3
                 END, config_file, line) AS rank
    FROM rows
), effective AS (
    SELECT evidence_host, setting, value AS effective_value, source, config_file, line FROM ranked WHERE rank = 1
)
SELECT evidence_host, setting, effective_value, source, config_file, line,
       CASE
         WHEN lower(setting) = 'passwordauthentication' AND lower(effective_value) = 'yes' THEN true
         WHEN lower(setting) = 'permitrootlogin' AND lower(effective_value) = 'yes' THEN true
         WHEN lower(setting) = 'permitemptypasswords' AND lower(effective_value) = 'yes' THEN true
         WHEN lower(setting) = 'kbdinteractiveauthentication' AND lower(effective_value) = 'yes'
              AND EXISTS (SELECT 1 FROM effective u WHERE u.evidence_host IS NOT DISTINCT FROM effective.evidence_host
                                                      AND lower(u.setting) = 'usepam' AND lower(u.effective_value) = 'yes') THEN true
         ELSE false
       END AS risky,
       CASE
         WHEN lower(setting) = 'passwordauthentication' AND lower(effective_value) = 'yes' THEN 'passwords are accepted over SSH: brute force can succeed'
         WHEN lower(setting) = 'permitrootlogin' AND lower(effective_value) = 'yes' THEN 'root may log in, with a password too'
         WHEN lower(setting) = 'permitrootlogin' AND lower(effective_value) IN ('prohibit-password', 'without-password') THEN 'root may log in with a key only'
         WHEN lower(setting) = 'permitemptypasswords' AND lower(effective_value) = 'yes' THEN 'accounts with an empty password can log in'
         WHEN lower(setting) = 'kbdinteractiveauthentication' AND lower(effective_value) = 'yes' THEN 'keyboard-interactive through PAM asks for passwords too'
         ELSE NULL
       END AS why
FROM effective
ORDER BY evidence_host NULLS LAST, risky DESC, setting;
