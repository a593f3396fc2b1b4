using System.CommandLine;
using Forensics.Cli.Commands;

var root = new RootCommand("Forensics: offline forensic log ingestion — journals, syslog, wtmp/btmp, audit and web logs into a Parquet case you query with DuckDB.");
foreach (var command in CommandCatalog.All()) root.Subcommands.Add(command);
return await CommandLine.RunAsync(root, args);
