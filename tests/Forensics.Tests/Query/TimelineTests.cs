using System.Globalization;
using System.Text.RegularExpressions;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Forensics.Pipeline.Query;
using Forensics.Tests.Support;

namespace Forensics.Tests.Query;

public sealed partial class TimelineTests
{
    private const int SyntheticEvents = 28;
    private const int SyntheticTimeless = 1;

    private static async Task<(string Path, TimelineResult Result)> Export(TempDir tmp, TimelineFormat format, TimelineFilter? filter = null, bool raw = false)
    {
        if (!File.Exists(tmp.Combine("manifest.json")) && !Directory.Exists(tmp.Combine("events"))) SyntheticCase.Create(tmp.Path);
        using var session = CaseSession.Open(tmp.Path);
        var path = tmp.Combine("out", $"timeline-{format}-{raw}.out");
        var result = await TimelineExport.WriteAsync(session, format, filter ?? new TimelineFilter(), path, new TimelineOptions { Raw = raw });
        return (path, result);
    }

    /// <summary>Reads a CSV back with DuckDB's reader (an independent RFC 4180 parser), every field as text.</summary>
    private static QueryResult ReadCsv(string path)
    {
        using var tmp = new TempDir();
        using var session = CaseSession.Open(tmp.Path);
        return session.Run("SELECT * FROM read_csv($p, header = true, all_varchar = true, quote = '\"', escape = '\"', delim = ',', strict_mode = true)",
            new Dictionary<string, object?> { ["p"] = path });
    }

    [Theory]
    [InlineData(TimelineFormat.Csv, "timeline.csv")]
    [InlineData(TimelineFormat.Timesketch, "timeline.timesketch.csv")]
    [InlineData(TimelineFormat.L2tCsv, "timeline.l2t.csv")]
    [InlineData(TimelineFormat.Jsonl, "timeline.jsonl")]
    public async Task Export_matches_golden(TimelineFormat format, string golden)
    {
        using var tmp = new TempDir();
        var (path, _) = await Export(tmp, format);
        Golden.Check("synthetic/" + golden, await File.ReadAllTextAsync(path));
    }

    /// <summary>
    /// Timesketch's import rules (docs/guides/user/import-from-json-csv.md): the columns message, datetime,
    /// timestamp and timestamp_desc are required; datetime is ISO 8601 with an explicit offset; timestamp is
    /// epoch microseconds and the same instant; reserved names are not used as columns.
    /// </summary>
    [Fact]
    public async Task Timesketch_export_follows_timesketch_import_rules()
    {
        using var tmp = new TempDir();
        var (path, result) = await Export(tmp, TimelineFormat.Timesketch);
        Assert.Equal(SyntheticEvents - SyntheticTimeless, result.Rows);
        Assert.Equal(SyntheticTimeless, result.SkippedWithoutTime);
        var csv = ReadCsv(path);
        foreach (var required in new[] { "message", "datetime", "timestamp", "timestamp_desc" }) Assert.Contains(required, csv.Columns);
        foreach (var reserved in TimelineExport.TimesketchReserved) Assert.DoesNotContain(reserved, csv.Columns);
        Assert.DoesNotContain(csv.Columns, c => c.StartsWith('_'));
        Assert.Equal(csv.Columns.Count, csv.Columns.Distinct().Count());
        Assert.Equal(result.Rows, csv.Rows.Count);
        int Col(string n) => csv.Columns.ToList().IndexOf(n);
        foreach (var row in csv.Rows)
        {
            var datetime = (string)row[Col("datetime")]!;
            Assert.Matches(IsoWithOffset(), datetime);
            var instant = DateTimeOffset.Parse(datetime, CultureInfo.InvariantCulture);
            var micros = long.Parse((string)row[Col("timestamp")]!, CultureInfo.InvariantCulture);
            Assert.Equal((instant.UtcTicks - DateTime.UnixEpoch.Ticks) / 10, micros);
            Assert.False(string.IsNullOrEmpty((string?)row[Col("message")]));
            Assert.False(string.IsNullOrEmpty((string?)row[Col("timestamp_desc")]));
        }
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}:\d{2}|Z)$")]
    private static partial Regex IsoWithOffset();

    [Fact]
    public async Task L2tcsv_has_plasos_17_columns_in_order_and_real_dates()
    {
        using var tmp = new TempDir();
        var (path, result) = await Export(tmp, TimelineFormat.L2tCsv);
        Assert.Equal("date,time,timezone,MACB,source,sourcetype,type,user,host,short,desc,version,filename,inode,notes,format,extra", File.ReadLines(path).First());
        var csv = ReadCsv(path);
        Assert.Equal(TimelineExport.L2tHeader, csv.Columns);
        Assert.Equal(result.Rows, csv.Rows.Count);
        foreach (var row in csv.Rows)
        {
            Assert.Matches(@"^(0[1-9]|1[0-2])/(0[1-9]|[12]\d|3[01])/(19[89]\d|20\d\d)$", (string)row[0]!);
            Assert.Matches(@"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$", (string)row[1]!);
            Assert.Equal("UTC", row[2]);
            Assert.Equal("2", row[11]);
        }
        Assert.Contains(csv.Rows, r => (string)r[0]! == "03/01/2024" && (string)r[1]! == "10:05:00" && (string)r[7]! == "root");
    }

    [Fact]
    public async Task Formula_in_an_ssh_user_name_is_neutralised_unless_raw()
    {
        using var tmp = new TempDir();
        var (safe, _) = await Export(tmp, TimelineFormat.Csv);
        var (raw, _) = await Export(tmp, TimelineFormat.Csv, raw: true);
        var safeCsv = ReadCsv(safe);
        var rawCsv = ReadCsv(raw);
        int user = safeCsv.Columns.ToList().IndexOf("user");
        int message = safeCsv.Columns.ToList().IndexOf("message");
        Assert.Contains(safeCsv.Rows, r => (string?)r[user] == "'" + SyntheticCase.Formula);
        Assert.DoesNotContain(safeCsv.Rows, r => r.Any(v => v is string s && (s.StartsWith('=') || s.StartsWith('@') || s.StartsWith('+'))));
        Assert.Contains(safeCsv.Rows, r => (string?)r[message] == "'@SUM(1+1) - - [01/Mar/2024:09:32:00 +0000] \"GET / HTTP/1.1\" 200 512");
        Assert.Contains(rawCsv.Rows, r => (string?)r[user] == SyntheticCase.Formula);

        foreach (var format in new[] { TimelineFormat.Timesketch, TimelineFormat.L2tCsv })
        {
            var (p, _) = await Export(tmp, format);
            Assert.DoesNotContain(ReadCsv(p).Rows, r => r.Any(v => v is string s && s.StartsWith('=')));
        }

        // Query results written as CSV get the same protection.
        using var session = CaseSession.Open(tmp.Path);
        using var ms = new MemoryStream();
        ResultWriter.WriteCsv(session.Run("SELECT \"user\" FROM events WHERE \"user\" LIKE '=%' LIMIT 1"), ms);
        Assert.Equal("user\n\"'" + SyntheticCase.Formula.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"\n", System.Text.Encoding.UTF8.GetString(ms.ToArray()));
    }

    [Fact]
    public async Task Filters_select_a_window_and_event_families()
    {
        using var tmp = new TempDir();
        var filter = new TimelineFilter { From = TimeText.ParseUtc("2024-03-01T10:00:00Z"), To = TimeText.ParseUtc("2024-03-01T10:05:00Z"), Events = ["ssh.*", "audit.user_login"] };
        var (path, result) = await Export(tmp, TimelineFormat.Csv, filter);
        var csv = ReadCsv(path);
        Assert.Equal(8, result.Rows);
        Assert.All(csv.Rows, r => Assert.StartsWith("ssh.", (string)r[csv.Columns.ToList().IndexOf("event")]!, StringComparison.Ordinal));
        filter = filter with { To = TimeText.ParseUtc("2024-03-01T10:05:01Z") };
        (_, result) = await Export(tmp, TimelineFormat.Csv, filter);
        Assert.Equal(9, result.Rows);
    }

    [Fact]
    public async Task Arrow_export_keeps_types_and_every_event()
    {
        using var tmp = new TempDir();
        var (path, result) = await Export(tmp, TimelineFormat.Arrow);
        Assert.Equal(SyntheticEvents, result.Rows);
        await using var stream = File.OpenRead(path);
        using var reader = new ArrowFileReader(stream);
        long rows = 0;
        while (await reader.ReadNextRecordBatchAsync() is { } batch)
        {
            using (batch) rows += batch.Length;
        }
        Assert.Equal(SyntheticEvents, rows);
        Assert.IsType<Apache.Arrow.Types.TimestampType>(reader.Schema.GetFieldByName("ts").DataType);
        Assert.IsType<Apache.Arrow.Types.Int64Type>(reader.Schema.GetFieldByName("source_offset").DataType);
    }

    [Fact]
    public void Investigation_report_names_the_findings_and_escapes_terminal_controls()
    {
        using var tmp = new TempDir();
        SyntheticCase.Create(tmp.Path);
        using var session = CaseSession.Open(tmp.Path);
        var report = InvestigationReport.Run(session, QueryCatalogTests.Queries);
        Assert.Empty(report.Errors);
        var text = report.Render();
        Assert.Contains("203.0.113.7 logged in as root (password) after 7 failure(s)", text, StringComparison.Ordinal);
        Assert.Contains("backup.service on web1: signal SIGKILL, 54.919 s CPU, started by backup.timer, silent 1800 s (0.5 h) before", text, StringComparison.Ordinal);
        Assert.Contains("evil\\x1b]0;pwned\\x07", text, StringComparison.Ordinal);
        Assert.DoesNotContain(text, c => c == '\x1b' || c == '\x07');
    }

    [SkippableFact]
    public void Investigate_command_ingests_reports_and_writes_the_timeline()
    {
        var input = Corpus.Dir("s4/auth");
        using var tmp = new TempDir();
        var caseDir = tmp.Combine("case");
        var (code, stdout, stderr) = CaseSessionTests.RunCli(["investigate", input, "--out", caseDir, "--year", "2024", "--tz", "UTC"]);
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains("Findings for", stdout, StringComparison.Ordinal);
        Assert.Contains("== SSH password guessing, by source IP (ssh_bruteforce_by_ip):", stdout, StringComparison.Ordinal);
        var timeline = Path.Combine(caseDir, "exports", "timeline.csv");
        Assert.True(File.Exists(timeline));
        Assert.True(File.ReadLines(timeline).Count() > 1);
        // The case with its exports can be replaced by a later run (exports/ is case data).
        (code, _, stderr) = CaseSessionTests.RunCli(["investigate", input, "--out", caseDir, "--replace", "--year", "2024"]);
        Assert.True(code == 0, stderr);
    }
}
