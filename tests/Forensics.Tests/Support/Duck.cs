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

    /// <summary>The part file of one format's events (lane 0) wherever its evidence_host folder is: events/evidence_host=H/format=F/part-0.parquet.</summary>
    public static string EventPart(string caseDir, string format, int lane = 0) =>
        Directory.EnumerateFiles(Path.Combine(caseDir, "events"), $"part-{lane}.parquet", SearchOption.AllDirectories)
            .Single(f => Path.GetFileName(Path.GetDirectoryName(f)) == "format=" + format);

    /// <summary><see cref="EventPart"/> relative to the case folder, as the manifest and the integrity messages name it.</summary>
    public static string EventPartName(string caseDir, string format, int lane = 0) =>
        Path.GetRelativePath(caseDir, EventPart(caseDir, format, lane)).Replace(Path.DirectorySeparatorChar, '/');

    public static string Events(string caseDir) => $"read_parquet('{caseDir}/events/**/*.parquet', union_by_name=true)";
    public static string Rejects(string caseDir) => $"read_parquet('{caseDir}/rejects/*.parquet')";
}
