using System.Text;
using Forensics.Pipeline.Formats.Classify;
using Forensics.Pipeline.Formats.Syslog;
using Forensics.Pipeline.Model;
using Forensics.Pipeline.Query;
using Forensics.Tests.Query;
using Forensics.Tests.Support;

namespace Forensics.Tests.Formats.Syslog;

/// <summary>sshd and PAM lines real logs hold that gave log.line or a wrong field, written here as sshd, rsyslog and Linux-PAM write them.</summary>
public sealed class SshdCatalogueGapTests
{
    private static readonly SyslogFormat Format = new();

    private static List<ForensicEvent> Parse(params string[] lines)
    {
        var r = FormatHarness.Run(Format, Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n"))), "auth.log", year: 2024);
        Assert.Empty(r.Rejects);
        return r.Events;
    }

    [Fact]
    public void Maximum_authentication_attempts_for_an_invalid_user_names_the_user_not_the_phrase()
    {
        var e = Assert.Single(Parse("Mar  1 10:00:00 web1 sshd[100]: error: maximum authentication attempts exceeded for invalid user oracle from 203.0.113.9 port 40000 ssh2 [preauth]"));
        Assert.Equal(EventKinds.SshTooManyFailures, e.Event);
        Assert.Equal("oracle", e.User);
        Assert.Equal(true, e.Get(SshdClassifier.InvalidUser));
        Assert.Equal("203.0.113.9", e.SrcIp);
        Assert.Equal(40000, e.SrcPort);
    }

    [Fact]
    public void A_folded_repeat_is_classified_by_its_inner_message_with_the_count()
    {
        var e = Assert.Single(Parse("Mar  1 10:00:00 web1 sshd[104]: message repeated 5 times: [ Failed password for root from 203.0.113.9 port 40001 ssh2]"));
        Assert.Equal(EventKinds.SshFailedPassword, e.Event);
        Assert.Equal("root", e.User);
        Assert.Equal("203.0.113.9", e.SrcIp);
        Assert.Equal(40001, e.SrcPort);
        Assert.Equal(5, e.Get(MessageClassifier.RepeatCount));
        Assert.StartsWith("message repeated 5 times: [ ", e.Message, StringComparison.Ordinal); // the record's text is kept as written
        var once = Assert.Single(Parse("Mar  1 10:00:00 web1 sshd[104]: Failed password for root from 203.0.113.9 port 40001 ssh2"));
        Assert.Null(once.Get(MessageClassifier.RepeatCount));
    }

    [Theory]
    [InlineData("sshd(pam_unix)[101]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=203.0.113.9  user=root", EventKinds.PamAuthFailure, "root", "203.0.113.9")]
    [InlineData("sshd(pam_unix)[101]: check pass; user unknown", EventKinds.PamCheckPassUnknownUser, null, null)]
    [InlineData("su(pam_unix)[102]: session opened for user news by (uid=0)", EventKinds.PamSessionOpened, "news", null)]
    [InlineData("sshd(pam_unix)[103]: session closed for user alice", EventKinds.PamSessionClosed, "alice", null)]
    public void Old_pam_tags_with_the_module_in_the_tag_are_classified(string tail, string kind, string? user, string? ip)
    {
        var e = Assert.Single(Parse("Mar  1 10:00:00 web1 " + tail));
        Assert.Equal(kind, e.Event);
        Assert.Equal(user, e.User);
        Assert.Equal(ip, e.SrcIp);
    }

    [Theory]
    [InlineData("systemd[1201]: pam_unix(systemd-user:session): session opened for user alice(uid=1000) by alice(uid=0)", EventKinds.PamSessionOpened, "alice")]
    [InlineData("su[1202]: pam_unix(su:session): session opened for user root(uid=0) by alice(uid=1000)", EventKinds.PamSessionOpened, "root")]
    [InlineData("sudo[1203]: pam_unix(sudo:auth): authentication failure; logname=alice uid=1000 euid=0 tty=/dev/pts/0 ruser=alice rhost=  user=alice", EventKinds.PamAuthFailure, "alice")]
    [InlineData("CRON[1204]: pam_unix(cron:session): session closed for user root", EventKinds.PamSessionClosed, "root")]
    [InlineData("login[1205]: pam_unix(login:auth): check pass; user unknown", EventKinds.PamCheckPassUnknownUser, null)]
    [InlineData("login[1206]: pam_unix(login:session): session opened for user bob(uid=1001) by LOGIN(uid=0)", EventKinds.PamSessionOpened, "bob")]
    public void Pam_module_lines_are_classified_whatever_program_loaded_the_module(string tail, string kind, string? user)
    {
        var e = Assert.Single(Parse("Mar  1 10:00:00 web1 " + tail));
        Assert.Equal(kind, e.Event);
        Assert.Equal(user, e.User);
    }

    [Fact]
    public void Write_failed_connection_reset_is_a_connection_reset_of_the_process_peer()
    {
        var events = Parse(
            "Mar  1 10:00:00 web1 sshd[300]: Invalid user admin from 198.51.100.4 port 51000",
            "Mar  1 10:00:01 web1 sshd[300]: fatal: Write failed: Connection reset by peer [preauth]");
        Assert.Equal(EventKinds.SshConnectionReset, events[1].Event);
        Assert.Equal(true, events[1].Get(SshdClassifier.Preauth));
        Assert.Equal("198.51.100.4", events[1].SrcIp);
        Assert.Equal(true, events[1].Get(SshdClassifier.AddressInherited));
        Assert.Null(events[0].Get(SshdClassifier.AddressInherited));
    }

    [Theory]
    [InlineData("Failed password for invalid user x from 6.6.6.6 from 203.0.113.9 port 22 ssh2", "x from 6.6.6.6")]
    [InlineData("Failed password for invalid user x from 6.6.6.6 port 1 ssh2 from 203.0.113.9 port 22 ssh2", "x from 6.6.6.6 port 1 ssh2")]
    [InlineData("Failed password for alice from 203.0.113.9 port 22 ssh1: ruser from 6.6.6.6", "alice")]
    [InlineData("Failed hostbased for alice from 203.0.113.9 port 22 ssh2: ED25519 SHA256:abc, client user \"from 6.6.6.6 port 1 ssh2\", client host \"h\"", "alice")]
    [InlineData("Invalid user bob from 6.6.6.6 port 1: x from 203.0.113.9 port 22", "bob from 6.6.6.6 port 1: x")]
    public void Attacker_text_before_or_after_the_address_does_not_move_attribution(string message, string user)
    {
        var e = Assert.Single(Parse("Mar  1 10:00:00 web1 sshd[400]: " + message));
        Assert.Equal("203.0.113.9", e.SrcIp);
        Assert.Equal(user, e.User);
    }

    /// <summary>The carried address is filled by the write stage in file order, so a real ingest stores it too.</summary>
    [Fact]
    public void An_ingested_case_stores_the_carried_address_and_says_it_was_inherited()
    {
        using var dir = new TempDir();
        var log = dir.Combine("auth.log");
        File.WriteAllText(log, "Mar  1 10:00:00 web1 sshd[500]: Failed password for root from 203.0.113.50 port 40000 ssh2\n"
            + "Mar  1 10:00:05 web1 sshd[500]: Disconnecting: Too many authentication failures [preauth]\n"
            + "Mar  1 10:00:06 web1 sshd[501]: Disconnecting: Too many authentication failures [preauth]\n");
        using var run = CaseRun.Ingest([log], year: 2024);
        var rows = Duck.Rows($"SELECT pid, src_ip, src_ip_inherited FROM {run.Events} ORDER BY source_offset");
        Assert.Equal([500L, "203.0.113.50", null], rows[0]);
        Assert.Equal([500L, "203.0.113.50", true], rows[1]);
        Assert.Equal([501L, null, null], rows[2]);
    }

    [Fact]
    public void An_ipv6_address_ending_in_a_double_colon_keeps_its_port()
    {
        var e = Assert.Single(Parse("Mar  1 10:00:00 web1 sshd[401]: Failed password for root from 2001:db8:: port 2222 ssh2"));
        Assert.Equal("2001:db8::", e.SrcIp);
        Assert.Equal(2222, e.SrcPort);
        Assert.Equal("root", e.User);
    }

    [Fact]
    public void The_inherited_address_comes_from_the_same_process_across_batches_and_not_from_another_or_a_stale_one()
    {
        var lines = new List<string> { "Mar  1 10:00:00 web1 sshd[500]: Failed password for root from 203.0.113.50 port 40000 ssh2" };
        // Far more lines than one batch holds between the address and the line without one.
        for (int i = 0; i < 5000; i++) lines.Add($"Mar  1 10:00:{i % 60:00} web1 sshd[{10_000 + i}]: Connection closed by 192.0.2.{i % 250} port {1000 + i} [preauth]");
        lines.Add("Mar  1 10:01:00 web1 sshd[500]: Disconnecting: Too many authentication failures [preauth]");
        lines.Add("Mar  1 10:01:00 web1 sshd[501]: Disconnecting: Too many authentication failures [preauth]");   // no earlier line of pid 501
        lines.Add("Mar  1 10:01:00 web2 sshd[500]: Disconnecting: Too many authentication failures [preauth]");   // another host's pid 500
        lines.Add("Mar  1 10:01:00 web1 sshd[500]: Server listening on 0.0.0.0 port 22.");                     // the listener never inherits
        lines.Add("Mar  1 13:00:00 web1 sshd[500]: Disconnecting: Too many authentication failures [preauth]"); // hours later: a reused pid
        var events = Parse([.. lines]);
        var tail = events[^5..];
        Assert.Equal("203.0.113.50", tail[0].SrcIp);
        Assert.Equal(true, tail[0].Get(SshdClassifier.AddressInherited));
        Assert.All(tail[1..], e => Assert.Null(e.SrcIp));
        Assert.All(tail[1..], e => Assert.Null(e.Get(SshdClassifier.AddressInherited)));
    }

    [Fact]
    public void Canned_brute_force_counts_sum_folded_repeats()
    {
        using var tmp = new TempDir();
        var log = tmp.Combine("auth.log");
        File.WriteAllText(log, string.Join('\n',
            "Mar  1 10:00:00 web1 sshd[104]: Failed password for root from 203.0.113.9 port 40001 ssh2",
            "Mar  1 10:00:02 web1 sshd[104]: message repeated 5 times: [ Failed password for root from 203.0.113.9 port 40001 ssh2]",
            "Mar  1 10:00:30 web1 sshd[105]: Invalid user oracle from 203.0.113.9 port 40002",
            "Mar  1 10:00:31 web1 sshd[105]: message repeated 2 times: [ Failed password for invalid user oracle from 203.0.113.9 port 40002 ssh2]",
            "Mar  1 10:01:00 web1 sshd[106]: Accepted password for root from 203.0.113.9 port 40003 ssh2") + "\n");
        var web = tmp.Combine("access.log");
        File.WriteAllText(web, "203.0.113.9 - - [01/Mar/2024:10:02:00 +0000] \"GET / HTTP/1.1\" 200 512 \"-\" \"curl/8.0\"\n");
        using var run = CaseRun.Ingest([log, web], tz: "UTC", year: 2024);
        using var session = CaseSession.Open(run.CaseDir);
        var byIp = Run(session, "ssh_bruteforce_by_ip");
        Assert.Equal("203.0.113.9 8 1 1", string.Join('|', byIp.Rows.Select(r => $"{r[0]} {r[1]} {r[2]} {r[8]}")));
        var tried = Run(session, "ssh_usernames_tried");
        Assert.Equal("root 6 0 1|oracle 2 1 0", string.Join('|', tried.Rows.Select(r => $"{r[1]} {r[2]} {r[3]} {r[4]}")));
        var then = Run(session, "ssh_bruteforce_then_success");
        Assert.Equal(9L, Assert.Single(then.Rows)[then.Columns.ToList().IndexOf("failures_before")]);
        var actors = Run(session, "cross_source_actors");
        var actor = Assert.Single(actors.Rows);
        Assert.Equal(10L, actor[actors.Columns.ToList().IndexOf("ssh_events")]);
        Assert.Equal(1L, actor[actors.Columns.ToList().IndexOf("http_events")]);
    }

    private static QueryResult Run(CaseSession session, string name)
    {
        var q = QueryCatalogTests.Queries.Single(x => x.Name == name);
        return session.Run(q.Sql, q.Bind());
    }
}
