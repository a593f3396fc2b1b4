using System.Text;
using System.Text.Json;
using Forensics.Pipeline.Formats.Audit;
using Forensics.Pipeline.Formats.Classify;
using Forensics.Pipeline.Model;
using Forensics.Tests.Support;

namespace Forensics.Tests.Formats.Audit;

public class AuditFormatTests
{
    private static readonly AuditFormat Format = new();

    private static JsonElement Fields(ForensicEvent e) => JsonDocument.Parse((string)e.Get(AuditRecordClassifier.Fields)!).RootElement;

    [SkippableFact]
    public void Rhel9_enriched_log_groups_adjacent_serials_and_keeps_enriched_fields()
    {
        var path = Corpus.File("s4/audit/RedHatEnterprise9/audit.log");
        var r = FormatHarness.RunFile(Format, path);
        Assert.Empty(r.Rejects);
        var lines = File.ReadAllLines(path);
        // one event per run of adjacent lines sharing msg=audit(time:serial)
        int runs = 0;
        string? prev = null;
        foreach (var l in lines)
        {
            var key = l[l.IndexOf("msg=audit(", StringComparison.Ordinal)..(l.IndexOf(')', StringComparison.Ordinal) + 1)];
            if (key != prev) runs++;
            prev = key;
        }
        Assert.Equal(runs, r.Events.Count);
        var daemon = r.Events[0];
        Assert.Equal("DAEMON_START", daemon.Get(AuditRecordClassifier.Type));
        Assert.Equal(3932L, daemon.Get(AuditRecordClassifier.Serial));
        Assert.Equal(ForensicEvent.ToMicros(new DateTime(2023, 4, 10, 20, 56, 34, 260, DateTimeKind.Utc)), daemon.TsMicros);
        Assert.Equal("unset", Fields(daemon).GetProperty("AUID").GetString());
        var svc = r.Events[1];
        Assert.Equal(EventKinds.AuditServiceStart, svc.Event);
        Assert.Equal("systemd-journal-catalog-update", Fields(svc).GetProperty("unit").GetString());
        Assert.Equal("success", svc.Get(AuditRecordClassifier.Result));
        Assert.Null(svc.Get(AuditRecordClassifier.Hostname)); // hostname=?
        var cfg = r.Events.First(e => ((string)e.Get(AuditRecordClassifier.Type)!).StartsWith("CONFIG_CHANGE,SYSCALL", StringComparison.Ordinal));
        Assert.Equal(EventKinds.AuditSyscall, cfg.Event);
        Assert.Equal("/usr/sbin/auditctl", cfg.Get(AuditRecordClassifier.Exe));
        Assert.Equal("auditctl", cfg.Process);
        var records = Fields(cfg).GetProperty("_records");
        Assert.Equal("sendto", records[0].GetProperty("SYSCALL").GetString());
        Assert.Equal("/sbin/auditctl -R /etc/audit/audit.rules", records[1].GetProperty("proctitle").GetString());
    }

    [SkippableFact]
    public void Plaso_enriched_user_records_map_acct_addr_result()
    {
        var r = FormatHarness.RunFile(Format, Corpus.File("plaso/audit/audit_enriched.log"));
        Assert.Empty(r.Rejects);
        var auth = r.Events.First(e => e.Event == EventKinds.AuditUserAuth);
        Assert.Equal("root", auth.User);
        Assert.Equal("172.23.112.1", auth.SrcIp);
        Assert.Equal("failed", auth.Get(AuditRecordClassifier.Result));
        Assert.Equal("pubkey", auth.Get(AuditRecordClassifier.Op));
        Assert.Equal("ssh", auth.Get(AuditRecordClassifier.Terminal));
        Assert.Equal("/usr/libexec/openssh/sshd-session", auth.Get(AuditRecordClassifier.Exe));
        Assert.Equal(2124L, auth.Pid);
        var acct = r.Events.First(e => e.Event == EventKinds.AuditUserAcct);
        Assert.Equal("172.23.112.1", acct.Get(AuditRecordClassifier.Hostname));
        Assert.Equal("PAM:accounting", acct.Get(AuditRecordClassifier.Op));
        Assert.All(r.Events, e => Assert.Equal(TsQuality.Exact, e.TsQuality));
    }

    [SkippableFact]
    public void Go_libaudit_logs_ingest_with_hex_decoded_fields_and_no_rejects()
    {
        var t2 = FormatHarness.RunFile(Format, Corpus.File("go-libaudit/auparse/test2.log"));
        Assert.Empty(t2.Rejects);
        // AVC+SYSCALL+CWD+PATH of serial 293 are adjacent: one event
        var avc = t2.Events[0];
        Assert.Equal("AVC,SYSCALL,CWD,PATH", avc.Get(AuditRecordClassifier.Type));
        Assert.Equal(EventKinds.AuditSyscall, avc.Event);
        Assert.Equal("failed", avc.Get(AuditRecordClassifier.Result)); // success=no
        Assert.Equal(t2.Records, t2.Events.Count);

        var rhel6 = FormatHarness.RunFile(Format, Corpus.File("go-libaudit/auparse/audit-rhel6.log"));
        Assert.Equal("/usr/libexec/strongswan/charon (deleted)", rhel6.Events[0].Get(AuditRecordClassifier.Exe));
        Assert.Equal("/usr/lib64/nagios/plugins/check_asterisk_sip_peers -p 107", Fields(rhel6.Events[1]).GetProperty("cmd").GetString());

        var rhel7 = FormatHarness.RunFile(Format, Corpus.File("go-libaudit/auparse/audit-rhel7.log"));
        Assert.Empty(rhel7.Rejects);
        var unknown = rhel7.Events.Single(e => (string?)e.Get(AuditRecordClassifier.Type) == "UNKNOWN[1329]");
        Assert.Equal(TsQuality.Missing, unknown.TsQuality);
        Assert.Equal(EventKinds.AuditOther, unknown.Event);
        var invalidUser = FormatHarness.Run(Format, Encoding.UTF8.GetBytes(File.ReadAllLines(Corpus.File("go-libaudit/auparse/audit-ubuntu16.log"))[0] + "\n"));
        var login = Assert.Single(invalidUser.Events);
        Assert.Equal(EventKinds.AuditUserLogin, login.Event);
        Assert.Null(login.User); // acct hex "(invalid user)"
        Assert.Equal("(invalid user)", Fields(login).GetProperty("acct").GetString());
        Assert.Equal("179.38.151.221", login.SrcIp);
    }

    [Fact]
    public void Journal_carried_audit_message_classifies_like_audit_log()
    {
        var e = new ForensicEvent();
        AuditRecordClassifier.Classify(e, "USER_LOGIN pid=2856055 uid=0 auid=4294967295 ses=4294967295 subj=unconfined msg='op=login acct=\"(unknown)\" exe=\"/usr/sbin/sshd\" hostname=? addr=95.223.184.224 terminal=sshd res=failed'");
        Assert.Equal(EventKinds.AuditUserLogin, e.Event);
        Assert.Null(e.User);
        Assert.Equal("95.223.184.224", e.SrcIp);
        Assert.Equal("failed", e.Get(AuditRecordClassifier.Result));
        Assert.Equal("sshd", e.Get(AuditRecordClassifier.Terminal));
        Assert.Equal("(unknown)", Fields(e).GetProperty("acct").GetString());

        var k = new ForensicEvent();
        MessageClassifier.Classify(k, "kernel", "audit: type=1400 audit(1681160194.260:3932): apparmor=\"DENIED\" operation=\"ptrace\" profile=\"docker-default\" pid=5571 comm=\"metricbeat\"");
        Assert.Equal("1400", k.Get(AuditRecordClassifier.Type));
        Assert.Equal(3932L, k.Get(AuditRecordClassifier.Serial));

        var none = new ForensicEvent();
        AuditRecordClassifier.Classify(none, "something else entirely");
        Assert.Equal(EventKinds.LogLine, none.Event);
    }

    [Fact]
    public void Interleaved_records_of_two_serials_are_reassembled_into_two_events()
    {
        // auditd writes records of concurrent events interleaved; auparse reassembles them by serial.
        var text = "type=SYSCALL msg=audit(1700000000.100:10): arch=c000003e syscall=59 success=yes exit=0 pid=100 comm=\"ls\" exe=\"/usr/bin/ls\"\n"
                 + "type=SYSCALL msg=audit(1700000000.101:11): arch=c000003e syscall=59 success=no exit=-2 pid=101 comm=\"cat\" exe=\"/usr/bin/cat\"\n"
                 + "type=PROCTITLE msg=audit(1700000000.100:10): proctitle=6C73002D6C61\n"
                 + "type=PROCTITLE msg=audit(1700000000.101:11): proctitle=636174002F6574632F736861646F77\n";
        var r = FormatHarness.Run(Format, Encoding.UTF8.GetBytes(text));
        Assert.Empty(r.Rejects);
        Assert.Equal(2, r.Events.Count);
        Assert.Equal([10L, 11L], r.Events.Select(e => (long)e.Get(AuditRecordClassifier.Serial)!));
        Assert.All(r.Events, e => Assert.Equal("SYSCALL,PROCTITLE", e.Get(AuditRecordClassifier.Type)));
        Assert.Equal([0L, (long)text.IndexOf("type=SYSCALL msg=audit(1700000000.101", StringComparison.Ordinal)], r.Events.Select(e => e.SourceOffset)); // each event at its first line
        Assert.Equal("ls -la", Fields(r.Events[0]).GetProperty("_records")[0].GetProperty("proctitle").GetString());
        Assert.Equal("cat /etc/shadow", Fields(r.Events[1]).GetProperty("_records")[0].GetProperty("proctitle").GetString());
        Assert.Equal("failed", r.Events[1].Get(AuditRecordClassifier.Result));
    }

    [Fact]
    public void Reassembly_window_is_bounded_by_eoe_time_and_open_events_and_keeps_file_order()
    {
        var sb = new StringBuilder();
        // serial 1 ends with EOE: a later serial-1 record is a separate event
        sb.Append("type=SYSCALL msg=audit(1700000000.000:1): syscall=2 success=yes\n");
        sb.Append("type=EOE msg=audit(1700000000.000:1): \n");
        sb.Append("type=PATH msg=audit(1700000000.000:1): item=0 name=\"/a\"\n");
        // serial 2 opened, then records 3 s later close it by time
        sb.Append("type=SYSCALL msg=audit(1700000000.500:2): syscall=2 success=yes\n");
        sb.Append("type=USER_LOGIN msg=audit(1700000003.600:3): pid=1 uid=0 msg='op=login id=0 exe=\"/usr/sbin/sshd\" res=success'\n");
        sb.Append("type=PROCTITLE msg=audit(1700000000.500:2): proctitle=6C73\n");
        sb.Append("garbage line\n");
        // more than MaxOpenEvents open events push serial 100 out before its second record
        sb.Append("type=SYSCALL msg=audit(1700000004.000:100): syscall=2 success=yes\n");
        for (int i = 0; i <= AuditFormat.SerialReassembler.MaxOpenEvents; i++) sb.Append($"type=USER_AUTH msg=audit(1700000004.000:{200 + i}): pid=1 msg='op=PAM:authentication acct=\"u\" res=success'\n");
        sb.Append("type=PATH msg=audit(1700000004.000:100): item=0 name=\"/b\"\n");
        var r = FormatHarness.Run(Format, Encoding.UTF8.GetBytes(sb.ToString()));
        Assert.Equal(["not an audit record (no type=... header)"], r.Rejects.Select(x => x.Reason));
        var types = r.Events.Select(e => $"{e.Get(AuditRecordClassifier.Serial)}:{e.Get(AuditRecordClassifier.Type)}").ToList();
        Assert.Equal("1:SYSCALL,EOE", types[0]);
        Assert.Equal("1:PATH", types[1]);
        Assert.Equal("2:SYSCALL", types[2]);
        Assert.Equal("3:USER_LOGIN", types[3]);
        Assert.Equal("2:PROCTITLE", types[4]);
        Assert.Equal("100:SYSCALL", types[5]);
        Assert.Equal("100:PATH", types[^1]);
        Assert.Equal(5 + 1 + AuditFormat.SerialReassembler.MaxOpenEvents + 1 + 1, r.Events.Count);
        Assert.True(r.Events.Select(e => e.SourceOffset).Order().SequenceEqual(r.Events.Select(e => e.SourceOffset)), "events in file order");
    }

    [Fact]
    public void Sshd_user_login_without_acct_gets_its_user_from_id()
    {
        // OpenSSH writes successful logins as USER_LOGIN with id=UID and no acct=.
        var text = "type=USER_LOGIN msg=audit(1700000000.000:5): pid=900 uid=0 auid=0 ses=3 msg='op=login id=0 exe=\"/usr/sbin/sshd\" hostname=203.0.113.9 addr=203.0.113.9 terminal=/dev/pts/0 res=success'\n"
                 + "type=USER_LOGIN msg=audit(1700000001.000:6): pid=901 uid=0 auid=1000 ses=4 msg='op=login id=1000 exe=\"/usr/sbin/sshd\" hostname=203.0.113.9 addr=203.0.113.9 terminal=/dev/pts/1 res=success'\u001dUID=\"root\" AUID=\"alice\" ID=\"alice\"\n"
                 + "type=USER_LOGIN msg=audit(1700000002.000:7): pid=902 uid=0 auid=1001 ses=5 msg='op=login id=1001 exe=\"/usr/sbin/sshd\" hostname=203.0.113.9 addr=203.0.113.9 terminal=/dev/pts/2 res=success'\n"
                 + "type=USER_LOGIN msg=audit(1700000003.000:8): pid=903 uid=0 auid=4294967295 ses=4294967295 msg='op=login acct=\"(unknown)\" exe=\"/usr/sbin/sshd\" hostname=? addr=203.0.113.9 terminal=ssh res=failed'\n";
        var r = FormatHarness.Run(Format, Encoding.UTF8.GetBytes(text));
        Assert.Equal(["root", "alice", "1001", null], r.Events.Select(e => e.User));
        Assert.All(r.Events, e => Assert.Equal(EventKinds.AuditUserLogin, e.Event));

        // uid resolved through the evidence's passwd, also for records carried by the journal
        var records = new List<AuditRecord> { new() };
        Assert.True(AuditRecordParser.TryParseCarried(Encoding.UTF8.GetBytes("USER_LOGIN pid=902 uid=0 auid=1001 ses=5 msg='op=login id=1001 exe=\"/usr/sbin/sshd\" res=success'"), records[0]));
        var e = new ForensicEvent();
        AuditRecordClassifier.Apply(e, records, setProcessAndHost: false, new Dictionary<long, string> { [1001] = "bob" });
        Assert.Equal("bob", e.User);
        var carried = new ForensicEvent();
        AuditRecordClassifier.Classify(carried, "USER_LOGIN pid=900 uid=0 auid=0 ses=3 msg='op=login id=0 exe=\"/usr/sbin/sshd\" addr=203.0.113.9 terminal=/dev/pts/0 res=success'");
        Assert.Equal("root", carried.User);
    }

    [Fact]
    public void Hex_key_holding_several_rule_keys_is_split()
    {
        // "identity" \x01 "time-change", hex-encoded because of the separator
        string hex = Convert.ToHexString(Encoding.ASCII.GetBytes("identity\u0001time-change"));
        var text = $"type=SYSCALL msg=audit(1700000000.000:9): arch=c000003e syscall=82 success=yes exit=0 comm=\"mv\" exe=\"/usr/bin/mv\" key={hex}\n"
                 + "type=SYSCALL msg=audit(1700000001.000:10): syscall=2 success=yes key=\"logins\"\n"
                 + "type=SYSCALL msg=audit(1700000002.000:11): syscall=2 success=yes key=(null)\n";
        var r = FormatHarness.Run(Format, Encoding.UTF8.GetBytes(text));
        Assert.Equal(["identity,time-change", "logins", null], r.Events.Select(e => (string?)e.Get(AuditRecordClassifier.Key)));
        var f = Fields(r.Events[0]);
        Assert.Equal("identity", f.GetProperty("key").GetString());
        Assert.Equal("time-change", f.GetProperty("key_2").GetString());
    }

    [Fact]
    public void Seeded_garbage_never_throws()
    {
        var rng = new Random(7);
        var sb = new StringBuilder();
        var alphabet = "type=msg=audit(1.2:3): '\"x=y \u001d ABCDEF0123 (,)\n";
        for (int i = 0; i < 100_000; i++) sb.Append(alphabet[rng.Next(alphabet.Length)]);
        var r = FormatHarness.Run(Format, Encoding.UTF8.GetBytes(sb.ToString()));
        Assert.Equal(r.Records, r.Events.Count + r.Rejects.Count);
    }
}
