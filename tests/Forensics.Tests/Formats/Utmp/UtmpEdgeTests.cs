using Forensics.Pipeline.Formats;
using Forensics.Pipeline.Formats.Utmp;
using Forensics.Pipeline.Model;
using Forensics.Tests.Support;

namespace Forensics.Tests.Formats.Utmp;

/// <summary>Damaged and foreign files, sniffing, and wtmp files we write ourselves with <c>utmpdump -r</c>.</summary>
public class UtmpEdgeTests
{
    private static readonly UtmpFormat Wtmp = new(UtmpFileKind.Wtmp);

    [SkippableFact]
    public void FreeBSD_utx_log_is_not_wtmp_and_forced_parse_rejects_every_record()
    {
        var path = Corpus.File("s4/utmp/FreeBSD13.1/utx.log");
        var bytes = File.ReadAllBytes(path);
        Assert.True(Wtmp.Sniff(bytes, "wtmp") < FormatRegistry.MinConfidence);
        Assert.Null(FormatRegistry.Detect(bytes, "utx.log").Format);
        var r = UtmpOracle.Parse(Wtmp, path);
        Assert.Empty(r.Events);
        Assert.Equal((bytes.Length + 383) / 384, r.Rejects.Count);
        Assert.Empty(r.Tables);
    }

    [SkippableTheory]
    [InlineData("s4/utmp/edge/1-byte.wtmp", "trailing partial record (1 of 384 bytes)")]
    [InlineData("s4/utmp/edge/host-entry1_(all_0x00).wtmp", "empty record (all zero) (x86_64-384-le)")]
    [InlineData("s4/utmp/edge/host-entry1_(all_0xFF).wtmp", "all-0xFF record (x86_64-384-le)")]
    public void Single_bad_record_files_give_one_reject_with_reason(string rel, string reason)
    {
        var r = UtmpOracle.Parse(Wtmp, Corpus.File(rel));
        Assert.Empty(r.Events);
        var reject = Assert.Single(r.Rejects);
        Assert.Equal(0, reject.SourceOffset);
        Assert.Equal(reason, reject.Reason);
    }

    /// <summary>util-linux's fuzzer file that crashed last (github-1097): garbage type and pid, one reject.</summary>
    [SkippableFact]
    public void Last_fuzzer_crash_file_is_one_reject()
    {
        var path = Corpus.File("util-linux/utmp/github-1097");
        var r = UtmpOracle.Parse(Wtmp, path);
        Assert.Empty(r.Events);
        var reject = Assert.Single(r.Rejects);
        Assert.StartsWith("not a Linux utmp record", reject.Reason, StringComparison.Ordinal);
        Assert.Equal(384, reject.Raw.Length);
    }

    [SkippableFact]
    public void Plaso_corrupted_and_stray_byte_files_keep_good_records_and_name_the_bad_ones()
    {
        var corrupted = UtmpOracle.Parse(Wtmp, Corpus.File("plaso/utmp/utmp_corrupted"));
        Assert.Equal(["alice", "bob"], corrupted.Events.Select(e => e.User));
        Assert.Equal("10.0.0.5", corrupted.Events[1].SrcIp);
        Assert.Equal(["invalid ut_type 99 (x86_64-384-le)", "invalid ut_type 99 (x86_64-384-le)", "trailing partial record (50 of 384 bytes)"], corrupted.Rejects.Select(j => j.Reason));
        Assert.Equal([384L, 768L, 1536L], corrupted.Rejects.Select(j => j.SourceOffset));

        var rotated = UtmpOracle.Parse(Wtmp, Corpus.File("plaso/utmp/wtmp.1"));
        var login = rotated.Events.Single(e => e.Event == EventKinds.LoginSessionStart);
        Assert.Equal("userA", login.User);
        Assert.Equal("pts/32", login.Get(UtmpFormat.UtmpLine));
        Assert.Equal("10.10.122.1", login.SrcIp);
        Assert.Null(login.Host);
        Assert.Equal("trailing partial record (1 of 384 bytes)", rotated.Rejects[^1].Reason);
        Assert.Equal(1536, rotated.Rejects[^1].SourceOffset);
    }

    [SkippableTheory]
    [InlineData("s4/utmp/CentOS7_x86_64/btmp", "btmp")]
    [InlineData("s4/utmp/Ubuntu22_x86_64/btmp.1", "btmp")]
    [InlineData("s4/utmp/CentOS7_x86_64/wtmp", "wtmp")]
    [InlineData("s4/utmp/CentOS7_x86_64/utmp", "wtmp")]
    [InlineData("s4/utmp/Debian11_aarch64/wtmp", "wtmp")]
    [InlineData("util-linux/utmp/wtmp-a.BE", "wtmp")]
    [InlineData("plaso/utmp/utmp_s390", "wtmp")]
    public void Registry_detects_family_member_from_content_and_name(string rel, string id)
    {
        var path = Corpus.File(rel);
        var head = File.ReadAllBytes(path).AsSpan(0, (int)Math.Min(new FileInfo(path).Length, ILogFormat.SniffBytes));
        Assert.Equal(id, FormatRegistry.Detect(head, Path.GetFileName(path)).Format?.Id);
    }

    /// <summary>A wtmp we write with utmpdump -r from text: our records render back to the same text.</summary>
    [SkippableFact]
    public void Utmpdump_reverse_written_file_round_trips()
    {
        string[] text =
        [
            "[2] [00000] [~~  ] [reboot  ] [~           ] [6.1.0-18-amd64      ] [0.0.0.0        ] [2013-08-28T10:00:00,000001+00:00]",
            "[1] [00053] [~~  ] [runlevel] [~           ] [6.1.0-18-amd64      ] [0.0.0.0        ] [2013-08-28T10:00:01,500000+00:00]",
            "[6] [00611] [tty1] [LOGIN   ] [tty1        ] [                    ] [0.0.0.0        ] [2013-08-28T10:00:02,000000+00:00]",
            "[7] [01234] [ts/0] [alice   ] [pts/0       ] [198.51.100.7        ] [198.51.100.7   ] [2013-08-28T10:05:00,123456+00:00]",
            "[7] [01240] [ts/1] [a-very-long-user-name-of-32-char] [pts/1       ] [2001:db8::1         ] [2001:db8::1    ] [2013-08-28T10:06:00,000000+00:00]",
            "[8] [01234] [    ] [        ] [pts/0       ] [                    ] [0.0.0.0        ] [2013-08-28T11:05:00,654321+00:00]",
            "[7] [01300] [ts/0] [bob     ] [pts/0       ] [attacker.example    ] [203.0.113.9    ] [2013-08-28T12:00:00,000000+00:00]",
            "[1] [00000] [~~  ] [shutdown] [~           ] [6.1.0-18-amd64      ] [0.0.0.0        ] [2013-08-28T13:00:00,000000+00:00]",
            "[2] [00000] [~~  ] [reboot  ] [~           ] [6.1.0-18-amd64      ] [0.0.0.0        ] [2013-08-28T13:01:00,000000+00:00]",
            "[7] [01400] [ts/2] [carol   ] [pts/2       ] [192.0.2.1           ] [192.0.2.1      ] [2013-08-28T13:05:00,000000+00:00]",
            "[2] [00000] [~~  ] [reboot  ] [~           ] [6.1.0-18-amd64      ] [0.0.0.0        ] [2013-08-28T14:00:00,000000+00:00]",
        ];
        using var dir = new TempDir();
        var txt = dir.Combine("in.txt");
        var bin = dir.Combine("wtmp");
        File.WriteAllText(txt, string.Join('\n', text) + "\n");
        UtmpOracle.Run("utmpdump", "-r", "-o", bin, txt);
        var r = UtmpOracle.Parse(Wtmp, bin);
        Assert.Empty(r.Rejects);
        Assert.Equal(string.Join('\n', text), string.Join('\n', r.Events.Select(UtmpOracle.UtmpdumpLine)));
        Assert.Equal([EventKinds.SystemBoot, EventKinds.LoginRunLevel, EventKinds.LoginProcess, EventKinds.LoginSessionStart, EventKinds.LoginSessionStart,
            EventKinds.LoginSessionEnd, EventKinds.LoginSessionStart, EventKinds.SystemShutdown, EventKinds.SystemBoot, EventKinds.LoginSessionStart, EventKinds.SystemBoot],
            r.Events.Select(e => e.Event));
        Assert.Equal("2001:db8::1", r.Events[4].SrcIp);

        // Sessions: alice logout, the 32-char user gone at shutdown (down), bob down, carol crash; and last agrees.
        var sessions = Assert.Single(r.Tables);
        var expected = UtmpOracle.Lines(UtmpOracle.Run("last", "-F", "-w", "-f", bin));
        var actual = UtmpOracle.LastLines(sessions);
        actual.Add($"wtmp begins {UtmpOracle.CTime(r.Events[0].TsMicros!.Value)}");
        Assert.Equal(string.Join('\n', expected), string.Join('\n', actual));
        int reason = sessions.Columns.ToList().FindIndex(c => c.Column == "end_reason");
        int user = sessions.Columns.ToList().FindIndex(c => c.Column == "user");
        Assert.Equal(["down:reboot", "logout:alice", "down:a-very-long-user-name-of-32-char", "down:bob", "still_running:reboot", "crash:carol", "still_running:reboot"],
            sessions.Rows.Select(x => $"{x[reason]}:{x[user]}"));
    }

    /// <summary>Seeded random damage: never an exception, and records = events + rejects (checked in Parse).</summary>
    [SkippableFact]
    public void Random_damage_never_throws()
    {
        var original = File.ReadAllBytes(Corpus.File("s4/utmp/CentOS7_x86_64/wtmp"));
        var rng = new Random(4);
        for (int round = 0; round < 200; round++)
        {
            var bytes = original.AsSpan(0, rng.Next(original.Length + 1)).ToArray();
            for (int k = 0; k < 20 && bytes.Length > 0; k++) bytes[rng.Next(bytes.Length)] = (byte)rng.Next(256);
            var r = UtmpOracle.Parse(Wtmp, bytes, "wtmp");
            // Every byte is in an event's record or a reject (out-of-step pieces may be longer than a record).
            Assert.Equal(bytes.Length, r.Events.Count * 384L + r.Rejects.Sum(j => (long)j.Raw.Length));
        }
    }

    [Fact]
    public void Lastlog_slots_become_events_with_uid_and_empty_slots_are_skipped()
    {
        var bytes = new byte[LastlogFormat.RecordSize * 1001 + 10];
        void Slot(int uid, int time, string line, string host)
        {
            var s = bytes.AsSpan(uid * LastlogFormat.RecordSize, LastlogFormat.RecordSize);
            BitConverter.TryWriteBytes(s, time);
            System.Text.Encoding.ASCII.GetBytes(line).CopyTo(s[4..]);
            System.Text.Encoding.ASCII.GetBytes(host).CopyTo(s[36..]);
        }
        Slot(0, 1_700_000_000, "pts/0", "192.0.2.10");
        Slot(1000, 1_700_000_100, "tty1", "");
        bytes.AsSpan(5 * LastlogFormat.RecordSize, LastlogFormat.RecordSize).Fill(0xFF);
        bytes[^3] = 1; // trailing partial slot with data

        var format = new LastlogFormat();
        Assert.True(format.Sniff(bytes, "lastlog") >= FormatRegistry.MinConfidence);
        Assert.Equal(0, format.Sniff(bytes, "wtmp"));
        var r = FormatHarness.Run(format, bytes, "lastlog");
        Assert.Equal([0L, 1000L], r.Events.Select(e => (long)e.Get(LastlogFormat.Uid)!));
        Assert.All(r.Events, e => Assert.Equal(EventKinds.LastLogin, e.Event));
        Assert.All(r.Events, e => Assert.Null(e.User));
        Assert.Equal("192.0.2.10", r.Events[0].SrcIp);
        Assert.Equal(1_700_000_000_000_000L, r.Events[0].TsMicros);
        Assert.Equal("tty1", r.Events[1].Get(UtmpFormat.UtmpLine));
        Assert.Null(r.Events[1].Get(UtmpFormat.UtmpHost));
        Assert.Equal(["all-0xFF slot", "trailing partial slot (10 of 292 bytes)"], r.Rejects.Select(j => j.Reason));
    }

    [Fact]
    public void Non_utf8_and_control_bytes_stay_visible()
    {
        Assert.Equal("r\\xffot\\x01é", UtmpText.Field([(byte)'r', 0xFF, (byte)'o', (byte)'t', 0x01, 0xC3, 0xA9, 0, (byte)'x']));
        Assert.Null(UtmpText.Field(new byte[32]));
        Assert.Equal("a\\\\b", UtmpText.Field("a\\b"u8));
    }
}
