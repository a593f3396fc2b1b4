using System.IO.Compression;
using System.Runtime.CompilerServices;
using Forensics.Pipeline.Evidence;
using Forensics.Tests.Support;

namespace Forensics.Tests.Evidence;

/// <summary>
/// A finished file keeps only its names, hashes and times: the run tracks every file it opened until the end,
/// so what a disposed <see cref="EvidenceFile"/> still references is paid once per input file.
/// </summary>
public class EvidenceRetentionTests
{
    [Fact]
    public void A_disposed_evidence_file_no_longer_holds_its_head_or_its_decompressed_content()
    {
        using var dir = new TempDir();
        var path = dir.Combine("auth.log.gz");
        using (var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest))
            for (int i = 0; i < 2000; i++) gz.Write("2024-05-21T03:00:00.000000+00:00 h sshd[1]: Connection closed by 10.0.0.1 port 22\n"u8);

        var file = new EvidenceDiscovery(new AcquisitionLimits(), dir.Combine("spool")).Discover([path], CancellationToken.None).Single();
        Assert.Null(file.FailureReason);
        var (head, content) = Watch(file);
        file.Dispose();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.True(file.IsDisposed);
        Assert.Empty(file.Head);
        Assert.Throws<InvalidOperationException>(() => file.OpenContent());
        Assert.False(head.IsAlive, "the 64 KiB head is still referenced by the disposed file");
        Assert.False(content.IsAlive, "the opener (and the decompressed spool it captures) is still referenced by the disposed file");
        GC.KeepAlive(file);
    }

    /// <summary>Weak references to the head and to the opener (which captures the spool), made where no local outlives the call.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (WeakReference Head, WeakReference Content) Watch(EvidenceFile file)
    {
        Assert.NotNull(file.Opener);
        return (new WeakReference(file.Head), new WeakReference(file.Opener));
    }
}
