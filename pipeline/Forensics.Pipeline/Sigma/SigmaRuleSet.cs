namespace Forensics.Pipeline.Sigma;

/// <summary>What became of one rule document: compiled, skipped (with the reason) or failed (with the reason).</summary>
public sealed record RuleOutcome(LoadedDocument Document, CompiledRule? Compiled, string? Skipped, string? Failed)
{
    public string Status => Compiled is not null ? "compiled" : Skipped is not null ? "skipped" : "failed";
    public string? Reason => Skipped ?? Failed;
}

/// <summary>Loads and compiles rule files; every document gets an outcome, none is dropped.</summary>
public static class SigmaRuleSet
{
    public static List<RuleOutcome> Compile(IEnumerable<string> paths, SigmaFieldMap map)
    {
        var compiler = new SigmaCompiler(map);
        var outcomes = new List<RuleOutcome>();
        foreach (var doc in SigmaLoader.LoadAll(paths))
        {
            if (doc.Rule is null) { outcomes.Add(new RuleOutcome(doc, null, doc.Skipped, doc.Failed)); continue; }
            try { outcomes.Add(new RuleOutcome(doc, compiler.Compile(doc.Rule), null, null)); }
            catch (SigmaUnsupportedException ex) { outcomes.Add(new RuleOutcome(doc, null, ex.Message, null)); }
            catch (SigmaRuleException ex) { outcomes.Add(new RuleOutcome(doc, null, null, ex.Message)); }
        }
        return outcomes;
    }

    /// <summary>Counts per folder (relative to <paramref name="root"/> when the files lie under it): what <c>--check</c> prints.</summary>
    public static List<(string Folder, int Compiled, int Skipped, int Failed)> CountsByFolder(IEnumerable<RuleOutcome> outcomes, string? root = null) =>
        outcomes.GroupBy(o => Folder(o.Document.SourceFile, root), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Count(o => o.Compiled is not null), g.Count(o => o.Skipped is not null), g.Count(o => o.Failed is not null)))
            .ToList();

    private static string Folder(string file, string? root)
    {
        var dir = Path.GetDirectoryName(file) ?? "";
        if (root is null) return dir;
        var relative = Path.GetRelativePath(root, dir);
        return relative.StartsWith("..", StringComparison.Ordinal) ? dir : relative == "." ? "." : relative.Replace(Path.DirectorySeparatorChar, '/');
    }
}
