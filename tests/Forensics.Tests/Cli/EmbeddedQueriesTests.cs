using Forensics.Cli.Commands;
using Forensics.Pipeline.Query;
using Forensics.Pipeline.Sigma;
using Forensics.Tests.Support;

namespace Forensics.Tests.Cli;

/// <summary>The single-file binary has no queries/ folder beside it: the program carries the same queries inside.</summary>
public sealed class EmbeddedQueriesTests
{
    [Fact]
    public void The_program_carries_every_canned_query_as_the_queries_folder_has_it()
    {
        var embedded = QueryCatalog.LoadEmbedded(typeof(QueriesCommand).Assembly, QueriesCommand.EmbeddedPrefix);
        var folder = QueryCatalog.Load(RepoPaths.Queries);
        Assert.Equal(folder.Select(q => q.Name), embedded.Select(q => q.Name));
        Assert.Equal(folder.Select(q => q.Sql), embedded.Select(q => q.Sql));
    }

    [Fact]
    public void The_program_carries_the_sigma_field_map_and_bundled_rules_as_queries_sigma_has_them()
    {
        var folder = Path.Combine(RepoPaths.Queries, "sigma");
        var files = Directory.GetFiles(folder, "*.yaml").Select(f => (Resource: EmbeddedSigma.Prefix + Path.GetFileName(f), File: f))
            .Concat(Directory.GetFiles(Path.Combine(folder, "rules"), "*.yml").Select(f => (Resource: EmbeddedSigma.RulesPrefix + Path.GetFileName(f), File: f)))
            .OrderBy(f => f.Resource, StringComparer.Ordinal).ToList();
        Assert.Contains(files, f => f.Resource == EmbeddedSigma.Prefix + SigmaFieldMap.FileName);
        Assert.Contains(files, f => f.Resource.StartsWith(EmbeddedSigma.RulesPrefix, StringComparison.Ordinal));
        Assert.Equal(files.Select(f => f.Resource), EmbeddedSigma.Names);
        foreach (var (resource, file) in files) Assert.Equal(File.ReadAllText(file), EmbeddedSigma.Text(resource));

        // ... and they compile as the folder's do: the same documents, outcomes and SQL, credited to the same file names.
        var fromFolder = SigmaRuleSet.Compile([Path.Combine(folder, "rules")], SigmaFieldMap.Load(Path.Combine(folder, SigmaFieldMap.FileName)));
        var fromProgram = SigmaRuleSet.Compile(EmbeddedSigma.Rules(), EmbeddedSigma.Map()!);
        Assert.NotEmpty(fromFolder);
        Assert.Equal(fromFolder.Select(o => (o.Status, o.Document.Title, Path.GetFileName(o.Document.SourceFile), o.Compiled?.Sql)),
            fromProgram.Select(o => (o.Status, o.Document.Title, Path.GetFileName(o.Document.SourceFile), o.Compiled?.Sql)));
        Assert.All(fromProgram, o => Assert.StartsWith(EmbeddedSigma.RulesOrigin, o.Document.SourceFile, StringComparison.Ordinal));
    }

    [Fact]
    public void Without_a_queries_folder_sigma_compiles_the_given_rules_with_the_built_in_map_and_bundled_rules()
    {
        // The path a single-file binary takes (no queries/ beside it): user rules from disk plus the built-in ones.
        // It once failed with "rules path (built in) queries/sigma/rules/ does not exist", because the description
        // named the built-in origin in the list of paths before that list was loaded.
        var userRules = Path.Combine(RepoPaths.Queries, "sigma", "rules");
        var outcomes = SigmaCommand.CompileEmbedded([Path.GetFullPath(userRules)], withBundled: true, out var description)!;
        Assert.NotNull(outcomes);
        int bundled = EmbeddedSigma.Rules().Count();
        Assert.Equal(2 * bundled, outcomes.Count);
        Assert.Equal(bundled, outcomes.Count(o => o.Document.SourceFile.StartsWith(EmbeddedSigma.RulesOrigin, StringComparison.Ordinal)));
        Assert.All(outcomes, o => Assert.Null(o.Failed));
        Assert.StartsWith(EmbeddedSigma.RulesOrigin, description, StringComparison.Ordinal);
        Assert.Contains(Path.GetFullPath(userRules), description, StringComparison.Ordinal);

        var alone = SigmaCommand.CompileEmbedded([], withBundled: true, out _)!;
        Assert.Equal(bundled, alone.Count);
    }
}
