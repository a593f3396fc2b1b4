using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using CsvHelper;

namespace Forensics.Pipeline.Query;

public enum TimelineFormat { Csv, Timesketch, L2tCsv, Jsonl, Arrow }

/// <summary>Which events a timeline holds. Times are UTC instants.</summary>
public sealed record TimelineFilter
{
    public DateTime? From { get; init; }
    public DateTime? To { get; init; }
    /// <summary>Event kinds; "ssh.*" selects a family.</summary>
    public IReadOnlyList<string> Events { get; init; } = [];
}

public sealed record TimelineResult(long Rows, long SkippedWithoutTime);

/// <summary>How a timeline is written.</summary>
public sealed record TimelineOptions
{
    /// <summary>Keep text as it is: no formula escape, control characters not shown as \xHH (CSV forms).</summary>
    public bool Raw { get; init; }
    /// <summary>The spine only, or the spine and the typed columns (csv, jsonl, arrow; Timesketch attributes).</summary>
    public TimelineColumns Columns { get; init; } = TimelineColumns.All;
    /// <summary>IANA zone for the human-facing csv's <c>datetime</c> (named in its header); null is UTC. Machine formats stay UTC.</summary>
    public string? DisplayZone { get; init; }
    /// <summary>Formats whose typed columns --columns all keeps; null: those with events in the case (every format for <see cref="TimelineExport.Sql(TimelineFormat, TimelineFilter, TimelineOptions, out Dictionary{string, object?})"/>).</summary>
    public IReadOnlyCollection<string>? Formats { get; init; }
    /// <summary>
    /// Rows in time order (the default). False writes them in the case's own order: no sort, so the export costs one
    /// scan; for tools that sort or index on their own (Timesketch, a database load).
    /// </summary>
    public bool Sorted { get; init; } = true;
    /// <summary>Rows per time slice of the export (<see cref="TimelineSlices"/>); tests make it small to cross slice bounds.</summary>
    internal long RowsPerSlice { get; init; } = TimelineSlices.DefaultRowsPerSlice;
    /// <summary>Replace an existing output file (the command refuses without --force).</summary>
    public bool Overwrite { get; init; } = true;
}

/// <summary>
/// Exports <c>events</c> as a timeline. DuckDB does the selection, ordering and formatting of every column (in
/// parallel, in SQL below), and hands Arrow record batches over (DuckDB.NET ExecuteArrowStream, the fast path);
/// writers copy the UTF-8 bytes out without making .NET strings.
/// </summary>
public static class TimelineExport
{
    private const string Iso = "strftime(ts, '%Y-%m-%dT%H:%M:%S.%f+00:00')";
    /// <summary>
    /// DuckDB's memory for an export session: a time slice (<see cref="TimelineSlices"/>) sorts within it, and
    /// without a limit DuckDB keeps freed buffers up to 80 % of RAM, which showed as gigabytes of RSS.
    /// </summary>
    public const string MemoryLimit = "512MB";

    private const string Order = "ORDER BY ts NULLS LAST, source_file, source_offset";

    /// <summary>
    /// Our own columns: times as ISO 8601 (UTC, or the display zone named in the header) and epoch µs, the spine
    /// with the analyst's message (<see cref="TimelineSql.Message"/>) and the stored one when they differ, then the
    /// typed columns.
    /// </summary>
    private static string CsvColumns(TimelineOptions o) =>
        (o.DisplayZone is { } zone ? $"{TimelineSql.IsoInZone} AS {Quoted(DatetimeHeader(zone))}" : $"{Iso} AS datetime")
        + $", epoch_us(ts) AS timestamp_us, {SpineList(skipTs: true)}, {TimelineSql.RawMessage} AS raw_message{TimelineSql.TypedList(o.Columns, o.Formats)}";

    /// <summary>The csv's time column: <c>datetime</c> in UTC, <c>datetime (Europe/Berlin)</c> in a display zone.</summary>
    public static string DatetimeHeader(string? zone) => zone is null ? "datetime" : $"datetime ({zone})";

    /// <summary>
    /// Timesketch CSV import (timesketch docs, "Import from JSON or CSV"): required <c>message</c>, <c>datetime</c>
    /// (ISO 8601 with an explicit offset), <c>timestamp</c> (epoch µs), <c>timestamp_desc</c>; names Timesketch
    /// reserves (<c>_id, _type, _index, _source, __ts_timeline_id</c>) are never used. Plaso's field names for the
    /// same things (<c>hostname</c>, <c>username</c>, <c>reporter</c>, <c>body</c>, <c>pid</c>, <c>data_type</c>)
    /// let plaso-minded analyzers and saved searches work; our provenance columns, then the typed columns as
    /// attributes, come last. <c>body</c> is the stored message.
    /// </summary>
    private static string TimesketchColumns(TimelineOptions o) => $"""
        coalesce({TimelineSql.Message}, event) AS message, {Iso} AS datetime, epoch_us(ts) AS timestamp, {TimelineSql.TimestampDesc} AS timestamp_desc,
        'forensics:' || format || ':' || replace(event, '.', ':') AS data_type, event, format AS source_format, host AS hostname,
        "user" AS username, process AS reporter, pid, unit, src_ip, src_port, message AS body, ts_quality,
        source_file, source_offset, source_sha256{TimelineSql.TypedList(o.Columns, o.Formats)}
        """;

    /// <summary>
    /// plaso's l2tcsv output (plaso/output/l2t_csv.py, 17 fields in this order). Time in UTC, MM/DD/YYYY and
    /// HH:MM:SS; MACB "...." because a log line's time is when it was written, none of M/A/C/B (file-system events
    /// of a bodyfile carry theirs, upper-cased as plaso writes them: "M.C.", with source FILE and the inode); type is the
    /// timestamp_desc; short is the first 80 characters, desc the whole message. One row per line: CR and LF in a
    /// field are written as \r and \n (line-based tools read l2tcsv).
    /// </summary>
    private static readonly string L2tColumns = $"""
        strftime(ts, '%m/%d/%Y') AS date, strftime(ts, '%H:%M:%S') AS time, 'UTC' AS timezone, coalesce(upper(fs_macb), '....') AS MACB,
        CASE WHEN fs_macb IS NULL THEN 'LOG' ELSE 'FILE' END AS source, format AS sourcetype, {TimelineSql.TimestampDesc} AS type, {TimelineSql.OneLine("coalesce(\"user\", '-')")} AS user,
        {TimelineSql.OneLine("coalesce(host, '-')")} AS host,
        {TimelineSql.OneLine("left(_message, 80)")} AS short, {TimelineSql.OneLine("_message")} AS desc,
        '2' AS version, {TimelineSql.OneLine("source_file")} AS filename, coalesce(fs_inode, '-') AS inode, event AS notes, 'forensics:' || format AS format,
        {TimelineSql.OneLine("concat_ws('; ', 'offset: ' || source_offset, 'process: ' || process, 'pid: ' || pid, 'unit: ' || unit, 'src_ip: ' || src_ip, 'src_port: ' || src_port, 'ts_quality: ' || ts_quality, 'sha256: ' || source_sha256)")} AS extra
        """;

    /// <summary>Arrow keeps types (timestamp[us], int64, ...) for pandas/Polars: the spine as stored (message as the analyst reads it), then the typed columns.</summary>
    private static string ArrowColumns(TimelineOptions o) => $"{SpineList(skipTs: false)}, {TimelineSql.RawMessage} AS raw_message{TimelineSql.TypedList(o.Columns, o.Formats)}";

    /// <summary>The spine's columns as declared in <see cref="Case.EventSchema"/>, quoted for SQL; message is the analyst's.</summary>
    private static string SpineList(bool skipTs) =>
        string.Join(", ", Case.EventSchema.Spine.Where(c => !skipTs || c.Name != "ts")
            .Select(c => c.Name == "message" ? $"{TimelineSql.Message} AS message" : Quoted(c.Name)));

    private static string Quoted(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public static readonly string[] L2tHeader = ["date", "time", "timezone", "MACB", "source", "sourcetype", "type", "user", "host", "short", "desc", "version", "filename", "inode", "notes", "format", "extra"];
    public static readonly string[] TimesketchReserved = ["_id", "_type", "_index", "_source", "__ts_timeline_id"];

    public static string Sql(TimelineFormat format, TimelineFilter filter, out Dictionary<string, object?> parameters) =>
        Sql(format, filter, new TimelineOptions(), out parameters);

    public static string Sql(TimelineFormat format, TimelineFilter filter, TimelineOptions options, out Dictionary<string, object?> parameters) =>
        Sql(format, filter, options, "true", out parameters);

    /// <summary>The bound values: the event kinds, and the csv's display zone.</summary>
    private static Dictionary<string, object?> Parameters(TimelineFormat format, TimelineFilter filter, TimelineOptions options)
    {
        var parameters = new Dictionary<string, object?>(StringComparer.Ordinal) { ["kinds"] = filter.Events.Count == 0 ? null : string.Join(',', filter.Events) };
        if (format == TimelineFormat.Csv && options.DisplayZone is { } zone) parameters["tz"] = zone;
        return parameters;
    }

    /// <summary>Timesketch and l2tcsv need a time on every row; a row without one is counted, never given a fake date.</summary>
    private static bool NeedsTime(TimelineFormat format) => format is TimelineFormat.Timesketch or TimelineFormat.L2tCsv;

    /// <summary>The export's SQL for the rows that also meet <paramref name="slice"/> (a time slice, <see cref="TimelineSlices"/>).</summary>
    private static string Sql(TimelineFormat format, TimelineFilter filter, TimelineOptions options, string slice, out Dictionary<string, object?> parameters)
    {
        parameters = Parameters(format, filter, options);
        // Only the csv is for people; jsonl, arrow, Timesketch and l2tcsv stay UTC whatever the display zone.
        if (format != TimelineFormat.Csv) options = options with { DisplayZone = null };
        var columns = format switch
        {
            TimelineFormat.Csv or TimelineFormat.Jsonl => CsvColumns(options),
            TimelineFormat.Timesketch => TimesketchColumns(options),
            TimelineFormat.L2tCsv => L2tColumns,
            TimelineFormat.Arrow => ArrowColumns(options),
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
        bool needsTime = NeedsTime(format);
        // Only Timesketch and l2tcsv name the kind's meaning; the other formats need no join.
        // l2tcsv reads the message twice (short, desc): it is rendered once, below.
        var from = format switch
        {
            TimelineFormat.Timesketch => "events " + TimelineSql.TimestampDescJoin,
            TimelineFormat.L2tCsv => $"(SELECT *, coalesce({TimelineSql.Message}, event) AS _message FROM events) AS events " + TimelineSql.TimestampDescJoin,
            _ => "events",
        };
        return $"""
            SELECT {columns}
            FROM {from}
            WHERE {Where(filter, needsTime)} AND ({slice})
            {(options.Sorted ? Order : "")}
            """;
    }

    /// <summary>
    /// The selection. --from/--to are written as TIMESTAMP literals (from parsed DateTimes, never from text), so DuckDB
    /// reads only the row groups whose ts statistics overlap them; "$from IS NULL OR ts >= $from" made it read all.
    /// </summary>
    private static string Where(TimelineFilter filter, bool needsTime) => $"""
        {(needsTime ? "ts IS NOT NULL" : "true")}
          {(filter.From is { } f ? "AND ts >= " + TimelineSlices.Literal(f.ToUniversalTime()) : "")} {(filter.To is { } t ? "AND ts <= " + TimelineSlices.Literal(t.ToUniversalTime()) : "")}
          AND ($kinds IS NULL OR len(list_filter(string_split($kinds, ','), k -> event = k OR (ends_with(k, '*') AND starts_with(event, rtrim(k, '*'))))) > 0)
        """;

    /// <summary>Writes the timeline to a file (through a temporary file beside it, moved into place when complete).</summary>
    public static async Task<TimelineResult> WriteAsync(CaseSession session, TimelineFormat format, TimelineFilter filter, string path, TimelineOptions? options = null, CancellationToken cancel = default)
    {
        options ??= new TimelineOptions();
        if (!options.Overwrite && File.Exists(path)) throw new OutputExistsException(path);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        var temp = path + ".tmp";
        long rows;
        await using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
            rows = await WriteAsync(session, format, filter, stream, options, cancel).ConfigureAwait(false);
        try { File.Move(temp, path, overwrite: options.Overwrite); }
        catch (IOException) when (!options.Overwrite && File.Exists(path))
        {
            File.Delete(temp);
            throw new OutputExistsException(path);
        }
        long skipped = 0;
        if (NeedsTime(format))
            skipped = Convert.ToInt64(session.Run("SELECT count(*) FROM events WHERE ts IS NULL").Rows[0][0], CultureInfo.InvariantCulture);
        return new TimelineResult(rows, skipped);
    }

    public static async Task<long> WriteAsync(CaseSession session, TimelineFormat format, TimelineFilter filter, Stream output, TimelineOptions? options = null, CancellationToken cancel = default)
    {
        options ??= new TimelineOptions();
        if (options.Formats is null) options = options with { Formats = FormatsIn(session) };
        bool raw = options.Raw;
        var parameters = Parameters(format, filter, options);
        bool needsTime = NeedsTime(format);
        // Unsorted exports are sliced too: DuckDB.NET's Arrow stream holds a query's whole result, so a slice bounds memory.
        var slices = TimelineSlices.Plan(session, Where(filter, needsTime), parameters, needsTime, options.RowsPerSlice);
        var opts = options;
        using var reader = new ChainedArrowStream(slices, slice =>
        {
            var cmd = session.Command(Sql(format, filter, opts, slice, out var p), p);
            return (cmd, cmd.ExecuteArrowStream());
        });
        return format switch
        {
            TimelineFormat.Arrow => await WriteArrowAsync(reader, output, cancel).ConfigureAwait(false),
            TimelineFormat.Jsonl => await WriteJsonlAsync(reader, output, cancel).ConfigureAwait(false),
            _ => await WriteCsvAsync(reader, output, raw, cancel).ConfigureAwait(false),
        };
    }

    /// <summary>The formats that have event parts in the case (events/evidence_host=H/format=F/*.parquet).</summary>
    private static HashSet<string> FormatsIn(CaseSession session) => session.FormatsPresent();

    /// <summary>CSV for spreadsheets: RFC 4180, and by default OWASP's formula-injection escape (a leading ').</summary>
    public static CsvWriterOptions CsvOptions(bool raw) => CsvWriterOptions.Default with
    {
        Injection = raw ? CsvInjection.None : CsvInjection.Escape,
        NewLine = "\n",
    };

    private static async Task<long> WriteCsvAsync(IArrowArrayStream reader, Stream output, bool raw, CancellationToken cancel)
    {
        var options = CsvOptions(raw);
        await using (var header = CsvWriter.Create(output, options, leaveOpen: true))
        {
            header.WriteHeader(reader.Schema.FieldsList.Select(f => f.Name).ToArray());
            await header.FlushAsync(cancel).ConfigureAwait(false);
        }
        // Formatting CSV costs more than DuckDB's scan, sort and Arrow export together, so batches are formatted
        // on several cores and written in order (a bounded window keeps memory to a few batches).
        var pending = new Queue<Task<MemoryStream>>();
        int window = Math.Max(2, Environment.ProcessorCount + 1);
        long rows = 0;
        try
        {
            while (await reader.ReadNextRecordBatchAsync(cancel).ConfigureAwait(false) is { } batch)
            {
                rows += batch.Length;
                pending.Enqueue(Task.Run(() => FormatBatch(batch, options, raw), cancel));
                if (pending.Count >= window) await Drain(pending.Dequeue(), output, cancel).ConfigureAwait(false);
            }
            while (pending.Count > 0) await Drain(pending.Dequeue(), output, cancel).ConfigureAwait(false);
        }
        finally
        {
            // On failure, let started batches finish (they own and release their Arrow memory) before leaving.
            try { await Task.WhenAll(pending).ConfigureAwait(false); } catch (Exception) when (pending.Count > 0) { }
        }
        return rows;

        static async Task Drain(Task<MemoryStream> task, Stream output, CancellationToken cancel)
        {
            using var ms = await task.ConfigureAwait(false);
            await output.WriteAsync(ms.GetBuffer().AsMemory(0, (int)ms.Length), cancel).ConfigureAwait(false);
        }
    }

    private static MemoryStream FormatBatch(RecordBatch batch, CsvWriterOptions options, bool raw)
    {
        using (batch)
        {
            var ms = new MemoryStream(batch.Length * 256);
            using (var csv = CsvWriter.Create(ms, options, leaveOpen: true))
            {
                var cols = new IArrowArray[batch.ColumnCount];
                for (int c = 0; c < cols.Length; c++) cols[c] = batch.Column(c);
                for (int r = 0; r < batch.Length; r++)
                {
                    foreach (var col in cols) WriteCsvField(csv, col, r, raw);
                    csv.EndRecord();
                }
            }
            return ms;
        }
    }

    private static void WriteCsvField(CsvWriter csv, IArrowArray col, int r, bool raw)
    {
        if (col.IsNull(r)) { csv.WriteField((string?)null); return; }
        switch (col)
        {
            case StringArray s:
                var bytes = s.GetBytes(r);
                // plaso's "-" placeholder (l2tcsv user/inode) is no formula. CsvHelper escapes text only, so it is
                // written as a number whose custom format is the literal "-" (0 formatted with "'-'").
                if (bytes.Length == 1 && bytes[0] == (byte)'-') csv.WriteField(0, "'-'");
                else WriteText(csv, bytes, raw);
                break;
            case StringViewArray v: WriteText(csv, v.GetBytes(r), raw); break;
            case LargeStringArray l: csv.WriteField(raw ? l.GetString(r) : Text.TerminalText.Escape(l.GetString(r))); break;
            case Int64Array i: csv.WriteField(i.GetValue(r)!.Value, default); break;
            case Int32Array i: csv.WriteField(i.GetValue(r)!.Value, default); break;
            case DoubleArray d: csv.WriteField(d.GetValue(r)!.Value, "R"); break;
            case BooleanArray b: csv.WriteField(b.GetValue(r)!.Value); break;
            case TimestampArray t: csv.WriteField(IsoUtc(t.GetTimestampUnchecked(r))); break;
            default: csv.WriteField(Convert.ToString(ArrowValue(col, r), CultureInfo.InvariantCulture)); break;
        }
    }

    /// <summary>
    /// Evidence text with control characters (an ESC sequence in a user name or URL) is shown as the terminal
    /// shows it (\x1b), unless raw: a CSV is read with cat and less as well as with spreadsheets.
    /// </summary>
    private static void WriteText(CsvWriter csv, ReadOnlySpan<byte> utf8, bool raw)
    {
        if (raw || !Text.TerminalText.MayNeedEscape(utf8)) csv.WriteField(utf8);
        else csv.WriteField(Text.TerminalText.Escape(System.Text.Encoding.UTF8.GetString(utf8)));
    }

    private static async Task<long> WriteJsonlAsync(IArrowArrayStream reader, Stream output, CancellationToken cancel)
    {
        var names = reader.Schema.FieldsList.Select(f => JsonEncodedText.Encode(f.Name)).ToArray();
        var buffer = new ArrayBufferWriter<byte>(1 << 16);
        await using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        long rows = 0;
        while (await reader.ReadNextRecordBatchAsync(cancel).ConfigureAwait(false) is { } batch)
        {
            using (batch)
            {
                var cols = Enumerable.Range(0, batch.ColumnCount).Select(batch.Column).ToArray();
                for (int r = 0; r < batch.Length; r++)
                {
                    json.WriteStartObject();
                    for (int c = 0; c < cols.Length; c++)
                    {
                        var col = cols[c];
                        if (col.IsNull(r)) { json.WriteNull(names[c]); continue; }
                        switch (col)
                        {
                            case StringArray s: json.WriteString(names[c], s.GetBytes(r)); break;
                            case StringViewArray v: json.WriteString(names[c], v.GetBytes(r)); break;
                            case Int64Array i: json.WriteNumber(names[c], i.GetValue(r)!.Value); break;
                            case Int32Array i: json.WriteNumber(names[c], i.GetValue(r)!.Value); break;
                            case DoubleArray d: json.WriteNumber(names[c], d.GetValue(r)!.Value); break;
                            case BooleanArray b: json.WriteBoolean(names[c], b.GetValue(r)!.Value); break;
                            default: json.WriteString(names[c], Convert.ToString(ArrowValue(col, r), CultureInfo.InvariantCulture)); break;
                        }
                    }
                    json.WriteEndObject();
                    await json.FlushAsync(cancel).ConfigureAwait(false);
                    buffer.Write("\n"u8);
                    json.Reset();
                    if (buffer.WrittenCount > 1 << 16)
                    {
                        await output.WriteAsync(buffer.WrittenMemory, cancel).ConfigureAwait(false);
                        buffer.ResetWrittenCount();
                    }
                }
                rows += batch.Length;
            }
        }
        await output.WriteAsync(buffer.WrittenMemory, cancel).ConfigureAwait(false);
        return rows;
    }

    /// <summary>Arrow IPC file (Feather v2): <c>pandas.read_feather</c> / <c>polars.read_ipc</c> open it directly.</summary>
    private static async Task<long> WriteArrowAsync(IArrowArrayStream reader, Stream output, CancellationToken cancel)
    {
        long rows = 0;
        using var writer = new ArrowFileWriter(output, reader.Schema, leaveOpen: true);
        await writer.WriteStartAsync(cancel).ConfigureAwait(false);
        while (await reader.ReadNextRecordBatchAsync(cancel).ConfigureAwait(false) is { } batch)
        {
            using (batch)
            {
                await writer.WriteRecordBatchAsync(batch, cancel).ConfigureAwait(false);
                rows += batch.Length;
            }
        }
        await writer.WriteEndAsync(cancel).ConfigureAwait(false);
        return rows;
    }

    private static string IsoUtc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture);

    private static object? ArrowValue(IArrowArray col, int r) => col switch
    {
        LargeStringArray l => l.GetString(r),
        TimestampArray t => IsoUtc(t.GetTimestampUnchecked(r)),
        _ => col.GetType().Name,
    };
}

/// <summary>The output file exists and overwriting was not asked for (--force).</summary>
public sealed class OutputExistsException(string path) : IOException($"{path} exists (give --force to replace it)")
{
    public string Path { get; } = path;
}
