using System.Buffers.Binary;
using System.Text;
using Forensics.Pipeline.Formats.Journal;
using Forensics.Tests.Support;

namespace Forensics.Tests.Formats.Journal;

/// <summary>
/// A journal field over 1 MiB is cut to its first 1 MiB, the cut is named in <c>cut_fields</c>, and the entry is
/// still an event (a 30 MiB binary value cost about 1 GB of memory before; memory is not asserted here, the
/// stored size is).
/// </summary>
public class JournalFieldCapTests
{
    private const int Big = 10 << 20;

    private static byte[] Header(int seq) => Encoding.ASCII.GetBytes(
        $"__CURSOR=s=1;i={seq}\n__REALTIME_TIMESTAMP={1716260000000000 + seq}\n__MONOTONIC_TIMESTAMP={seq}\n_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=h\nSYSLOG_IDENTIFIER=app\n_PID=1\n");

    private static byte[] ExportStream()
    {
        var s = new MemoryStream();
        s.Write(Header(1));
        s.Write("MESSAGE="u8);
        s.Write(Encoding.ASCII.GetBytes(new string('A', Big)));
        s.Write("\n\n"u8);
        // Binary-safe form: NAME\n le64 size, bytes (control bytes make it binary), \n.
        s.Write(Header(2));
        s.Write("BLOB\n"u8);
        var blob = new byte[3 << 20];
        for (int i = 0; i < blob.Length; i++) blob[i] = (byte)i;
        Span<byte> size = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(size, (ulong)blob.Length);
        s.Write(size);
        s.Write(blob);
        s.Write("\nMESSAGE=second\n\n"u8);
        s.Write(Header(3));
        s.Write("MESSAGE=small\n\n"u8);
        return s.ToArray();
    }

    private static byte[] JsonLines()
    {
        var s = new StringBuilder();
        s.Append("{\"__CURSOR\":\"s=1;i=1\",\"__REALTIME_TIMESTAMP\":\"1716260000000001\",\"_HOSTNAME\":\"h\",\"SYSLOG_IDENTIFIER\":\"app\",\"MESSAGE\":\"");
        s.Append('é', Big / 2); // two bytes each: the cut must not split one
        s.Append("\"}\n");
        s.Append("{\"__CURSOR\":\"s=1;i=2\",\"__REALTIME_TIMESTAMP\":\"1716260000000002\",\"_HOSTNAME\":\"h\",\"SYSLOG_IDENTIFIER\":\"app\",\"MESSAGE\":\"small\"}\n");
        return Encoding.UTF8.GetBytes(s.ToString());
    }

    [Fact]
    public void Export_fields_over_1_MiB_are_cut_named_and_the_entries_stay_events()
    {
        using var dir = new TempDir();
        var path = dir.Combine("system.export");
        File.WriteAllBytes(path, ExportStream());

        using var run = CaseRun.Ingest([path]);

        var input = Assert.Single(run.Manifest.Inputs);
        Assert.Equal(("journal_export", 3L, 0L), (input.Format, input.Events, input.Rejects));
        var rows = Duck.Rows($"SELECT strlen(message), cut_fields, strlen(fields) FROM {run.Events} ORDER BY source_offset");
        Assert.Equal([(long)JournalField.MaxValueBytes, $"MESSAGE={Big}"], rows[0][..2]);
        Assert.Equal(["second", $"BLOB={3 << 20}"], new object?[] { Duck.Scalar($"SELECT message FROM {run.Events} WHERE cut_fields LIKE 'BLOB=%'"), rows[1][1] });
        Assert.Null(rows[2][1]);
        // The stored JSON of the cut blob: 1 MiB of bytes as numbers, bounded, never the 3 MiB value.
        Assert.InRange((long)rows[1][2]!, JournalField.MaxValueBytes, 5L * JournalField.MaxValueBytes);
    }

    [Fact]
    public void Json_fields_over_1_MiB_are_cut_at_a_character_boundary_and_named()
    {
        using var dir = new TempDir();
        var path = dir.Combine("system.json");
        File.WriteAllBytes(path, JsonLines());

        using var run = CaseRun.Ingest([path]);

        var input = Assert.Single(run.Manifest.Inputs);
        Assert.Equal(("journal_json", 2L, 0L), (input.Format, input.Events, input.Rejects));
        var row = Duck.Rows($"SELECT message, cut_fields FROM {run.Events} ORDER BY source_offset")[0];
        var message = (string)row[0]!;
        Assert.Equal(JournalField.MaxValueBytes / 2, message.Length);
        Assert.DoesNotContain(message, c => c != 'é');
        Assert.Equal($"MESSAGE={Big}", row[1]);
    }

    [Fact]
    public void A_field_under_the_limit_is_kept_whole_and_not_named()
    {
        var exact = JournalField.Of("MESSAGE", new byte[JournalField.MaxValueBytes]);
        Assert.False(exact.IsCut);
        Assert.Equal(JournalField.MaxValueBytes, exact.Value.Length);
        var over = JournalField.Of("MESSAGE", new byte[JournalField.MaxValueBytes + 1]);
        Assert.True(over.IsCut);
        Assert.Equal((JournalField.MaxValueBytes, JournalField.MaxValueBytes + 1L), (over.Value.Length, over.OriginalLength));
    }

    /// <summary>audit.log lines are framed with the 1 MiB line cap: a 10 MiB record is one reject that says so.</summary>
    [Fact]
    public void An_audit_record_with_a_10_MiB_field_is_one_reject_and_the_next_record_an_event()
    {
        using var dir = new TempDir();
        var path = dir.Combine("audit.log");
        var text = new StringBuilder("type=USER_CMD msg=audit(1716260000.123:42): pid=1 uid=0 auid=0 ses=1 msg='cmd=");
        text.Append('4', Big).Append(" terminal=pts/0 res=success'\n");
        text.Append("type=USER_CMD msg=audit(1716260001.123:43): pid=1 uid=0 auid=0 ses=1 msg='cmd=6C73 terminal=pts/0 res=success'\n");
        File.WriteAllText(path, text.ToString());

        using var run = CaseRun.Ingest([path]);

        var input = Assert.Single(run.Manifest.Inputs);
        Assert.Equal(("auditd", 1L, 1L), (input.Format, input.Events, input.Rejects));
        var reject = Assert.Single(Duck.Rows($"SELECT source_offset, reason, octet_length(raw) FROM {Duck.Rejects(run.CaseDir)}"));
        Assert.Equal(0L, reject[0]);
        Assert.Contains("cut", (string)reject[1]!, StringComparison.Ordinal);
        Assert.True((long)reject[2]! <= 64 << 10);
    }
}
