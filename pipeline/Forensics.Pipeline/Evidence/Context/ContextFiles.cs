using System.Text;
using Forensics.Pipeline.Formats;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Evidence.Context;

/// <summary>
/// Configuration files of the examined machine that explain its logs (CONTEXT.md documents the tables).
/// They are recognised by path (…/etc/passwd), not content, and stored as case tables under CASE/context/.
/// Every line is kept: unparseable lines become rows with nulls and their raw text, never dropped.
/// </summary>
public static class ContextFiles
{
    /// <summary>The context kind of a relative path (e.g. "passwd" for droplet1/etc/passwd), or null.</summary>
    public static string? Match(string relativePath)
    {
        var p = "/" + relativePath;
        if (p.EndsWith("/etc/passwd", StringComparison.Ordinal)) return "passwd";
        if (p.EndsWith("/etc/group", StringComparison.Ordinal)) return "group";
        if (p.EndsWith("/etc/hostname", StringComparison.Ordinal)) return "hostname";
        if (p.EndsWith("/etc/os-release", StringComparison.Ordinal) || p.EndsWith("/usr/lib/os-release", StringComparison.Ordinal)) return "os_release";
        if (p.EndsWith("/etc/timezone", StringComparison.Ordinal)) return "timezone";
        if (p.EndsWith("/etc/localtime", StringComparison.Ordinal)) return "localtime";
        if (p.EndsWith("/etc/ssh/sshd_config", StringComparison.Ordinal)) return "sshd_config";
        if (p.Contains("/etc/ssh/sshd_config.d/", StringComparison.Ordinal) && p.EndsWith(".conf", StringComparison.Ordinal)) return "sshd_config";
        if (SystemdUnitFiles.IsUnitPath(p)) return "systemd_units";
        return null;
    }

    /// <summary>Files the zone/host pre-pass needs before any log is parsed.</summary>
    public static bool NeededBeforeParsing(string relativePath) => Match(relativePath) is "timezone" or "localtime" or "hostname" or "passwd";

    /// <summary>uid → user name from an etc/passwd (first entry wins for a duplicated uid), for formats that only record uids (lastlog).</summary>
    public static IReadOnlyDictionary<long, string> UserNames(ReadOnlySpan<byte> passwd)
    {
        var names = new Dictionary<long, string>();
        foreach (var row in Passwd(passwd).Rows)
            if (row[0] is string user && row[1] is long uid) names.TryAdd(uid, user);
        return names;
    }

    // passwd(5): shells that refuse interactive logins (util-linux nologin(8), coreutils false(1), and the
    // historical sync/halt/shutdown accounts whose "shell" runs one command).
    private static readonly HashSet<string> NoLoginShells = new(StringComparer.Ordinal) { "nologin", "false", "sync", "halt", "shutdown" };

    /// <summary>Parses a context file into its tables. <paramref name="relativePath"/> is stored with the rows.</summary>
    public static IReadOnlyList<SideTable> Parse(string kind, string relativePath, ReadOnlySpan<byte> content) => kind switch
    {
        "passwd" => [Passwd(content)],
        "group" => [Group(content)],
        "hostname" => [Hostname(content)],
        "os_release" => [OsRelease(content)],
        "timezone" => [TimeZoneTable(FirstLine(content), "etc/timezone")],
        "sshd_config" => SshdConfig.Parse(relativePath, content),
        "systemd_units" => [SystemdUnitFiles.Parse(relativePath, content)],
        _ => [],
    };

    internal static IEnumerable<(int Number, string Text)> Lines(ReadOnlySpan<byte> content)
    {
        var text = Encoding.UTF8.GetString(content);
        var list = new List<(int, string)>();
        int n = 0;
        foreach (var raw in text.Split('\n'))
        {
            n++;
            var line = raw.TrimEnd('\r');
            if (n > 1 || line.Length > 0) list.Add((n, line));
        }
        if (list.Count > 0 && list[^1].Item2.Length == 0) list.RemoveAt(list.Count - 1);
        return list;
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
    private static long? Number(string s) => long.TryParse(s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : null;

    private static SideTable Passwd(ReadOnlySpan<byte> content)
    {
        var rows = new List<object?[]>();
        foreach (var (n, line) in Lines(content))
        {
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var f = line.Split(':');
            if (f.Length != 7) { rows.Add([null, null, null, null, null, null, null, (long)n, line]); continue; }
            // An empty shell means /bin/sh (passwd(5)), which can log in.
            var shell = NullIfEmpty(f[6]);
            bool canLogin = !NoLoginShells.Contains(Path.GetFileName(shell ?? "/bin/sh"));
            rows.Add([NullIfEmpty(f[0]), Number(f[2]), Number(f[3]), NullIfEmpty(f[4]), NullIfEmpty(f[5]), shell, canLogin, (long)n, null]);
        }
        return new SideTable("context/passwd",
            [("user", ColumnType.String), ("uid", ColumnType.Int64), ("gid", ColumnType.Int64), ("gecos", ColumnType.String), ("home", ColumnType.String),
             ("shell", ColumnType.String), ("can_login", ColumnType.Bool), ("line", ColumnType.Int64), ("unparsed", ColumnType.String)], rows);
    }

    private static SideTable Group(ReadOnlySpan<byte> content)
    {
        var rows = new List<object?[]>();
        foreach (var (n, line) in Lines(content))
        {
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var f = line.Split(':');
            if (f.Length != 4) { rows.Add([null, null, null, (long)n, line]); continue; }
            rows.Add([NullIfEmpty(f[0]), Number(f[2]), NullIfEmpty(f[3]), (long)n, null]);
        }
        return new SideTable("context/group",
            [("group", ColumnType.String), ("gid", ColumnType.Int64), ("members", ColumnType.String), ("line", ColumnType.Int64), ("unparsed", ColumnType.String)], rows);
    }

    /// <summary>hostname(5): the first line that is not a comment; whitespace trimmed.</summary>
    internal static string? FirstLine(ReadOnlySpan<byte> content)
    {
        foreach (var (_, line) in Lines(content))
        {
            var t = line.Trim();
            if (t.Length > 0 && !t.StartsWith('#')) return t;
        }
        return null;
    }

    private static SideTable Hostname(ReadOnlySpan<byte> content) =>
        new("context/hostname", [("hostname", ColumnType.String)], [[FirstLine(content)]]);

    internal static SideTable TimeZoneTable(string? zone, string source) =>
        new("context/timezone", [("zone", ColumnType.String), ("source", ColumnType.String)], [[zone, source]]);

    /// <summary>os-release(5): KEY=VALUE, values optionally in shell quotes with backslash escapes.</summary>
    private static SideTable OsRelease(ReadOnlySpan<byte> content)
    {
        var rows = new List<object?[]>();
        foreach (var (n, line) in Lines(content))
        {
            var t = line.Trim();
            if (t.Length == 0 || t.StartsWith('#')) continue;
            int eq = t.IndexOf('=');
            if (eq <= 0) { rows.Add([null, null, (long)n, line]); continue; }
            var value = t[(eq + 1)..];
            if (value.Length >= 2 && (value[0] is '"' or '\'') && value[^1] == value[0])
            {
                value = value[1..^1];
                if (t[eq + 1] == '"') value = value.Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\$", "$", StringComparison.Ordinal).Replace("\\`", "`", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
            }
            rows.Add([t[..eq], value, (long)n, null]);
        }
        return new SideTable("context/os_release", [("key", ColumnType.String), ("value", ColumnType.String), ("line", ColumnType.Int64), ("unparsed", ColumnType.String)], rows);
    }
}
