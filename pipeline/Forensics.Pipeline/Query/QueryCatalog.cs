using System.Globalization;
using System.Text.RegularExpressions;

namespace Forensics.Pipeline.Query;

/// <summary>A parameter a canned query declares: <c>-- param: name type default description</c>.</summary>
public sealed record QueryParameter(string Name, string Type, string? Default, string Description)
{
    public static readonly string[] Types = ["VARCHAR", "BIGINT", "INTEGER", "DOUBLE", "BOOLEAN", "TIMESTAMP", "INTERVAL"];

    /// <summary>
    /// Converts text (a default or a --param value) to the value bound for <c>$name</c>. INTERVAL is bound as
    /// DuckDB interval text ("600 seconds") that the query casts, because the .NET binding has no interval type
    /// that round-trips months and micros; "10m", "2h", "1d", "30s" and DuckDB's own forms are accepted.
    /// </summary>
    public object? Convert(string? text)
    {
        if (text is null || text.Equals("null", StringComparison.OrdinalIgnoreCase)) return null;
        return Type switch
        {
            "VARCHAR" => text,
            "BIGINT" => long.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture),
            "INTEGER" => int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture),
            "DOUBLE" => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
            "BOOLEAN" => bool.Parse(text),
            "TIMESTAMP" => TimeText.ParseUtc(text),
            "INTERVAL" => TimeText.ParseDuration(text).TotalSeconds.ToString("0.######", CultureInfo.InvariantCulture) + " seconds",
            _ => throw new FormatException($"parameter {Name}: unknown type {Type}"),
        };
    }
}

/// <summary>One canned question: a <c>queries/NAME.sql</c> file and its header.</summary>
public sealed record CannedQuery(string Name, string Description, IReadOnlyList<string> Tables, IReadOnlyList<QueryParameter> Parameters,
    IReadOnlyList<string> Output, string Sql, string Path)
{
    /// <summary>Names used as <c>$name</c> in the SQL, outside comments and string literals.</summary>
    public IReadOnlySet<string> UsedParameters { get; } = QueryCatalog.ParametersIn(Sql);

    /// <summary>Defaults overlaid with the given values; unknown names are an error (a typo must not run silently).</summary>
    public Dictionary<string, object?> Bind(IReadOnlyDictionary<string, string>? values = null)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var p in Parameters) result[p.Name] = p.Convert(p.Default);
        if (values is null) return result;
        foreach (var (k, v) in values)
        {
            var p = Parameters.FirstOrDefault(x => x.Name == k)
                ?? throw new ArgumentException($"query {Name} has no parameter {k} (it has: {string.Join(", ", Parameters.Select(x => x.Name))})");
            try { result[k] = p.Convert(v); }
            catch (FormatException ex) { throw new ArgumentException($"parameter {k} ({p.Type}): {ex.Message}", ex); }
            catch (OverflowException ex) { throw new ArgumentException($"parameter {k} ({p.Type}): {ex.Message}", ex); }
        }
        return result;
    }
}

/// <summary>
/// Loads <c>queries/*.sql</c> at run time. The header is line comments before the first SQL line:
/// <c>-- name:</c> (= file name), <c>-- description:</c>, <c>-- tables:</c> (comma separated),
/// <c>-- param: name TYPE default description</c> (repeatable; default <c>null</c> for none), <c>-- output:</c>.
/// </summary>
public static partial class QueryCatalog
{
    public const string FolderName = "queries";

    public static IReadOnlyList<CannedQuery> Load(string folder) =>
        Directory.EnumerateFiles(folder, "*.sql").Order(StringComparer.Ordinal).Select(Parse).ToList();

    /// <summary>
    /// The queries an assembly carries as resources named <c>PREFIX&lt;name&gt;.sql</c>: a single-file binary has
    /// no folder beside it.
    /// </summary>
    public static IReadOnlyList<CannedQuery> LoadEmbedded(System.Reflection.Assembly assembly, string prefix) =>
        assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                return Parse(reader.ReadToEnd(), n);
            })
            .ToList();

    /// <summary>
    /// The queries folder: an explicit one, else <c>queries/</c> beside the executable (copied at build), else the
    /// repository's <c>queries/</c> found above the executable or the current folder (<c>dotnet run</c>).
    /// </summary>
    public static string? Locate(string? explicitFolder = null)
    {
        if (!string.IsNullOrEmpty(explicitFolder)) return Directory.Exists(explicitFolder) ? Path.GetFullPath(explicitFolder) : null;
        var beside = Path.Combine(AppContext.BaseDirectory, FolderName);
        if (Directory.Exists(beside)) return beside;
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            var root = RepoRoot(start);
            if (root is not null && Directory.Exists(Path.Combine(root, FolderName))) return Path.Combine(root, FolderName);
        }
        return null;
    }

    /// <summary>The nearest folder at or above <paramref name="start"/> holding Forensics.sln.</summary>
    public static string? RepoRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Forensics.sln"))) return dir.FullName;
        return null;
    }

    public static CannedQuery Parse(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>A query from its text; <paramref name="path"/> names where it came from (a file, an embedded resource).</summary>
    public static CannedQuery Parse(string text, string path)
    {
        string? name = null, description = null, output = null, tables = null;
        var parameters = new List<QueryParameter>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (!line.StartsWith("--", StringComparison.Ordinal)) { if (line.Trim().Length == 0) continue; break; }
            var m = HeaderLine().Match(line);
            if (!m.Success) continue;
            var key = m.Groups[1].Value;
            var value = m.Groups[2].Value.Trim();
            switch (key)
            {
                case "name": name = value; break;
                case "description": description = description is null ? value : description + " " + value; break;
                case "tables": tables = value; break;
                case "output": output = value; break;
                case "param":
                    var parts = value.Split(' ', 4, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (parts.Length < 4) throw new FormatException($"{path}: '-- param:' needs name, type, default and description: {value}");
                    var type = parts[1].ToUpperInvariant();
                    if (!QueryParameter.Types.Contains(type)) throw new FormatException($"{path}: parameter {parts[0]} has unknown type {parts[1]}");
                    parameters.Add(new QueryParameter(parts[0], type, parts[2].Equals("null", StringComparison.OrdinalIgnoreCase) ? null : parts[2], parts[3]));
                    break;
            }
        }
        if (name is null || description is null || tables is null || output is null)
            throw new FormatException($"{path}: the header needs -- name:, -- description:, -- tables: and -- output:");
        return new CannedQuery(name, description, Split(tables), parameters, Split(output), text, path);

        static List<string> Split(string s) => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
    }

    public static IReadOnlySet<string> ParametersIn(string sql)
    {
        var stripped = CommentsAndLiterals().Replace(sql, " ");
        return ParameterRef().Matches(stripped).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
    }

    [GeneratedRegex(@"^--\s*(name|description|tables|param|output):(.*)$")]
    private static partial Regex HeaderLine();

    [GeneratedRegex(@"--[^\n]*|'(?:[^']|'')*'")]
    private static partial Regex CommentsAndLiterals();

    [GeneratedRegex(@"\$([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex ParameterRef();
}

/// <summary>Parsing of the times and durations users type on the command line.</summary>
public static class TimeText
{
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm", "yyyy-MM-dd",
    ];

    /// <summary>ISO 8601 text; without an offset it is UTC (the case's zone), never the machine's zone.</summary>
    public static DateTime ParseUtc(string text)
    {
        if (DateTimeOffset.TryParseExact(text.Trim(), Formats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var dto))
            return DateTime.SpecifyKind(dto.UtcDateTime, DateTimeKind.Utc);
        throw new FormatException($"'{text}' is not an ISO 8601 time (e.g. 2024-03-01T12:00:00Z)");
    }

    /// <summary>"90s", "10m", "2h", "1d", "1h30m", "500ms", or a TimeSpan ("00:10:00").</summary>
    public static TimeSpan ParseDuration(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        if (TimeSpan.TryParseExact(t, "c", CultureInfo.InvariantCulture, out var span) && t.Contains(':', StringComparison.Ordinal)) return span;
        var total = TimeSpan.Zero;
        int i = 0;
        bool any = false;
        while (i < t.Length)
        {
            int start = i;
            while (i < t.Length && (char.IsAsciiDigit(t[i]) || t[i] == '.')) i++;
            if (start == i) throw new FormatException($"'{text}' is not a duration (e.g. 10m, 2h, 30s, 1d)");
            double n = double.Parse(t.AsSpan(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture);
            int u = i;
            while (i < t.Length && char.IsAsciiLetter(t[i])) i++;
            total += t[u..i] switch
            {
                "ms" => TimeSpan.FromMilliseconds(n),
                "s" or "sec" or "second" or "seconds" or "" => TimeSpan.FromSeconds(n),
                "m" or "min" or "minute" or "minutes" => TimeSpan.FromMinutes(n),
                "h" or "hour" or "hours" => TimeSpan.FromHours(n),
                "d" or "day" or "days" => TimeSpan.FromDays(n),
                _ => throw new FormatException($"'{text}': unknown unit '{t[u..i]}' (use ms, s, m, h, d)"),
            };
            any = true;
            while (i < t.Length && t[i] == ' ') i++;
        }
        if (!any) throw new FormatException($"'{text}' is not a duration");
        return total;
    }
}
