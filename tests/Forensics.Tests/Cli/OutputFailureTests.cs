using System.Diagnostics;
using System.IO.Compression;
using Forensics.Pipeline.Case;
using Forensics.Tests.Query;
using Forensics.Tests.Support;

namespace Forensics.Tests.Cli;

/// <summary>
/// A write of ours that fails (the spool of decompressed evidence, the case's Parquet parts) fails the run: exit 4
/// (README: "an output cannot be written … disk full"), manifest "failed" naming the cause, and the evidence is
/// never blamed (no file "partial" with a gzip error, no hash of a cut-short copy). The full disk is a small tmpfs,
/// so these tests need root (mount); they skip with the reason otherwise.
/// </summary>
public sealed class OutputFailureTests
{
    [SkippableFact]
    public void Out_of_space_while_a_gz_is_spooled_fails_the_run_with_exit_4_and_does_not_blame_the_evidence()
    {
        using var dir = new TempDir();
        // ~100 MB decompressed: past the 64 MiB in-memory spool, then the spool file meets the 30 MB disk.
        var gz = dir.Combine("auth.log.gz");
        WriteGzippedAuthLog(gz, 1_000_000);
        using var small = SmallDisk.Mount(dir.Combine("small"), "30m");
        var caseDir = Path.Combine(small.Path, "case");

        var (code, _, stderr) = CaseSessionTests.RunCli(["ingest", gz, "--out", caseDir, "--tz", "UTC"]);

        Assert.True(code == 4, $"exit {code}: {stderr}");
        var line = Assert.Single(stderr.TrimEnd('\n').Split('\n'), l => l.StartsWith("forensics: ", StringComparison.Ordinal));
        Assert.Contains("spool", line, StringComparison.Ordinal);
        Assert.Contains("No space left on device", line, StringComparison.Ordinal);
        var manifest = Manifest.Load(Path.Combine(caseDir, CaseLayout.ManifestFile));
        Assert.Equal("failed", manifest.Status);
        Assert.Contains(manifest.LastRun.Notes, n => n.Contains("No space left on device", StringComparison.Ordinal));
        Assert.DoesNotContain(manifest.Inputs, i => i.Status == "partial" || (i.Reason ?? "").Contains("gzip error", StringComparison.Ordinal));
        // Whatever is recorded for the evidence describes the evidence: never the size of a cut-short spool.
        long realLength = DecompressedLength(gz);
        Assert.All(manifest.Inputs.Where(i => i.Sha256 is not null), i => Assert.Equal(realLength, i.Size));
    }

    [SkippableFact]
    public void A_full_disk_while_the_case_parts_are_written_exits_4_with_a_failed_manifest()
    {
        using var dir = new TempDir();
        var log = dir.Combine("auth.log");
        File.WriteAllBytes(log, AuthLog(300_000));
        using var small = SmallDisk.Mount(dir.Combine("small"), "2m");
        var caseDir = Path.Combine(small.Path, "case");

        var (code, _, stderr) = CaseSessionTests.RunCli(["ingest", log, "--out", caseDir, "--tz", "UTC"]);

        Assert.True(code == 4, $"exit {code}: {stderr}");
        Assert.Contains("No space left on device", stderr, StringComparison.Ordinal);
        var manifest = Manifest.Load(Path.Combine(caseDir, CaseLayout.ManifestFile));
        Assert.Equal("failed", manifest.Status);
    }

    private static byte[] AuthLog(int lines)
    {
        var sb = new System.Text.StringBuilder(lines * 100);
        for (int i = 0; i < lines; i++)
            sb.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"May {10 + i % 10} 10:{i % 60:00}:{i / 60 % 60:00} web1 sshd[{1000 + i % 30000}]: Failed password for root from 203.0.{i / 250 % 256}.{i % 250} port {40000 + i % 20000} ssh2\n");
        return System.Text.Encoding.ASCII.GetBytes(sb.ToString());
    }

    private static void WriteGzippedAuthLog(string path, int lines)
    {
        using var f = File.Create(path);
        using var gz = new GZipStream(f, CompressionLevel.Fastest);
        gz.Write(AuthLog(lines));
    }

    private static long DecompressedLength(string gz)
    {
        using var s = new GZipStream(File.OpenRead(gz), CompressionMode.Decompress);
        long n = 0;
        var buffer = new byte[1 << 16];
        int r;
        while ((r = s.Read(buffer)) > 0) n += r;
        return n;
    }

    /// <summary>A tmpfs of a given size, unmounted on dispose; skips the test when it cannot be mounted.</summary>
    private sealed class SmallDisk : IDisposable
    {
        public string Path { get; }
        private SmallDisk(string path) => Path = path;

        public static SmallDisk Mount(string path, string size)
        {
            Skip.IfNot(OperatingSystem.IsLinux() && Environment.UserName == "root", "mounting a small tmpfs (a full disk) needs root on Linux");
            Directory.CreateDirectory(path);
            var (code, error) = Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", path);
            Skip.If(code != 0, $"cannot mount a tmpfs here (mount exit {code}: {error.Trim()})");
            return new SmallDisk(path);
        }

        public void Dispose() => Run("umount", Path);

        private static (int Code, string Error) Run(string tool, params string[] args)
        {
            var psi = new ProcessStartInfo(tool, args) { RedirectStandardError = true, RedirectStandardOutput = true };
            using var p = Process.Start(psi)!;
            p.StandardOutput.ReadToEnd();
            var error = p.StandardError.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, error);
        }
    }
}
