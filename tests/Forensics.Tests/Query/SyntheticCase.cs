using Forensics.Pipeline.Case;
using DuckDB.NET.Data;

namespace Forensics.Tests.Query;

/// <summary>
/// A small case covering every canned question, written the way the pipeline lays a case out (one Parquet file
/// per format under events/, sessions/, context/passwd/, rejects/), with format-specific columns present only in
/// their own format's file, so the views' union_by_name and NULL-filling are exercised. Written by DuckDB's COPY:
/// the journal, wtmp, web and audit formats land in other branches, and this fixes the scenario the queries must find:
/// 203.0.113.7 guesses SSH passwords, gets in as root (wtmp session of that login removed), probes the web server as
/// a proxy, and is seen by audit (its USER_LOGIN on /dev/pts/1 shows the login had a terminal, so wtmp should hold it); backup.service is SIGKILLed after going silent; a wtmp record goes back in time.
/// </summary>
internal static class SyntheticCase
{
    public const string Formula = "=cmd|' /C calc'!A0";

    public static void Create(string caseDir)
    {
        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        Exec(db, "SET TimeZone='UTC'");
        void Copy(string relative, string select)
        {
            var path = Path.Combine(caseDir, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            Exec(db, $"COPY ({select}) TO '{path.Replace("'", "''", StringComparison.Ordinal)}' (FORMAT parquet)");
        }
        const string spine = """
            CAST(ts AS TIMESTAMP) AS ts, 'exact' AS ts_quality, 'web1' AS host, fmt AS format, event, process, CAST(pid AS BIGINT) AS pid,
            unit, "user", src_ip, CAST(src_port AS INTEGER) AS src_port, message, file AS source_file, CAST(off AS BIGINT) AS source_offset,
            'ab12' AS source_sha256, 'web1' AS evidence_host
            """;
        Copy("events/evidence_host=web1/format=syslog/part-0.parquet", $"""
            SELECT {spine}, auth_method, CAST(invalid_user AS BOOLEAN) AS invalid_user FROM (VALUES
            ('2024-03-01 08:00:00', 'syslog', 'ssh.accepted_publickey', 'sshd', 100, NULL, 'alice', '192.0.2.10', 40000, 'Accepted publickey for alice from 192.0.2.10 port 40000 ssh2', '/evidence/var/log/auth.log', 0, 'publickey', false),
            ('2024-03-01 09:00:00', 'syslog', 'ssh.invalid_user', 'sshd', 200, NULL, '{Formula.Replace("'", "''", StringComparison.Ordinal)}', '198.51.100.9', 40100, 'Invalid user {Formula.Replace("'", "''", StringComparison.Ordinal)} from 198.51.100.9 port 40100', '/evidence/var/log/auth.log', 100, NULL, true),
            ('2024-03-01 09:00:02', 'syslog', 'ssh.invalid_user', 'sshd', 201, NULL, 'evil' || chr(27) || ']0;pwned' || chr(7), '198.51.100.9', 40101, 'Invalid user evil' || chr(27) || ']0;pwned' || chr(7) || ' from 198.51.100.9 port 40101', '/evidence/var/log/auth.log', 250, NULL, true),
            ('2024-03-01 09:00:01', 'syslog', 'ssh.failed_password', 'sshd', 200, NULL, '{Formula.Replace("'", "''", StringComparison.Ordinal)}', '198.51.100.9', 40100, 'Failed password for invalid user {Formula.Replace("'", "''", StringComparison.Ordinal)} from 198.51.100.9 port 40100 ssh2', '/evidence/var/log/auth.log', 200, 'password', true),
            ('2024-03-01 10:00:00', 'syslog', 'ssh.invalid_user', 'sshd', 300, NULL, 'admin', '203.0.113.7', 50001, 'Invalid user admin from 203.0.113.7 port 50001', '/evidence/var/log/auth.log', 300, NULL, true),
            ('2024-03-01 10:00:01', 'syslog', 'ssh.failed_password', 'sshd', 300, NULL, 'admin', '203.0.113.7', 50001, 'Failed password for invalid user admin from 203.0.113.7 port 50001 ssh2', '/evidence/var/log/auth.log', 400, 'password', true),
            ('2024-03-01 10:01:00', 'syslog', 'ssh.invalid_user', 'sshd', 301, NULL, 'oracle', '203.0.113.7', 50002, 'Invalid user oracle from 203.0.113.7 port 50002', '/evidence/var/log/auth.log', 500, NULL, true),
            ('2024-03-01 10:01:01', 'syslog', 'ssh.failed_password', 'sshd', 301, NULL, 'oracle', '203.0.113.7', 50002, 'Failed password for invalid user oracle from 203.0.113.7 port 50002 ssh2', '/evidence/var/log/auth.log', 600, 'password', true),
            ('2024-03-01 10:02:00', 'syslog', 'ssh.failed_password', 'sshd', 302, NULL, 'root', '203.0.113.7', 50003, 'Failed password for root from 203.0.113.7 port 50003 ssh2', '/evidence/var/log/auth.log', 700, 'password', false),
            ('2024-03-01 10:03:00', 'syslog', 'ssh.failed_password', 'sshd', 303, NULL, 'root', '203.0.113.7', 50004, 'Failed password for root from 203.0.113.7 port 50004 ssh2', '/evidence/var/log/auth.log', 800, 'password', false),
            ('2024-03-01 10:04:00', 'syslog', 'ssh.failed_password', 'sshd', 304, NULL, 'root', '203.0.113.7', 50005, 'Failed password for root from 203.0.113.7 port 50005 ssh2', '/evidence/var/log/auth.log', 900, 'password', false),
            ('2024-03-01 10:05:00', 'syslog', 'ssh.accepted_password', 'sshd', 305, NULL, 'root', '203.0.113.7', 50006, 'Accepted password for root from 203.0.113.7 port 50006 ssh2', '/evidence/var/log/auth.log', 1000, 'password', false),
            ('2024-03-01 10:05:00', 'syslog', 'pam.session_opened', 'sshd', 305, NULL, 'root', NULL, NULL, 'pam_unix(sshd:session): session opened for user root(uid=0) by (uid=0)', '/evidence/var/log/auth.log', 1100, NULL, NULL)
            ) AS t(ts, fmt, event, process, pid, unit, "user", src_ip, src_port, message, file, off, auth_method, invalid_user)
            """);
        Copy("events/evidence_host=web1/format=journal/part-0.parquet", $"""
            SELECT {spine}, unit_result, exit_code, CAST(exit_status AS INTEGER) AS exit_status, signal, CAST(cpu_seconds AS DOUBLE) AS cpu_seconds FROM (VALUES
            ('2024-03-01 02:00:00', 'journal', 'systemd.timer_triggered', 'systemd', 1, 'backup.timer', NULL, NULL, NULL, 'backup.timer: Triggered.', '/evidence/var/log/journal/system.journal', 0, NULL, NULL, NULL, NULL, NULL),
            ('2024-03-01 02:00:01', 'journal', 'systemd.unit_started', 'systemd', 1, 'backup.service', NULL, NULL, NULL, 'Started backup.service - Nightly backup.', '/evidence/var/log/journal/system.journal', 1, NULL, NULL, NULL, NULL, NULL),
            ('2024-03-01 02:00:05', 'journal', 'log.line', 'backup.sh', 4242, 'backup.service', NULL, NULL, NULL, 'copying /var/www', '/evidence/var/log/journal/system.journal', 2, NULL, NULL, NULL, NULL, NULL),
            ('2024-03-01 02:30:05', 'journal', 'systemd.main_process_exited', 'systemd', 1, 'backup.service', NULL, NULL, NULL, 'backup.service: Main process exited, code=killed, status=9/KILL', '/evidence/var/log/journal/system.journal', 3, NULL, 'killed', 9, 'SIGKILL', NULL),
            ('2024-03-01 02:30:05', 'journal', 'systemd.unit_failed', 'systemd', 1, 'backup.service', NULL, NULL, NULL, 'backup.service: Failed with result ''signal''.', '/evidence/var/log/journal/system.journal', 4, 'signal', NULL, NULL, NULL, NULL),
            ('2024-03-01 02:30:05', 'journal', 'systemd.cpu_consumed', 'systemd', 1, 'backup.service', NULL, NULL, NULL, 'backup.service: Consumed 54.919s CPU time.', '/evidence/var/log/journal/system.journal', 5, NULL, NULL, NULL, NULL, 54.919)
            ) AS t(ts, fmt, event, process, pid, unit, "user", src_ip, src_port, message, file, off, unit_result, exit_code, exit_status, signal, cpu_seconds)
            """);
        Copy("events/evidence_host=web1/format=wtmp/part-0.parquet", $"""
            SELECT {spine}, utmp_type, utmp_line, utmp_host FROM (VALUES
            ('2024-03-01 08:00:01', 'wtmp', 'login.session_start', 'sshd', 101, NULL, 'alice', '192.0.2.10', NULL, 'alice pts/0 192.0.2.10', '/evidence/var/log/wtmp', 0, 'USER_PROCESS', 'pts/0', '192.0.2.10'),
            ('2024-03-01 09:00:00', 'wtmp', 'login.session_end', NULL, 101, NULL, NULL, NULL, NULL, 'pts/0', '/evidence/var/log/wtmp', 384, 'DEAD_PROCESS', 'pts/0', NULL),
            ('2024-03-01 09:30:00', 'wtmp', 'login.session_start', 'sshd', 501, NULL, 'bob', '198.51.100.50', NULL, 'bob pts/1 198.51.100.50', '/evidence/var/log/wtmp', 768, 'USER_PROCESS', 'pts/1', '198.51.100.50'),
            ('2024-02-01 00:00:00', 'wtmp', 'login.session_end', NULL, 501, NULL, NULL, NULL, NULL, 'pts/1', '/evidence/var/log/wtmp', 1152, 'DEAD_PROCESS', 'pts/1', NULL),
            (NULL, 'wtmp', 'login.login_process', NULL, 0, NULL, NULL, NULL, NULL, '', '/evidence/var/log/wtmp', 1536, 'EMPTY', NULL, NULL)
            ) AS t(ts, fmt, event, process, pid, unit, "user", src_ip, src_port, message, file, off, utmp_type, utmp_line, utmp_host)
            """);
        Copy("events/evidence_host=web1/format=access_combined/part-0.parquet", $"""
            SELECT {spine}, http_method, http_target, CAST(http_status AS INTEGER) AS http_status, proxy_host, CAST(proxy_port AS INTEGER) AS proxy_port FROM (VALUES
            ('2024-03-01 09:30:00', 'access_combined', 'http.proxy_connect', NULL, NULL, NULL, NULL, '203.0.113.7', NULL, '203.0.113.7 - - [01/Mar/2024:09:30:00 +0000] "CONNECT example.org:443 HTTP/1.1" 405 0', '/evidence/var/log/nginx/access.log', 0, 'CONNECT', 'example.org:443', 405, 'example.org', 443),
            ('2024-03-01 09:31:00', 'access_combined', 'http.proxy_absolute', NULL, NULL, NULL, NULL, '203.0.113.7', NULL, '203.0.113.7 - - [01/Mar/2024:09:31:00 +0000] "GET http://ipinfo.io/ HTTP/1.1" 404 0', '/evidence/var/log/nginx/access.log', 90, 'GET', 'http://ipinfo.io/', 404, 'ipinfo.io', 80),
            ('2024-03-01 09:32:00', 'access_combined', 'http.request', NULL, NULL, NULL, NULL, '192.0.2.10', NULL, '@SUM(1+1) - - [01/Mar/2024:09:32:00 +0000] "GET / HTTP/1.1" 200 512', '/evidence/var/log/nginx/access.log', 180, 'GET', '/', 200, NULL, NULL)
            ) AS t(ts, fmt, event, process, pid, unit, "user", src_ip, src_port, message, file, off, http_method, http_target, http_status, proxy_host, proxy_port)
            """);
        Copy("events/evidence_host=web1/format=auditd/part-0.parquet", $"""
            SELECT {spine}, audit_type, audit_result, audit_terminal FROM (VALUES
            ('2024-03-01 10:05:01', 'auditd', 'audit.user_login', 'audit', 305, NULL, 'root', '203.0.113.7', NULL, 'type=USER_LOGIN msg=audit(1709287501.000:77): pid=305 uid=0 auid=0 ses=3 msg=''op=login id=0 exe="/usr/sbin/sshd" hostname=? addr=203.0.113.7 terminal=/dev/pts/1 res=success''', '/evidence/var/log/audit/audit.log', 0, 'USER_LOGIN', 'success', '/dev/pts/1')
            ) AS t(ts, fmt, event, process, pid, unit, "user", src_ip, src_port, message, file, off, audit_type, audit_result, audit_terminal)
            """);
        Copy("sessions/part-0.parquet", """
            SELECT CAST(s AS TIMESTAMP) AS session_start, CAST(e AS TIMESTAMP) AS session_end, CAST(d AS DOUBLE) AS duration_s, kind, "user", line, host, src_ip,
                   end_reason, CAST(so AS BIGINT) AS start_offset, CAST(eo AS BIGINT) AS end_offset, '/evidence/var/log/wtmp' AS source_file, 'cd34' AS source_sha256, 'web1' AS evidence_host
            FROM (VALUES
            ('2024-03-01 08:00:01', '2024-03-01 09:00:00', 3599, 'user', 'alice', 'pts/0', '192.0.2.10', '192.0.2.10', 'logout', 0, 384),
            ('2024-03-01 09:30:00', NULL, NULL, 'user', 'bob', 'pts/1', '198.51.100.50', '198.51.100.50', 'gone', 768, NULL)
            ) AS t(s, e, d, kind, "user", line, host, src_ip, end_reason, so, eo)
            """);
        Copy("context/passwd/part-0.parquet", """
            SELECT "user", CAST(uid AS BIGINT) AS uid, CAST(gid AS BIGINT) AS gid, gecos, home, shell, can_login, '/evidence/etc/passwd' AS source_file, 'web1' AS evidence_host
            FROM (VALUES ('root', 0, 0, 'root', '/root', '/bin/bash', true), ('alice', 1000, 1000, 'Alice', '/home/alice', '/bin/bash', true),
                         ('www-data', 33, 33, 'www-data', '/var/www', '/usr/sbin/nologin', false)) AS t("user", uid, gid, gecos, home, shell, can_login)
            """);
        Copy("rejects/part-0.parquet", """
            SELECT '/evidence/var/log/auth.log' AS source_file, 'ab12' AS source_sha256, 'syslog' AS format, CAST(1200 AS BIGINT) AS source_offset,
                   'no timestamp' AS reason, CAST('garbage' AS BLOB) AS raw, 'garbage' AS raw_text, 'web1' AS evidence_host
            """);
        Seal(caseDir);
    }

    /// <summary>A complete manifest listing the parts, as a finished run writes it, so reading commands accept the case.</summary>
    public static void Seal(string caseDir, Manifest? manifest = null)
    {
        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        var parts = CaseIntegrity.PartsOnDisk(caseDir).Select(relative =>
        {
            var file = Path.Combine(caseDir, relative);
            using var cmd = db.CreateCommand();
            cmd.CommandText = $"SELECT count(*) FROM read_parquet('{file.Replace("'", "''", StringComparison.Ordinal)}')";
            return CaseIntegrity.Describe(caseDir, file, Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
        }).ToList();
        manifest ??= new Manifest();
        if (manifest.Runs.Count == 0) manifest.Runs.Add(new IngestRun { Run = 1, Status = "complete" });
        manifest.Status = "complete";
        manifest.Parts = parts;
        manifest.Save(Path.Combine(caseDir, CaseLayout.ManifestFile));
    }

    private static void Exec(DuckDBConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
