using System.Globalization;
using Parquet;

namespace Forensics.Tests.Support;

/// <summary>
/// Reads every Parquet file of a case with a second, independent implementation (Parquet.Net, pure .NET) and
/// checks it agrees with DuckDB value by value: the files ParquetSharp writes must not be readable only by the
/// engine the queries use.
/// </summary>
public static class SecondReader
{
    public static void AgreesWithDuckDb(string caseDir)
    {
        if (!Directory.Exists(caseDir)) return;
        foreach (var file in Directory.EnumerateFiles(caseDir, "*.parquet", SearchOption.AllDirectories))
        {
            var theirs = ReadWithParquetNet(file);
            var duck = Duck.Rows($"SELECT * FROM read_parquet('{file.Replace("'", "''", StringComparison.Ordinal)}')");
            Assert.True(theirs.Count == duck.Count, $"{file}: Parquet.Net reads {theirs.Count} rows, DuckDB {duck.Count}");
            for (int r = 0; r < duck.Count; r++)
            {
                var expected = duck[r].Select(Canonical).ToArray();
                Assert.True(expected.SequenceEqual(theirs[r]), $"{file} row {r}: DuckDB [{string.Join(", ", expected)}] vs Parquet.Net [{string.Join(", ", theirs[r])}]");
            }
        }
    }

    private static List<string?[]> ReadWithParquetNet(string file)
    {
        using var stream = File.OpenRead(file);
        var reader = ParquetReader.CreateAsync(stream).GetAwaiter().GetResult();
        try
        {
            var fields = reader.Schema.GetDataFields();
            var rows = new List<string?[]>();
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                int n = checked((int)group.RowCount);
                var columns = fields.Select(f => Column(group, f, n)).ToArray();
                for (int i = 0; i < n; i++) rows.Add(columns.Select(c => Canonical(c[i])).ToArray());
            }
            return rows;
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static object?[] Column(ParquetRowGroupReader group, Parquet.Schema.DataField field, int n)
    {
        var t = field.ClrType;
        if (t == typeof(string) || t == typeof(ReadOnlyMemory<char>)) { var a = new string?[n]; group.ReadAsync(field, a.AsMemory(), null).AsTask().GetAwaiter().GetResult(); return a; }
        if (t == typeof(byte[]) || t == typeof(ReadOnlyMemory<byte>)) { var a = new byte[]?[n]; group.ReadAsync(field, a.AsMemory(), null).AsTask().GetAwaiter().GetResult(); return a; }
        if (t == typeof(long)) return Values<long>(group, field, n);
        if (t == typeof(int)) return Values<int>(group, field, n);
        if (t == typeof(double)) return Values<double>(group, field, n);
        if (t == typeof(bool)) return Values<bool>(group, field, n);
        if (t == typeof(DateTime)) return Values<DateTime>(group, field, n);
        throw new InvalidOperationException($"no reader for {field.Name} of type {t}");
    }

    private static object?[] Values<T>(ParquetRowGroupReader group, Parquet.Schema.DataField field, int n) where T : struct
    {
        var a = new T?[n];
        group.ReadAsync<T>(field, a.AsMemory(), null).AsTask().GetAwaiter().GetResult();
        return a.Select(v => (object?)v).ToArray();
    }

    private static string Hex(Stream blob)
    {
        using var copy = new MemoryStream();
        blob.CopyTo(copy);
        return Convert.ToHexString(copy.ToArray());
    }

    private static string? Canonical(object? v) => v switch
    {
        null or DBNull => null,
        DateTime t => (t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : t).Ticks.ToString(CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcTicks.ToString(CultureInfo.InvariantCulture),
        byte[] b => Convert.ToHexString(b),
        Stream blob => Hex(blob),
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString(),
    };
}
