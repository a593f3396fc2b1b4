using System.Diagnostics;
using DuckDB.NET.Data;

namespace Forensics.Bench.EndToEnd;

/// <summary>
/// Sub-commands for the end-to-end harness scripts:
/// <c>gen-auth FILE MB</c> writes a generated auth log;
/// <c>duckdb-baseline FILE OUT.parquet</c> does the same normalization in DuckDB SQL (read_csv of whole lines,
/// regexp_extract of host, process, pid, user, IP, port, COPY to Parquet) — the baseline the issue names.
/// </summary>
public static class HarnessCommands
{
    public static bool TryRun(string[] args, out int code)
    {
        code = 0;
        switch (args[0])
        {
            case "gen-auth":
                long lines = AuthLogGenerator.Write(args[1], long.Parse(args[2]) << 20);
                Console.WriteLine($"wrote {lines} lines, {new FileInfo(args[1]).Length} bytes to {args[1]}");
                return true;
            case "duckdb-baseline":
                code = DuckDbBaseline(args[1], args[2]);
                return true;
            default:
                return false;
        }
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
}
