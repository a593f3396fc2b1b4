namespace Forensics.Tests.Support;

/// <summary>
/// Locates ../shared/corpus (beside the repository) or $FORENSICS_CORPUS. Tests that need it call
/// <see cref="File"/>/<see cref="Dir"/>, which skip the test (reported as skipped, not passed) when absent.
/// </summary>
public static class Corpus
{
    public static string? Root { get; } = Locate();

    public static bool Available => Root is not null;

    public static string File(string relative)
    {
        Skip.If(Root is null, "../shared/corpus is not present on this machine");
        var path = Path.Combine(Root!, relative);
        Skip.IfNot(System.IO.File.Exists(path), $"corpus file {relative} is not present");
        return path;
    }

    public static string Dir(string relative)
    {
        Skip.If(Root is null, "../shared/corpus is not present on this machine");
        var path = Path.Combine(Root!, relative);
        Skip.IfNot(Directory.Exists(path), $"corpus folder {relative} is not present");
        return path;
    }

    private static string? Locate()
    {
        var env = Environment.GetEnvironmentVariable("FORENSICS_CORPUS");
        if (!string.IsNullOrEmpty(env)) return Directory.Exists(env) ? env : null;
        var repo = RepoPaths.Root;
        var candidate = Path.GetFullPath(Path.Combine(repo, "..", "shared", "corpus"));
        return Directory.Exists(candidate) ? candidate : null;
    }
}

public static class RepoPaths
{
    /// <summary>The repository root (the folder holding Forensics.sln).</summary>
    public static string Root { get; } = FindRoot();

    public static string DataSamples => Path.Combine(Root, "data-samples");
    public static string Queries => Path.Combine(Root, "queries");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !System.IO.File.Exists(Path.Combine(dir.FullName, "Forensics.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Forensics.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temporary folder removed when disposed.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "forensics-test-" + Guid.NewGuid().ToString("N")[..12]);
    public TempDir() => Directory.CreateDirectory(Path);
    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);
    public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { } }
}
