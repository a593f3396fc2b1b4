using DuckDB.NET.Data;
using Forensics.Pipeline.Query;

namespace Forensics.Bench.Query;

/// <summary>
/// Generates a large case cheaply with DuckDB's COPY over range(N): sshd guessing traffic from a pool of 5,000
/// IPs and ~2,000 user names, systemd unit lines (some killed), and web requests (some proxy probes), spread over
/// 30 days on 3 hosts, laid out like an ingested case (events/evidence_host=bench/format=&lt;format&gt;/part-0.parquet, spine + typed columns).
/// DuckDB writes TIMESTAMP columns with correct statistics, so read_parquet sees ts as TIMESTAMP, as for INT96.
/// Size: FORENSICS_BENCH_ROWS (default 50,000,000); folder: bench/data/case-N (git-ignored), reused when present.
/// </summary>
internal static class LargeCase
{
    public static long Rows => long.TryParse(Environment.GetEnvironmentVariable("FORENSICS_BENCH_ROWS"), out var n) ? n : 50_000_000;

    public static string Ensure()
    {
        var root = QueryCatalog.RepoRoot(AppContext.BaseDirectory) ?? throw new InvalidOperationException("repository root not found");
        var dir = Path.Combine(root, "bench", "data", $"case-{Rows}");
        if (File.Exists(Path.Combine(dir, "events", "evidence_host=bench", "format=syslog", "part-0.parquet"))) return dir;
        Directory.CreateDirectory(Path.Combine(dir, "events", "evidence_host=bench", "format=syslog"));
        Directory.CreateDirectory(Path.Combine(dir, "events", "evidence_host=bench", "format=access_combined"));
        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        Exec(db, "SET TimeZone='UTC'; SET preserve_insertion_order=false");
        long syslogRows = Rows * 49 / 50, webRows = Rows - syslogRows;
        Exec(db, $"""
            COPY (
              WITH g AS (
                SELECT i, CAST(hash(i) % 1000 AS BIGINT) AS k, CAST(hash(i * 7 + 1) % 5000 AS BIGINT) AS p, CAST(hash(i * 13 + 5) % 2000 AS BIGINT) AS u, CAST(hash(i * 31 + 3) % 50 AS BIGINT) AS j
                FROM range({syslogRows}) t(i)
              ), v AS (
                SELECT i, j,
                  TIMESTAMP '2024-01-01' + to_microseconds(CAST(i * (2592000000000 // {syslogRows}) AS BIGINT)) AS ts,
                  CASE WHEN k < 550 THEN 'ssh.failed_password' WHEN k < 700 THEN 'ssh.invalid_user'
                       WHEN k < 800 THEN 'ssh.connection_closed' WHEN k < 801 THEN 'ssh.accepted_password'
                       WHEN k < 880 THEN 'pam.auth_failure' WHEN k < 940 THEN 'systemd.unit_started'
                       WHEN k < 941 THEN 'systemd.main_process_exited' WHEN k < 942 THEN 'systemd.cpu_consumed'
                       ELSE 'log.line' END AS event,
                  '203.0.' || (p // 256) || '.' || (p % 256) AS ip,
                  CASE WHEN u < 20 THEN ['root','admin','test','oracle','ubuntu','postgres','git','user','pi','ftp','guest','mysql','www','deploy','jenkins','hadoop','support','ec2-user','centos','debian'][u + 1]
                       ELSE 'user' || u END AS usr,
                  'web' || (i % 3) AS host
                FROM g
              )
              SELECT ts, 'year_inferred;zone_assumed' AS ts_quality, host, 'syslog' AS format, event,
                     CASE WHEN event LIKE 'systemd.%' THEN 'systemd' WHEN event = 'log.line' THEN 'cron' ELSE 'sshd' END AS process,
                     CAST(1000 + i % 30000 AS BIGINT) AS pid,
                     CASE WHEN event LIKE 'systemd.%' OR event = 'log.line' THEN 'job' || j || '.service' END AS unit,
                     CASE WHEN event LIKE 'ssh.%' OR event LIKE 'pam.%' THEN usr END AS "user",
                     CASE WHEN event LIKE 'ssh.%' OR event LIKE 'pam.%' THEN ip END AS src_ip,
                     CASE WHEN event LIKE 'ssh.%' THEN CAST(30000 + i % 30000 AS INTEGER) END AS src_port,
                     CASE event
                       WHEN 'ssh.failed_password' THEN 'Failed password for ' || usr || ' from ' || ip || ' port ' || (30000 + i % 30000) || ' ssh2'
                       WHEN 'ssh.invalid_user' THEN 'Invalid user ' || usr || ' from ' || ip || ' port ' || (30000 + i % 30000)
                       WHEN 'ssh.connection_closed' THEN 'Connection closed by ' || ip || ' port ' || (30000 + i % 30000) || ' [preauth]'
                       WHEN 'ssh.accepted_password' THEN 'Accepted password for ' || usr || ' from ' || ip || ' port ' || (30000 + i % 30000) || ' ssh2'
                       WHEN 'pam.auth_failure' THEN 'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=' || ip || '  user=' || usr
                       WHEN 'systemd.unit_started' THEN 'Started job' || j || '.service.'
                       WHEN 'systemd.main_process_exited' THEN 'job' || j || '.service: Main process exited, code=killed, status=9/KILL'
                       WHEN 'systemd.cpu_consumed' THEN 'job' || j || '.service: Consumed 12.5s CPU time.'
                       ELSE 'job ' || j || ' heartbeat ' || i END AS message,
                     '/evidence/var/log/auth.log' AS source_file, CAST(i * 120 AS BIGINT) AS source_offset, 'bench' AS source_sha256,
                     CASE WHEN event LIKE 'ssh.%ed_password' THEN 'password' END AS auth_method,
                     CASE WHEN event = 'systemd.main_process_exited' THEN 'killed' END AS exit_code,
                     CASE WHEN event = 'systemd.main_process_exited' THEN 'SIGKILL' END AS signal,
                     CASE WHEN event = 'systemd.main_process_exited' THEN 9 END AS exit_status,
                     CASE WHEN event = 'systemd.cpu_consumed' THEN 12.5 END AS cpu_seconds
              FROM v
            ) TO '{Path.Combine(dir, "events", "evidence_host=bench", "format=syslog", "part-0.parquet")}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 131072)
            """);
        Exec(db, $"""
            COPY (
              SELECT TIMESTAMP '2024-01-01' + to_microseconds(CAST(i * (2592000000000 // {webRows}) AS BIGINT)) AS ts, 'exact' AS ts_quality,
                     'web0' AS host, 'access_combined' AS format,
                     CASE WHEN i % 500 = 0 THEN 'http.proxy_connect' ELSE 'http.request' END AS event,
                     CAST(NULL AS VARCHAR) AS process, CAST(NULL AS BIGINT) AS pid, CAST(NULL AS VARCHAR) AS unit, CAST(NULL AS VARCHAR) AS "user",
                     '203.0.' || (CAST(hash(i) % 5000 AS BIGINT) // 256) || '.' || (CAST(hash(i) % 5000 AS BIGINT) % 256) AS src_ip, CAST(NULL AS INTEGER) AS src_port,
                     'GET /index.html HTTP/1.1 200 512' AS message, '/evidence/var/log/nginx/access.log' AS source_file,
                     CAST(i * 150 AS BIGINT) AS source_offset, 'bench' AS source_sha256,
                     CASE WHEN i % 500 = 0 THEN 'CONNECT' ELSE 'GET' END AS http_method,
                     CASE WHEN i % 500 = 0 THEN 'example.org:443' ELSE '/index.html' END AS http_target,
                     CAST(CASE WHEN i % 500 = 0 THEN 405 ELSE 200 END AS INTEGER) AS http_status,
                     CASE WHEN i % 500 = 0 THEN 'example.org' END AS proxy_host, CAST(CASE WHEN i % 500 = 0 THEN 443 END AS INTEGER) AS proxy_port
              FROM range({webRows}) t(i)
            ) TO '{Path.Combine(dir, "events", "evidence_host=bench", "format=access_combined", "part-0.parquet")}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 131072)
            """);
        return dir;
    }

    private static void Exec(DuckDBConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
