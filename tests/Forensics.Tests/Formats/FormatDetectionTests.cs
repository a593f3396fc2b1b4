using System.Text;
using Forensics.Pipeline.Formats;
using Forensics.Tests.Support;

namespace Forensics.Tests.Formats;

/// <summary>Detection looks past a head of junk, in a few fixed windows, and only when the head decides nothing.</summary>
public class FormatDetectionTests
{
    private static string AuthLines(int count)
    {
        var text = new StringBuilder();
        for (int i = 0; i < count; i++)
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"2024-05-21T03:{i / 60 % 60:D2}:{i % 60:D2}.000000+00:00 web1 sshd[{1000 + i}]: Failed password for root from 203.0.113.{i % 250} port {40000 + i} ssh2\n");
        return text.ToString();
    }

    /// <summary>Printable junk (no newline): what a pasted blob or a binary dump rendered as text looks like.</summary>
    private static byte[] Junk(int length, int seed)
    {
        var random = new Random(seed);
        var junk = new byte[length];
        for (int i = 0; i < length; i++) junk[i] = (byte)random.Next(0x21, 0x7F);
        return junk;
    }

    [Fact]
    public void A_70000_byte_junk_line_before_1180_auth_lines_is_parsed_and_the_junk_rejected()
    {
        using var dir = new TempDir();
        var evidence = dir.Combine("evidence");
        Directory.CreateDirectory(evidence);
        var auth = Path.Combine(evidence, "auth.log");
        File.WriteAllBytes(auth, [.. Junk(70_000, 13), (byte)'\n', .. Encoding.ASCII.GetBytes(AuthLines(1180))]);

        using var run = CaseRun.Ingest([evidence]);

        var input = Assert.Single(run.Manifest.Inputs);
        Assert.Equal("syslog", input.Format);
        Assert.Equal("parsed", input.Status);
        Assert.Equal(1180, input.Events);
        Assert.Equal(1, input.Rejects);
        Assert.Contains(input.Notes!, n => n.Contains($"at offset {ILogFormat.SniffBytes}", StringComparison.Ordinal));
        var reject = Assert.Single(Duck.Rows($"SELECT source_offset, reason FROM {Duck.Rejects(run.CaseDir)}"));
        Assert.Equal(0L, reject[0]);
        Assert.Contains("of 70000)", (string)reject[1]!, StringComparison.Ordinal); // the junk line, raw bytes kept up to the reject limit
        Assert.Equal(1180L, Duck.Scalar($"SELECT count(*) FROM {run.Events} WHERE event = 'ssh.failed_password' AND \"user\" = 'root'"));
    }

    [Fact]
    public void The_windows_are_fixed_offsets_after_the_head_and_never_read_for_a_file_the_head_holds()
    {
        Assert.Equal([65_536L, 250_000L, 500_000L, 750_000L], FormatDetection.WindowOffsets(1_000_000, 65_536));
        Assert.Equal([65_536L, 150_000L], FormatDetection.WindowOffsets(200_000, 65_536));
        Assert.Equal([65_536L], FormatDetection.WindowOffsets(100_000, 65_536));
        Assert.Empty(FormatDetection.WindowOffsets(65_536, 65_536));

        var junk = Junk(1000, 1);
        var result = FormatDetection.Detect(junk, junk.Length, "auth.log", () => throw new InvalidOperationException("opened a file the head holds"));
        Assert.Null(result.Format);

        var auth = Encoding.ASCII.GetBytes(AuthLines(20));
        var decided = FormatDetection.Detect(auth, 10_000_000, "auth.log", () => throw new InvalidOperationException("opened a file the head decides"));
        Assert.Equal(("syslog", 0L), (decided.Format?.Id, decided.WindowOffset));
    }

    [Fact]
    public void Junk_throughout_stays_unrecognised_after_reading_at_most_five_windows()
    {
        var junk = Junk(1 << 20, 7);
        var counting = new CountingOpens(junk);
        var result = FormatDetection.Detect(junk.AsSpan(0, ILogFormat.SniffBytes), junk.Length, "auth.log", counting.Open);
        Assert.Null(result.Format);
        Assert.Equal(1, counting.Opens);
        Assert.True(counting.BytesRead <= FormatDetection.ExtraWindows * ILogFormat.SniffBytes, $"read {counting.BytesRead} bytes");
    }

    /// <summary>Junk before a wtmp (a text blob of 70,000 bytes): recognised further in, and every record read.</summary>
    [SkippableFact]
    public void A_wtmp_after_a_junk_head_is_recognised_and_every_record_read()
    {
        var wtmp = File.ReadAllBytes(Corpus.File("s4/utmp/CentOS7_x86_64/wtmp"));
        using var dir = new TempDir();
        var evidence = dir.Combine("evidence");
        Directory.CreateDirectory(evidence);
        File.WriteAllBytes(Path.Combine(evidence, "wtmp"), [.. Junk(70_000, 3), .. wtmp]);

        using var run = CaseRun.Ingest([evidence]);

        var input = Assert.Single(run.Manifest.Inputs);
        Assert.Equal("wtmp", input.Format);
        Assert.Equal(67, input.Events);
        Assert.Equal(70_000L, Duck.Scalar($"SELECT CAST(sum(octet_length(raw)) AS BIGINT) FROM {Duck.Rejects(run.CaseDir)}"));
    }

    private sealed class CountingOpens(byte[] content)
    {
        public int Opens { get; private set; }
        public long BytesRead => _streams.Sum(s => s.Total);
        private readonly List<Counted> _streams = [];

        public Stream Open()
        {
            Opens++;
            var s = new Counted(content);
            _streams.Add(s);
            return s;
        }

        /// <summary>Counts in Read(byte[]): MemoryStream subclasses route Read(Span) through it.</summary>
        private sealed class Counted(byte[] content) : MemoryStream(content, writable: false)
        {
            public long Total { get; private set; }
            public override int Read(byte[] buffer, int offset, int count) { int n = base.Read(buffer, offset, count); Total += n; return n; }
        }
    }
}
