using System.Text.Json;
using Forensics.Pipeline.Case;

namespace Forensics.Pipeline.Stages;

/// <summary>
/// An existing case opened for <c>ingest --add</c>: its manifest (the runs so far, the parts readers trust), an
/// exclusive lock against a second ingest writing into it at the same time, and its scratch folder cleaned of
/// what a killed run left (a publish half done is rolled back first, <see cref="CasePublish.Recover"/>).
/// Nothing of the case itself is changed here; the run publishes its parts at the end, or leaves the case as it was.
/// </summary>
internal sealed class CaseAddition : IDisposable
{
    private const string LockFile = "lock";
    private readonly FileStream _lock;

    public Manifest Manifest { get; }
    /// <summary>The number the new run gets.</summary>
    public int NextRun => Manifest.Runs.Max(r => r.Run) + 1;
    /// <summary>What cleaning up after a killed run did (a note for the new run), or null.</summary>
    public string? Recovered { get; }

    private CaseAddition(FileStream lockStream, Manifest manifest, string? recovered)
    {
        _lock = lockStream;
        Manifest = manifest;
        Recovered = recovered;
    }

    public static CaseAddition Open(string caseDirectory)
    {
        const string fix = "drop --add to start a case there";
        if (!Directory.Exists(caseDirectory))
            throw new CaseFolderException($"--add: the case folder {caseDirectory} does not exist; {fix}");
        var manifestPath = Path.Combine(caseDirectory, CaseLayout.ManifestFile);
        if (!File.Exists(manifestPath))
            throw new CaseFolderException($"--add: {caseDirectory} is not a case folder (it has no {CaseLayout.ManifestFile}); "
                + (Directory.EnumerateFileSystemEntries(caseDirectory).Any() ? "give the folder of an existing case, or --replace to start one there" : fix));
        var temp = Path.Combine(caseDirectory, CaseLayout.TempFolder);
        bool tempExisted = Directory.Exists(temp);
        Directory.CreateDirectory(temp);
        FileStream lockStream;
        try { lockStream = new FileStream(Path.Combine(temp, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException)
        {
            throw new CaseFolderException($"--add: another ingest is writing into the case {caseDirectory}; wait for it to finish");
        }
        try
        {
            var manifest = LoadComplete(caseDirectory, manifestPath);
            var recovered = CasePublish.Recover(caseDirectory, manifest);
            foreach (var entry in Directory.EnumerateFileSystemEntries(temp).Where(e => Path.GetFileName(e) != LockFile).ToList())
            {
                if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
                else File.Delete(entry);
            }
            return new CaseAddition(lockStream, manifest, recovered);
        }
        catch
        {
            lockStream.Dispose();
            // A refused add changes nothing: the scratch folder goes if this run made it, the lock file either way.
            if (!tempExisted) IngestRunner.TryDelete(temp);
            else { try { File.Delete(Path.Combine(temp, LockFile)); } catch (IOException) { } }
            throw;
        }
    }

    /// <summary>The case's manifest when the case can take more evidence: complete, with its parts listed.</summary>
    private static Manifest LoadComplete(string caseDirectory, string manifestPath)
    {
        Manifest manifest;
        try { manifest = Manifest.Load(manifestPath); }
        catch (Exception ex) when (ex is JsonException or InvalidDataException or InvalidOperationException or FormatException)
        {
            throw new CaseFolderException($"--add: the manifest of {caseDirectory} cannot be read ({ex.Message}); re-ingest the case with --replace");
        }
        if (manifest.Status is not ("complete" or "complete-unbalanced"))
            throw new CaseFolderException($"--add: the case {caseDirectory} is {manifest.Status}, not complete (its ingest failed or was stopped); re-ingest it with --replace");
        if (manifest.Parts is null)
            throw new CaseFolderException($"--add: the manifest of {caseDirectory} lists no Parquet parts (written by an older forensics); re-ingest the case with --replace");
        return manifest;
    }

    /// <summary>Releases the lock (the runner removes the scratch folder, lock file included, when the run ends).</summary>
    public void Dispose()
    {
        _lock.Dispose();
    }
}
