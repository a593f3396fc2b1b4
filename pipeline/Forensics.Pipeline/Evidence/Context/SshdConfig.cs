using Forensics.Pipeline.Formats;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Evidence.Context;

/// <summary>
/// sshd_config(5) (OpenSSH 9.2p1, Debian 12): "keyword arguments" or "keyword=arguments", keywords
/// case-insensitive, '#' starts a comment line; a <c>Match</c> line opens a block that lasts until the next
/// <c>Match</c> or the end of the file; "for each keyword, the first obtained value will be used"; <c>Include</c>
/// is processed in place (so Debian's <c>Include /etc/ssh/sshd_config.d/*.conf</c> on line 12 lets those files
/// win over later lines). Included files are separate evidence files: each gives its own rows, with its path.
/// Effective settings are computed from this file alone, and flagged when an earlier Include may override them.
/// </summary>
internal static class SshdConfig
{
    /// <summary>OpenSSH defaults when a keyword is absent (sshd_config(5), OpenSSH 9.2).</summary>
    private static readonly (string Keyword, string Default)[] Watched =
    [
        ("PasswordAuthentication", "yes"),
        ("PermitRootLogin", "prohibit-password"),
        ("PubkeyAuthentication", "yes"),
        ("Port", "22"),
        ("KbdInteractiveAuthentication", "yes"),
        ("PermitEmptyPasswords", "no"),
        ("MaxAuthTries", "6"),
        ("UsePAM", "no"),
    ];

    public static IReadOnlyList<SideTable> Parse(string relativePath, ReadOnlySpan<byte> content)
    {
        var rows = new List<object?[]>();
        var effective = new Dictionary<string, (string Value, long Line, bool AfterInclude)>(StringComparer.OrdinalIgnoreCase);
        string? match = null;
        bool includeSeen = false;
        foreach (var (n, line) in ContextFiles.Lines(content))
        {
            var t = line.Trim();
            if (t.Length == 0 || t.StartsWith('#')) continue;
            int split = t.IndexOfAny([' ', '\t', '=']);
            string keyword = split < 0 ? t : t[..split];
            string value = split < 0 ? "" : t[split..].TrimStart(' ', '\t', '=').Trim();
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"') value = value[1..^1];
            if (keyword.Equals("Match", StringComparison.OrdinalIgnoreCase))
            {
                match = value.Length == 0 ? null : value;
                rows.Add(["Match", value.Length == 0 ? null : value, (long)n, null, null, relativePath]);
                // "Match all" ends a block for practical purposes: what follows applies to every connection.
                if (value.Equals("all", StringComparison.OrdinalIgnoreCase)) match = null;
                continue;
            }
            string? include = keyword.Equals("Include", StringComparison.OrdinalIgnoreCase) ? value : null;
            if (include is not null && match is null) includeSeen = true;
            rows.Add([keyword, value.Length == 0 ? null : value, (long)n, match, include, relativePath]);
            if (match is null && !effective.ContainsKey(keyword)) effective[keyword] = (value, n, includeSeen);
        }
        var settings = new List<object?[]>();
        foreach (var (keyword, def) in Watched)
        {
            if (effective.TryGetValue(keyword, out var v))
                settings.Add([keyword, v.Value, "file", v.Line, v.AfterInclude, relativePath]);
            else
                settings.Add([keyword, def, "default", null, includeSeen, relativePath]);
        }
        return
        [
            new SideTable("context/sshd_config",
                [("keyword", ColumnType.String), ("value", ColumnType.String), ("line", ColumnType.Int64), ("in_match_block", ColumnType.String), ("include_file", ColumnType.String), ("config_file", ColumnType.String)], rows),
            new SideTable("context/sshd_settings",
                [("setting", ColumnType.String), ("value", ColumnType.String), ("source", ColumnType.String), ("line", ColumnType.Int64), ("include_may_override", ColumnType.Bool), ("config_file", ColumnType.String)], settings),
        ];
    }
}
