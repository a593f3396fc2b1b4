using System.Data.Common;
using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Forensics.Pipeline.Case;

namespace Forensics.Pipeline.Query;

/// <summary>
/// An in-memory DuckDB over a case folder's Parquet (views, no copy of the data): <c>events</c>, <c>sessions</c>,
/// <c>rejects</c>, <c>files</c> (the manifest's inputs) and one <c>context_&lt;name&gt;</c> view per context table.
/// Formats and side tables land in parallel, so every view exists even when its folder does not (empty, typed),
/// and every column a query may name exists even when no format writes it yet (a NULL of the expected type).
/// </summary>
public sealed class CaseSession : IDisposable
{
    /// <summary>Columns of <c>events</c>: the spine, then every format's typed columns (<see cref="EventSchema"/>), NULL where a case has none.</summary>
    public static IReadOnlyList<(string Name, string Type)> EventColumns { get; } =
        EventSchema.AllEventColumns.Select(c => (c.Name, EventSchema.DuckDbType(c.Type))).ToList();

    public static IReadOnlyList<(string Name, string Type)> SessionColumns { get; } =
    [
        // Formats/Utmp/UtmpSessionBuilder.cs (last-style pairing); host is ut_host, the remote peer text.
        ("session_start", "TIMESTAMP WITH TIME ZONE"), ("session_end", "TIMESTAMP WITH TIME ZONE"), ("duration_s", "DOUBLE"), ("kind", "VARCHAR"), ("user", "VARCHAR"),
        ("line", "VARCHAR"), ("host", "VARCHAR"), ("src_ip", "VARCHAR"), ("end_reason", "VARCHAR"), ("start_offset", "BIGINT"),
        ("end_offset", "BIGINT"), ("source_file", "VARCHAR"), ("source_sha256", "VARCHAR"),
    ];

    public static IReadOnlyList<(string Name, string Type)> RejectColumns { get; } =
        CaseLayout.RejectColumns.Select(c => (c.Name, EventSchema.DuckDbType(c.Type))).ToList();

    public static IReadOnlyList<(string Name, string Type)> DetectionColumns { get; } =
        CaseLayout.DetectionColumns.Select(c => (c.Name, EventSchema.DuckDbType(c.Type))).ToList();

    /// <summary>Context tables the canned queries read; others found in the case get a view too.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<(string Name, string Type)>> ContextColumns { get; } =
        new Dictionary<string, IReadOnlyList<(string Name, string Type)>>(StringComparer.Ordinal)
        {
            ["passwd"] = [("user", "VARCHAR"), ("uid", "BIGINT"), ("gid", "BIGINT"), ("gecos", "VARCHAR"), ("home", "VARCHAR"), ("shell", "VARCHAR"), ("can_login", "BOOLEAN"), ("source_file", "VARCHAR")],
            ["systemd_units"] = [("unit", "VARCHAR"), ("section", "VARCHAR"), ("key", "VARCHAR"), ("value", "VARCHAR"), ("line", "BIGINT"), ("drop_in", "VARCHAR"), ("config_file", "VARCHAR"), ("source_file", "VARCHAR")],
            ["sshd_settings"] = [("setting", "VARCHAR"), ("value", "VARCHAR"), ("source", "VARCHAR"), ("line", "BIGINT"), ("include_may_override", "BOOLEAN"), ("config_file", "VARCHAR"), ("source_file", "VARCHAR")],
        };

    public DuckDBConnection Connection { get; }
    public string CaseDirectory { get; }
    public Manifest? Manifest { get; }
    /// <summary>The views this session created, in creation order.</summary>
    public IReadOnlyList<string> Views => _views;
    private readonly List<string> _views = [];
    /// <summary>The Parquet files the views read: the only files a sandboxed session may open.</summary>
    private readonly List<string> _viewFiles = [];
    /// <summary>Set when an incomplete case was opened anyway (--allow-incomplete): every output repeats it.</summary>
    public string? Warning { get; private set; }
    /// <summary>Null for trusted callers; otherwise whether SQL may write (an output folder was given).</summary>
    private bool? _writingAllowed;

    private CaseSession(string caseDirectory)
    {
        CaseDirectory = Path.GetFullPath(caseDirectory);
        var manifestPath = Path.Combine(CaseDirectory, CaseLayout.ManifestFile);
        // An unreadable manifest is reported by CaseIntegrity; a session opened anyway has no files table rows.
        try { if (File.Exists(manifestPath)) Manifest = Manifest.Load(manifestPath); }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidDataException) { }
        Connection = new DuckDBConnection("DataSource=:memory:");
    }

    /// <summary>
    /// Opens a case folder for trusted code (tests, benchmarks): no integrity check, no sandbox. An empty folder
    /// gives empty views. Commands open cases with <see cref="Open(string, CaseAccess)"/>.
    /// </summary>
    public static CaseSession Open(string caseDirectory) => Open(caseDirectory, null);

    /// <summary>
    /// Opens a case for a reading command: refuses it (<see cref="IncompleteCaseException"/>) unless it is complete and
    /// its parts match the manifest, or <see cref="CaseAccess.AllowIncomplete"/> says to read it under a
    /// <see cref="Warning"/>; then locks DuckDB down to reading the case (<see cref="SqlSandbox"/>).
    /// </summary>
    public static CaseSession Open(string caseDirectory, CaseAccess? access)
    {
        if (!Directory.Exists(caseDirectory)) throw new DirectoryNotFoundException($"case folder {caseDirectory} does not exist");
        string? warning = null;
        if (access is not null)
        {
            var problems = CaseIntegrity.Check(Path.GetFullPath(caseDirectory));
            if (problems.Count > 0 && !access.AllowIncomplete) throw new IncompleteCaseException(caseDirectory, problems);
            if (problems.Count > 0) warning = $"WARNING: the case {caseDirectory} is incomplete or altered, answers may be missing events: {CaseIntegrity.Summary(problems)}";
        }
        var s = new CaseSession(caseDirectory) { Warning = warning };
        try
        {
            s.Connection.Open();
            // DuckDB's session zone defaults to the process TZ, which turns UTC instants into local wall-clock
            // text in every export (../shared/design/DEPENDENCIES.md). The case is UTC by contract.
            s.Execute("SET TimeZone='UTC'");
            // An in-memory database spills large sorts (a full timeline) to ".tmp" in the current folder by default,
            // which would litter wherever the analyst stands (or the evidence folder); the system temp folder is ours.
            var spill = Path.Combine(Path.GetTempPath(), "forensics-duckdb-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            s.Execute($"SET temp_directory = {Literal(spill)}");
            if (access?.MemoryLimit is { } limit) s.Execute($"SET memory_limit = {Literal(limit)}");
            s.CreateViews();
            var eventsOnce = s.RelayedFormatsPresent() > 1 ? EventsOnceMacro : EventsOnceSingleSourceMacro;
            s.Execute(eventsOnce);
            s.Execute(EventsOnceBetween(eventsOnce));
            s.Execute(UnitKillsMacro.Sql);
            if (access is not null)
            {
                SqlSandbox.Apply(s, s._viewFiles, access.WriteFolder);
                s._writingAllowed = access.WriteFolder is not null;
            }
            return s;
        }
        catch
        {
            s.Dispose();
            throw;
        }
    }

    /// <summary>
    /// <c>events_once(kinds[, t0 := …, t1 := …])</c>: the events whose <c>event</c> is LIKE <c>kinds</c> (and whose
    /// <c>ts</c> lies in [t0, t1] when given: a window is cheaper than the whole case), each record once,
    /// with <c>seen_by</c> naming the formats that logged it. On a normal machine a daemon's line reaches both the
    /// journal and, forwarded by rsyslog, auth.log/secure; both rows stay in <c>events</c> for provenance, and the
    /// canned counts read this macro. Two rows are one record when they come from different formats among
    /// journal / journal_export / journal_json / journal_text / syslog and have the same host, process, pid and
    /// message, are the n-th such row of their format (so three identical "Failed password" lines of one sshd
    /// connection stay three), and lie less than 2 s apart: RFC 3164 stamps are cut to the second, and rsyslog
    /// stamps its copy when it receives it, a little after journald. The row kept is the most precise
    /// source's (binary journal first, syslog last); rows of a group spread over 2 s or more all stay.
    /// </summary>
    public const string EventsOnceMacro = """
        CREATE OR REPLACE MACRO events_once(kinds, t0 := NULL, t1 := NULL) AS TABLE
        WITH relayed AS (
            -- The windows partition on a 64-bit hash of the record's identity, not on its text. Rows up to 2 s
            -- beyond the window take part, so a copy just outside it still pairs with its original inside.
            -- (Each branch reads events itself: a CTE read twice is materialised, all columns, at great cost.)
            SELECT *,
                   CASE format WHEN 'journal' THEN 1 WHEN 'journal_export' THEN 2 WHEN 'journal_json' THEN 3
                               WHEN 'journal_text' THEN 4 ELSE 5 END AS _precedence,
                   hash(host, process, pid, message) AS _key
            FROM events
            WHERE event LIKE kinds AND format IN ('journal', 'journal_export', 'journal_json', 'journal_text', 'syslog')
              AND (t0 IS NULL OR ts >= CAST(t0 AS TIMESTAMP) - INTERVAL 2 SECOND) AND (t1 IS NULL OR ts <= CAST(t1 AS TIMESTAMP) + INTERVAL 2 SECOND)
        ), numbered AS (
            SELECT *, row_number() OVER (PARTITION BY format, _key ORDER BY ts, source_file, source_offset) AS _nth
            FROM relayed
        ), grouped AS (
            -- one group: the n-th row of each format with that identity; one record when they lie within 2 s.
            -- Aggregates over the whole partition, no ORDER BY: an ordered frame costs ten times as much.
            SELECT *,
                   min(_precedence) OVER same AS _anchor,
                   coalesce(epoch_us(max(ts) OVER same) - epoch_us(min(ts) OVER same) < 2000000, false) AS _tight,
                   bit_or(1 << (_precedence - 1)) OVER same AS _formats
            FROM numbered
            WINDOW same AS (PARTITION BY _key, _nth)
        )
        SELECT * EXCLUDE (_precedence, _key, _nth, _anchor, _tight, _formats),
               CASE WHEN _tight
                    THEN array_to_string(list_filter(['journal', 'journal_export', 'journal_json', 'journal_text', 'syslog'], (f, i) -> (_formats >> (i - 1)) & 1 = 1), ',')
                    ELSE format END AS seen_by
        FROM grouped
        WHERE (_precedence = _anchor OR NOT _tight) AND (t0 IS NULL OR ts >= t0) AND (t1 IS NULL OR ts <= t1)
        UNION ALL BY NAME
        SELECT *, format AS seen_by FROM events
        WHERE event LIKE kinds AND format NOT IN ('journal', 'journal_export', 'journal_json', 'journal_text', 'syslog')
          AND (t0 IS NULL OR ts >= t0) AND (t1 IS NULL OR ts <= t1)
        """;

    /// <summary>
    /// <c>events_once_between(kinds, t0, t1)</c>: <c>events_once</c> over [t0, t1] only, for bounds computed by the
    /// query (timeline_around's centre). It reads <c>events</c> through a semi join on the window's timestamps: DuckDB
    /// pushes the join's ts range into the Parquet scan and skips the row groups outside it, which a filter on a
    /// computed bound (<c>ts &gt;= (SELECT …)</c>) never does (bench/e2e-queries.sh, 56 M events: 6.5 s → 2.1 s).
    /// </summary>
    private static string EventsOnceBetween(string eventsOnce) => eventsOnce
        .Replace("MACRO events_once(kinds, t0 := NULL, t1 := NULL)", "MACRO events_once_between(kinds, t0, t1)", StringComparison.Ordinal)
        .Replace("FROM events\n", "FROM events SEMI JOIN (SELECT DISTINCT ts FROM events WHERE ts BETWEEN CAST(t0 AS TIMESTAMP) - INTERVAL 2 SECOND AND CAST(t1 AS TIMESTAMP) + INTERVAL 2 SECOND) AS _window USING (ts)\n", StringComparison.Ordinal);

    /// <summary>When at most one of the formats that relay each other holds events, no record can be seen twice: no windows.</summary>
    public const string EventsOnceSingleSourceMacro = """
        CREATE OR REPLACE MACRO events_once(kinds, t0 := NULL, t1 := NULL) AS TABLE
        SELECT *, format AS seen_by FROM events
        WHERE event LIKE kinds AND (t0 IS NULL OR ts >= t0) AND (t1 IS NULL OR ts <= t1)
        """;

    private int RelayedFormatsPresent()
    {
        var root = Path.Combine(CaseDirectory, CaseLayout.EventsFolder);
        return new[] { "journal", "journal_export", "journal_json", "journal_text", "syslog" }
            .Count(f => Directory.Exists(Path.Combine(root, f)) && Directory.EnumerateFiles(Path.Combine(root, f), "*.parquet", SearchOption.AllDirectories).Any());
    }

    private void CreateViews()
    {
        CreateTolerantView("events", Parquet(CaseLayout.EventsFolder), EventColumns);
        CreateTolerantView("sessions", Parquet("sessions"), SessionColumns);
        CreateTolerantView("rejects", Parquet(CaseLayout.RejectsFolder), RejectColumns);
        CreateTolerantView("detections", Parquet(CaseLayout.DetectionsFolder), DetectionColumns);
        CreateFilesTable();
        var contextRoot = Path.Combine(CaseDirectory, "context");
        var names = new SortedSet<string>(ContextColumns.Keys, StringComparer.Ordinal);
        if (Directory.Exists(contextRoot))
            foreach (var d in Directory.EnumerateDirectories(contextRoot)) names.Add(Path.GetFileName(d));
        foreach (var name in names)
        {
            if (!IsIdentifier(name)) continue; // a folder name is not trusted as SQL text
            CreateTolerantView("context_" + name, Parquet(Path.Combine("context", name)),
                ContextColumns.TryGetValue(name, out var cols) ? cols : []);
        }
    }

    private List<string> Parquet(string relativeFolder)
    {
        var dir = Path.Combine(CaseDirectory, relativeFolder);
        if (!Directory.Exists(dir)) return [];
        return Directory.EnumerateFiles(dir, "*.parquet", SearchOption.AllDirectories)
            .Where(CaseIntegrity.IsPartFile)
            .Order(StringComparer.Ordinal).ToList();
    }

    private void CreateTolerantView(string name, List<string> files, IReadOnlyList<(string Name, string Type)> expected)
    {
        string sql;
        if (files.Count == 0)
        {
            if (expected.Count == 0) return;
            sql = $"CREATE VIEW {name} AS SELECT {string.Join(", ", expected.Select(c => $"CAST(NULL AS {c.Type}) AS {Quote(c.Name)}"))} WHERE false";
        }
        else
        {
            _viewFiles.AddRange(files);
            var list = "[" + string.Join(", ", files.Select(Literal)) + "]";
            var source = $"read_parquet({list}, union_by_name=true)";
            var present = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            using (var cmd = Connection.CreateCommand())
            {
                cmd.CommandText = $"DESCRIBE SELECT * FROM {source}";
                using var r = cmd.ExecuteReader();
                while (r.Read()) present.Add(r.GetString(0));
            }
            var missing = expected.Where(c => !present.Contains(c.Name)).Select(c => $", CAST(NULL AS {c.Type}) AS {Quote(c.Name)}");
            sql = $"CREATE VIEW {name} AS SELECT *{string.Concat(missing)} FROM {source}";
        }
        Execute(sql);
        _views.Add(name);
    }

    private void CreateFilesTable()
    {
        // The manifest is small JSON; a table built from it keeps the view independent of DuckDB's json extension.
        Execute("""
            CREATE TABLE files (source_file VARCHAR, relative_path VARCHAR, size BIGINT, sha256 VARCHAR, compression VARCHAR,
              modified_utc TIMESTAMP, status VARCHAR, reason VARCHAR, format VARCHAR, records BIGINT, events BIGINT, rejects BIGINT,
              first_ts TIMESTAMP, last_ts TIMESTAMP)
            """);
        _views.Add("files");
        if (Manifest is null || Manifest.Inputs.Count == 0) return;
        using var appender = Connection.CreateAppender("files");
        foreach (var i in Manifest.Inputs)
        {
            var row = appender.CreateRow();
            row.AppendValue(i.SourceFile).AppendValue(i.RelativePath).AppendValue((long?)i.Size).AppendValue(i.Sha256).AppendValue(i.Compression)
               .AppendValue(Utc(i.ModifiedUtc)).AppendValue(i.Status).AppendValue(i.Reason).AppendValue(i.Format)
               .AppendValue((long?)i.Records).AppendValue((long?)i.Events).AppendValue((long?)i.Rejects)
               .AppendValue(Utc(i.FirstTsUtc)).AppendValue(Utc(i.LastTsUtc)).EndRow();
        }
    }

    private static DateTime? Utc(DateTime? t) => t is { } v ? DateTime.SpecifyKind(v.ToUniversalTime(), DateTimeKind.Unspecified) : null;

    public void Execute(string sql)
    {
        using var cmd = Command(sql); // through the statement guard, like every query of a sandboxed session
        cmd.ExecuteNonQuery();
    }

    /// <summary>A command with <c>$name</c> parameters bound (values are never spliced into SQL text).</summary>
    public DuckDBCommand Command(string sql, IReadOnlyDictionary<string, object?>? parameters = null)
    {
        if (_writingAllowed is { } writing) SqlStatementGuard.Check(Connection, sql, writing);
        var cmd = Connection.CreateCommand();
        cmd.CommandText = sql;
        if (parameters is not null)
            foreach (var (k, v) in parameters) cmd.Parameters.Add(new DuckDBParameter(k, v ?? DBNull.Value));
        return cmd;
    }

    /// <summary>Runs a query and materialises the result (for small results: reports, tests, tables).</summary>
    public QueryResult Run(string sql, IReadOnlyDictionary<string, object?>? parameters = null)
    {
        using var cmd = Command(sql, parameters);
        using var r = cmd.ExecuteReader();
        return QueryResult.Read(r);
    }

    public static bool IsIdentifier(string s) => s.Length > 0 && s.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_') && !char.IsDigit(s[0]);
    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    internal static string Literal(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";

    public void Dispose() => Connection.Dispose();
}

/// <summary>A materialised query result: column names and types, rows of CLR values (DBNull → null).</summary>
public sealed class QueryResult
{
    public required IReadOnlyList<string> Columns { get; init; }
    public required IReadOnlyList<string> Types { get; init; }
    public required IReadOnlyList<object?[]> Rows { get; init; }

    public static QueryResult Read(DbDataReader r)
    {
        var cols = Enumerable.Range(0, r.FieldCount).Select(r.GetName).ToList();
        var types = Enumerable.Range(0, r.FieldCount).Select(r.GetDataTypeName).ToList();
        var rows = new List<object?[]>();
        while (r.Read())
        {
            var row = new object?[r.FieldCount];
            for (int i = 0; i < row.Length; i++) row[i] = r.IsDBNull(i) ? null : r.GetValue(i);
            rows.Add(row);
        }
        return new QueryResult { Columns = cols, Types = types, Rows = rows };
    }

    /// <summary>Invariant, UTC, stable text of a value: what tables, CSV and golden files show.</summary>
    public static string? Format(object? v) => v switch
    {
        null => null,
        DateTime t => t.ToString(t.TimeOfDay.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        double d => d.ToString("0.###", CultureInfo.InvariantCulture),
        float f => f.ToString("0.###", CultureInfo.InvariantCulture),
        decimal m => m.ToString("0.###", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        byte[] bytes => Convert.ToHexString(bytes),
        TimeSpan s => s.ToString("c", CultureInfo.InvariantCulture),
        System.Collections.IEnumerable e and not string => "[" + string.Join(", ", e.Cast<object?>().Select(Format)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString(),
    };

    /// <summary>Tab-separated text with a header: the golden-file form (stable across runs and platforms).</summary>
    public string ToTsv()
    {
        var sb = new StringBuilder();
        sb.Append(string.Join('\t', Columns)).Append('\n');
        foreach (var row in Rows)
            sb.Append(string.Join('\t', row.Select(v => Escape(Format(v) ?? "NULL")))).Append('\n');
        return sb.ToString();

        // Backslash first, so an escape in the file is never ambiguous with evidence text; control characters
        // (tab, newline, ESC ...) become \xHH, so golden files are plain visible text.
        static string Escape(string s) => Text.TerminalText.Escape(s.Replace("\\", "\\\\", StringComparison.Ordinal));
    }
}
