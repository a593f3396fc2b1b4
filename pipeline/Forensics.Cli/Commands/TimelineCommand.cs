using System.CommandLine;
using System.Diagnostics;
using DuckDB.NET.Data;
using Forensics.Pipeline.Query;
using Forensics.Pipeline.Text;

namespace Forensics.Cli.Commands;

/// <summary><c>forensics timeline --case CASE ... --format csv|timesketch|l2tcsv|jsonl|arrow --output FILE</c>.</summary>
internal static class TimelineCommand
{
    public static Command Create()
    {
        var from = new Option<string?>("--from") { Description = "Only events at or after this UTC time (ISO 8601)" };
        var to = new Option<string?>("--to") { Description = "Only events at or before this UTC time (ISO 8601)" };
        var around = new Option<string?>("--around") { Description = "Centre of a window (ISO 8601, UTC unless an offset is given)" };
        var window = new Option<string>("--window") { Description = "Half-width of the --around window (10m, 2h, 1d)", DefaultValueFactory = _ => "10m" };
        var events = new Option<string[]>("--event") { Description = "Event kinds to keep (repeatable; ssh.* for a family)", AllowMultipleArgumentsPerToken = true };
        var format = new Option<string>("--format", "-f") { Description = "csv, timesketch, l2tcsv, jsonl or arrow (Arrow IPC file)", DefaultValueFactory = _ => "csv" };
        format.AcceptOnlyFromAmong("csv", "timesketch", "l2tcsv", "jsonl", "arrow");
        var output = new Option<string>("--output", "-o") { Description = "File to write (an existing file only with --force)", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace the --output file if it exists" };
        var columns = new Option<string>("--columns") { Description = "all (the spine and every typed column: auth_method, http_status, audit_*, …) or spine; Timesketch gets them as attributes, l2tcsv keeps its 17", DefaultValueFactory = _ => "all" };
        columns.AcceptOnlyFromAmong("all", "spine");
        var unsorted = new Option<bool>("--unsorted") { Description = "Write events in the case's order, not sorted by time: one scan, no sort (for tools that sort on their own)" };
        var command = new Command("timeline", "Export the case's events as one timeline (CSV, Timesketch CSV, plaso l2tcsv, JSON lines, Arrow)");
        foreach (var o in new Option[] { QueryCommand.Case, from, to, around, window, events, format, output, force, columns, unsorted, DisplayZone.Option, QueryCommand.Raw, CaseReading.AllowIncomplete }) command.Options.Add(o);
        command.SetAction(async (parse, cancel) =>
        {
            TimelineFilter filter;
            try
            {
                filter = BuildFilter(parse.GetValue(from), parse.GetValue(to), parse.GetValue(around), parse.GetValue(window)!, parse.GetValue(events) ?? []);
            }
            catch (FormatException ex) { Console.Error.WriteLine($"forensics: {TerminalText.Escape(ex.Message)}"); return ExitCodes.Usage; }
            var fmt = ParseFormat(parse.GetValue(format)!);
            if (!DisplayZone.TryParse(parse, out var zone)) return ExitCodes.Usage;
            var path = parse.GetValue(output)!;
            if (!parse.GetValue(force) && File.Exists(path))
            {
                Console.Error.WriteLine($"forensics: {TerminalText.Escape(path)} exists; give --force to replace it");
                return ExitCodes.Usage;
            }
            var options = new TimelineOptions
            {
                Raw = parse.GetValue(QueryCommand.Raw),
                Columns = parse.GetValue(columns) == "spine" ? TimelineColumns.Spine : TimelineColumns.All,
                DisplayZone = zone?.Id,
                Overwrite = parse.GetValue(force),
                Sorted = !parse.GetValue(unsorted),
            };
            using var session = CaseReading.Open(parse.GetValue(QueryCommand.Case)!, new CaseAccess { AllowIncomplete = parse.GetValue(CaseReading.AllowIncomplete), MemoryLimit = TimelineExport.MemoryLimit }, out var refused);
            if (session is null) return refused;
            try
            {
                var sw = Stopwatch.StartNew();
                var result = await TimelineExport.WriteAsync(session, fmt, filter, path, options, cancel);
                Console.Error.WriteLine($"timeline: {result.Rows:N0} events written to {parse.GetValue(output)} in {sw.Elapsed.TotalSeconds:0.00} s"
                    + (result.SkippedWithoutTime > 0 ? $"; {result.SkippedWithoutTime:N0} events without a usable time left out ({parse.GetValue(format)} needs one)" : ""));
                CaseReading.Warn(session);
                return ExitCodes.Ok;
            }
            catch (OutputExistsException ex)
            {
                // Created by someone else while the timeline was written.
                Console.Error.WriteLine($"forensics: {TerminalText.Escape(ex.Message)}");
                return ExitCodes.Usage;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"forensics: cannot write {TerminalText.Escape(parse.GetValue(output)!)}: {TerminalText.Escape(ex.Message)}");
                return ExitCodes.OutputUnwritable;
            }
            catch (DuckDBException ex) { Console.Error.WriteLine($"forensics: {TerminalText.Escape(ex.Message)}"); return ExitCodes.Failed; }
        });
        return command;
    }

    public static TimelineFormat ParseFormat(string s) => s switch
    {
        "timesketch" => TimelineFormat.Timesketch,
        "l2tcsv" => TimelineFormat.L2tCsv,
        "jsonl" => TimelineFormat.Jsonl,
        "arrow" => TimelineFormat.Arrow,
        _ => TimelineFormat.Csv,
    };

    public static TimelineFilter BuildFilter(string? from, string? to, string? around, string window, IReadOnlyList<string> events)
    {
        DateTime? f = from is null ? null : TimeText.ParseUtc(from);
        DateTime? t = to is null ? null : TimeText.ParseUtc(to);
        if (around is not null)
        {
            var c = TimeText.ParseUtc(around);
            var w = TimeText.ParseDuration(window);
            f = f is { } ff && ff > c - w ? ff : c - w;
            t = t is { } tt && tt < c + w ? tt : c + w;
        }
        return new TimelineFilter { From = f, To = t, Events = events.SelectMany(e => e.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList() };
    }
}
