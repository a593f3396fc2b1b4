using Forensics.Pipeline.Case;

namespace Forensics.Pipeline.Stages;

/// <summary>
/// The bytes a case already holds, by SHA-256, and which file (of which run) brought them: a file whose bytes are
/// here is recorded as a duplicate and not read again, whether its twin came earlier in this run or in an earlier
/// run of the case (<c>ingest --add</c>). The same rule for both, so adding evidence in two steps gives the case
/// one ingest of all of it would. Everything is keyed by the machine it was copied from (evidence_host): the same
/// bytes on another machine (a cloned VM's old logs, a default lastlog) are that machine's evidence too, as when each
/// is ingested alone. Logs are keyed by their hash; context files (passwd, sshd_config, unit files) by kind, the last
/// two parts of their path and hash: their
/// rows describe the machine they were found on, and where a file lies is part of its meaning (unit names and
/// drop-in folders, sshd_config.d order), while the folder or archive it came in is not.
/// </summary>
internal sealed class DuplicateIndex
{
    private readonly Dictionary<string, (int Run, string SourceFile)> _first = new(StringComparer.Ordinal);

    public static string LogKey(string? host, string sha256) => string.Join('\0', "log", host ?? "", sha256);

    public static string ContextKey(string? host, string kind, string relativePath, string sha256) =>
        string.Join('\0', "context", host ?? "", kind, LastTwoParts(relativePath), sha256);

    private static string LastTwoParts(string path)
    {
        int last = path.LastIndexOfAny(['/', '!']);
        int before = last > 0 ? path.LastIndexOfAny(['/', '!'], last - 1) : -1;
        return path[(before + 1)..];
    }

    /// <summary>The first holder of these bytes, or null after recording this file as their holder.</summary>
    public (int Run, string SourceFile)? Claim(string key, int run, string sourceFile)
    {
        if (_first.TryGetValue(key, out var holder)) return holder;
        _first[key] = (run, sourceFile);
        return null;
    }

    /// <summary>
    /// The files earlier runs read: those that reached the duplicate check of their run (hashed, not empty, not a
    /// container, not failed) and were not duplicates themselves.
    /// </summary>
    public static DuplicateIndex Of(Manifest? manifest)
    {
        var index = new DuplicateIndex();
        foreach (var run in manifest?.Runs ?? [])
            foreach (var input in run.Inputs)
            {
                if (input.Sha256 is not { } sha || input.Size == 0 || input.Status is not ("parsed" or "partial" or "context" or "skipped")) continue;
                var key = input.Status == "context" && input.Format is { } f && f.StartsWith("context:", StringComparison.Ordinal)
                    ? ContextKey(input.EvidenceHost ?? run.Options.Host, f["context:".Length..], input.RelativePath, sha)
                    : LogKey(input.EvidenceHost ?? run.Options.Host, sha);
                index._first.TryAdd(key, (run.Run, input.SourceFile));
            }
        return index;
    }
}
