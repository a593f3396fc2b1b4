using System.Security.Cryptography;
using ParquetSharp;

namespace Forensics.Pipeline.Case;

/// <summary>
/// Whether a case folder holds what its run wrote: a manifest with status <c>complete</c> that lists every Parquet
/// part (path, rows, SHA-256), and exactly those parts on disk, unchanged. A killed ingest leaves no manifest; a
/// deleted or replaced part changes the answers silently; both are found here before any query reads the case.
/// </summary>
public static class CaseIntegrity
{
    /// <summary>What the manifest records for a part the run completed.</summary>
    public static ManifestPart Describe(string caseDirectory, string file, long rows) => new()
    {
        Path = Relative(caseDirectory, file),
        Rows = rows,
        Bytes = new FileInfo(file).Length,
        Sha256 = Sha256(file),
    };

    /// <summary>
    /// Every Parquet file in the case folder, relative to it with '/' separators: at least every file the case views
    /// read (<see cref="IsPartFile"/>), so none of them can be missing from the manifest unnoticed.
    /// </summary>
    public static List<string> PartsOnDisk(string caseDirectory) =>
        Directory.EnumerateFiles(caseDirectory, "*.parquet", SearchOption.AllDirectories)
            .Where(IsPartFile)
            .Select(f => Relative(caseDirectory, f))
            // The run's scratch folder (staged parts of a run not yet published, or of a killed one) is never read as case data.
            .Where(f => !f.StartsWith(CaseLayout.TempFolder + "/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();

    /// <summary>A hidden file (".part-0.parquet.tmp" of an unfinished write) is not case data; any other Parquet file is.</summary>
    public static bool IsPartFile(string path) => path.EndsWith(".parquet", StringComparison.Ordinal) && !Path.GetFileName(path).StartsWith('.');

    /// <summary>The problems that make the case unfit to answer from; empty when it is complete and intact.</summary>
    public static List<string> Check(string caseDirectory)
    {
        var manifestPath = Path.Combine(caseDirectory, CaseLayout.ManifestFile);
        if (!File.Exists(manifestPath)) return ["it has no manifest.json (the ingest did not finish, or this is not a case folder)"];
        Manifest manifest;
        try { manifest = Manifest.Load(manifestPath); }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidDataException or NotSupportedException)
        {
            return [$"its manifest.json cannot be read ({ex.Message})"];
        }
        var problems = new List<string>();
        if (manifest.Status != "complete") problems.Add($"its manifest says the run is {manifest.Status}, not complete");
        if (manifest.Parts is null)
        {
            problems.Add("its manifest lists no Parquet parts (written by an older version, or not by a finished run)");
            return problems;
        }
        var onDisk = PartsOnDisk(caseDirectory).ToHashSet(StringComparer.Ordinal);
        foreach (var part in manifest.Parts)
        {
            var file = Path.Combine(caseDirectory, part.Path.Replace('/', Path.DirectorySeparatorChar));
            if (!onDisk.Remove(part.Path)) { problems.Add($"part {part.Path} is missing"); continue; }
            long? rows = Rows(file, out var unreadable);
            if (rows is null) problems.Add($"part {part.Path} cannot be read as Parquet ({unreadable})");
            else if (rows != part.Rows) problems.Add($"part {part.Path} has {rows} rows, the manifest says {part.Rows}");
            else if (!string.Equals(Sha256(file), part.Sha256, StringComparison.OrdinalIgnoreCase)) problems.Add($"part {part.Path} has changed (its SHA-256 differs from the manifest's)");
        }
        var unpublished = onDisk.Count > 0 ? CasePublish.Unpublished(caseDirectory) : new HashSet<string>();
        foreach (var extra in onDisk.Order(StringComparer.Ordinal))
            problems.Add(unpublished.Contains(extra)
                ? $"part {extra} is not in the manifest (an ingest was killed while publishing it; the next ingest --add into this case removes it)"
                : $"part {extra} is not in the manifest");
        return problems;
    }

    /// <summary>The problems as one line: the first few, and how many more (a case with thousands of extra files stays readable).</summary>
    public static string Summary(IReadOnlyList<string> problems, int shown = 5) =>
        string.Join("; ", problems.Take(shown)) + (problems.Count > shown ? $"; and {problems.Count - shown} more" : "");

    private static long? Rows(string file, out string? error)
    {
        error = null;
        try
        {
            using var reader = new ParquetFileReader(file);
            return reader.FileMetaData.NumRows;
        }
        catch (Exception ex) when (ex is ParquetException or IOException)
        {
            error = ex.Message.Split('\n')[0];
            return null;
        }
    }

    private static string Sha256(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static string Relative(string caseDirectory, string file) =>
        Path.GetRelativePath(caseDirectory, file).Replace(Path.DirectorySeparatorChar, '/');
}
