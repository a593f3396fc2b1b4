namespace Forensics.Pipeline.Model;

/// <summary>
/// The events of one parsed record batch, column by column (<see cref="BatchColumn"/>): what crosses the
/// channel from a parse worker to the writer and what the Parquet encoder reads, with no object per event.
/// Per-file constants (format, source_file, source_sha256) are not stored per row: the writer takes them from
/// the file. Batches are pooled: the writer returns one once its row group is encoded.
/// </summary>
public sealed class EventBatch
{
    // Small to start and grown by doubling: a file of ten lines must not hold buffers for 4096 rows while its
    // row group fills (10 k small files held 8 GB that way). Pooled batches keep what they grew to.
    private const int InitialCapacity = 256;
    // A plain locked stack: ConcurrentBag keeps a queue per thread that ever added, and the encoder threads that
    // return batches are new per row group, so its lookups grew with the run (10 k small files: 6 s -> 38 s).
    private static readonly Stack<EventBatch> s_pool = new();
    private static readonly Lock s_poolLock = new();
    // Above the batches in flight at once (a row group filling, one encoding, the channels: ~120 on a 200 MB auth
    // log): with 64, half of them were dropped and re-grown from 256 rows, large-object garbage that drove gen2 GCs.
    // The pool never holds more than the run's peak, so it adds nothing to peak memory.
    private const int MaxPooled = 256;

    private long[] _offsets = new long[InitialCapacity];
    private BatchColumn?[] _extras = new BatchColumn?[Math.Max(ExtraColumn.Count, 64)];
    private readonly List<ExtraColumn> _usedExtras = [];
    // Which extras are in _usedExtras, by ordinal: asked per extra value appended, where a list search showed in profiles.
    private bool[] _isUsed = new bool[Math.Max(ExtraColumn.Count, 64)];

    public int Count { get; private set; }

    /// <summary>True when a row of this batch has a <see cref="Model.PeerRole"/> (most batches have none).</summary>
    public bool HasPeerRoles => _peers.Count > 0;

    /// <summary>A row with a peer role, with what the ordered pass needs, computed by the parse worker.</summary>
    /// <param name="SrcIpValue">Index of the row's src_ip among <see cref="SrcIp"/>'s packed values, or -1 when it has none.</param>
    /// <param name="PeerName">The peer's host name when the row names one instead of an address (rare).</param>
    public readonly record struct PeerRow(int Row, PeerRole Role, long ProcessKey, int SrcIpValue, string? PeerName, long Micros);
    private readonly List<PeerRow> _peers = [];
    /// <summary>The rows with a <see cref="Model.PeerRole"/>, in row order.</summary>
    public IReadOnlyList<PeerRow> PeerRows => _peers;

    public readonly ValueBatchColumn<long> Ts = new(InitialCapacity);
    public readonly Utf8BatchColumn TsQuality = new(InitialCapacity);
    public readonly Utf8BatchColumn Host = new(InitialCapacity);
    public readonly Utf8BatchColumn Event = new(InitialCapacity);
    public readonly Utf8BatchColumn Process = new(InitialCapacity);
    public readonly ValueBatchColumn<long> Pid = new(InitialCapacity);
    public readonly Utf8BatchColumn Unit = new(InitialCapacity);
    public readonly Utf8BatchColumn User = new(InitialCapacity);
    public readonly Utf8BatchColumn SrcIp = new(InitialCapacity);
    public readonly ValueBatchColumn<int> SrcPort = new(InitialCapacity);
    public readonly Utf8BatchColumn Message = new(InitialCapacity, repetitive: false);

    public ReadOnlySpan<long> SourceOffsets => _offsets.AsSpan(0, Count);

    /// <summary>Memory the batch holds (its buffers' sizes, not only what is used): for row-group budgets.</summary>
    public long FootprintBytes
    {
        get
        {
            long total = _offsets.Length * 8L + Ts.FootprintBytes + TsQuality.FootprintBytes + Host.FootprintBytes + Event.FootprintBytes
                + Process.FootprintBytes + Pid.FootprintBytes + Unit.FootprintBytes + User.FootprintBytes + SrcIp.FootprintBytes
                + SrcPort.FootprintBytes + Message.FootprintBytes;
            foreach (var x in _usedExtras) total += _extras[x.Ordinal]!.FootprintBytes;
            return total;
        }
    }
    /// <summary>Extra columns at least one row of this batch set, in the order they were first set.</summary>
    public IReadOnlyList<ExtraColumn> UsedExtras => _usedExtras;

    public static EventBatch Rent()
    {
        lock (s_poolLock)
        {
            if (s_pool.TryPop(out var batch)) return batch;
        }
        return new EventBatch();
    }

    /// <summary>A sealed batch of the given events (tests, benchmarks and generators; parsers use <see cref="Formats.ParseOutput"/>).</summary>
    public static EventBatch FromEvents(IEnumerable<ForensicEvent> events)
    {
        var batch = Rent();
        foreach (var e in events) batch.Append(e);
        batch.Seal();
        return batch;
    }

    /// <summary>Gives the batch back for reuse; it must not be read afterwards.</summary>
    public void Return()
    {
        Reset();
        lock (s_poolLock)
        {
            if (s_pool.Count < MaxPooled) s_pool.Push(this);
        }
    }

    /// <summary>The column of an extra, or null when no row of this batch set it.</summary>
    public BatchColumn? Extra(ExtraColumn column) => IsUsed(column) ? _extras[column.Ordinal] : null;

    private bool IsUsed(ExtraColumn x) => x.Ordinal < _isUsed.Length && _isUsed[x.Ordinal];

    /// <summary>Appends a staged row (see <see cref="ForensicEvent"/>).</summary>
    internal void Append(ForensicEvent e)
    {
        int row = Count;
        if (row == _offsets.Length) Array.Resize(ref _offsets, _offsets.Length * 2);
        _offsets[row] = e.SourceOffset;
        if (e.PeerRole != Model.PeerRole.None && e.TsMicros is { } ts && e.Pid is { } pid)
            _peers.Add(new PeerRow(row, e.PeerRole, pid ^ ((long)(e.Host?.GetHashCode() ?? 0) << 32), e.HasSrcIp ? SrcIp.Values : -1, e.PeerName, ts));
        Ts.Append(e.TsMicros);
        TsQuality.Append(e.TsMicros is null ? Model.TsQuality.Missing : e.TsQuality);
        Host.Append(e.Host);
        Event.Append(e.Event);
        Process.Append(e.Process);
        Pid.Append(e.Pid);
        Unit.Append(e.Unit);
        User.Append(e.User);
        if (e.SrcIpIsUtf8) SrcIp.Append(e.SrcIpUtf8);
        else SrcIp.Append(e.SrcIp);
        SrcPort.Append(e.SrcPort);
        if (e.MessageUtf8 is { } utf8) Message.Append(utf8.Span);
        else Message.Append(e.Message);
        foreach (ref readonly var x in e.ExtraSlots)
        {
            var column = ColumnFor(x.Column);
            column.PadTo(row);
            x.AppendTo(column, e);
        }
        Count = row + 1;
    }

    /// <summary>
    /// Appends every row of <paramref name="other"/> (sealed) and records where its file's rows start: small
    /// batches (many small files) are compacted into one instead of each holding buffers of its own.
    /// </summary>
    public void AppendRows(EventBatch other, object fileKey)
    {
        int start = Count;
        if (_fileRuns.Count == 0 || !ReferenceEquals(_fileRuns[^1].Key, fileKey)) _fileRuns.Add((start, fileKey));
        int rows = start + other.Count;
        if (rows > _offsets.Length) Array.Resize(ref _offsets, Math.Max(rows, _offsets.Length * 2));
        other.SourceOffsets.CopyTo(_offsets.AsSpan(start));
        Ts.AppendFrom(other.Ts); TsQuality.AppendFrom(other.TsQuality); Host.AppendFrom(other.Host); Event.AppendFrom(other.Event);
        Process.AppendFrom(other.Process); Pid.AppendFrom(other.Pid); Unit.AppendFrom(other.Unit); User.AppendFrom(other.User);
        SrcIp.AppendFrom(other.SrcIp); SrcPort.AppendFrom(other.SrcPort); Message.AppendFrom(other.Message);
        foreach (var x in other.UsedExtras)
        {
            var column = ColumnFor(x);
            column.PadTo(start);
            column.AppendFrom(other._extras[x.Ordinal]!);
        }
        Count = rows;
    }

    private readonly List<(int StartRow, object Key)> _fileRuns = [];

    /// <summary>Where each file's rows start, for a batch compacted with <see cref="AppendRows"/> (empty otherwise).</summary>
    public IReadOnlyList<(int StartRow, object Key)> FileRuns => _fileRuns;

    /// <summary>Pads every extra column with nulls to the batch's row count (call once, after the last row).</summary>
    public void Seal()
    {
        foreach (var x in _usedExtras) _extras[x.Ordinal]!.PadTo(Count);
    }

    private BatchColumn ColumnFor(ExtraColumn x)
    {
        if (x.Ordinal >= _extras.Length) Array.Resize(ref _extras, Math.Max(ExtraColumn.Count, x.Ordinal + 1));
        var column = _extras[x.Ordinal];
        if (column is null)
        {
            column = x.Type switch
            {
                ColumnType.String => new Utf8BatchColumn(InitialCapacity),
                ColumnType.Binary => new Utf8BatchColumn(InitialCapacity, binary: true),
                ColumnType.Int64 or ColumnType.Timestamp => new ValueBatchColumn<long>(InitialCapacity),
                ColumnType.Int32 => new ValueBatchColumn<int>(InitialCapacity),
                ColumnType.Double => new ValueBatchColumn<double>(InitialCapacity),
                ColumnType.Bool => new ValueBatchColumn<bool>(InitialCapacity),
                _ => throw new ArgumentOutOfRangeException(nameof(x), x.Type, null),
            };
            _extras[x.Ordinal] = column;
        }
        if (!IsUsed(x))
        {
            if (x.Ordinal >= _isUsed.Length) Array.Resize(ref _isUsed, Math.Max(ExtraColumn.Count, x.Ordinal + 1));
            _isUsed[x.Ordinal] = true;
            _usedExtras.Add(x);
        }
        return column;
    }

    /// <summary>Gives null rows of a text column values (ordered post-parse state, e.g. a carried address).</summary>
    public void FillText(Utf8BatchColumn column, IReadOnlyList<(int Row, string Value)> values)
    {
        var rebuilt = new Utf8BatchColumn(Math.Max(Count, 1));
        int next = 0;
        for (int row = 0; row < Count; row++)
        {
            if (next < values.Count && values[next].Row == row) rebuilt.Append(values[next++].Value);
            else if (row >= column.Rows || column.IsNull(row)) rebuilt.AppendNull();
            else rebuilt.Append(column.GetBytes(row));
        }
        column.TakeFrom(rebuilt);
    }

    /// <summary>The same for an extra text column (created when no row set it).</summary>
    public void FillExtraText(ExtraColumn column, IReadOnlyList<(int Row, string Value)> values)
    {
        var target = ColumnFor(column);
        target.PadTo(Count);
        FillText((Utf8BatchColumn)target, values);
    }

    /// <summary>Sets a boolean extra column to true on the given rows (ascending).</summary>
    public void SetExtraTrue(ExtraColumn column, IReadOnlyList<int> rows)
    {
        var target = (ValueBatchColumn<bool>)ColumnFor(column);
        target.PadTo(Count);
        var rebuilt = new ValueBatchColumn<bool>(Math.Max(Count, 1));
        int next = 0;
        for (int row = 0; row < Count; row++)
        {
            if (next < rows.Count && rows[next] == row) { rebuilt.Append(true); next++; }
            else if (target.IsNull(row)) rebuilt.AppendNull();
            else rebuilt.Append(target.Get(row));
        }
        target.TakeFrom(rebuilt);
    }

    private void Reset()
    {
        Count = 0;
        _peers.Clear();
        Ts.Reset(); TsQuality.Reset(); Host.Reset(); Event.Reset(); Process.Reset(); Pid.Reset();
        Unit.Reset(); User.Reset(); SrcIp.Reset(); SrcPort.Reset(); Message.Reset();
        foreach (var x in _usedExtras)
        {
            _extras[x.Ordinal]!.Reset();
            _isUsed[x.Ordinal] = false;
        }
        _usedExtras.Clear();
        _fileRuns.Clear();
    }

    /// <summary>The batch as event objects: for tests and tools that look at a few events, never the write path.</summary>
    public List<ForensicEvent> ToEvents()
    {
        var list = new List<ForensicEvent>(Count);
        for (int i = 0; i < Count; i++)
        {
            var e = new ForensicEvent
            {
                SourceOffset = _offsets[i],
                TsMicros = Ts.IsNull(i) ? null : Ts.Get(i),
                TsQuality = TsQuality.GetString(i)!,
                Host = Host.GetString(i),
                Event = Event.GetString(i)!,
                Process = Process.GetString(i),
                Pid = Pid.IsNull(i) ? null : Pid.Get(i),
                Unit = Unit.GetString(i),
                User = User.GetString(i),
                SrcIp = SrcIp.GetString(i),
                SrcPort = SrcPort.IsNull(i) ? null : SrcPort.Get(i),
                Message = Message.GetString(i),
            };
            foreach (var x in _usedExtras)
            {
                var c = _extras[x.Ordinal]!;
                if (i < c.Rows && c.GetObject(i) is { } v) e.Set(x, v);
            }
            list.Add(e);
        }
        return list;
    }
}
