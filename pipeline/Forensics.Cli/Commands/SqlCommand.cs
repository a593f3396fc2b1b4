using System.CommandLine;

namespace Forensics.Cli.Commands;

/// <summary><c>forensics sql --case CASE "SELECT …"</c>: ad hoc SQL over the case views (events, sessions, rejects, files, context_*).</summary>
internal static class SqlCommand
{
    public static Command Create()
    {
        var sql = new Argument<string>("sql") { Description = "SQL over the views events, sessions, rejects, files, context_<name>" };
        var command = new Command("sql", "Run ad hoc SQL (DuckDB) over a case");
        command.Arguments.Add(sql);
        foreach (var o in new Option[] { QueryCommand.Case, QueryCommand.Format, QueryCommand.Output, QueryCommand.Raw }) command.Options.Add(o);
        command.SetAction(parse => QueryCommand.Run(parse.GetValue(QueryCommand.Case)!, parse.GetValue(sql)!, () => [],
            parse.GetValue(QueryCommand.Format)!, parse.GetValue(QueryCommand.Output), parse.GetValue(QueryCommand.Raw)));
        return command;
    }
}
