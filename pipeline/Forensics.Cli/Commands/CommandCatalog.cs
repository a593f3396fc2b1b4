using System.CommandLine;

namespace Forensics.Cli.Commands;

/// <summary>Every sub-command; one file per command, one line here.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All() =>
    [
        IngestCommand.Create(),
        InvestigateCommand.Create(),
        QueriesCommand.Create(),
        QueryCommand.Create(),
        ReportCommand.Create(),
        SqlCommand.Create(),
        TimelineCommand.Create(),
    ];
}
