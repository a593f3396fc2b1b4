using Forensics.Cli.Commands;
using Forensics.Pipeline.Query;
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
}
