using System.CommandLine;
using Forensics.Pipeline.Query;
using Spectre.Console;

namespace Forensics.Cli.Commands;

/// <summary><c>forensics queries</c>: the canned investigations, their parameters and outputs.</summary>
internal static class QueriesCommand
{
    public static readonly Option<string?> QueriesFolder = new("--queries") { Description = "Folder of *.sql canned queries (default: queries/ beside the program or in the repository)" };

    public static Command Create()
    {
        var command = new Command("queries", "List the canned investigations (queries/*.sql)");
        command.Options.Add(QueriesFolder);
        command.SetAction(parse =>
        {
            if (!TryLoad(parse.GetValue(QueriesFolder), out var queries)) return ExitCodes.Usage;
            TextTable.Write(["name", "description", "parameters"], queries.Select(q => (IReadOnlyList<string>)
                [q.Name, q.Description, string.Join(Console.IsOutputRedirected ? "; " : "\n", q.Parameters.Select(p => $"{p.Name} {p.Type} = {p.Default ?? "null"}: {p.Description}"))]));
            return ExitCodes.Ok;
        });
        return command;
    }

    public const string EmbeddedPrefix = "Forensics.Queries.";

    public static bool TryLoad(string? folder, out IReadOnlyList<CannedQuery> queries)
    {
        queries = [];
        var dir = QueryCatalog.Locate(folder);
        if (dir is null && folder is null)
        {
            // A single-file binary carries the queries it was built with.
            queries = QueryCatalog.LoadEmbedded(typeof(QueriesCommand).Assembly, EmbeddedPrefix);
            if (queries.Count > 0) return true;
        }
        if (dir is null)
        {
            Console.Error.WriteLine(folder is null ? "forensics: no queries/ folder found beside the program or in the repository; use --queries" : $"forensics: queries folder {folder} does not exist");
            return false;
        }
        try { queries = QueryCatalog.Load(dir); }
        catch (FormatException ex) { Console.Error.WriteLine($"forensics: {ex.Message}"); return false; }
        return true;
    }
}
