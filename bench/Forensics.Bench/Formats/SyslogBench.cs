using System.Text;
using BenchmarkDotNet.Attributes;
using Forensics.Bench.EndToEnd;
using Forensics.Pipeline.Formats;
using Forensics.Pipeline.Formats.Classify;
using Forensics.Pipeline.Formats.Syslog;
using Forensics.Pipeline.Framing;
using Forensics.Pipeline.Model;

namespace Forensics.Bench.Formats;

/// <summary>
/// The syslog line parser and the sshd classifier on 8 MiB of generated auth.log (the end-to-end generator's
/// mix). MB/s = 8 MiB / mean; bytes allocated per line = Allocated / lines (printed in setup).
/// </summary>
[MemoryDiagnoser]
public class SyslogBench
{
    private byte[] _log = [];
    private string[] _messages = [];
    private FileContext _ctx = null!;
    private readonly SyslogFormat _format = new();

    [GlobalSetup]
    public void Setup()
    {
        var path = Path.Combine(Path.GetTempPath(), "forensics-syslog-bench.log");
        long lines = AuthLogGenerator.Write(path, 8 << 20);
        _log = File.ReadAllBytes(path);
        _messages = File.ReadLines(path).Select(l => l[(l.IndexOf("]: ", StringComparison.Ordinal) + 3)..]).ToArray();
        _ctx = new FileContext { SourceFile = "b", SourceSha256 = "0", FileName = "auth.log", Zone = TimeZoneInfo.Utc, ZoneSource = "bench", ForcedYear = 2024 };
        Console.WriteLine($"// {_log.Length} bytes, {lines} lines");
    }

    [Benchmark(Description = "header parse only (SyslogLine.TryParse)")]
    public int HeaderParse()
    {
        int n = 0;
        var span = _log.AsSpan();
        while (!span.IsEmpty)
        {
            int nl = span.IndexOf((byte)'\n');
            var line = nl < 0 ? span : span[..nl];
            if (SyslogLine.TryParse(line, out _, out _)) n++;
            span = nl < 0 ? default : span[(nl + 1)..];
        }
        return n;
    }

    [Benchmark(Description = "frame + parse + classify (SyslogFormat)")]
    public int FrameAndParse()
    {
        using var ms = new MemoryStream(_log, false);
        int events = 0;
        foreach (var batch in _format.Frame(ms, _ctx, CancellationToken.None))
        {
            var output = new ParseOutput();
            _format.Parse(batch, _ctx, output);
            events += output.Events.Count;
            batch.Release();
        }
        return events;
    }

    [Benchmark(Description = "sshd classifier only")]
    public int Classify()
    {
        int classified = 0;
        foreach (var m in _messages)
        {
            var e = new ForensicEvent();
            SshdClassifier.Classify(e, m);
            if (e.Event != EventKinds.LogLine) classified++;
        }
        return classified;
    }
}
