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
    public void Non_adjacent_records_of_a_serial_stay_separate_events_sharing_the_serial()
    {
        var text = "type=SYSCALL msg=audit(1.000:7): syscall=59 success=yes exe=\"/bin/ls\"\n"
                 + "type=USER_LOGIN msg=audit(1.000:8): pid=1 msg='op=login acct=\"bob\" res=success'\n"
                 + "type=EXECVE msg=audit(1.000:7): argc=2 a0=\"ls\" a1=2D6C61\n"
                 + "garbage line\n\n";
        var r = FormatHarness.Run(Format, Encoding.UTF8.GetBytes(text));
        Assert.Equal(3, r.Events.Count);
        Assert.Equal(7L, r.Events[2].Get(AuditRecordClassifier.Serial));
        Assert.Equal("-la", Fields(r.Events[2]).GetProperty("a1").GetString());
        Assert.Equal(["not an audit record (no type=... header)", "empty line"], r.Rejects.Select(x => x.Reason));
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
