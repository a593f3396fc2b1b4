using System.CommandLine;
using Forensics.Pipeline.Query;
using Forensics.Pipeline.Text;

namespace Forensics.Cli.Commands;

/// <summary>
/// <c>forensics investigate [PATH…] [--out CASE] [--sigma RULES…]</c>: ingest, run every canned query and the Sigma rules, print the findings, and
/// write the timeline CSV (CASE/exports/timeline.csv) and the HTML report (CASE/report.html) into the case. With no PATH it ingests the bundled sample
/// case <c>data-samples/droplet1</c> into <c>./cases/droplet1</c>, which it replaces on every run (it is ours).
/// </summary>
internal static class InvestigateCommand
{
    public const string SampleCase = "droplet1";

    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "Evidence (default: the bundled sample case data-samples/droplet1)", Arity = ArgumentArity.ZeroOrMore };
        var output = new Option<string?>("--out", "-o") { Description = "Case folder to write (default: ./cases/<name of the first input>)" };
        var command = new Command("investigate", "Ingest evidence, run every canned investigation, print the findings, write a timeline and the HTML report");
        command.Arguments.Add(paths);
        command.Options.Add(output);
        IngestSettings.AddTo(command);
        command.Options.Add(QueriesCommand.QueriesFolder);
        command.Options.Add(CaseReading.AllowIncomplete);
        var sigma = new Option<string[]>("--sigma") { Description = "Also run these Sigma rule files or folders (see forensics sigma; the bundled queries/sigma/rules always run) and show the detections", AllowMultipleArgumentsPerToken = true };
        command.Options.Add(sigma);
        command.SetAction(async (parse, cancel) =>
        {
            var inputs = parse.GetValue(paths) ?? [];
            bool sample = inputs.Length == 0;
            if (sample)
            {
                var dir = LocateSample();
                if (dir is null)
                {
                    Console.Error.WriteLine($"forensics: the sample case data-samples/{SampleCase} was not found beside the program or in the repository; give evidence paths");
                    return ExitCodes.Usage;
                }
                inputs = [dir];
            }
            if (!QueriesCommand.TryLoad(parse.GetValue(QueriesCommand.QueriesFolder), out var queries)) return ExitCodes.Usage;
            // The bundled rules (queries/sigma/rules, or the copies inside the program) always run: their
            // correlations sit next to the canned queries.
            var queriesFolder = parse.GetValue(QueriesCommand.QueriesFolder);
            var sigmaRules = parse.GetValue(sigma) ?? [];
            List<Forensics.Pipeline.Sigma.RuleOutcome>? sigmaOutcomes = null;
            var sigmaDescription = "";
            if (sigmaRules.Length > 0 || Forensics.Pipeline.Sigma.SigmaFieldMap.Locate(queriesFolder) is not null || queriesFolder is null)
            {
                // Compiled before the ingest: a wrong rules path is a mistake to report before minutes of work.
                sigmaOutcomes = SigmaCommand.Compile(sigmaRules, withBundled: true, queriesFolder, out sigmaDescription, out var sigmaExit);
                if (sigmaOutcomes is null && sigmaRules.Length > 0) return sigmaExit;
            }
            var caseDir = parse.GetValue(output) ?? Path.Combine("cases", sample ? SampleCase : Path.GetFileName(Path.GetFullPath(inputs[0]).TrimEnd(Path.DirectorySeparatorChar)));
            var options = IngestSettings.Build(parse, inputs, caseDir);
            if (sample && parse.GetValue(output) is null) options = options with { Replace = !options.Add };
            var (code, manifest) = await IngestCommand.RunAsync(options, cancel);
            if (manifest is null) return code;

            var access = new CaseAccess { AllowIncomplete = parse.GetValue(CaseReading.AllowIncomplete) };
            var session = CaseReading.Open(caseDir, access, out var refused);
            if (session is null) return refused;
            try
            {
                var report = InvestigationReport.Run(session, queries);
                Console.WriteLine();
                Console.WriteLine($"Findings for {TerminalText.Escape(Path.GetFullPath(caseDir))}");
                CaseReading.Warn(session, onStdout: true, onStderr: false);
                Console.Write(TerminalColour.Highlight(report.Render()));
                var sigmaFailed = false;
                if (sigmaOutcomes is not null)
                {
                    var detections = SigmaCommand.Run(session, sigmaOutcomes, sigmaDescription);
                    Console.Write(TerminalColour.HighlightDetections(Forensics.Pipeline.Sigma.SigmaReport.Render(detections)));
                    Console.WriteLine(SigmaCommand.Footer(sigmaOutcomes, detections, [caseDir]));
                    sigmaFailed = detections.Errors.Count > 0 || sigmaOutcomes.Any(o => o.Failed is not null);
                    if (detections.WrittenPart is not null)
                    {
                        // The session's views and sandbox were fixed when it opened, before the detections part existed:
                        // the timeline and the report read the case as it is now.
                        session.Dispose();
                        session = CaseReading.Open(caseDir, access, out refused);
                        if (session is null) return refused;
                    }
                }
                var timeline = Path.Combine(caseDir, "exports", "timeline.csv");
                var result = await TimelineExport.WriteAsync(session, TimelineFormat.Csv, new TimelineFilter(), timeline, new TimelineOptions(), cancel);
                Console.WriteLine();
                Console.WriteLine($"timeline: {result.Rows:N0} events in {Path.GetFullPath(timeline)}");
                int reportCode = ReportCommand.Write(session, queries, report, null, out var reportPath);
                if (reportCode != ExitCodes.Ok) return reportCode;
                Console.WriteLine($"report: {reportPath}");
                CaseReading.Warn(session, onStdout: true);
                Console.WriteLine($"next: forensics query <name> --case {caseDir}   |   forensics sql --case {caseDir} \"SELECT event, count(*) FROM events GROUP BY ALL\"");
                return report.Errors.Count > 0 || sigmaFailed ? ExitCodes.Failed : code;
            }
            finally { session?.Dispose(); }
        });
        return command;
    }

    /// <summary>data-samples/droplet1 beside the program, or in the repository above it or the current folder.</summary>
    public static string? LocateSample()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "data-samples", SampleCase);
        if (Directory.Exists(beside)) return beside;
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            var root = QueryCatalog.RepoRoot(start);
            if (root is not null && Directory.Exists(Path.Combine(root, "data-samples", SampleCase))) return Path.Combine(root, "data-samples", SampleCase);
        }
        return null;
    }
}
