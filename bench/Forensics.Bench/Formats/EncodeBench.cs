using BenchmarkDotNet.Attributes;
using Forensics.Bench.EndToEnd;
using Forensics.Pipeline.Case;
using Forensics.Pipeline.Formats;
using Forensics.Pipeline.Formats.Syslog;
using Forensics.Pipeline.Model;

namespace Forensics.Bench.Formats;

/// <summary>
/// The Parquet encoder alone (<see cref="EventPartWriter"/>: ParquetSharp column writers, zstd, dictionaries) on
/// the events of 32 MiB of generated auth.log, parsed once. Mean / lines = encode cost per event; compare it with
/// the manifest's encode_cpu_micros_per_record of a real run.
/// </summary>
[MemoryDiagnoser]
[InvocationCount(1)]
[WarmupCount(2)]
[IterationCount(10)]
public class EncodeBench
{
    private byte[] _log = [];
    private FileContext _ctx = null!;
    private readonly SyslogFormat _format = new();
    private readonly List<EventBatch> _batches = [];
    private string _dir = "";

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("forensics-encode-bench").FullName;
        var path = Path.Combine(_dir, "auth.log");
        long lines = AuthLogGenerator.Write(path, 32 << 20);
        _log = File.ReadAllBytes(path);
        _ctx = new FileContext { SourceFile = "var/log/auth.log", SourceSha256 = new string('a', 64), FileName = "auth.log", Zone = TimeZoneInfo.Utc, ZoneSource = "bench", ForcedYear = 2024 };
        Console.WriteLine($"// {_log.Length} bytes, {lines} lines");
    }

    [IterationSetup]
    public void Parse()
    {
        _batches.Clear();
        using var ms = new MemoryStream(_log, false);
        foreach (var batch in _format.Frame(ms, _ctx, CancellationToken.None))
        {
            var output = new ParseOutput();
            _format.Parse(batch, _ctx, output);
            _format.InOrder(output.Seal(), _ctx);
            _batches.Add(output.Batch);
            batch.Release();
        }
    }

    [Benchmark(Description = "encode parsed auth.log events (EventPartWriter)")]
    public async Task<long> Encode()
    {
        var constants = new FileConstants(System.Text.Encoding.UTF8.GetBytes(_ctx.SourceFile), System.Text.Encoding.UTF8.GetBytes(_ctx.SourceSha256));
        var path = Path.Combine(_dir, "part.parquet");
        await using var writer = new EventPartWriter(path, _format.Id, "bench", EventSchema.ForFormat(_format), _format.ExtraColumns, 128 * 1024);
        foreach (var b in _batches) await writer.AddAsync(b, constants);
        await writer.CompleteAsync();
        return writer.RowsWritten;
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);
}
