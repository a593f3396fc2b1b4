using System.Text;
using Forensics.Pipeline.Formats.Syslog;
using Forensics.Pipeline.Model;
using Forensics.Tests.Support;

namespace Forensics.Tests.Formats.Syslog;

public class SyslogLineTests
{
    private static readonly SyslogFormat Format = new();

    private static ForensicEvent One(string line, int? year = 2024, TimeZoneInfo? zone = null)
    {
        var r = FormatHarness.Run(Format, Encoding.UTF8.GetBytes(line + "\n"), "auth.log", year: year, zone: zone);
        Assert.Empty(r.Rejects);
        return Assert.Single(r.Events);
    }

    [Fact]
    public void Rfc3164_line_fills_the_spine()
    {
        var e = One("May 21 03:54:46 droplet1 sshd[2856055]: Connection closed by invalid user pi 95.223.184.224 port 12868 [preauth]");
        Assert.Equal(new DateTime(2024, 5, 21, 3, 54, 46, DateTimeKind.Utc), ForensicEvent.ToDateTime(e.TsMicros));
        Assert.Equal(TsQuality.ZoneAssumed, e.TsQuality); // --year given: only the zone is assumed
        Assert.Equal("droplet1", e.Host);
        Assert.Equal("sshd", e.Process);
        Assert.Equal(2856055, e.Pid);
        Assert.Equal("pi", e.User);
        Assert.Equal("95.223.184.224", e.SrcIp);
        Assert.Equal(12868, e.SrcPort);
        Assert.Equal(EventKinds.SshConnectionClosed, e.Event);
        Assert.Equal(true, e.Get(Pipeline.Formats.Classify.SshdClassifier.Preauth));
        Assert.Null(e.Unit);
    }

    [Fact]
    public void Rfc3339_high_precision_line_is_exact_with_microseconds_and_offset()
    {
        var e = One("2026-11-26T08:09:47.382266+01:00 deb12 sshd-session[1234]: Accepted publickey for root from 10.0.0.5 port 50000 ssh2: ED25519 SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", year: null);
        Assert.Equal(TsQuality.Exact, e.TsQuality);
        Assert.Equal(new DateTime(2026, 11, 26, 7, 9, 47, DateTimeKind.Utc).AddTicks(3822660), ForensicEvent.ToDateTime(e.TsMicros));
        Assert.Equal("sshd-session", e.Process);
        Assert.Equal(EventKinds.SshAcceptedPublickey, e.Event);
        Assert.Equal("ED25519", e.Get(Pipeline.Formats.Classify.SshdClassifier.KeyType));
        Assert.Equal("SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", e.Get(Pipeline.Formats.Classify.SshdClassifier.KeyFingerprint));
    }

    [Fact]
    public void Rfc5424_line_keeps_priority_msgid_and_nil_fields_as_null()
    {
        var e = One("<30>1 2021-03-06T04:07:38.263426+00:00 hostname systemd 1 - -  Stopping Regular background program processing daemon...", year: null);
        Assert.Equal(6, e.Get(SyslogFormat.Priority));
        Assert.Equal(3, e.Get(SyslogFormat.Facility));
        Assert.Equal("systemd", e.Process);
        Assert.Equal(1, e.Pid);
        Assert.Null(e.Get(SyslogFormat.MsgId));
    }

    [Fact]
    public void Line_without_pid_or_tag_has_null_pid_and_process()
    {
        var e = One("Jan 22 07:54:32 myhostname.myhost.com Job `cron.daily' terminated");
        Assert.Null(e.Pid);
        Assert.Null(e.Process);
        Assert.Equal("Job `cron.daily' terminated", e.Message);
        var k = One("May  1 00:00:01 h kernel: [    1.234] booting");
        Assert.Equal("kernel", k.Process);
        Assert.Null(k.Pid);
        Assert.Equal(new DateTime(2024, 5, 1, 0, 0, 1, DateTimeKind.Utc), ForensicEvent.ToDateTime(k.TsMicros));
    }

    [Fact]
    public void Continuation_lines_join_the_previous_record_and_offsets_point_at_record_starts()
    {
        var text = "Mar 11 22:55:30 u AptDaemon: INFO: CommitPackages() was called: dbus.Array([dbus.String('')],\nsignature=dbus.Signature('s'))\nMar 11 22:55:31 u CRON[1]: next\n";
        var r = FormatHarness.Run(Format, Encoding.UTF8.GetBytes(text), "syslog", year: 2024);
        Assert.Equal(2, r.Events.Count);
        Assert.Contains("\nsignature=", r.Events[0].Message);
        Assert.Equal(0, r.Events[0].SourceOffset);
        Assert.Equal(text.IndexOf("Mar 11 22:55:31", StringComparison.Ordinal), r.Events[1].SourceOffset);
    }

    [Fact]
    public void Bad_input_becomes_rejects_with_offsets_never_exceptions()
    {
        var bytes = new List<byte>();
        bytes.AddRange("not a syslog line\n"u8.ToArray());
        bytes.AddRange("May 21 03:54:46 h sshd[1]: user \xff\xfe bytes\n"u8.ToArray().Select(b => b));
        bytes.AddRange(Encoding.Latin1.GetBytes("May 21 03:54:47 h sshd[2]: invalid \xff utf8 and NUL \0 here\n"));
        bytes.AddRange(Encoding.ASCII.GetBytes("May 21 03:54:48 h x: " + new string('A', 2 << 20) + "\n"));
        bytes.AddRange("May 21 03:54:49 h tail[3]: after the giant line\n"u8.ToArray());
        var r = FormatHarness.Run(Format, bytes.ToArray(), "messages", year: 2024);
        Assert.Equal(r.Records, r.Events.Count + r.Rejects.Count);
        Assert.Equal(0, r.Rejects[0].SourceOffset);
        Assert.Contains("no syslog timestamp", r.Rejects[0].Reason);
        Assert.Contains(r.Rejects, x => x.Reason.Contains("longer than", StringComparison.Ordinal));
        var nul = r.Events.Single(e => e.Pid == 2);
        Assert.Contains("\\xff", nul.Message);
        Assert.Contains("\\x00", nul.Message);
        Assert.Contains(r.Events, e => e.Process == "tail"); // framing recovered after the giant line
    }
}
