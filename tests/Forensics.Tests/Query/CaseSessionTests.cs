using System.Diagnostics;
using Forensics.Pipeline.Case;
using Forensics.Pipeline.Model;
using Forensics.Pipeline.Query;
using Forensics.Tests.Support;

namespace Forensics.Tests.Query;

public sealed class CaseSessionTests
{
    [Fact]
    public void Empty_case_has_every_view_typed_and_empty()
    {
        using var tmp = new TempDir();
        using var session = CaseSession.Open(tmp.Path);
        Assert.Equal(["events", "sessions", "rejects", "detections", "files", "context_passwd", "context_sshd_settings", "context_systemd_units"], session.Views);
        var cols = session.Run("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'events'");
        var types = cols.Rows.ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        foreach (var (name, type) in CaseSession.EventColumns) Assert.Equal(type, types[name]);
        Assert.Equal(0L, session.Run("SELECT count(*) FROM events").Rows[0][0]);
    }

    [Fact]
    public void Session_time_zone_is_utc_whatever_the_process_zone()
    {
        using var tmp = new TempDir();
        using var session = CaseSession.Open(tmp.Path);
        Assert.Equal("UTC", session.Run("SELECT current_setting('TimeZone')").Rows[0][0]);
    }

    [Fact]
    public void Formats_with_different_columns_read_as_one_events_view()
    {
        using var tmp = new TempDir();
        SyntheticCase.Create(tmp.Path);
        using var session = CaseSession.Open(tmp.Path);
        var r = session.Run("SELECT format, count(*), count(signal), count(http_method), count(auth_method) FROM events GROUP BY format ORDER BY format");
        Assert.Equal("access_combined 3 0 3 0|auditd 1 0 0 0|journal 6 1 0 0|syslog 13 0 0 8|wtmp 5 0 0 0",
            string.Join('|', r.Rows.Select(row => string.Join(' ', row.Select(QueryResult.Format)))));
    }

    /// <summary>
    /// Writes 40,000 sshd-like events, 0.123457 s apart (sub-millisecond instants), through the case writer in
    /// row groups of about 8,000 rows, crossing <paramref name="cut"/> inside a row group.
    /// </summary>
    private static async Task<long> WriteTimedCase(string caseDir, DateTime start, DateTime cut, int n = 40_000)
    {
        var writer = new CaseWriter(caseDir, rowGroupSize: 5_000);
        long expected = 0;
        var events = new List<ForensicEvent>();
        for (int i = 0; i < n; i++)
        {
            var micros = ForensicEvent.ToMicros(start) + i * 123_457L;
            if (micros >= ForensicEvent.ToMicros(cut)) expected++;
            events.Add(new ForensicEvent { TsMicros = micros, Event = EventKinds.SshFailedPassword, Host = "h", User = "root", Message = "m" + i, SourceOffset = i });
            if (events.Count == 4096 || i == n - 1)
            {
                await writer.WriteEventsAsync(Forensics.Pipeline.Formats.FormatRegistry.ById("syslog")!, "h", "f", "sha", EventBatch.FromEvents(events));
                events.Clear();
            }
        }
        await writer.CompleteAsync(CancellationToken.None);
        await writer.DisposeAsync();
        return expected;
    }

    /// <summary>
    /// Guards the Parquet statistics trap (../shared/design/DEPENDENCIES.md): on a file the pipeline's writer
    /// produced, DuckDB's row-group pruning on ts must not drop rows a time filter should return.
    /// </summary>
    [Fact]
    public async Task Time_filter_on_a_pipeline_written_file_returns_the_right_rows()
    {
        using var tmp = new TempDir();
        var cut = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        long expected = await WriteTimedCase(tmp.Path, new DateTime(2023, 12, 31, 23, 0, 0, DateTimeKind.Utc), cut);

        using var session = CaseSession.Open(tmp.Path);
        var r = session.Run("SELECT count(*), count(*) FILTER (WHERE ts >= TIMESTAMP '2024-01-01'), min(ts) FROM events WHERE ts >= TIMESTAMP '2024-01-01 00:00:00'");
        Assert.True(expected is > 0 and < 40_000);
        Assert.Equal(expected, r.Rows[0][0]);
        Assert.Equal(expected, r.Rows[0][1]);
        var bound = session.Run("SELECT count(*) FROM events WHERE ts >= $cut", new Dictionary<string, object?> { ["cut"] = TimeText.ParseUtc("2024-01-01T00:00:00Z") });
        Assert.Equal(expected, bound.Rows[0][0]);
        var local = session.Run("SELECT count(*) FROM events WHERE ts >= $cut", new Dictionary<string, object?> { ["cut"] = TimeText.ParseUtc("2023-12-31T19:00:00-05:00") });
        Assert.Equal(expected, local.Rows[0][0]);
    }

    /// <summary>
    /// The CLI in a process whose TZ is America/New_York (DuckDB's default session zone follows TZ): times must
    /// still come out as UTC, in SQL text and in the timeline export.
    /// </summary>
    [Fact]
    public void Cli_in_a_new_york_process_prints_utc()
    {
        using var tmp = new TempDir();
        SyntheticCase.Create(tmp.Path);
        var (code, stdout, stderr) = RunCli(["sql", "--case", tmp.Path, "--format", "csv",
            "SELECT CAST(min(ts) AS VARCHAR) AS t, strftime(min(ts), '%H') AS h, current_setting('TimeZone') AS tz FROM events WHERE format = 'journal'"], ("TZ", "America/New_York"));
        Assert.True(code == 0, stderr);
        Assert.Equal("t,h,tz\n2024-03-01 02:00:00,02,UTC\n", stdout);

        var csv = Path.Combine(tmp.Path, "t.csv");
        (code, _, stderr) = RunCli(["timeline", "--case", tmp.Path, "--format", "csv", "--from", "2024-03-01T02:00:00Z", "--to", "2024-03-01T02:00:00Z", "-o", csv], ("TZ", "America/New_York"));
        Assert.True(code == 0, stderr);
        Assert.StartsWith("2024-03-01T02:00:00.000000+00:00,1709258400000000,", File.ReadAllLines(csv)[1], StringComparison.Ordinal);
    }

    internal static (int Code, string Stdout, string Stderr) RunCli(string[] args, params (string Key, string Value)[] env)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "forensics.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result.Replace("\r\n", "\n", StringComparison.Ordinal), stderr);
    }
}
