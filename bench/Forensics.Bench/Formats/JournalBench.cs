using BenchmarkDotNet.Attributes;
using Forensics.Pipeline.Formats;
using Forensics.Pipeline.Formats.Journal;

namespace Forensics.Bench.Formats;

/// <summary>
/// Binary journal reader (frame = decode entries) and full parse (spine + fields JSON + classification), and the
/// export parser, over the corpus RHEL 9.1 journal (ZSTD, keyed hash; 2081 entries) and its journalctl export.
/// Set FORENSICS_CORPUS or keep ../shared/corpus beside the repository.
/// </summary>
[MemoryDiagnoser]
public class JournalBench
{
    private byte[] _journal = [];
    private byte[] _export = [];
    private FileContext _ctx = null!;

    [GlobalSetup]
    public void Setup()
    {
        var root = Environment.GetEnvironmentVariable("FORENSICS_CORPUS") ?? FindCorpus();
        _journal = File.ReadAllBytes(Path.Combine(root, "s4/journal/RHE_91_system.journal"));
        _export = File.ReadAllBytes(Path.Combine(root, "derived-journalctl/RHE_91/RHE_91_system.journal.journalctl252.export"));
        _ctx = new FileContext { SourceFile = "b", SourceSha256 = "0", FileName = "b", Zone = TimeZoneInfo.Utc, ZoneSource = "bench" };
        Console.WriteLine($"// journal {_journal.Length} bytes, export {_export.Length} bytes, 2081 entries each");
    }

    private static string FindCorpus()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "shared", "corpus"))) dir = dir.Parent;
        return dir is null ? throw new DirectoryNotFoundException("shared/corpus") : Path.Combine(dir.FullName, "shared", "corpus");
    }

    [Benchmark]
    public int BinaryReadEntries()
    {
        using var ms = new MemoryStream(_journal, false);
        using var r = JournalFileReader.Open(ms, out _)!;
        int n = 0;
        foreach (var item in r.ReadAll()) if (item.Entry is not null) n++;
        return n;
    }

    [Benchmark]
    public int BinaryFrameAndParse() => Run(new JournalBinaryFormat(), _journal);

    [Benchmark]
    public int ExportFrameAndParse() => Run(new JournalExportFormat(), _export);

    private int Run(ILogFormat f, byte[] data)
    {
        using var ms = new MemoryStream(data, false);
        int n = 0;
        foreach (var batch in f.Frame(ms, _ctx, CancellationToken.None))
        {
            var output = new ParseOutput();
            f.Parse(batch, _ctx, output);
            n += output.Events.Count;
            batch.Release();
        }
        return n;
    }
}
