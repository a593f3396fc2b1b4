using System.Buffers.Binary;
using System.Text;
using Forensics.Pipeline.Formats;
using Forensics.Pipeline.Formats.Utmp;
using Forensics.Tests.Support;

namespace Forensics.Tests.Formats.Utmp;

/// <summary>lastlog is recognised by name plus content, both ways: sparse real files yes, saved text output no.</summary>
public sealed class LastlogDetectionTests
{
    private static byte[] Slot(int time, string line, string host)
    {
        var slot = new byte[LastlogFormat.RecordSize];
        BinaryPrimitives.WriteInt32LittleEndian(slot, time);
        Encoding.ASCII.GetBytes(line).CopyTo(slot, 4);
        Encoding.ASCII.GetBytes(host).CopyTo(slot, 36);
        return slot;
    }

    [Fact]
    public void A_sparse_lastlog_whose_only_slot_is_uid_1000_is_read()
    {
        // As login/sshd leave it: a hole up to uid 1000 (292,000 bytes, far past the 64 KiB sniffed), then one slot.
        var bytes = new byte[LastlogFormat.RecordSize * 1001];
        Slot(1716200000, "pts/1", "203.0.113.5").CopyTo(bytes, LastlogFormat.RecordSize * 1000);
        Assert.Equal("lastlog", FormatRegistry.Detect(bytes.AsSpan(0, ILogFormat.SniffBytes), "lastlog").Format?.Id);

        using var tmp = new TempDir();
        var root = tmp.Combine("machine");
        Directory.CreateDirectory(Path.Combine(root, "etc"));
        Directory.CreateDirectory(Path.Combine(root, "var", "log"));
        File.WriteAllText(Path.Combine(root, "etc", "passwd"), "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice:/home/alice:/bin/bash\n");
        File.WriteAllBytes(Path.Combine(root, "var", "log", "lastlog"), bytes);
        using var run = CaseRun.Ingest([root]);
        var row = Assert.Single(Duck.Rows($"SELECT uid, \"user\", src_ip, CAST(ts AS VARCHAR) FROM {run.Events} WHERE format = 'lastlog'"));
        Assert.Equal([1000L, "alice", "203.0.113.5", "2024-05-20 10:13:20+00"], row);
    }

    [Fact]
    public void Saved_lastlog_command_output_is_not_decoded_as_binary()
    {
        var text = new StringBuilder("Username         Port     From             Latest\n");
        text.Append("root             pts/0    203.0.113.5      Mon May 20 10:13:20 +0000 2024\n");
        for (int i = 0; i < 30; i++) text.Append($"user{i,-12} **Never logged in**\n");
        var bytes = Encoding.ASCII.GetBytes(text.ToString());
        Assert.True(bytes.Length > 600);
        Assert.Equal(0, new LastlogFormat().Sniff(bytes, "lastlog.txt"));
        Assert.NotEqual("lastlog", FormatRegistry.Detect(bytes, "lastlog").Format?.Id);

        using var tmp = new TempDir();
        File.WriteAllBytes(tmp.Combine("lastlog"), bytes);
        using var run = CaseRun.Ingest([tmp.Combine("lastlog")]);
        var input = Assert.Single(run.Manifest.Inputs);
        Assert.NotEqual("lastlog", input.Format);
        Assert.Equal(0, input.Events);
        Assert.False(Directory.Exists(Path.Combine(run.CaseDir, "events", "lastlog")));
    }

    [Fact]
    public void A_slot_of_text_inside_a_real_lastlog_is_a_named_reject()
    {
        var bytes = new byte[LastlogFormat.RecordSize * 3];
        Slot(1716200000, "pts/0", "203.0.113.5").CopyTo(bytes, 0);
        Encoding.ASCII.GetBytes(new string('x', LastlogFormat.RecordSize)).CopyTo(bytes, LastlogFormat.RecordSize * 2);
        var r = FormatHarness.Run(new LastlogFormat(), bytes, "lastlog");
        Assert.Single(r.Events);
        Assert.Contains("not NUL-padded text", Assert.Single(r.Rejects).Reason, StringComparison.Ordinal);
    }
}
