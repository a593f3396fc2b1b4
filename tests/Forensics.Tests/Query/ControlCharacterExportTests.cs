using Forensics.Pipeline.Query;
using Forensics.Tests.Support;

namespace Forensics.Tests.Query;

/// <summary>
/// Attacker-chosen text (an SSH user name, a requested URL) can carry terminal escape sequences; a CSV opened with
/// cat or less must not run them. Exports show control characters as the terminal output does (\x1b), unless raw.
/// </summary>
public sealed class ControlCharacterExportTests
{
    private const string HostileUser = "evil\u001b[2J\u001b]0;owned\u0007";
    private const string HostileTarget = "/\u001b[31mred\u001b]2;pwn\u0007";

    private static CaseRun IngestHostile(TempDir dir)
    {
        var evidence = dir.Combine("evidence");
        Directory.CreateDirectory(evidence);
        File.WriteAllText(Path.Combine(evidence, "auth.log"),
            $"May 21 03:54:40 droplet1 sshd[100]: Invalid user {HostileUser} from 203.0.113.9 port 4242\n");
        File.WriteAllText(Path.Combine(evidence, "access.log"),
            $"203.0.113.9 - - [21/May/2024:03:55:00 +0000] \"GET {HostileTarget} HTTP/1.1\" 404 0 \"-\" \"curl/8.0\"\n");
        foreach (var f in Directory.GetFiles(evidence)) File.SetLastWriteTimeUtc(f, new DateTime(2024, 5, 22, 0, 0, 0, DateTimeKind.Utc));
        var run = CaseRun.Ingest([evidence]);
        // The hostile text reached the case as it was logged (the case keeps evidence verbatim; a request line with
        // control characters is malformed, so http_target holds the whole request text).
        Assert.Equal(1L, Duck.Scalar($"SELECT count(*) FROM {run.Events} WHERE \"user\" = '{HostileUser}'"));
        Assert.Equal(1L, Duck.Scalar($"SELECT count(*) FROM {run.Events} WHERE strpos(http_target, '{HostileTarget}') > 0"));
        return run;
    }

    [Theory]
    [InlineData(TimelineFormat.Csv)]
    [InlineData(TimelineFormat.Timesketch)]
    [InlineData(TimelineFormat.L2tCsv)]
    public async Task Timeline_exports_show_escape_sequences_as_text_unless_raw(TimelineFormat format)
    {
        using var dir = new TempDir();
        using var run = IngestHostile(dir);
        using var session = CaseSession.Open(run.CaseDir);
        var safe = dir.Combine("safe.csv");
        var raw = dir.Combine("raw.csv");
        await TimelineExport.WriteAsync(session, format, new TimelineFilter(), safe);
        await TimelineExport.WriteAsync(session, format, new TimelineFilter(), raw, new TimelineOptions { Raw = true });

        var text = await File.ReadAllTextAsync(safe);
        Assert.DoesNotContain(text, c => c < 0x20 && c != '\n');
        Assert.Contains("evil\\x1b[2J\\x1b]0;owned\\x07", text, StringComparison.Ordinal);
        Assert.Contains("\\x1b[31mred\\x1b]2;pwn\\x07", text, StringComparison.Ordinal);
        Assert.Contains(HostileUser, await File.ReadAllTextAsync(raw), StringComparison.Ordinal);
    }

    [Fact]
    public void Query_csv_shows_escape_sequences_as_text_unless_raw_and_still_escapes_formulas()
    {
        using var dir = new TempDir();
        using var run = IngestHostile(dir);
        using var session = CaseSession.Open(run.CaseDir);
        var result = session.Run("SELECT \"user\", http_target, '=1+1' AS formula FROM events ORDER BY format");

        using var safe = new MemoryStream();
        ResultWriter.WriteCsv(result, safe);
        var text = System.Text.Encoding.UTF8.GetString(safe.ToArray());
        Assert.DoesNotContain(text, c => c < 0x20 && c != '\n');
        Assert.Contains("evil\\x1b[2J\\x1b]0;owned\\x07", text, StringComparison.Ordinal);
        Assert.Contains("\\x1b[31mred\\x1b]2;pwn\\x07", text, StringComparison.Ordinal);
        Assert.Contains("'=1+1", text, StringComparison.Ordinal);

        using var raw = new MemoryStream();
        ResultWriter.WriteCsv(result, raw, raw: true);
        Assert.Contains(HostileTarget, System.Text.Encoding.UTF8.GetString(raw.ToArray()), StringComparison.Ordinal);
    }
}
