using Forensics.Pipeline.Evidence;

namespace Forensics.Pipeline.Query;

/// <summary>
/// Locks a case session down to reading its own Parquet parts, with DuckDB's own settings (DuckDB 1.5): external
/// access off except for the listed files (allowed_paths) and, when asked, one output folder (allowed_directories);
/// no extension installed or loaded on demand; and the configuration locked so SQL cannot SET any of it back.
/// SQL typed by an analyst (or pasted from a report) then cannot read other files (read_text('/etc/shadow')),
/// write over evidence or the manifest (COPY … TO), create databases (ATTACH) or fetch code (INSTALL).
/// DuckDB does not tell reading a listed file from writing it, so <see cref="SqlStatementGuard"/> refuses
/// statements that write before they run.
/// </summary>
public static class SqlSandbox
{
    public static void Apply(CaseSession session, IReadOnlyList<string> readable, string? writeFolder)
    {
        var directories = new List<string>();
        if (writeFolder is not null) directories.Add(CheckedWriteFolder(session, writeFolder));
        session.Execute($"SET allowed_paths = {List(readable)}");
        session.Execute($"SET allowed_directories = {List(directories)}");
        session.Execute("SET autoinstall_known_extensions = false");
        session.Execute("SET autoload_known_extensions = false");
        session.Execute("SET allow_community_extensions = false");
        session.Execute("SET enable_external_access = false");
        session.Execute("SET lock_configuration = true");
    }

    /// <summary>
    /// The output folder must lie outside the case and the evidence, and hold neither (compared as real paths,
    /// so a symbolic link does not open a way back in). It is created when missing.
    /// </summary>
    private static string CheckedWriteFolder(CaseSession session, string writeFolder)
    {
        var real = RealPath.Resolve(writeFolder);
        var guarded = session.CaseDirectories.Select(d => (What: "the case", Path: d)).ToList();
        foreach (var input in session.Manifests.SelectMany(m => m?.Runs.SelectMany(r => r.Options.Inputs) ?? [])) guarded.Add(("the evidence", input));
        foreach (var (what, path) in guarded)
        {
            var other = RealPath.Resolve(path);
            if (Within(real, other) || Within(other, real))
                throw new ArgumentException($"the SQL output folder {writeFolder} overlaps {what} ({path}); choose a folder outside the case and the evidence");
        }
        Directory.CreateDirectory(real);
        return real;
    }

    private static bool Within(string path, string folder) =>
        (path.TrimEnd('/') + "/").StartsWith(folder.TrimEnd('/') + "/", StringComparison.Ordinal);

    private static string List(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(CaseSession.Literal)) + "]";
}
