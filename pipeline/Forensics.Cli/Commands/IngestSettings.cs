using System.CommandLine;
using Forensics.Pipeline.Evidence;
using Forensics.Pipeline.Stages;

namespace Forensics.Cli.Commands;

/// <summary>
/// The ingest options of the command line, declared and turned into <see cref="IngestOptions"/> in this one place.
/// Every command that ingests adds all of them (<see cref="AddTo"/>) and builds with <see cref="Build"/>: an
/// option a command did not add would read as its type's default (0 bytes for the archive limits, so every
/// compressed file would stop at once).
/// </summary>
internal static class IngestSettings
{
    public static readonly Option<bool> Replace = new("--replace") { Description = "Replace the case data in a non-empty case folder instead of refusing" };
    public static readonly Option<bool> Add = new("--add") { Description = "Add the evidence to the existing case as a new ingest run (files already in the case are recorded as duplicates, not read twice)" };
    public static readonly Option<string?> Tz = new("--tz") { Description = "IANA time zone of local-time logs (default: the evidence's etc/timezone or etc/localtime, else UTC)" };
    public static readonly Option<int?> Year = new("--year") { Description = "Year of the first record of year-less syslog files (default: inferred from file times)" };
    public static readonly Option<int> Workers = new("--workers") { Description = "Parse workers", DefaultValueFactory = _ => Environment.ProcessorCount };
    public static readonly Option<long> MaxMemberBytes = new("--max-member-bytes") { Description = "Largest decompressed size of one file or archive member", DefaultValueFactory = _ => new AcquisitionLimits().MaxMemberBytes };
    public static readonly Option<double> MaxRatio = new("--max-expansion-ratio") { Description = "Largest decompressed/compressed ratio (decompression bomb guard)", DefaultValueFactory = _ => new AcquisitionLimits().MaxExpansionRatio };

    public static readonly Option<string?> Host = CreateHost();

    private static readonly Option[] All = [Replace, Add, Tz, Year, Workers, MaxMemberBytes, MaxRatio, Host];

    private static Option<string?> CreateHost()
    {
        var host = new Option<string?>("--host")
        {
            Description = "Evidence host of every input of this run (default: each input's etc/hostname); events, rejects and context tables carry it as evidence_host",
        };
        host.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string?>();
            var normal = Forensics.Pipeline.Case.HostPartition.Normalize(value, out bool cut);
            if (normal is null) result.AddError("--host needs a host name, not an empty text");
            else if (cut) result.AddError($"--host is longer than {Forensics.Pipeline.Case.HostPartition.MaxBytes} bytes (HOST_NAME_MAX), which no Linux host name is");
        });
        return host;
    }

    public static void AddTo(Command command)
    {
        foreach (var o in All) command.Options.Add(o);
    }

    public static IngestOptions Build(ParseResult parse, IReadOnlyList<string> inputs, string caseDir)
    {
        foreach (var o in All)
            if (!parse.CommandResult.Command.Options.Contains(o))
                throw new InvalidOperationException($"command {parse.CommandResult.Command.Name} builds ingest options without {o.Name}; add them with IngestSettings.AddTo");
        return new IngestOptions
        {
            Inputs = inputs,
            CaseDirectory = caseDir,
            Replace = parse.GetValue(Replace),
            Add = parse.GetValue(Add),
            TimeZone = parse.GetValue(Tz),
            Year = parse.GetValue(Year),
            Host = Forensics.Pipeline.Case.HostPartition.Normalize(parse.GetValue(Host), out _),
            Workers = Math.Max(1, parse.GetValue(Workers)),
            Limits = new AcquisitionLimits { MaxMemberBytes = parse.GetValue(MaxMemberBytes), MaxExpansionRatio = parse.GetValue(MaxRatio) },
        };
    }
}
