using System.Text.Json;

namespace Forensics.Pipeline.Case;

/// <summary>
/// Puts a run's parts into the case and makes them count. A run writes its parts into a staging folder inside
/// the case (<see cref="CaseLayout.TempFolder"/>/<see cref="CaseLayout.StagingFolder"/>, the same file system,
/// so moving is a rename), then: a journal names the parts about to be moved, the parts are moved into place
/// (names no earlier run uses, <see cref="CaseLayout.PartPrefix"/>), and the new manifest replaces the old one
/// with one atomic rename, the moment the run becomes part of the case. Until then the old manifest, and its
/// part list that readers check (<see cref="CaseIntegrity"/>), stand: any failure rolls the moved parts back, and
/// a process killed while moving leaves the journal, from which the next <c>ingest --add</c> removes them
/// (<see cref="Recover"/>).
/// </summary>
public static class CasePublish
{
    /// <summary>Under <see cref="CaseLayout.TempFolder"/>: the parts and folders a publish is moving in, until the manifest names them.</summary>
    public const string JournalFile = "publish.json";
    /// <summary>Under <see cref="CaseLayout.TempFolder"/>: the manifest that is renamed over manifest.json last.</summary>
    private const string StagedManifestFile = "manifest.json";

    /// <param name="beforeStep">Test hook: called with each part's path before it is moved, then with manifest.json before the rename.</param>
    public static void Publish(string caseDirectory, string stagingDirectory, IReadOnlyList<ManifestPart> parts, Manifest manifest, Action<string>? beforeStep = null)
    {
        var temp = Path.Combine(caseDirectory, CaseLayout.TempFolder);
        var newFolders = parts.Select(p => Path.GetDirectoryName(p.Path.Replace('/', Path.DirectorySeparatorChar)) ?? "")
            .SelectMany(Ancestors).Distinct(StringComparer.Ordinal)
            .Where(d => !Directory.Exists(Path.Combine(caseDirectory, d)))
            .OrderBy(d => d.Length).ToList();
        var journal = new PublishJournal { Parts = parts.Select(p => p.Path).ToList(), Folders = newFolders };
        var journalPath = Path.Combine(temp, JournalFile);
        File.WriteAllText(journalPath, JsonSerializer.Serialize(journal, Manifest.Json));
        var staged = Path.Combine(temp, StagedManifestFile);
        manifest.Save(staged);
        var moved = new List<string>();
        try
        {
            foreach (var part in parts)
            {
                beforeStep?.Invoke(part.Path);
                var relative = part.Path.Replace('/', Path.DirectorySeparatorChar);
                var target = Path.Combine(caseDirectory, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                // No overwrite: a name an earlier run holds would be its data; refusing keeps it.
                File.Move(Path.Combine(stagingDirectory, relative), target, overwrite: false);
                moved.Add(part.Path);
            }
            beforeStep?.Invoke(CaseLayout.ManifestFile);
            File.Move(staged, Path.Combine(caseDirectory, CaseLayout.ManifestFile), overwrite: true);
        }
        catch
        {
            RollBack(caseDirectory, moved, newFolders);
            TryDelete(journalPath);
            throw;
        }
        TryDelete(journalPath);
    }

    /// <summary>
    /// After a publish that was killed before its manifest rename: removes the parts it had moved in (those the
    /// manifest does not name) and the folders it created. Returns what it did, for the next run's notes; null when nothing was left.
    /// </summary>
    public static string? Recover(string caseDirectory, Manifest manifest)
    {
        var journalPath = Path.Combine(caseDirectory, CaseLayout.TempFolder, JournalFile);
        if (!File.Exists(journalPath)) return null;
        PublishJournal? journal;
        try { journal = JsonSerializer.Deserialize<PublishJournal>(File.ReadAllText(journalPath), Manifest.Json); }
        catch (JsonException) { journal = null; }
        if (journal is null) return null;
        var listed = (manifest.Parts ?? []).Select(p => p.Path).ToHashSet(StringComparer.Ordinal);
        var unpublished = journal.Parts.Where(p => !listed.Contains(p)).ToList();
        // Every part listed: the kill came after the manifest rename, and the run is in the case.
        if (unpublished.Count == 0) return null;
        int present = unpublished.Count(p => File.Exists(Path.Combine(caseDirectory, p.Replace('/', Path.DirectorySeparatorChar))));
        RollBack(caseDirectory, unpublished, journal.Folders);
        return $"an earlier ingest was killed while publishing its parts; the {present} parts it had moved into the case but not committed to the manifest were removed";
    }

    /// <summary>The parts an interrupted publish moved in that the manifest does not list (reported by the integrity check with the way out).</summary>
    public static IReadOnlySet<string> Unpublished(string caseDirectory)
    {
        var journalPath = Path.Combine(caseDirectory, CaseLayout.TempFolder, JournalFile);
        if (!File.Exists(journalPath)) return new HashSet<string>();
        try { return (JsonSerializer.Deserialize<PublishJournal>(File.ReadAllText(journalPath), Manifest.Json)?.Parts ?? []).ToHashSet(StringComparer.Ordinal); }
        catch (Exception ex) when (ex is JsonException or IOException) { return new HashSet<string>(); }
    }

    private static void RollBack(string caseDirectory, IEnumerable<string> parts, IReadOnlyList<string> newFolders)
    {
        foreach (var part in parts)
        {
            var file = Path.Combine(caseDirectory, part.Replace('/', Path.DirectorySeparatorChar));
            try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        // Deepest first; only folders this publish created, and only when empty.
        foreach (var folder in newFolders.OrderByDescending(f => f.Length))
        {
            var dir = Path.Combine(caseDirectory, folder);
            try { if (Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any()) Directory.Delete(dir); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>A relative folder and every folder above it (events/syslog → events/syslog, events).</summary>
    private static IEnumerable<string> Ancestors(string folder)
    {
        for (var d = folder; !string.IsNullOrEmpty(d); d = Path.GetDirectoryName(d) ?? "") yield return d;
    }

    private static void TryDelete(string file)
    {
        try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private sealed class PublishJournal
    {
        public List<string> Parts { get; set; } = [];
        /// <summary>Folders of the case (relative) that did not exist before the publish.</summary>
        public List<string> Folders { get; set; } = [];
    }
}
