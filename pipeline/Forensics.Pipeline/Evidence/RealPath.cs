namespace Forensics.Pipeline.Evidence;

/// <summary>
/// The physical path of a file or folder, as realpath(3) gives it: every symbolic link along the path resolved,
/// "." and ".." applied to the resolved folder (a lexical ".." after a link would go to the link's parent instead).
/// Components that do not exist yet are kept as written, so a case folder still to be created has a real path too.
/// </summary>
public static class RealPath
{
    /// <summary>Linux gives up after 40 links (ELOOP); so do we, instead of looping on a link cycle.</summary>
    private const int MaxLinks = 40;

    public static string Resolve(string path)
    {
        // Not Path.GetFullPath: it applies ".." to the text, before the links it follows are known.
        var absolute = Path.IsPathRooted(path) ? path : Path.Combine(Directory.GetCurrentDirectory(), path);
        var pending = new Stack<string>();
        Push(pending, absolute);
        string current = Path.GetPathRoot(absolute) ?? "/";
        int links = 0;
        while (pending.TryPop(out var part))
        {
            if (part is "" or ".") continue;
            if (part == "..") { current = Path.GetDirectoryName(current) ?? current; continue; }
            var next = Path.Combine(current, part);
            var target = new FileInfo(next).LinkTarget;
            if (target is null) { current = next; continue; }
            if (++links > MaxLinks) throw new IOException($"too many levels of symbolic links in {path}");
            // The target's own components are walked next; a relative target is relative to the link's folder.
            if (Path.IsPathRooted(target)) current = Path.GetPathRoot(target) ?? "/";
            Push(pending, target);
        }
        return current;
    }

    private static void Push(Stack<string> pending, string path)
    {
        var parts = path.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        for (int i = parts.Length - 1; i >= 0; i--) pending.Push(parts[i]);
    }
}
