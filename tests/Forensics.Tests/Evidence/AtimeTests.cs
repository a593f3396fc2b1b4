using System.Diagnostics;
using Forensics.Tests.Support;

namespace Forensics.Tests.Evidence;

/// <summary>Reading the evidence leaves its access times as they were found (O_NOATIME), and the manifest says so.</summary>
public class AtimeTests
{
    private static readonly DateTime LongAgo = new(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    [SkippableFact]
    public void Ingesting_a_folder_leaves_the_access_times_of_its_files_unchanged_and_records_it()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "O_NOATIME is Linux's");
        using var dir = new TempDir();
        var evidence = dir.Combine("evidence");
        Directory.CreateDirectory(evidence);
        // A strictatime tmpfs updates the atime on every read; without root, /tmp's own mount (relatime updates an
        // atime older than the mtime, which LongAgo is) is checked with a control file first.
        using var mount = StrictAtimeMount.TryCreate(evidence);
        File.WriteAllText(Path.Combine(evidence, "auth.log"),
            "2024-05-21T03:00:00.000000+00:00 h sshd[1]: Connection closed by 10.0.0.1 port 22\n"
            + "2024-05-21T03:00:01.000000+00:00 h sshd[2]: Connection closed by 10.0.0.2 port 22\n");
        File.WriteAllText(Path.Combine(evidence, "notes.bin"), "\0\0\0\0 not a log");
        var control = dir.Combine("control.txt");
        File.WriteAllText(control, "control");
        foreach (var f in Directory.GetFiles(evidence).Append(control)) File.SetLastAccessTimeUtc(f, LongAgo);
        _ = File.ReadAllBytes(control);
        Skip.If(mount is null && File.GetLastAccessTimeUtc(control) == LongAgo, "this file system does not update access times on read");

        using var run = CaseRun.Ingest([evidence]);

        Assert.Equal(2, run.Manifest.Totals.Events);
        foreach (var f in Directory.GetFiles(evidence))
            Assert.Equal(LongAgo, File.GetLastAccessTimeUtc(f));
        Assert.All(run.Manifest.Inputs, i => Assert.True(i.AtimePreserved, $"{i.SourceFile}: atime_preserved"));
        Assert.True(run.Manifest.Totals.AtimePreserved);
    }

    /// <summary>A small tmpfs mounted with strictatime (root only); null when it cannot be mounted.</summary>
    private sealed class StrictAtimeMount : IDisposable
    {
        private readonly string _path;
        private StrictAtimeMount(string path) => _path = path;

        public static StrictAtimeMount? TryCreate(string path)
        {
            if (Environment.UserName != "root" || !File.Exists("/usr/bin/mount")) return null;
            return Run("/usr/bin/mount", "-t", "tmpfs", "-o", "size=1m,strictatime", "forensics-atime", path) ? new StrictAtimeMount(path) : null;
        }

        public void Dispose() => Run("/usr/bin/umount", _path);

        private static bool Run(string file, params string[] args)
        {
            var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in args) start.ArgumentList.Add(a);
            using var p = Process.Start(start)!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
    }
}
