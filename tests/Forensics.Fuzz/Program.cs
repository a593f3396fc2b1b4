using Forensics.Pipeline.Formats.Audit;
using Forensics.Pipeline.Formats.Journal;
using Forensics.Pipeline.Formats.Syslog;
using Forensics.Pipeline.Formats.Utmp;
using Forensics.Pipeline.Formats.Web;
using SharpFuzz;

namespace Forensics.Fuzz;

/// <summary>
/// <c>Forensics.Fuzz TARGET</c>: runs TARGET under afl++ (SharpFuzz's in-process persistent loop; started by
/// tests/fuzz.sh against an instrumented Forensics.Pipeline.dll). <c>Forensics.Fuzz TARGET --replay FILE...</c>
/// runs inputs (afl's crashes, a corpus) once each without afl and prints the first broken invariant.
/// </summary>
public static class Program
{
    /// <summary>Name → target. The file name is the one the target's input has as evidence (names only break ties).</summary>
    public static IReadOnlyDictionary<string, Func<ITarget>> Targets { get; } = new Dictionary<string, Func<ITarget>>
    {
        ["syslog"] = () => new FormatTarget(new SyslogFormat(), "auth.log", lineFramed: true, fileOrder: true),
        ["journal"] = () => new FormatTarget(new JournalBinaryFormat(), "system.journal", lineFramed: false, fileOrder: false),
        ["journal-export"] = () => new FormatTarget(new JournalExportFormat(), "system.export", lineFramed: false, fileOrder: true),
        ["journal-json"] = () => new FormatTarget(new JournalJsonFormat(), "system.json", lineFramed: true, fileOrder: true),
        ["utmp"] = () => new FormatTarget(new UtmpFormat(UtmpFileKind.Wtmp), "wtmp", lineFramed: false, fileOrder: true),
        // Audit joins the lines of one event (same serial) that may be apart: events come out in completion order.
        ["audit"] = () => new FormatTarget(new AuditFormat(), "audit.log", lineFramed: true, fileOrder: false),
        ["access"] = () => new FormatTarget(new AccessLogFormat(), "access.log", lineFramed: true, fileOrder: true),
        ["werkzeug"] = () => new FormatTarget(new WerkzeugFormat(), "server.log", lineFramed: true, fileOrder: true),
        // A bodyfile line is one record per distinct time (same offset, same bytes): offsets repeat and lines recur.
        ["bodyfile"] = () => new FormatTarget(new Forensics.Pipeline.Formats.Bodyfile.BodyfileFormat(), "bodyfile.txt", lineFramed: false, fileOrder: false),
        ["tar"] = () => new DiscoveryTarget("evidence.tar"),
        ["zip"] = () => new DiscoveryTarget("evidence.zip"),
        // One target for the gzip/xz/zstd layers: ingest picks the layer by magic bytes, and so does this target
        // (its seeds hold all three); the layer plumbing under test (spool, bomb guard, hashing) is shared.
        ["compressed"] = () => new DiscoveryTarget("evidence.log.gz"),
    };

    public static int Main(string[] args)
    {
        if (args.Length == 0 || !Targets.TryGetValue(args[0], out var make))
        {
            Console.Error.WriteLine($"usage: Forensics.Fuzz TARGET [--replay FILE...]; targets: {string.Join(", ", Targets.Keys)}");
            return 2;
        }
        if (args.Length > 1 && args[1] == "--replay")
        {
            // Instrumented code counts branches into afl's shared map; outside afl it gets a private one.
            UseLocalCoverageMap();
            var target = make();
            int failed = 0;
            foreach (var file in args.Skip(2))
            {
                try { target.Run(File.ReadAllBytes(file)); }
                catch (Exception ex)
                {
                    failed++;
                    Console.WriteLine($"{file}: {ex.GetType().Name}: {ex.Message}");
                    Console.WriteLine(ex.StackTrace);
                }
            }
            Console.WriteLine($"{args.Length - 2} inputs, {failed} failed");
            return failed == 0 ? 0 : 1;
        }
        // Built inside the loop: the instrumented constructors need the map Fuzzer.Run sets up.
        ITarget? fuzzed = null;
        Fuzzer.Run(stream =>
        {
            var target = fuzzed ??= make();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            target.Run(copy.ToArray());
        });
        return 0;
    }

    private static unsafe void UseLocalCoverageMap()
    {
        if (SharpFuzz.Common.Trace.SharedMem == null)
            SharpFuzz.Common.Trace.SharedMem = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(1 << 16);
    }
}
