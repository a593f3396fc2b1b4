using System.Buffers.Binary;
using System.Text;
using BenchmarkDotNet.Attributes;
using Forensics.Pipeline.Formats;
using Forensics.Pipeline.Formats.Utmp;

namespace Forensics.Bench.Formats;

/// <summary>
/// Reader throughput of the wtmp format (Frame + Parse, sessions side table on) over a synthetic x86_64 wtmp
/// of 1 M records (~384 MB, written once to $TMPDIR/forensics-bench-wtmp-1M, reusable with utmpdump/last).
/// records/s = Records / mean time.
/// </summary>
[MemoryDiagnoser]
public class UtmpBench
{
    public const int Records = 1_000_000;
    private static readonly UtmpFormat Format = new(UtmpFileKind.Wtmp);
    private string _path = "";

    /// <summary>With the sessions side table (pairing in Frame) or records only.</summary>
    [Params(true, false)]
    public bool Sessions { get; set; }

    [GlobalSetup]
    public void Setup() => _path = EnsureFile(Path.Combine(Path.GetTempPath(), "forensics-bench-wtmp-1M"), Records);

    [Benchmark]
    public long FrameAndParse()
    {
        using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var sink = new CountingSink();
        var ctx = new FileContext
        {
            SourceFile = _path, SourceSha256 = "", FileName = "wtmp", Zone = TimeZoneInfo.Utc, ZoneSource = "bench",
            Length = stream.Length, SideTables = Sessions ? sink : null,
        };
        long events = 0;
        foreach (var batch in Format.Frame(stream, ctx, CancellationToken.None))
        {
            var output = new ParseOutput();
            Format.Parse(batch, ctx, output);
            events += output.Events.Count + output.Rejects.Count;
            batch.Release();
        }
        return events + sink.Rows;
    }

    private sealed class CountingSink : ISideTableSink
    {
        public long Rows;
        public void Add(SideTable table) => Rows += table.Rows.Count;
    }

    /// <summary>A boot, then cycles of ssh logins and logouts on rotating pts lines, a reboot every 5000 records.</summary>
    public static string EnsureFile(string path, int records)
    {
        if (File.Exists(path) && new FileInfo(path).Length == records * 384L) return path;
        using var output = new FileStream(path + ".tmp", FileMode.Create);
        var r = new byte[384];
        long sec = 1_600_000_000;
        for (int i = 0; i < records; i++)
        {
            Array.Clear(r);
            sec += 7;
            int pts = i / 2 % 40;
            short type = i % 5000 == 0 ? (short)2 : i % 2 == 1 ? (short)7 : (short)8;
            BinaryPrimitives.WriteInt16LittleEndian(r, type);
            BinaryPrimitives.WriteInt32LittleEndian(r.AsSpan(4), type == 2 ? 0 : 1000 + i % 30000);
            if (type == 2)
            {
                Encoding.ASCII.GetBytes("~").CopyTo(r, 8);
                Encoding.ASCII.GetBytes("reboot").CopyTo(r, 44);
                Encoding.ASCII.GetBytes("6.1.0-18-amd64").CopyTo(r, 76);
            }
            else
            {
                Encoding.ASCII.GetBytes($"pts/{pts}").CopyTo(r, 8);
                Encoding.ASCII.GetBytes($"ts/{pts}").CopyTo(r, 40);
                if (type == 7)
                {
                    Encoding.ASCII.GetBytes($"user{i % 97}").CopyTo(r, 44);
                    Encoding.ASCII.GetBytes($"198.51.100.{i % 250}").CopyTo(r, 76);
                    r[348] = 198; r[349] = 51; r[350] = 100; r[351] = (byte)(i % 250);
                }
            }
            BinaryPrimitives.WriteInt32LittleEndian(r.AsSpan(340), (int)sec);
            BinaryPrimitives.WriteInt32LittleEndian(r.AsSpan(344), i % 1_000_000);
            output.Write(r);
        }
        output.Close();
        File.Move(path + ".tmp", path, overwrite: true);
        return path;
    }
}
