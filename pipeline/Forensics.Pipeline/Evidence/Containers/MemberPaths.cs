namespace Forensics.Pipeline.Evidence.Containers;

/// <summary>
/// Member names are attacker-chosen. We never write members to disk, but a name that climbs out of the archive
/// (<c>../../etc/cron.d/x</c>) or is absolute (<c>/etc/shadow</c>, <c>C:\x</c>) is what a "zip slip" extractor
/// would honour, so such members are reported as skipped instead of being read under a misleading path.
/// </summary>
internal static class MemberPaths
{
    /// <summary>The normalised member path ('/' separators, no "." segments), or a skip reason.</summary>
    public static (string Path, string? SkipReason) Check(string raw)
    {
        if (raw.Contains('\0', StringComparison.Ordinal)) return (raw.Replace('\0', '?'), "member name contains a NUL byte (not read)");
        // Zip names use '/' (APPNOTE 4.4.17.1) but Windows tools sometimes write '\'; both count as separators.
        var unified = raw.Replace('\\', '/');
        if (unified.StartsWith('/') || (unified.Length >= 2 && unified[1] == ':' && char.IsAsciiLetter(unified[0])))
            return (unified, "absolute member path (path traversal; not read)");
        var parts = new List<string>();
        foreach (var segment in unified.Split('/'))
        {
            if (segment is "" or ".") continue;
            if (segment == "..") return (unified, "member path climbs out of the archive with '..' (path traversal; not read)");
            parts.Add(segment);
        }
        return (string.Join('/', parts), null);
    }

    /// <summary>Whether a member name suggests an archive or a compressed file (used by the cheap context pre-pass).</summary>
    public static bool LooksLikeArchive(string name)
    {
        foreach (var s in ArchiveSuffixes)
            if (name.EndsWith(s, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    private static readonly string[] ArchiveSuffixes = [".tar", ".tgz", ".txz", ".tbz", ".tbz2", ".tzst", ".zip", ".tar.gz", ".tar.xz", ".tar.bz2", ".tar.zst"];
}
