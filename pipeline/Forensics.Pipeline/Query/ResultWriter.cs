using System.Text.Json;
using CsvHelper;

namespace Forensics.Pipeline.Query;

/// <summary>Writes a materialised query result as CSV (formula injection and control characters escaped unless raw) or JSON lines.</summary>
public static class ResultWriter
{
    public static void WriteCsv(QueryResult result, Stream output, bool raw = false)
    {
        if (result.Columns.Count == 0) return; // a statement without a result (COPY, SET): no CSV to write
        using var csv = CsvWriter.Create(output, TimelineExport.CsvOptions(raw), leaveOpen: true);
        csv.WriteHeader(result.Columns.ToArray());
        foreach (var row in result.Rows)
        {
            // Control characters shown as the terminal shows them (\x1b): a CSV is read with cat and less too.
            foreach (var v in row) csv.WriteField(raw ? QueryResult.Format(v) : Text.TerminalText.Escape(QueryResult.Format(v)));
            csv.EndRecord();
        }
        csv.Flush();
    }

    /// <summary>One JSON object per row; numbers and booleans stay typed, times are ISO 8601 UTC text.</summary>
    public static void WriteJsonLines(QueryResult result, Stream output)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        foreach (var row in result.Rows)
        {
            json.WriteStartObject();
            for (int i = 0; i < row.Length; i++)
            {
                var name = result.Columns[i];
                switch (row[i])
                {
                    case null: json.WriteNull(name); break;
                    case bool b: json.WriteBoolean(name, b); break;
                    case long or int or short or sbyte or byte or ushort or uint: json.WriteNumber(name, Convert.ToInt64(row[i], System.Globalization.CultureInfo.InvariantCulture)); break;
                    case ulong u: json.WriteNumber(name, u); break;
                    case System.Numerics.BigInteger big: json.WriteString(name, big.ToString(System.Globalization.CultureInfo.InvariantCulture)); break;
                    case double d when double.IsFinite(d): json.WriteNumber(name, d); break;
                    case decimal m: json.WriteNumber(name, m); break;
                    case DateTime t: json.WriteString(name, DateTime.SpecifyKind(t, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture)); break;
                    default: json.WriteString(name, QueryResult.Format(row[i])); break;
                }
            }
            json.WriteEndObject();
            json.Flush();
            output.WriteByte((byte)'\n');
            json.Reset();
        }
    }
}
