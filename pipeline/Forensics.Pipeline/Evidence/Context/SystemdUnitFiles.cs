using Forensics.Pipeline.Formats;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Evidence.Context;

/// <summary>
/// systemd unit files and their drop-ins (systemd.unit(5), systemd.syntax(7), systemd 253 as in Fedora 38):
/// <c>[Section]</c> headers, <c>Key=Value</c> lines, <c>#</c> and <c>;</c> comment lines, a trailing backslash
/// joins the next line (with a space). Unit files live directly in a unit directory (<c>/usr/lib/systemd/system/</c>,
/// <c>/etc/systemd/system/</c>, <c>/run/systemd/system/</c>, <c>/lib/systemd/system/</c>, the <c>user</c> ones);
/// drop-ins are <c>NAME.d/*.conf</c> beside them, where NAME is a unit (<c>dnf-makecache.service.d/</c>) or a
/// unit type, which applies to every unit of that type (<c>service.d/10-timeout-abort.conf</c>, systemd ≥ 246).
/// Every line that is not blank or a comment gives a row; a line that is neither a section nor Key=Value is kept
/// with its text in <c>unparsed</c>.
/// </summary>
internal static class SystemdUnitFiles
{
    private static readonly string[] UnitDirectories =
        ["/etc/systemd/system/", "/run/systemd/system/", "/usr/lib/systemd/system/", "/lib/systemd/system/", "/usr/local/lib/systemd/system/",
         "/etc/systemd/user/", "/usr/lib/systemd/user/", "/lib/systemd/user/"];

    private static readonly string[] UnitTypes =
        ["service", "socket", "timer", "target", "mount", "automount", "swap", "path", "slice", "scope", "device"];

    /// <summary>True for a unit file or a drop-in under a unit directory.</summary>
    public static bool IsUnitPath(string slashedPath) => Split(slashedPath) is not null;

    /// <summary>(the unit the file applies to — "*.service" for a type-wide drop-in —, the drop-in file name or null).</summary>
    private static (string AppliesTo, string? DropIn)? Split(string slashedPath)
    {
        foreach (var dir in UnitDirectories)
        {
            int at = slashedPath.LastIndexOf(dir, StringComparison.Ordinal);
            if (at < 0) continue;
            var rest = slashedPath[(at + dir.Length)..];
            int slash = rest.IndexOf('/');
            if (slash < 0) return HasUnitSuffix(rest) ? (rest, null) : null;
            var folder = rest[..slash];
            var file = rest[(slash + 1)..];
            if (!folder.EndsWith(".d", StringComparison.Ordinal) || file.Contains('/') || !file.EndsWith(".conf", StringComparison.Ordinal)) return null;
            var name = folder[..^2];
            if (UnitTypes.Contains(name)) return ("*." + name, file);
            return HasUnitSuffix(name) ? (name, file) : null;
        }
        return null;
    }

    private static bool HasUnitSuffix(string name)
    {
        int dot = name.LastIndexOf('.');
        return dot > 0 && UnitTypes.Contains(name[(dot + 1)..]);
    }

    public static SideTable Parse(string relativePath, ReadOnlySpan<byte> content)
    {
        var (appliesTo, dropIn) = Split("/" + relativePath) ?? (Path.GetFileName(relativePath), null);
        var rows = new List<object?[]>();
        string? section = null;
        string? pending = null;
        int pendingLine = 0;
        foreach (var (n, raw) in ContextFiles.Lines(content))
        {
            var line = raw.Trim();
            if (pending is null && (line.Length == 0 || line[0] is '#' or ';')) continue;
            if (pending is not null)
            {
                // A comment line inside a continuation is skipped (systemd.syntax(7)).
                if (line.Length > 0 && line[0] is '#' or ';') continue;
                line = pending + " " + line;
            }
            else pendingLine = n;
            if (line.EndsWith('\\')) { pending = line[..^1].TrimEnd(); continue; }
            pending = null;
            rows.Add(Row(line, ref section, pendingLine));
        }
        if (pending is not null) rows.Add(Row(pending, ref section, pendingLine));
        return new SideTable("context/systemd_units",
            [("unit", ColumnType.String), ("section", ColumnType.String), ("key", ColumnType.String), ("value", ColumnType.String),
             ("line", ColumnType.Int64), ("drop_in", ColumnType.String), ("config_file", ColumnType.String), ("unparsed", ColumnType.String)], rows);

        object?[] Row(string text, ref string? currentSection, long lineNumber)
        {
            if (text.Length >= 2 && text[0] == '[' && text[^1] == ']')
            {
                currentSection = text[1..^1];
                return [appliesTo, currentSection, null, null, lineNumber, dropIn, relativePath, null];
            }
            int eq = text.IndexOf('=');
            if (eq <= 0) return [appliesTo, currentSection, null, null, lineNumber, dropIn, relativePath, text];
            return [appliesTo, currentSection, text[..eq].TrimEnd(), text[(eq + 1)..].TrimStart(), lineNumber, dropIn, relativePath, null];
        }
    }
}
