using System.CommandLine;
using Forensics.Pipeline.Query;

namespace Forensics.Cli.Commands;

/// <summary>
/// <c>forensics sql --case CASE "SELECT …"</c>: ad hoc SQL over the case views (events, sessions, rejects, files,
/// context_*). Read-only (<see cref="SqlSandbox"/>) unless --write-to names a folder outside the case and the evidence.
/// </summary>
internal static class SqlCommand
{
    public static Command Create()
    {
        var sql = new Argument<string>("sql") { Description = "SQL over the views events, sessions, rejects, files, context_<name>" };
        var writeTo = new Option<string?>("--write-to") { Description = "Folder (outside the case and the evidence) that COPY … TO may write into; without it SQL writes nothing" };
        var command = new Command("sql", "Run ad hoc SQL (DuckDB) over a case; reads only the case's Parquet files");
        command.Arguments.Add(sql);
        foreach (var o in new Option[] { QueryCommand.Case, QueryCommand.Format, QueryCommand.Output, QueryCommand.Raw, DisplayZone.Option, CaseReading.AllowIncomplete, writeTo }) command.Options.Add(o);
        command.SetAction(parse => !DisplayZone.TryParse(parse, out var zone) ? ExitCodes.Usage : QueryCommand.Run(parse.GetValue(QueryCommand.Case)!,
            new CaseAccess { AllowIncomplete = parse.GetValue(CaseReading.AllowIncomplete), WriteFolder = parse.GetValue(writeTo) },
            parse.GetValue(sql)!, () => [], parse.GetValue(QueryCommand.Format)!, parse.GetValue(QueryCommand.Output), parse.GetValue(QueryCommand.Raw), zone));
        return command;
    }
}
