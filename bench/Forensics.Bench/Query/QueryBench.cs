using BenchmarkDotNet.Attributes;
using Forensics.Pipeline.Query;

namespace Forensics.Bench.Query;

/// <summary>
/// Each canned query over the large generated case (LargeCase; FORENSICS_BENCH_ROWS rows, default 50 M).
/// Target (issue 7): under 2 s each. Run: dotnet run -c Release --project bench/Forensics.Bench -- --filter '*QueryBench*' --job dry --inProcess
/// </summary>
[MemoryDiagnoser(false)]
public class QueryBench
{
    private CaseSession? _session;
    private CannedQuery? _query;

    public static IEnumerable<string> Names() => QueryCatalog.Load(QueryCatalog.Locate()!).Select(q => q.Name);

    [ParamsSource(nameof(Names))]
    public string Query { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _session = CaseSession.Open(LargeCase.Ensure());
        _query = QueryCatalog.Load(QueryCatalog.Locate()!).Single(q => q.Name == Query);
    }

    [GlobalCleanup]
    public void Cleanup() => _session?.Dispose();

    [Benchmark]
    public int Run() => _session!.Run(_query!.Sql, _query.Bind()).Rows.Count;
}

/// <summary>
/// Full timeline export of the large case to a null stream (format cost, not disk). rows/s = FORENSICS_BENCH_ROWS / mean.
/// Target (issue 7): ≥ 1 M rows/s for CSV. Run: ... -- --filter '*TimelineBench*' --job dry --inProcess
/// </summary>
[MemoryDiagnoser(false)]
public class TimelineBench
{
    private CaseSession? _session;

    [Params(TimelineFormat.Csv, TimelineFormat.Arrow)]
    public TimelineFormat Format { get; set; }

    [GlobalSetup]
    public void Setup() => _session = CaseSession.Open(LargeCase.Ensure());

    [GlobalCleanup]
    public void Cleanup() => _session?.Dispose();

    [Benchmark]
    public long Export() => TimelineExport.WriteAsync(_session!, Format, new TimelineFilter(), Stream.Null).GetAwaiter().GetResult();
}
