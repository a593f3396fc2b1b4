using System.Text;
using Forensics.Pipeline.Formats.Bodyfile;
using Forensics.Pipeline.Model;
using Forensics.Tests.Support;

namespace Forensics.Tests.Formats.Bodyfile;

public class BodyfileFormatTests
{
    private static readonly BodyfileFormat Format = new();

    private static FormatHarness.Result Run(string text) => FormatHarness.Run(Format, Encoding.UTF8.GetBytes(text), "bodyfile.txt");
    private static FormatHarness.Result Run(byte[] bytes) => FormatHarness.Run(Format, bytes, "bodyfile.txt");
    private static long Seconds(long s) => s * 1_000_000;

    [Fact]
    public void A_UAC_statx_line_gives_one_event_per_distinct_time_grouped_as_mactime_does()
    {
        // UAC's statx: MD5 0, crtime present (ext4 btime); mtime = ctime = crtime, atime one second later.
        var r = Run("0|/etc/passwd|409983|-rw-r--r--|0|0|1297|1796662956|1796662955|1796662955|1796662955\n");
        Assert.Empty(r.Rejects);
        Assert.Equal(2, r.Records);
        Assert.Equal(2, r.Events.Count);
        var first = r.Events[0];
        Assert.Equal("fs.mcb", first.Event);
        Assert.Equal("m.cb", first.Get(BodyfileFormat.MacbColumn));
        Assert.Equal(Seconds(1796662955), first.TsMicros);
        Assert.Equal(TsQuality.Exact, first.TsQuality);
        Assert.Equal("/etc/passwd", first.Get(BodyfileFormat.Path));
        Assert.Equal("409983", first.Get(BodyfileFormat.Inode));
        Assert.Equal("-rw-r--r--", first.Get(BodyfileFormat.Mode));
        Assert.Equal(0L, first.Get(BodyfileFormat.Uid));
        Assert.Equal(1297L, first.Get(BodyfileFormat.Size));
        Assert.Null(first.Get(BodyfileFormat.Md5));
        Assert.Equal("fs.a", r.Events[1].Event);
        Assert.Equal(".a..", r.Events[1].Get(BodyfileFormat.MacbColumn));
        Assert.Equal(Seconds(1796662956), r.Events[1].TsMicros);
        Assert.All(r.Events, e => Assert.Equal(0, e.SourceOffset));
        Assert.Equal("Content Modification Time; Metadata Modification Time; Creation Time", EventDescriptions.TimestampDesc["fs.mcb"]);
        Assert.Equal("Last Access Time", EventDescriptions.TimestampDesc["fs.a"]);
    }

    [Fact]
    public void A_pipe_inside_a_file_name_stays_in_the_name_and_a_zero_time_gives_no_event()
    {
        var r = Run("0|/home/alice/report|final.txt|11880823|-rw-r--r--|1000|1000|2|1793612100|1793612100|1796680166|0\n");
        Assert.Empty(r.Rejects);
        Assert.Equal(["fs.ma", "fs.c"], r.Events.Select(e => e.Event));
        Assert.All(r.Events, e => Assert.Equal("/home/alice/report|final.txt", e.Get(BodyfileFormat.Path)));
        Assert.Equal(1000L, r.Events[0].Get(BodyfileFormat.Uid));
    }

    [Fact]
    public void A_symbolic_link_name_is_split_into_path_and_target()
    {
        var r = Run("0|/home/alice/pw-link -> /etc/passwd|11880826|lrwxrwxrwx|0|0|11|1793534400|1793534400|1793534400|1793534400\n");
        var e = Assert.Single(r.Events);
        Assert.Equal("fs.macb", e.Event);
        Assert.Equal("macb", e.Get(BodyfileFormat.MacbColumn));
        Assert.Equal("/home/alice/pw-link", e.Get(BodyfileFormat.Path));
        Assert.Equal("/etc/passwd", e.Get(BodyfileFormat.LinkTarget));
        // ' -> ' in a regular file's name is part of its name
        var plain = Assert.Single(Run("0|/tmp/a -> b|1|-rw-r--r--|0|0|1|5|5|5|5\n").Events);
        Assert.Equal("/tmp/a -> b", plain.Get(BodyfileFormat.Path));
        Assert.Null(plain.Get(BodyfileFormat.LinkTarget));
    }

    [Fact]
    public void TSK_fls_lines_with_an_MD5_and_NTFS_inodes_and_fractional_times_are_read()
    {
        var r = Run("d41d8cd98f00b204e9800998ecf8427e|/Windows/x.dll|62-128-4|r/rrwxrwxrwx|0|0|0|1700000003|1700000001.25|1700000002|1700000000.123456789\n");
        Assert.Empty(r.Rejects);
        Assert.Equal(["fs.m", "fs.a", "fs.c", "fs.b"], r.Events.Select(e => e.Event));
        Assert.Equal(Seconds(1700000001) + 250_000, r.Events[0].TsMicros);
        Assert.Equal(Seconds(1700000000) + 123_456, r.Events[3].TsMicros);
        Assert.Equal("62-128-4", r.Events[0].Get(BodyfileFormat.Inode));
        Assert.Equal("d41d8cd98f00b204e9800998ecf8427e", r.Events[0].Get(BodyfileFormat.Md5));
    }

    [Fact]
    public void A_line_whose_times_are_all_unknown_is_one_event_without_a_time()
    {
        var r = Run("0|/proc-like/file|7|-r--r--r--|0|0|0|0|0|0|0\n");
        var e = Assert.Single(r.Events);
        Assert.Equal(Macb.NoTimeKind, e.Event);
        Assert.Null(e.TsMicros);
        Assert.Equal(TsQuality.Missing, e.TsQuality);
        Assert.Equal("....", e.Get(BodyfileFormat.MacbColumn));
    }

    [Fact]
    public void A_name_that_is_not_UTF8_is_kept_with_its_bytes_escaped()
    {
        var bytes = Encoding.ASCII.GetBytes("0|/home/alice/caf?.txt|11880824|-rw-r--r--|0|0|2|1793534400|1793534400|1796680166|1796680166\n");
        bytes[Array.IndexOf(bytes, (byte)'?')] = 0xE9; // Latin-1 é, as UAC's statx writes the raw name
        var r = Run(bytes);
        Assert.Empty(r.Rejects);
        Assert.Equal(@"/home/alice/caf\xE9.txt", r.Events[0].Get(BodyfileFormat.Path));
    }

    [Fact]
    public void A_name_holding_newlines_is_joined_back_from_the_lines_it_split_into()
    {
        // UAC's statx writes the name raw: /tmp/two<LF>lines becomes two lines, a<LF>b<LF>c three.
        var r = Run("0|/tmp/two\nlines|11880825|-rw-r--r--|0|0|2|1793534400|1793534400|1796680166|1796680166\n"
            + "0|/a\nb\nc|1|-rw-r--r--|0|0|1|5|5|5|5\n"
            + "0|/ok|2|-rw-r--r--|0|0|1|5|5|5|5\n"
            + "0|/never\nfinished\n");
        Assert.Equal(["/tmp/two\nlines", "/tmp/two\nlines", "/a\nb\nc", "/ok"], r.Events.Select(e => (string)e.Get(BodyfileFormat.Path)!));
        Assert.Equal(["fs.ma", "fs.cb", "fs.macb", "fs.macb"], r.Events.Select(e => e.Event));
        Assert.Equal(0, r.Events[0].SourceOffset);
        var reject = Assert.Single(r.Rejects);
        Assert.Equal("0|/never\nfinished"u8.ToArray(), reject.Raw);
        Assert.Contains("2 fields where a bodyfile line has 11", reject.Reason, StringComparison.Ordinal);
        // A line that is a record on its own is never swallowed by a broken line before it.
        var kept = Run("0|/cut\n0|/whole|3|-rw-r--r--|0|0|1|5|5|5|5\n");
        Assert.Equal(["/whole"], kept.Events.Select(e => e.Get(BodyfileFormat.Path)));
        Assert.Single(kept.Rejects);
    }

    [Fact]
    public void Hostile_and_broken_lines_are_rejected_with_their_reason_and_offset()
    {
        var giant = "0|/" + new string('a', BodyfileFormat.MaxLineBytes + 10) + "|1|-rw-r--r--|0|0|1|5|5|5|5";
        var lines = new[]
        {
            "0|/tmp/cut",                                                              // cut short, nothing completes it
            "0|/tmp/nul\0name|1|-rw-r--r--|0|0|1|5|5|5|5",
            giant,
            "0|/x|1|-rw-r--r--|root|0|1|5|5|5|5",
            "xyz|/x|1|-rw-r--r--|0|0|1|5|5|5|5",
            "0|/x|1|-rw-r--r--|0|0|1|5|5|5|yesterday",
            "0|/x|1|-rw-r--r--|0|0|1|5|5|5|99999999999999",
            "0||1|-rw-r--r--|0|0|1|5|5|5|5",
            "",
            "# a comment",
            "0|/ok|1|-rw-r--r--|0|0|1|5|5|5|5",
        };
        var r = Run(string.Join("\n", lines) + "\n");
        Assert.Equal(["/ok"], r.Events.Select(e => e.Get(BodyfileFormat.Path)));
        Assert.Equal(r.Records, r.Events.Count + r.Rejects.Count);
        var reasons = r.Rejects.Select(x => x.Reason).ToList();
        Assert.Equal(10, reasons.Count);
        Assert.Contains("2 fields where a bodyfile line has 11", reasons[0], StringComparison.Ordinal);
        Assert.Contains("NUL byte", reasons[1], StringComparison.Ordinal);
        Assert.Contains("line longer than", reasons[2], StringComparison.Ordinal);
        Assert.Contains("UID field", reasons[3], StringComparison.Ordinal);
        Assert.Contains("MD5 field", reasons[4], StringComparison.Ordinal);
        Assert.Contains("crtime", reasons[5], StringComparison.Ordinal);
        Assert.Contains("crtime", reasons[6], StringComparison.Ordinal);
        Assert.Contains("empty file name", reasons[7], StringComparison.Ordinal);
        Assert.Equal("empty line", reasons[8]);
        Assert.Contains("comment", reasons[9], StringComparison.Ordinal);
        Assert.Equal(lines[0].Length + 1, r.Rejects[1].SourceOffset);
        Assert.Equal(BodyfileFormat.MaxLineBytes, r.Rejects[2].Raw.Length);
        Assert.Equal(Encoding.UTF8.GetBytes(lines[1]), r.Rejects[1].Raw);
    }

    [Fact]
    public void Sniff_recognises_bodyfiles_and_not_other_logs()
    {
        var body = "0|/etc|1|drwxr-xr-x|0|0|4096|1|2|3|4\n0|/etc/passwd|2|-rw-r--r--|0|0|1|1|2|3|4\n"u8;
        Assert.True(Format.Sniff(body, "bodyfile.txt") >= 90);
        Assert.True(Format.Sniff(body, "renamed") >= 90);
        Assert.Equal(0, Format.Sniff("2026-11-02T09:14:01.120334+00:00 host sshd[812]: Invalid user admin from 1.2.3.4 port 5\n"u8, "auth.log"));
        Assert.Equal("bodyfile", Forensics.Pipeline.Formats.FormatRegistry.Detect(body, "x").Format?.Id);
    }
}
