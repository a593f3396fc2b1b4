using Forensics.Pipeline.Case;
using Forensics.Pipeline.Stages;

namespace Forensics.Tests.Support;

/// <summary>Runs the real pipeline into a temporary case folder.</summary>
public sealed class CaseRun : IDisposable
{
    private readonly TempDir _dir = new();
    public string CaseDir => _dir.Combine("case");
    public Manifest Manifest { get; private set; } = null!;
    public string Events => Duck.Events(CaseDir);

    public static CaseRun Ingest(string[] inputs, string? tz = null, int? year = null, int workers = 2, Action<Forensics.Pipeline.Framing.RecordBatch>? onParse = null, string? host = null)
    {
        var run = new CaseRun();
        run.Manifest = IngestRunner.RunAsync(new IngestOptions
        {
            Inputs = inputs, CaseDirectory = run.CaseDir, TimeZone = tz, Year = year, Workers = workers, OnParse = onParse, Host = host,
        }).GetAwaiter().GetResult();
        SecondReader.AgreesWithDuckDb(run.CaseDir);
        return run;
    }

    public void Dispose() => _dir.Dispose();
}
