using System.Diagnostics;
using DuckDB.NET.Data;

namespace Forensics.Bench.EndToEnd;

/// <summary>
/// Sub-commands for the end-to-end harness scripts:
/// <c>gen-auth FILE MB</c> writes a generated auth log; <c>gen-wtmp FILE RECORDS</c> a 384-byte x86_64 wtmp;
/// <c>duckdb-baseline FILE OUT.parquet</c> does the same normalization in DuckDB SQL (read_csv of whole lines,
/// regexp_extract of host, process, pid, user, IP, port, COPY to Parquet) — the baseline the issue names;
/// <c>gen-journal-export FILE MB</c> writes a journal export stream for systemd-journal-remote;
/// <c>gen-werkzeug FILE MB</c> and <c>gen-nginx FILE MB</c> write access logs;
/// <c>duckdb-baseline-web FILE OUT.parquet werkzeug|nginx</c> is issue 5's SQL baseline for them;
/// <c>parquet-summary FILE.parquet</c> prints rows and non-null values per column, so a script shows that a
/// baseline really extracted its fields (a regex that never matches would otherwise look fast).
/// </summary>
public static class HarnessCommands
{
    public static bool TryRun(string[] args, out int code)
    {
        code = 0;
        switch (args[0])
        {
            case "gen-wtmp":
                Formats.UtmpBench.EnsureFile(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
                Console.WriteLine($"wtmp: {new FileInfo(args[1]).Length} bytes in {args[1]}");
                return true;
            case "gen-auth":
                long lines = AuthLogGenerator.Write(args[1], long.Parse(args[2]) << 20);
                Console.WriteLine($"wrote {lines} lines, {new FileInfo(args[1]).Length} bytes to {args[1]}");
                return true;
            case "duckdb-baseline":
                code = DuckDbBaseline(args[1], args[2]);
                return true;
            case "gen-journal-export":
                long entries = JournalExportGenerator.Write(args[1], long.Parse(args[2]) << 20);
                Console.WriteLine($"wrote {entries} entries, {new FileInfo(args[1]).Length} bytes to {args[1]}");
                return true;
            case "gen-werkzeug":
                long wl = WerkzeugLogGenerator.Write(args[1], long.Parse(args[2]) << 20);
                Console.WriteLine($"wrote {wl} lines, {new FileInfo(args[1]).Length} bytes to {args[1]}");
                return true;
            case "gen-nginx":
                long nl = NginxLogGenerator.Write(args[1], long.Parse(args[2]) << 20);
                Console.WriteLine($"wrote {nl} lines, {new FileInfo(args[1]).Length} bytes to {args[1]}");
                return true;
            case "gen-case-evidence":
                long ev = CaseEvidenceGenerator.Write(args[1], int.Parse(args[2]), long.Parse(args[3]), long.Parse(args[4]));
                Console.WriteLine($"wrote {ev} lines of evidence under {args[1]}");
                return true;
            case "query-floor":
                code = Query.QueryFloorRun.Run(args[1], args[2]);
                return true;
            case "duckdb-sql":
                code = DuckDbSql(args[1]);
                return true;
            case "parquet-summary":
                code = ParquetSummary(args[1]);
                return true;
            case "duckdb-baseline-web":
                code = DuckDbBaselineWeb(args[1], args[2], args[3]);
                return true;
            default:
                return false;
        }
    }

    /// <summary><c>duckdb-sql SQL</c>: any SQL in a plain in-memory DuckDB (no case sandbox), printed as TSV: for looking at Parquet metadata.</summary>
    private static int DuckDbSql(string sql)
    {
        using var con = new DuckDBConnection("DataSource=:memory:");
        con.Open();
        using var cmd = con.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        Console.WriteLine(string.Join('\t', Enumerable.Range(0, r.FieldCount).Select(r.GetName)));
        while (r.Read()) Console.WriteLine(string.Join('\t', Enumerable.Range(0, r.FieldCount).Select(i => r.IsDBNull(i) ? "" : Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        return 0;
    }

    private static int DuckDbBaseline(string input, string output)
    {
        var sw = Stopwatch.StartNew();
        using var con = new DuckDBConnection("DataSource=:memory:");
        con.Open();
        using var cmd = con.CreateCommand();
        // One VARCHAR column per line: no quoting, no delimiter that can occur in a log line.
        var sql = """
            COPY (
              SELECT
                regexp_extract(line, '^(\w{3} +\d+ [\d:]+) ', 1) AS ts_text,
                regexp_extract(line, '^\w{3} +\d+ [\d:]+ (\S+) ', 1) AS host,
                regexp_extract(line, '^\w{3} +\d+ [\d:]+ \S+ ([^\[: ]+)', 1) AS process,
                TRY_CAST(regexp_extract(line, '^\w{3} +\d+ [\d:]+ \S+ [^\[: ]+\[(\d+)\]', 1) AS BIGINT) AS pid,
                NULLIF(regexp_extract(line, '(?:user|for(?: invalid user)?) (\S+) from', 1), '') AS "user",
                NULLIF(regexp_extract(line, '(\d+\.\d+\.\d+\.\d+)', 1), '') AS src_ip,
                TRY_CAST(NULLIF(regexp_extract(line, ' port (\d+)', 1), '') AS INTEGER) AS src_port,
                line AS message
              FROM read_csv('@INPUT', columns = {'line': 'VARCHAR'}, delim = '\x1f', quote = '', escape = '', header = false, auto_detect = false)
            ) TO '@OUTPUT' (FORMAT parquet, COMPRESSION zstd)
            """;
        cmd.CommandText = sql.Replace("@INPUT", input.Replace("'", "''")).Replace("@OUTPUT", output.Replace("'", "''"));
        cmd.ExecuteNonQuery();
        Console.WriteLine($"duckdb-baseline: {sw.Elapsed.TotalSeconds:F2} s");
        return 0;
    }

    // One RE2 match per line returning a struct (regexp_extract with a name list) rather than one regexp_extract
    // per column: the strongest form of the baseline we know, so the ratio is not flattered. The request part is
    // optional inside the quotes so malformed requests (TLS bytes, garbage) still yield ip, time and status.
    private const string WerkzeugPattern = @"^(\S+) - - \[([^\]]+)\] ""(?:(\S+) (\S+) (HTTP/[0-9.]+))?[^""]*"" (\d{3}) (\S+)";
    private const string NginxPattern = @"^(\S+) \S+ \S+ \[([^\]]+)\] ""(?:(\S+) (\S+) (HTTP/[0-9.]+))?[^""]*"" (\d{3}) (\S+) ""([^""]*)"" ""([^""]*)""";

    private static int DuckDbBaselineWeb(string input, string output, string kind)
    {
        var sw = Stopwatch.StartNew();
        bool nginx = kind switch { "nginx" => true, "werkzeug" => false, _ => throw new ArgumentException($"kind must be werkzeug or nginx, not {kind}") };
        using var con = new DuckDBConnection("DataSource=:memory:");
        con.Open();
        using var cmd = con.CreateCommand();
        cmd.CommandText = "SET TimeZone='UTC'";
        cmd.ExecuteNonQuery();
        string names = nginx ? "['ip','time','method','target','protocol','status','size','referer','agent']" : "['ip','time','method','target','protocol','status','size']";
        // Werkzeug writes local time without a zone: the baseline, like the case's default, reads it as UTC.
        string ts = nginx ? "try_strptime(m.time, '%d/%b/%Y:%H:%M:%S %z')" : "try_strptime(m.time, '%d/%b/%Y %H:%M:%S')";
        string extra = nginx ? "NULLIF(m.referer, '-') AS referer, NULLIF(m.agent, '-') AS user_agent," : "";
        var sql = $"""
            COPY (
              SELECT
                {ts} AS ts,
                NULLIF(m.ip, '') AS src_ip,
                NULLIF(m.method, '') AS method,
                NULLIF(m.target, '') AS target,
                NULLIF(m.protocol, '') AS protocol,
                TRY_CAST(NULLIF(m.status, '') AS INTEGER) AS status,
                TRY_CAST(NULLIF(m.size, '-') AS BIGINT) AS size,
                {extra}
                line AS message
              FROM (
                SELECT line, regexp_extract(line, '@PATTERN', {names}) AS m
                FROM read_csv('@INPUT', columns = {"{'line': 'VARCHAR'}"}, delim = '', quote = '', escape = '', header = false, auto_detect = false)
              )
            ) TO '@OUTPUT' (FORMAT parquet, COMPRESSION zstd)
            """;
        cmd.CommandText = sql.Replace("@PATTERN", (nginx ? NginxPattern : WerkzeugPattern).Replace("'", "''"))
            .Replace("@INPUT", input.Replace("'", "''")).Replace("@OUTPUT", output.Replace("'", "''"));
        cmd.ExecuteNonQuery();
        Console.WriteLine($"duckdb-baseline-web ({kind}): {sw.Elapsed.TotalSeconds:F2} s");
        return 0;
    }

    private static int ParquetSummary(string file)
    {
        using var con = new DuckDBConnection("DataSource=:memory:");
        con.Open();
        using var cmd = con.CreateCommand();
        string src = $"read_parquet('{file.Replace("'", "''")}')";
        cmd.CommandText = $"SELECT column_name FROM (DESCRIBE SELECT * FROM {src})";
        var cols = new List<string>();
        using (var r = cmd.ExecuteReader()) while (r.Read()) cols.Add(r.GetString(0));
        cmd.CommandText = $"SELECT count(*){string.Concat(cols.Select(c => $", count(\"{c.Replace("\"", "\"\"")}\")"))} FROM {src}";
        using (var q = cmd.ExecuteReader())
        {
            q.Read();
            Console.WriteLine($"{file}: {q.GetInt64(0)} rows; non-null: {string.Join(", ", cols.Select((c, i) => $"{c} {q.GetInt64(i + 1)}"))}");
        }
        if (!cols.Contains("event")) return 0;
        cmd.CommandText = $"SELECT event, count(*) AS n FROM {src} GROUP BY event ORDER BY n DESC";
        using var k = cmd.ExecuteReader();
        var kinds = new List<string>();
        while (k.Read()) kinds.Add($"{k.GetString(0)} {k.GetInt64(1)}");
        Console.WriteLine($"  events: {string.Join(", ", kinds)}");
        return 0;
    }
}
