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
    public static List<RuleOutcome> Compile(IEnumerable<string> paths, SigmaFieldMap map) => Compile(SigmaLoader.LoadAll(paths), map);

    public static List<RuleOutcome> Compile(IEnumerable<LoadedDocument> documents, SigmaFieldMap map)
    {
        var compiler = new SigmaCompiler(map);
        var correlations = new SigmaCorrelationCompiler(map);
        var docs = documents.ToList();
        // Correlations refer to rules by id or name anywhere in the set (the same file or another).
        var lookup = new Dictionary<string, SigmaRule>(StringComparer.Ordinal);
        foreach (var r in docs.Select(d => d.Rule).OfType<SigmaRule>())
            foreach (var key in new[] { r.Id, r.Name }.OfType<string>()) lookup.TryAdd(key, r);
        var outcomes = new List<RuleOutcome>();
        foreach (var doc in docs)
        {
            if (doc.Rule is null) { outcomes.Add(new RuleOutcome(doc, null, doc.Skipped, doc.Failed)); continue; }
            // Parameter names unique across the set, so the runner can put every rule into one scan.
            var prefix = $"d{outcomes.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)}p";
            try { outcomes.Add(new RuleOutcome(doc, doc.Rule.Correlation is null ? compiler.Compile(doc.Rule, prefix) : correlations.Compile(doc.Rule, lookup), null, null)); }
            catch (SigmaUnsupportedException ex) { outcomes.Add(new RuleOutcome(doc, null, ex.Message, null)); }
            catch (SigmaRuleException ex) { outcomes.Add(new RuleOutcome(doc, null, null, ex.Message)); }
        }
        return outcomes;
    }

    /// <summary>
    /// The rules to run: every compiled rule except those a correlation refers to without <c>generate: true</c>
    /// (the specification: by default only the correlation query is generated).
    /// </summary>
    public static List<CompiledRule> Runnable(IEnumerable<RuleOutcome> outcomes)
    {
        var compiled = outcomes.Select(o => o.Compiled).OfType<CompiledRule>().ToList();
        var hidden = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in compiled.Select(r => r.Rule.Correlation).OfType<SigmaCorrelation>().Where(c => !c.Generate)) hidden.UnionWith(c.Rules);
        return compiled.Where(r => r.Rule.Correlation is not null || !((r.Rule.Id is { } id && hidden.Contains(id)) || (r.Rule.Name is { } n && hidden.Contains(n)))).ToList();
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
