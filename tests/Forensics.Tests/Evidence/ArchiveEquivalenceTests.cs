using System.IO.Compression;
using Forensics.Tests.Support;

namespace Forensics.Tests.Evidence;

/// <summary>
/// The proof of the issue: evidence packed in each container/compression ingests to the same events as the
/// folder itself (every spine and extra column except source_file, which names the path through the archive).
/// The archives are built here from ../shared/corpus with the real Debian tools (tar, xz, zstd, bzip2).
/// </summary>
public class ArchiveEquivalenceTests
{
    private static readonly string[] Subset =
    [
        "s4/auth/Ubuntu22/auth.log", "s4/auth/Ubuntu22/auth.log.1", "s4/auth/Debian9/auth.log", "s4/auth/CentOS7/secure-20231126",
        "plaso/syslog/syslog", "plaso/syslog/syslog_ssh.log", "fail2ban/sshd",
    ];

    private static string BuildFolder(TempDir dir)
    {
        var root = dir.Combine("evidence");
        foreach (var rel in Subset)
        {
            var src = Path.Combine(Corpus.Root ?? "", rel);
            if (!File.Exists(src)) continue;
            var dst = Path.Combine(root, "var", "log", rel.Replace('/', '_'));
            Directory.CreateDirectory(Path.GetDirectoryName(dst)!);
            File.Copy(src, dst);
            File.SetLastWriteTimeUtc(dst, ArchiveKit.FixedMtime);
        }
        return root;
    }

    /// <summary>
    /// Every event column but source_file, in name order: columns are a contract by name, and a format's part
    /// files carry only the columns their events use, so union_by_name's positional order depends on which file
    /// came first.
    /// </summary>
    private static string EventsSql(string caseDir)
    {
        var columns = Support.Duck.Rows($"DESCRIBE SELECT * EXCLUDE (source_file) FROM read_parquet('{caseDir}/events/**/*.parquet', union_by_name=true)")
            .Select(r => (string)r[0]!).Order(StringComparer.Ordinal).Select(c => "\"" + c + "\"");
        return $"SELECT {string.Join(", ", columns)} FROM read_parquet('$CASE/events/**/*.parquet', union_by_name=true) ORDER BY source_sha256, source_offset";
    }

    [SkippableTheory]
    [InlineData("tar")]
    [InlineData("tar.gz")]
    [InlineData("tar.xz")]
    [InlineData("tar.bz2")]
    [InlineData("tar.zst")]
    [InlineData("zip")]
    [InlineData("gz-members")]
    [InlineData("nested")]
    public void Archive_ingests_to_the_same_events_as_the_folder(string kind)
    {
        Skip.If(Corpus.Root is null, "../shared/corpus is not present on this machine");
        using var dir = new TempDir();
        var folder = BuildFolder(dir);
        var archive = kind switch
        {
            "tar" => Tar(dir, folder, "e.tar", ""),
            "tar.gz" => Tar(dir, folder, "e.tar.gz", "-z"),
            "tar.xz" => Tar(dir, folder, "e.tar.xz", "-J"),
            "tar.bz2" => Tar(dir, folder, "e.tar.bz2", "-j"),
            "tar.zst" => Tar(dir, folder, "e.tar.zst", "--zstd"),
            "zip" => Zip(dir, folder, "e.zip"),
            "gz-members" => GzMembers(dir, folder),
            _ => Nested(dir, folder),
        };
        var fromFolder = ArchiveKit.Ingest(dir, "case-folder", null, "UTC", folder);
        var fromArchive = ArchiveKit.Ingest(dir, "case-archive", null, "UTC", archive);

        Assert.True(fromFolder.Totals.Events > 100, $"folder gave only {fromFolder.Totals.Events} events");
        Assert.Equal(fromFolder.Totals.Records, fromArchive.Totals.Records);
        Assert.True(fromArchive.Totals.Balanced);
        var expected = ArchiveKit.Rows(dir.Combine("case-folder"), EventsSql(dir.Combine("case-folder")));
        var actual = ArchiveKit.Rows(dir.Combine("case-archive"), EventsSql(dir.Combine("case-archive")));
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i], actual[i]);

        // Provenance names the path through the archive, and every member has a hash.
        var parsed = fromArchive.Inputs.Where(i => i.Status == "parsed").ToList();
        Assert.All(parsed, i => Assert.Contains("!", i.SourceFile, StringComparison.Ordinal));
        Assert.All(parsed, i => Assert.Matches("^[0-9a-f]{64}$", i.Sha256!));
        if (kind == "gz-members")
        {
            Assert.All(parsed, i => Assert.Matches("^[0-9a-f]{64}$", i.StoredSha256!));
            Assert.Equal(["bzip2", "gzip", "xz", "zstd"], parsed.Select(i => i.Compression!).Distinct().Order(StringComparer.Ordinal));
        }
        else
        {
            // The archive itself is in the manifest with its hash (and the compressed hash for .tar.gz & co).
            var archiveEntry = fromArchive.Inputs.Single(i => i.SourceFile == Path.GetFullPath(archive));
            Assert.Equal("archive", archiveEntry.Status);
            Assert.Equal(archiveEntry.Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
                kind is "tar" or "zip" ? File.ReadAllBytes(archive) : Decompressed(archive))));
            if (kind is not ("tar" or "zip"))
                Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(archive))), archiveEntry.StoredSha256);
        }
    }

    /// <summary>The decompressed bytes of the outer layer, by the real tool (the oracle for the manifest's hash).</summary>
    private static byte[] Decompressed(string archive)
    {
        var tool = archive.EndsWith(".xz", StringComparison.Ordinal) ? "xz" : archive.EndsWith(".bz2", StringComparison.Ordinal) ? "bzip2" : archive.EndsWith(".zst", StringComparison.Ordinal) ? "zstd" : "gzip";
        var psi = new System.Diagnostics.ProcessStartInfo(tool, ["-dc", archive]) { RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        using var ms = new MemoryStream();
        p.StandardOutput.BaseStream.CopyTo(ms);
        p.WaitForExit();
        return ms.ToArray();
    }

    private static string Tar(TempDir dir, string folder, string name, string flag)
    {
        ArchiveKit.Run("tar", $"{flag} -cf {dir.Combine(name)} -C {folder} .", dir.Path);
        return dir.Combine(name);
    }

    private static string Zip(TempDir dir, string folder, string name)
    {
        ZipFile.CreateFromDirectory(folder, dir.Combine(name), CompressionLevel.Optimal, includeBaseDirectory: false);
        return dir.Combine(name);
    }

    /// <summary>Every log compressed on its own (gz, xz, bz2, zst in turn), as logrotate's compresscmd would.</summary>
    private static string GzMembers(TempDir dir, string folder)
    {
        var copy = dir.Combine("compressed");
        var tools = new[] { ("gzip", "-n"), ("xz", ""), ("bzip2", ""), ("zstd", "-q --rm") };
        int i = 0;
        foreach (var file in Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var dst = Path.Combine(copy, Path.GetRelativePath(folder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(dst)!);
            File.Copy(file, dst);
            var (tool, args) = tools[i++ % tools.Length];
            ArchiveKit.Run(tool, $"{args} {Path.GetFileName(dst)}", Path.GetDirectoryName(dst)!);
        }
        // mtimes of the compressed files stay the copies' (now) but year inference must not depend on them:
        foreach (var f in Directory.GetFiles(copy, "*", SearchOption.AllDirectories)) File.SetLastWriteTimeUtc(f, ArchiveKit.FixedMtime);
        return copy;
    }

    /// <summary>A zip of the logs inside a tar inside gzip: droplet.tar.gz!inner.zip!var/log/...</summary>
    private static string Nested(TempDir dir, string folder)
    {
        var outer = dir.Combine("outer");
        Directory.CreateDirectory(outer);
        Zip(dir, folder, Path.Combine("outer", "inner.zip"));
        ArchiveKit.Run("tar", $"-czf {dir.Combine("droplet.tar.gz")} -C {outer} inner.zip", dir.Path);
        return dir.Combine("droplet.tar.gz");
    }
}
