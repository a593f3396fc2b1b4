using Apache.Arrow.Ipc;
using DuckDB.NET.Data;
using Forensics.Pipeline.Case;
using Forensics.Pipeline.Model;
using Forensics.Pipeline.Query;
using Forensics.Tests.Support;

namespace Forensics.Tests.Query;

/// <summary>What the timeline exports keep: typed columns, per-kind timestamp_desc, login sentences, one l2tcsv row per line, display zone, no silent overwrite.</summary>
public sealed class TimelineContentTests
{
    private static async Task<string> Export(string caseDir, TimelineFormat format, TimelineOptions? options = null, string? name = null)
    {
        using var session = CaseSession.Open(caseDir);
        var path = Path.Combine(caseDir, "out", name ?? $"t-{format}");
        await TimelineExport.WriteAsync(session, format, new TimelineFilter(), path, options);
        return path;
    }

    private static QueryResult Csv(string path)
    {
        using var tmp = new TempDir();
        using var session = CaseSession.Open(tmp.Path);
        return session.Run("SELECT * FROM read_csv($p, header = true, all_varchar = true, quote = '\"', escape = '\"', delim = ',', strict_mode = true)",
            new Dictionary<string, object?> { ["p"] = path });
    }

    private static string? Cell(QueryResult r, object?[] row, string column) => (string?)row[r.Columns.ToList().IndexOf(column)];

    [Fact]
    public void Every_event_kind_has_a_timestamp_desc()
    {
        var kinds = EventDescriptions.AllKinds().ToList();
        Assert.True(kinds.Count > 80, $"only {kinds.Count} kinds found by reflection");
        Assert.All(kinds, k => Assert.True(EventDescriptions.TimestampDesc.ContainsKey(k), $"{k} has no timestamp_desc"));
        // No stale entries either: every described kind exists.
        Assert.Empty(EventDescriptions.TimestampDesc.Keys.Except(kinds));
        Assert.All(EventDescriptions.TimestampDesc.Values, d => Assert.False(string.IsNullOrWhiteSpace(d)));
    }

    [Fact]
    public async Task Typed_columns_are_kept_by_default_and_dropped_with_spine()
    {
        using var tmp = new TempDir();
        SyntheticCase.Create(tmp.Path);
        // The typed columns of the formats the case holds, in schema order; none of a format it lacks (web_error's log_level).
        string[] present = ["syslog", "journal", "wtmp", "access_combined", "auditd"];
        var typed = EventSchema.AllEventColumns.Skip(EventSchema.Spine.Count)
            .Where(c => EventSchema.FormatsWriting(c.Name).Intersect(present).Any()).Select(c => c.Name).ToList();

        var all = Csv(await Export(tmp.Path, TimelineFormat.Csv));
        Assert.Equal(typed, all.Columns.Skip(all.Columns.Count - typed.Count));
        Assert.Contains(all.Rows, r => Cell(all, r, "auth_method") == "publickey" && Cell(all, r, "user") == "alice");
        Assert.Contains(all.Rows, r => Cell(all, r, "http_status") == "405" && Cell(all, r, "proxy_host") == "example.org");
        Assert.Contains(all.Rows, r => Cell(all, r, "audit_terminal") == "/dev/pts/1");
        Assert.DoesNotContain("log_level", all.Columns);

        var spine = Csv(await Export(tmp.Path, TimelineFormat.Csv, new TimelineOptions { Columns = TimelineColumns.Spine }, "spine.csv"));
        Assert.DoesNotContain("auth_method", spine.Columns);
        Assert.Equal(all.Columns.Count - typed.Count, spine.Columns.Count);

        var sketch = Csv(await Export(tmp.Path, TimelineFormat.Timesketch));
        Assert.Contains(sketch.Rows, r => Cell(sketch, r, "http_status") == "405" && Cell(sketch, r, "timestamp_desc") == "HTTP request");
        Assert.Contains(sketch.Rows, r => Cell(sketch, r, "auth_method") == "password" && Cell(sketch, r, "timestamp_desc") == "Login");
        Assert.Contains(sketch.Rows, r => Cell(sketch, r, "event") == "systemd.main_process_exited" && Cell(sketch, r, "signal") == "SIGKILL");

        await using var stream = File.OpenRead(await Export(tmp.Path, TimelineFormat.Arrow));
        using var reader = new ArrowFileReader(stream);
        var schema = reader.Schema;
        Assert.IsType<Apache.Arrow.Types.Int32Type>(schema.GetFieldByName("http_status").DataType);
        Assert.IsType<Apache.Arrow.Types.DoubleType>(schema.GetFieldByName("cpu_seconds").DataType);
        Assert.IsType<Apache.Arrow.Types.BooleanType>(schema.GetFieldByName("invalid_user").DataType);
    }

    /// <summary>The sample's real wtmp/btmp (written by utmpdump -r): sentences in message, the utmpdump line in raw_message.</summary>
    [Fact]
    public async Task Login_records_read_as_sentences_and_keep_the_utmpdump_line()
    {
        using var run = CaseRun.Ingest([Path.Combine(RepoPaths.DataSamples, "droplet1", "var", "log")]);
        var csv = Csv(await Export(run.CaseDir, TimelineFormat.Csv));
        var login = Assert.Single(csv.Rows, r => Cell(csv, r, "event") == "login.session_start" && Cell(csv, r, "datetime")!.StartsWith("2024-04-18T16:04:40", StringComparison.Ordinal));
        Assert.Equal("root logged in on pts/0 from 174.72.166.246", Cell(csv, login, "message"));
        Assert.Equal("[7] [01163] [ts/0] [root] [pts/0] [174.72.166.246] [174.72.166.246] [2024-04-18T16:04:40,090112+00:00]", Cell(csv, login, "raw_message"));
        Assert.Equal("pts/0", Cell(csv, login, "utmp_line"));
        Assert.Equal("174.72.166.246", Cell(csv, login, "utmp_host"));
        Assert.Contains(csv.Rows, r => Cell(csv, r, "message") == "logout on pts/0 (pid 1163)");
        Assert.Contains(csv.Rows, r => Cell(csv, r, "message") == "system boot, kernel 6.8.9-100.fc38.x86_64");
        Assert.Contains(csv.Rows, r => Cell(csv, r, "message") == "system shutdown, kernel 6.2.9-300.fc38.x86_64");
        Assert.Contains(csv.Rows, r => Cell(csv, r, "message") == "run level changed to 3");
        var failed = csv.Rows.Where(r => Cell(csv, r, "format") == "btmp").ToList();
        Assert.Equal(541, failed.Count);
        Assert.All(failed, r => Assert.StartsWith("failed login as ", Cell(csv, r, "message"), StringComparison.Ordinal));
        Assert.All(failed, r => Assert.StartsWith("[6] ", Cell(csv, r, "raw_message"), StringComparison.Ordinal));
        // Other formats keep their own text and have no raw_message.
        Assert.All(csv.Rows.Where(r => Cell(csv, r, "format") is not ("wtmp" or "btmp")), r => Assert.Null(Cell(csv, r, "raw_message")));

        var l2t = Csv(await Export(run.CaseDir, TimelineFormat.L2tCsv));
        Assert.Contains(l2t.Rows, r => Cell(l2t, r, "desc") == "root logged in on pts/0 from 174.72.166.246" && Cell(l2t, r, "type") == "Login");
        Assert.Contains(l2t.Rows, r => Cell(l2t, r, "type") == "Failed login" && Cell(l2t, r, "sourcetype") == "btmp");
    }

    [Fact]
    public async Task L2tcsv_writes_one_row_per_line_even_raw()
    {
        using var tmp = new TempDir();
        Directory.CreateDirectory(Path.Combine(tmp.Path, "events", "evidence_host=droplet1", "format=werkzeug"));
        using (var db = new DuckDBConnection("DataSource=:memory:"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = $"""
                COPY (SELECT TIMESTAMPTZ '2024-05-21 13:50:06+00' AS ts, 'exact' AS ts_quality, 'droplet1' AS host, 'werkzeug' AS format, 'http.server_error' AS event,
                             CAST(NULL AS VARCHAR) AS process, CAST(NULL AS BIGINT) AS pid, CAST(NULL AS VARCHAR) AS unit, CAST(NULL AS VARCHAR) AS "user",
                             CAST(NULL AS VARCHAR) AS src_ip, CAST(NULL AS INTEGER) AS src_port,
                             'Traceback (most recent call last):' || chr(10) || '  File "app.py", line 9' || chr(13) || chr(10) || 'KeyError: ''x''' AS message,
                             'nohup.log' AS source_file, CAST(0 AS BIGINT) AS source_offset, 'ab' AS source_sha256)
                TO '{Path.Combine(tmp.Path, "events", "evidence_host=droplet1", "format=werkzeug", "part-0.parquet")}' (FORMAT parquet)
                """;
            cmd.ExecuteNonQuery();
        }
        foreach (var raw in new[] { false, true })
        {
            var path = await Export(tmp.Path, TimelineFormat.L2tCsv, new TimelineOptions { Raw = raw }, $"l2t-{raw}.csv");
            var lines = await File.ReadAllLinesAsync(path);
            Assert.Equal(2, lines.Length);
            Assert.Contains("Traceback (most recent call last):\\n  File \"\"app.py\"\", line 9\\r\\nKeyError: 'x'", lines[1], StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task Csv_shows_a_display_zone_named_in_its_header_and_machine_formats_stay_utc()
    {
        Skip.If(!File.Exists("/usr/share/zoneinfo/Europe/Berlin"), "tzdata is not installed");
        using var tmp = new TempDir();
        SyntheticCase.Create(tmp.Path);
        var options = new TimelineOptions { DisplayZone = "Europe/Berlin" };
        var csv = Csv(await Export(tmp.Path, TimelineFormat.Csv, options));
        Assert.Equal("datetime (Europe/Berlin)", csv.Columns[0]);
        // 2024-03-01 10:05:00 UTC is 11:05 in Berlin (CET, +01:00); the epoch column is the same instant.
        Assert.Contains(csv.Rows, r => (string?)r[0] == "2024-03-01T11:05:00.000000+01:00" && Cell(csv, r, "timestamp_us") == "1709287500000000");
        var sketch = Csv(await Export(tmp.Path, TimelineFormat.Timesketch, options));
        Assert.All(sketch.Rows, r => Assert.EndsWith("+00:00", Cell(sketch, r, "datetime"), StringComparison.Ordinal));
        var jsonl = await File.ReadAllTextAsync(await Export(tmp.Path, TimelineFormat.Jsonl, options));
        Assert.Contains("\"datetime\":\"2024-03-01T10:05:00.000000+00:00\"", jsonl, StringComparison.Ordinal);

        // query/sql tables and CSV too; their JSON stays UTC.
        const string sql = "SELECT min(ts) AS t, count(*) AS n FROM events WHERE format = 'journal'";
        var (code, stdout, stderr) = CaseSessionTests.RunCli(["sql", "--case", tmp.Path, "--format", "csv", "--tz", "Europe/Berlin", sql]);
        Assert.True(code == 0, stderr);
        Assert.Equal("t (Europe/Berlin),n\n2024-03-01 03:00:00+01:00,6\n", stdout);
        (code, stdout, stderr) = CaseSessionTests.RunCli(["sql", "--case", tmp.Path, "--format", "json", "--tz", "Europe/Berlin", sql]);
        Assert.True(code == 0, stderr);
        Assert.Contains("\"t\":\"2024-03-01T02:00:00.000000Z\"", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_existing_output_is_replaced_only_when_asked()
    {
        using var tmp = new TempDir();
        SyntheticCase.Create(tmp.Path);
        var path = tmp.Combine("existing.csv");
        await File.WriteAllTextAsync(path, "keep me");
        await Assert.ThrowsAsync<OutputExistsException>(() => Export(tmp.Path, TimelineFormat.Csv, new TimelineOptions { Overwrite = false }, "../existing.csv"));
        Assert.Equal("keep me", await File.ReadAllTextAsync(path));
        Assert.False(File.Exists(path + ".tmp"));

        var (code, _, stderr) = CaseSessionTests.RunCli(["timeline", "--case", tmp.Path, "--format", "csv", "-o", path]);
        Assert.Equal(2, code);
        Assert.Contains("exists; give --force", stderr, StringComparison.Ordinal);
        Assert.Equal("keep me", await File.ReadAllTextAsync(path));
        (code, _, stderr) = CaseSessionTests.RunCli(["timeline", "--case", tmp.Path, "--format", "csv", "-o", path, "--force", "--tz", "Europe/Berlin"]);
        Assert.True(code == 0, stderr);
        Assert.StartsWith("datetime (Europe/Berlin),", File.ReadLines(path).First(), StringComparison.Ordinal);
        (code, _, stderr) = CaseSessionTests.RunCli(["timeline", "--case", tmp.Path, "--format", "csv", "-o", path, "--force", "--tz", "Mars/Olympus"]);
        Assert.Equal(2, code);
        Assert.Contains("--tz Mars/Olympus", stderr, StringComparison.Ordinal);
    }
}
