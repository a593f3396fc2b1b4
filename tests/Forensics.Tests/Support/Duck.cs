using DuckDB.NET.Data;

namespace Forensics.Tests.Support;

/// <summary>Minimal DuckDB access for tests: one in-memory connection in UTC, rows as object arrays.</summary>
public static class Duck
{
    public static List<object?[]> Rows(string sql)
    {
        using var con = new DuckDBConnection("DataSource=:memory:");
        con.Open();
        using var cmd = con.CreateCommand();
        cmd.CommandText = "SET TimeZone='UTC'";
        cmd.ExecuteNonQuery();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        var rows = new List<object?[]>();
        while (r.Read())
        {
            var row = new object?[r.FieldCount];
            for (int i = 0; i < row.Length; i++) row[i] = r.IsDBNull(i) ? null : Materialize(r.GetValue(i));
            rows.Add(row);
        }
        return rows;
    }

    // BLOBs come back as streams over the reader's memory, valid only until the next row.
    private static object Materialize(object value)
    {
        if (value is not Stream blob) return value;
        using var copy = new MemoryStream();
        blob.CopyTo(copy);
        return copy.ToArray();
    }

    public static object? Scalar(string sql) => Rows(sql).Single()[0];

    public static string Events(string caseDir) => $"read_parquet('{caseDir}/events/**/*.parquet', union_by_name=true)";
    public static string Rejects(string caseDir) => $"read_parquet('{caseDir}/rejects/*.parquet')";
}
