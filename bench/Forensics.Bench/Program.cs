using BenchmarkDotNet.Running;
using Forensics.Bench.EndToEnd;

// Harness sub-commands (used by bench/*.sh) first; anything else goes to BenchmarkDotNet.
if (args.Length > 0 && HarnessCommands.TryRun(args, out int code)) return code;
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
