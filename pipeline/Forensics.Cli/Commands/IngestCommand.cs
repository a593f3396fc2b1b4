using System.CommandLine;
using Forensics.Pipeline.Case;
using Forensics.Pipeline.Evidence;
using Forensics.Pipeline.Stages;
using Forensics.Pipeline.Text;
using Spectre.Console;

namespace Forensics.Cli.Commands;

/// <summary><c>forensics ingest PATH... --out CASE</c>: evidence in, Parquet case out, with an accounting summary.</summary>
internal static class IngestCommand
{
    public static readonly Option<string> Out = new("--out", "-o") { Description = "Case folder to write (created if missing)", Required = true };

    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "Evidence: files, folders, .tar/.tar.gz/.zip archives, .gz files", Arity = ArgumentArity.OneOrMore };
        var command = new Command("ingest", "Read evidence and write a case folder (Parquet events, rejects, manifest)");
        command.Arguments.Add(paths);
        command.Options.Add(Out);
        IngestSettings.AddTo(command);
        command.SetAction(async (parse, cancel) =>
        {
            var options = IngestSettings.Build(parse, parse.GetValue(paths)!, parse.GetValue(Out)!);
            var (code, _) = await RunAsync(options, cancel);
            return code;
        });
        return command;
    }

    /// <summary>Runs an ingest with progress on stderr and prints the summary; shared by ingest and investigate.</summary>
    public static async Task<(int Code, Manifest? Manifest)> RunAsync(IngestOptions options, CancellationToken cancel)
    {
        var err = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        Manifest manifest;
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        Func<TimeSpan> clock = () => stopwatch.Elapsed;
        try
        {
            if (!Console.IsErrorRedirected)
            {
                manifest = await err.Progress().AutoClear(true).Columns(new SpinnerColumn(), new TaskDescriptionColumn(), new ElapsedTimeColumn())
                    .StartAsync(async ctx =>
                    {
                        var task = ctx.AddTask("ingesting", maxValue: 1);
                        task.IsIndeterminate = true;
                        var view = new IngestProgressView(clock, IngestProgressView.PlainInterval);
                        var progress = new Progress<IngestProgress>(p => task.Description = Markup.Escape(TerminalText.Escape(view.Status(p))));
                        return await IngestRunner.RunAsync(WithProgress(options, progress), cancel);
                    });
            }
            else
            {
                // Plain lines for logs and pipes: one per completed file with its own counts, one per ~10 s of a large file.
                var view = new IngestProgressView(clock, IngestProgressView.PlainInterval);
                var progress = new Progress<IngestProgress>(p =>
                {
                    if (view.PlainLine(p) is { } line) Console.Error.WriteLine(TerminalText.Escape(line));
                });
                manifest = await IngestRunner.RunAsync(WithProgress(options, progress), cancel);
            }
        }
        catch (CaseFolderException ex) { Console.Error.WriteLine($"forensics: {TerminalText.Escape(ex.Message)}"); return (ExitCodes.Usage, null); }
        catch (ArgumentException ex) { Console.Error.WriteLine($"forensics: {TerminalText.Escape(ex.Message)}"); return (ExitCodes.Usage, null); }
        catch (MissingInputException ex) { Console.Error.WriteLine($"forensics: {TerminalText.Escape(ex.Message)}"); return (ExitCodes.InputUnreadable, null); }
        catch (CaseOutputException ex) { Console.Error.WriteLine($"forensics: {TerminalText.Escape(ex.Message)}"); return (ExitCodes.OutputUnwritable, null); }
        // Our own writes (the case's Parquet parts, its spool of decompressed evidence) failing is exit 4, whichever
        // stage met it; the manifest says "failed" with the cause.
        catch (IngestFailedException ex) when (IsOwnWriteFailure(ex))
        {
            Console.Error.WriteLine($"forensics: cannot write the case: {TerminalText.Escape(ex.Message)}");
            return (ExitCodes.OutputUnwritable, null);
        }
        catch (IngestFailedException ex) { Console.Error.WriteLine($"forensics: {TerminalText.Escape(ex.Message)}"); return (ExitCodes.Failed, null); }
        // Output-side failures arrive as CaseOutputException or a failed write stage; what is left is reading the evidence.
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"forensics: cannot read the evidence: {TerminalText.Escape(ex.Message)}");
            return (ExitCodes.InputUnreadable, null);
        }

        PrintSummary(manifest, options.CaseDirectory);
        int code = manifest.LastRun.Inputs.Any(i => i.Status == "failed") ? ExitCodes.InputUnreadable : ExitCodes.Ok;
        return (code, manifest);
    }

    /// <summary>The run failed writing the case (spool, Parquet parts: disk full, permissions), not reading the evidence.</summary>
    private static bool IsOwnWriteFailure(IngestFailedException ex) => ex.InnerException switch
    {
        SpoolWriteException => true,
        IOException or UnauthorizedAccessException => ex.Stage == "write",
        // Arrow's C++ writer reports a failed write(2) as a ParquetException whose message starts with its IOError status.
        ParquetSharp.ParquetException p => ex.Stage == "write" && p.Message.Contains("IOError", StringComparison.Ordinal),
        _ => false,
    };

    private static IngestOptions WithProgress(IngestOptions o, IProgress<IngestProgress> progress) => o with { Progress = progress };

    /// <summary>Files listed in the summary table at most.</summary>
    public const int SummaryRows = 50;

    public static void PrintSummary(Manifest manifest, string caseDir)
    {
        // A collection of 100 k files must not become a 100 k-row table (it took 700 MB to lay out): files with
        // a problem first, then the rest, up to a limit; the manifest lists them all. Paths are relative to the input given.
        // The table and the first count are this run's; after an add, a second count is the whole case's.
        var run = manifest.LastRun;
        var shown = run.Inputs.OrderBy(i => i.Status is "parsed" or "context" or "archive" or "duplicate" ? 1 : 0).Take(SummaryRows).ToList();
        TextTable.Write(["file", "format", "status", "records", "events", "rejects", "first (UTC)", "last (UTC)"], shown.Select(i => (IReadOnlyList<string>)
        [
            TerminalText.Escape(string.IsNullOrEmpty(i.RelativePath) ? i.SourceFile : i.RelativePath), i.Format ?? "-",
            i.Status + (i.Reason is null ? "" : ": " + TerminalText.Escape(i.Reason)),
            i.Records.ToString("N0"), i.Events.ToString("N0"), i.Rejects.ToString("N0"),
            i.FirstTsUtc?.ToString("yyyy-MM-dd HH:mm:ss") ?? "-", i.LastTsUtc?.ToString("yyyy-MM-dd HH:mm:ss") ?? "-",
        ]));
        if (run.Inputs.Count > shown.Count)
            Console.WriteLine($"... {run.Inputs.Count - shown.Count:N0} more files ({string.Join(", ", run.Inputs.Except(shown).GroupBy(i => i.Status).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count():N0} {g.Key}"))}): every file is listed in {Path.Combine(Path.GetFullPath(caseDir), "manifest.json")}");
        bool added = manifest.Runs.Count > 1;
        Console.WriteLine((added ? $"run {run.Run}: " : "") + Counts(run.Totals));
        if (added) Console.WriteLine($"case, {manifest.Runs.Count} runs: " + Counts(manifest.Totals));
        Console.WriteLine(run.Options.TimeZoneAssumed
            ? $"time zone for local times: {TerminalText.Escape(run.Options.TimeZoneSource)}; give --tz if the machine was not on UTC"
            : $"time zone for local times: {run.Options.TimeZone} ({TerminalText.Escape(run.Options.TimeZoneSource)})");
        var machines = run.Inputs.GroupBy(i => i.EvidenceHost).OrderBy(g => g.Key is null ? 1 : 0).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{(g.Key is null ? "unknown (no etc/hostname; give --host NAME)" : TerminalText.Escape(g.Key))}: {g.Count():N0} files").ToList();
        Console.WriteLine($"{(machines.Count == 1 ? "machine" : "machines")} (evidence_host): {string.Join("; ", machines)}");
        foreach (var input in run.Inputs)
            if (input.Collection is { } c)
                Console.WriteLine(TerminalText.Escape($"{c.Kind} collection {input.RelativePath}: host {c.Hostname ?? "?"}, {c.OperatingSystem ?? "?"} {c.Architecture}, {c.Kind} {c.ToolVersion}, "
                    + $"collected {c.StartedUtc:yyyy-MM-dd HH:mm:ss} → {c.FinishedUtc:yyyy-MM-dd HH:mm:ss} UTC{(c.CollectionCompleted ? "" : " (not completed)")}{(c.Errors > 0 ? $", {c.Errors} errors in its log" : "")}"
                    + (c.MountPoint is { } mount && mount != "/" ? $", from mount point {mount}" : "")));
        foreach (var note in run.Notes) Console.WriteLine("note: " + TerminalText.Escape(note));
        Console.WriteLine(added ? $"evidence added to the case {Path.GetFullPath(caseDir)} as run {run.Run}" : $"case written to {Path.GetFullPath(caseDir)}");
    }

    /// <summary>One line that adds up: every file by status, and records = events + rejects.</summary>
    private static string Counts(ManifestTotals t) =>
        $"{t.Files} files ({t.FilesParsed} parsed, {(t.FilesContext > 0 ? $"{t.FilesContext} read as context tables, " : "")}{(t.Archives > 0 ? $"{t.Archives} archive(s) opened, " : "")}"
        + $"{(t.FilesDuplicate > 0 ? $"{t.FilesDuplicate} duplicate(s) of files already read, " : "")}{t.FilesSkipped} skipped, {t.FilesFailed} failed): "
        + $"{t.Records:N0} records = {t.Events:N0} events + {t.Rejects:N0} rejects{(t.Balanced ? "" : "  ** UNBALANCED: some records are unaccounted for **")}";
}
