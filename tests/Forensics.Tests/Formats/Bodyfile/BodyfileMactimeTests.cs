using System.Diagnostics;
using System.Globalization;
using System.Text;
using Forensics.Pipeline.Formats.Bodyfile;
using Forensics.Pipeline.Formats.Web;
using Forensics.Pipeline.Model;
using Forensics.Tests.Support;

namespace Forensics.Tests.Formats.Bodyfile;

/// <summary>
/// Differential: the bodyfile events equal the rows Sleuth Kit's <c>mactime -d -y</c> (Debian package sleuthkit)
/// prints for the same file, row for row (time, MACB letters, inode, mode, uid, gid, size, name). Where we differ
/// on purpose the difference is asserted too: mactime's rows for unknown times (<c>0000-00-00T00:00:00Z</c>) have no
/// event here, and mactime loses a line whose name holds a pipe (it splits every field on '|') and a name holding a
/// newline (split over two lines by UAC's statx), which we keep.
/// </summary>
public class BodyfileMactimeTests
{
    private const string Mactime = "/usr/bin/mactime";

    [SkippableFact]
    public void The_UAC_fixture_bodyfile_gives_the_rows_mactime_prints()
    {
        Skip.IfNot(File.Exists(Mactime), "mactime (Debian package sleuthkit) is not installed; listed in .ci/apt-packages");
        using var dir = new TempDir();
        var bodyfile = dir.Combine("bodyfile.txt");
        File.WriteAllBytes(bodyfile, UacFixture.Member("bodyfile/bodyfile.txt"));
        var (ours, lost) = Compare(bodyfile);
        // The fixture's "report|final.txt" and "two<LF>lines" (mtime = atime, ctime = crtime): two events each that mactime cannot print.
        Assert.Equal(4, lost);
        Assert.True(ours > 40, $"only {ours} events compared");
    }

    [SkippableFact]
    public void A_bodyfile_GNU_stat_writes_for_this_machine_gives_the_rows_mactime_prints()
    {
        Skip.IfNot(File.Exists(Mactime), "mactime (Debian package sleuthkit) is not installed; listed in .ci/apt-packages");
        using var dir = new TempDir();
        var bodyfile = dir.Combine("bodyfile.txt");
        // UAC's fallback when statx is absent, with %n for the name (UAC's %N adds shell quoting it then strips).
        var files = Directory.EnumerateFileSystemEntries("/etc").Order(StringComparer.Ordinal).Take(200).ToList();
        var psi = new ProcessStartInfo("stat") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-c", "0|%n|%i|%A|%u|%g|%s|%X|%Y|%Z|%W", .. files]) psi.ArgumentList.Add(a);
        using (var p = Process.Start(psi)!)
        {
            var text = p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            File.WriteAllText(bodyfile, text);
        }
        var (ours, lost) = Compare(bodyfile);
        Assert.Equal(0, lost);
        Assert.True(ours >= files.Count, $"only {ours} events for {files.Count} files");
    }

    /// <summary>Asserts our events equal mactime's rows; returns (events compared, events of names holding a pipe or newline, which mactime drops).</summary>
    private static (int Compared, int Lost) Compare(string bodyfile)
    {
        var result = FormatHarness.RunFile(new BodyfileFormat(), bodyfile);
        var expected = MactimeRows(bodyfile).Where(r => !r.StartsWith("0000-00-00T", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        var timed = result.Events.Where(e => e.TsMicros is not null).ToList();
        var piped = timed.Where(e => ((string)e.Get(BodyfileFormat.Path)!).AsSpan().IndexOfAny('|', '\n') >= 0).ToList();
        var actual = timed.Except(piped).Select(Row).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, actual);
        return (actual.Count, piped.Count);
    }

    /// <summary>An event as mactime -d -y prints it: date,size,macb,mode,uid,gid,inode,"name".</summary>
    private static string Row(ForensicEvent e)
    {
        var time = DateTimeOffset.FromUnixTimeMilliseconds(e.TsMicros!.Value / 1000).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var name = (string)e.Get(BodyfileFormat.Path)! + (e.Get(BodyfileFormat.LinkTarget) is string target ? " -> " + target : "");
        return $"{time},{e.Get(BodyfileFormat.Size)},{e.Get(BodyfileFormat.MacbColumn)},{e.Get(BodyfileFormat.Mode)},{e.Get(BodyfileFormat.Uid)},{e.Get(BodyfileFormat.Gid)},{e.Get(BodyfileFormat.Inode)},\"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
    }

    /// <summary>mactime's comma-delimited rows (the header dropped), names decoded as our columns hold them (bytes that are not UTF-8 as \xHH).</summary>
    private static List<string> MactimeRows(string bodyfile)
    {
        var psi = new ProcessStartInfo(Mactime) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-b", bodyfile, "-d", "-y"]) psi.ArgumentList.Add(a);
        psi.Environment["TZ"] = "UTC";
        using var p = Process.Start(psi)!;
        using var bytes = new MemoryStream();
        p.StandardOutput.BaseStream.CopyTo(bytes);
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        var rows = new List<string>();
        foreach (var range in bytes.ToArray().AsSpan().Split((byte)'\n'))
        {
            var line = bytes.GetBuffer().AsSpan(0, (int)bytes.Length)[range];
            if (line.IsEmpty) continue;
            rows.Add(LogText.Lossless(line));
        }
        Assert.StartsWith("Date,Size,Type,Mode,UID,GID,Meta,File Name", rows[0], StringComparison.Ordinal);
        return rows.Skip(1).ToList();
    }
}

/// <summary>The UAC collection committed under tests/fixtures/uac (made by its generate.sh with the real UAC).</summary>
public static class UacFixture
{
    public static string Tarball => Path.Combine(RepoPaths.Root, "tests", "fixtures", "uac", "uac-uacsynth1.tar.gz");

    /// <summary>One member's bytes, read with .NET's own tar and gzip readers.</summary>
    public static byte[] Member(string name)
    {
        using var gz = new System.IO.Compression.GZipStream(File.OpenRead(Tarball), System.IO.Compression.CompressionMode.Decompress);
        using var tar = new System.Formats.Tar.TarReader(gz);
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.Name.TrimStart('.', '/') != name || entry.DataStream is null) continue;
            using var copy = new MemoryStream();
            entry.DataStream.CopyTo(copy);
            return copy.ToArray();
        }
        throw new FileNotFoundException($"{name} is not in {Tarball}");
    }
}
