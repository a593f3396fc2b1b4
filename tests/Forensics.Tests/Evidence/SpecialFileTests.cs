using System.Diagnostics;
using Forensics.Tests.Support;

namespace Forensics.Tests.Evidence;

/// <summary>FIFOs and device nodes are never opened: one in a folder is skipped with its kind, one given directly is refused.</summary>
public class SpecialFileTests
{
    [SkippableFact]
    public void A_fifo_in_the_evidence_is_skipped_and_the_run_does_not_hang()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists("/usr/bin/mkfifo"), "needs Linux and mkfifo");
        using var dir = new TempDir();
        var evidence = dir.Combine("evidence");
        Directory.CreateDirectory(evidence);
        File.WriteAllText(Path.Combine(evidence, "auth.log"), "2024-05-21T03:00:00.000000+00:00 h sshd[1]: Connection closed by 10.0.0.1 port 22\n");
        using (var mkfifo = Process.Start("/usr/bin/mkfifo", Path.Combine(evidence, "pickup"))) mkfifo.WaitForExit();
        // Before the fix, discovery opened the FIFO and blocked forever: bound the wait so the test fails instead.
        var run = Task.Run(() => CaseRun.Ingest([evidence]));
        Assert.True(run.Wait(TimeSpan.FromSeconds(60)), "ingest did not finish: the FIFO was opened");
        using var result = run.Result;
        var fifo = Assert.Single(result.Manifest.Inputs, i => i.SourceFile.EndsWith("pickup", StringComparison.Ordinal));
        Assert.Equal("skipped", fifo.Status);
        Assert.Contains("FIFO", fifo.Reason, StringComparison.Ordinal);
        Assert.Equal(1, result.Manifest.Totals.Events);
    }

    [SkippableFact]
    public void A_character_device_given_directly_is_refused_without_reading_it()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists("/dev/zero"), "needs Linux /dev/zero");
        var run = Task.Run(() => CaseRun.Ingest(["/dev/zero"]));
        Assert.True(run.Wait(TimeSpan.FromSeconds(60)), "ingest did not finish: /dev/zero was read");
        using var result = run.Result;
        var input = Assert.Single(result.Manifest.Inputs);
        Assert.Equal("failed", input.Status);
        Assert.Contains("character device", input.Reason, StringComparison.Ordinal);
    }
}
