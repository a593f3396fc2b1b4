using Forensics.Pipeline.Framing;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats;

/// <summary>
/// The contract every input format implements: recognise itself, frame a byte stream into records, and
/// decode records into events or rejects. Framing runs once per file, in order; decoding runs on N workers
/// over batches, so a parser must not keep state between batches (put ordered state in the framer).
/// Bad input is data (a <see cref="Reject"/> with offset and reason), never an exception.
/// </summary>
public interface ILogFormat
{
    /// <summary>Parser id, stored in the <c>format</c> column and used as the events/evidence_host=H/format=ID/ folder's partition value.</summary>
    string Id { get; }

    /// <summary>One line for help texts and the manifest.</summary>
    string Description { get; }

    /// <summary>Columns this format adds beside the spine (including those of classifiers it uses).</summary>
    IReadOnlyList<ExtraColumn> ExtraColumns { get; }

    /// <summary>
    /// Confidence 0..100 that <paramref name="head"/> (the first bytes of the decompressed file, up to
    /// <see cref="SniffBytes"/>) is this format. Content decides; <paramref name="fileName"/> only breaks ties.
    /// </summary>
    int Sniff(ReadOnlySpan<byte> head, string fileName);

    /// <summary>
    /// Frames the file into record batches, in file order. The stream is seekable and positioned at 0;
    /// formats that need random access (journal) may seek. Called once per file.
    /// </summary>
    IEnumerable<RecordBatch> Frame(Stream input, FileContext file, CancellationToken cancel);

    /// <summary>Decodes one batch. Called from several threads at once with different batches.</summary>
    void Parse(RecordBatch batch, FileContext file, ParseOutput output);

    /// <summary>
    /// Called with each parsed batch of a file, in file order, on one thread, before it is written: for per-file
    /// state that follows the records' order and needs what parsing found (e.g. an sshd process's peer address
    /// carried to its later lines). Keep it to cheap passes over columns; most formats need nothing here.
    /// </summary>
    void InOrder(EventBatch events, FileContext file) { }

    public const int SniffBytes = 64 * 1024;
}

/// <summary>Per-file facts a framer or parser may need (time-zone, year reference, paths).</summary>
public sealed class FileContext
{
    public required string SourceFile { get; init; }
    public required string SourceSha256 { get; init; }
    public required string FileName { get; init; }
    /// <summary>Newest evidence of the file's age: modification time, gzip header time, or --year.</summary>
    public DateTime? ReferenceTimeUtc { get; init; }
    /// <summary>Zone for local-time stamps (--tz, else the case's etc/timezone or etc/localtime, else UTC); see ZoneSource.</summary>
    public required Time.LocalZone Zone { get; init; }
    public required string ZoneSource { get; init; }
    /// <summary>--year, when the analyst states the year of year-less stamps.</summary>
    public int? ForcedYear { get; init; }
    /// <summary>Host name for formats whose records do not carry one (etc/hostname, or null).</summary>
    public string? DefaultHost { get; init; }
    /// <summary>uid → user name from the case's etc/passwd, for records that carry only a uid (lastlog); null when absent.</summary>
    public IReadOnlyDictionary<long, string>? UserNames { get; init; }
    /// <summary>
    /// The root a collector collected when the file is part of its collection (UAC's --mount-point, from uac.log);
    /// null otherwise. UAC's bodyfile names files by the collecting machine's path, this root first.
    /// </summary>
    public string? CollectionMountPoint { get; init; }
    public long Length { get; init; }
    /// <summary>Records a finding about the whole file in the manifest (its entry's notes and the run's notes); null in tests that do not collect them.</summary>
    public Action<string>? Note { get; init; }
    /// <summary>Side tables (e.g. sessions) a format produces for the whole file; null when not wanted.</summary>
    public ISideTableSink? SideTables { get; init; }

    /// <summary>State of <see cref="ILogFormat.InOrder"/> for this file (only that ordered caller touches it).</summary>
    public object? OrderedState { get; set; }

    /// <summary>
    /// Opens the file's (decompressed) content again, seekable, independent of other opens: for formats whose
    /// parse workers read the file at positions the framer found (journal entries). Null when not available.
    /// </summary>
    public Func<Stream>? OpenContent { get; init; }

    private readonly System.Collections.Concurrent.ConcurrentBag<IDisposable> _resources = [];

    /// <summary>A per-file resource a parse worker left for the next batch (an open reader), or null.</summary>
    public T? TakeResource<T>() where T : class, IDisposable => _resources.TryTake(out var r) ? r as T : null;

    /// <summary>Leaves a resource for the file's next batch; it is disposed when the file is complete.</summary>
    public void ReturnResource(IDisposable resource) => _resources.Add(resource);

    /// <summary>Disposes what the parse workers left (called once the file's last batch is written).</summary>
    public void DisposeResources()
    {
        while (_resources.TryTake(out var r)) r.Dispose();
    }
}

/// <summary>
/// What one parse call produces: events, appended column by column to an <see cref="EventBatch"/>, and
/// rejects. <see cref="NewEvent"/> hands out the same row object each time; the previous row is appended to the
/// batch when the next one starts (or when the batch is sealed), so a parser fills one record at a time.
/// </summary>
public sealed class ParseOutput
{
    private readonly ForensicEvent _row = new();
    private bool _rowOpen;

    public ParseOutput() : this(EventBatch.Rent()) { }
    public ParseOutput(EventBatch batch) => Batch = batch;

    public EventBatch Batch { get; private set; }
    public List<Reject> Rejects { get; } = [];

    /// <summary>Starts the next event; the returned object is valid until the next call.</summary>
    public ForensicEvent NewEvent(long offset)
    {
        if (_rowOpen) Batch.Append(_row);
        _row.Reset(offset);
        _rowOpen = true;
        return _row;
    }

    public void Reject(long offset, string reason, ReadOnlySpan<byte> raw) => Rejects.Add(Model.Reject.FromSpan(offset, reason, raw));

    /// <summary>Appends the open row and pads the columns: the batch is complete.</summary>
    public EventBatch Seal()
    {
        if (_rowOpen) Batch.Append(_row);
        _rowOpen = false;
        Batch.Seal();
        return Batch;
    }

    /// <summary>Drops what was parsed (a parser failed on the batch) and starts over with an empty batch.</summary>
    public void Discard()
    {
        _rowOpen = false;
        Batch.Return();
        Batch = EventBatch.Rent();
        Rejects.Clear();
    }

    /// <summary>The events as separate objects (seals the batch): for tests, not the ingest path.</summary>
    public List<ForensicEvent> Events => Seal().ToEvents();
}

/// <summary>Receives whole-file tables a format derives (wtmp sessions, context tables).</summary>
public interface ISideTableSink
{
    void Add(SideTable table);
}

/// <summary>A small derived table written as CASE/&lt;Name&gt;/*.parquet; rows are column-name → value maps.</summary>
public sealed record SideTable(string Name, IReadOnlyList<(string Column, ColumnType Type)> Columns, IReadOnlyList<object?[]> Rows)
{
    /// <summary>
    /// The same rows without boxing, for tables as large as their evidence (wtmp sessions: half a million rows
    /// from a 1 M-record file, where a boxed <c>object?[]</c> per row cost more than pairing the sessions). The
    /// writer uses it when set; <see cref="Rows"/> stays the reference view (tests, small tables).
    /// </summary>
    public ITypedRows? Typed { get; init; }
}

/// <summary>Rows that write their values into a <see cref="ITableRowSink"/>, one call per column in column order.</summary>
public interface ITypedRows
{
    int Count { get; }
    void WriteRow(int index, ITableRowSink sink);
}

/// <summary>Receives one row's values in column order (the column's declared type decides which call fits).</summary>
public interface ITableRowSink
{
    void Text(string? value);
    void Int64(long? value);
    void Double(double? value);
    /// <summary>µs since the Unix epoch, UTC.</summary>
    void Timestamp(long? value);
}
