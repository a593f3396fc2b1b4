using System.Text;
using Forensics.Pipeline.Formats.Classify;
using Forensics.Pipeline.Formats.Syslog;
using Forensics.Pipeline.Model;
using Forensics.Tests.Support;

namespace Forensics.Tests.Formats.Syslog;

/// <summary>
/// One test per sshd message kind, on real lines: each is looked up in a corpus file (fail2ban's sshd test log,
/// s4's auth logs, plaso's syslog_ssh.log) by a distinctive substring and parsed through the syslog format.
/// </summary>
public class SshdCatalogueTests
{
    private static readonly SyslogFormat Format = new();

    private static ForensicEvent FromCorpus(string file, string contains)
    {
        var path = Corpus.File(file);
        var line = File.ReadLines(path, Encoding.Latin1).FirstOrDefault(l => l.Contains(contains, StringComparison.Ordinal) && !l.StartsWith('#'));
        Assert.True(line is not null, $"no line containing '{contains}' in {file}");
        var r = FormatHarness.Run(Format, Encoding.Latin1.GetBytes(line + "\n"), Path.GetFileName(file), year: 2024);
        Assert.Empty(r.Rejects);
        return Assert.Single(r.Events);
    }

    public static TheoryData<string, string, string, string?, string?, int?> Lines => new()
    {
        // file, substring, expected kind, user, src_ip, port
        { "s4/auth/Ubuntu22/auth.log", "Accepted publickey for root", EventKinds.SshAcceptedPublickey, "root", "192.168.0.8", 1366 },
        { "plaso/syslog/syslog_ssh.log", "Accepted password for plaso", EventKinds.SshAcceptedPassword, "plaso", "2001:0db8:0a0b:12f0:0000:0000:0000:0001", 42532 },
        { "plaso/syslog/syslog_ssh.log", "Failed password for root from 188.124.3.41", EventKinds.SshFailedPassword, "root", "188.124.3.41", 32889 },
        { "fail2ban/sshd", "Failed password for invalid user", EventKinds.SshFailedPassword, null, null, null },
        { "fail2ban/sshd", "Failed publickey for", EventKinds.SshFailedPublickey, null, null, null },
        { "fail2ban/sshd", "Invalid user ", EventKinds.SshInvalidUser, null, null, null },
        { "s4/auth/Ubuntu22/auth.log", "Connection closed by authenticating user root", EventKinds.SshConnectionClosed, "root", "192.168.0.8", 1366 },
        { "fail2ban/sshd", "Connection closed by invalid user", EventKinds.SshConnectionClosed, null, null, null },
        { "s4/auth/FreeBSD13.1/auth.log", "Disconnected from user root", EventKinds.SshDisconnected, "root", "192.168.1.2", 14898 },
        { "fail2ban/sshd", "Received disconnect from", EventKinds.SshReceivedDisconnect, null, null, null },
        { "fail2ban/sshd", "Too many authentication failures", EventKinds.SshTooManyFailures, null, null, null },
        { "fail2ban/sshd", "maximum authentication attempts exceeded", EventKinds.SshTooManyFailures, null, null, null },
        { "fail2ban/sshd", "Unable to negotiate with", EventKinds.SshNegotiationFailed, null, null, null },
        { "fail2ban/sshd", "kex_exchange_identification", EventKinds.SshKexError, null, null, null },
        { "fail2ban/sshd", "Did not receive identification string from", EventKinds.SshNoIdentification, null, null, null },
        { "fail2ban/sshd", "Connection reset by", EventKinds.SshConnectionReset, null, null, null },
        { "fail2ban/sshd", "not allowed because", EventKinds.SshUserNotAllowed, null, null, null },
        { "fail2ban/sshd", "POSSIBLE BREAK-IN ATTEMPT", EventKinds.SshReverseMappingFailed, null, null, null },
        { "fail2ban/sshd", "Timeout before authentication", EventKinds.SshAuthTimeout, null, null, null },
        { "plaso/syslog/syslog_ssh.log", "Server listening on", EventKinds.SshServerListening, null, null, null },
        { "plaso/syslog/syslog_ssh.log", "Connection from 188.124.3.41", EventKinds.SshConnection, null, "188.124.3.41", 32889 },
        { "s4/auth/Ubuntu22/auth.log", "pam_unix(sshd:session): session opened", EventKinds.PamSessionOpened, "root", null, null },
        { "fail2ban/sshd", "pam_unix(sshd:auth): authentication failure", EventKinds.PamAuthFailure, null, null, null },
    };

    [SkippableTheory]
    [MemberData(nameof(Lines))]
    public void Real_sshd_line_gives_its_event_kind(string file, string contains, string kind, string? user, string? ip, int? port)
    {
        var e = FromCorpus(file, contains);
        Assert.Equal(kind, e.Event);
        if (user is not null) Assert.Equal(user, e.User);
        if (ip is not null) Assert.Equal(ip, e.SrcIp);
        if (port is not null) Assert.Equal(port, e.SrcPort);
        if (kind.StartsWith("ssh.failed", StringComparison.Ordinal) || kind == EventKinds.SshInvalidUser)
        {
            Assert.NotNull(e.User);
            Assert.True(e.SrcIp is not null || e.Get(SshdClassifier.RemoteHost) is not null, "an attempt needs its source");
        }
    }

    [Theory]
    [InlineData("Invalid user pi from 95.223.184.224 port 12868", EventKinds.SshInvalidUser, "pi", "95.223.184.224", 12868)]
    [InlineData("Failed password for invalid user oracle from 1.2.3.4 port 5 ssh2", EventKinds.SshFailedPassword, "oracle", "1.2.3.4", 5)]
    [InlineData("Failed password for sys from 1.2.3.4 port 5 ssh2", EventKinds.SshFailedPassword, "sys", "1.2.3.4", 5)]
    [InlineData("Failed password for invalid user admin user from 1.2.3.4 port 5 ssh2", EventKinds.SshFailedPassword, "admin user", "1.2.3.4", 5)]
    [InlineData("Invalid user  from 1.2.3.4 port 5", EventKinds.SshInvalidUser, "", "1.2.3.4", 5)]
    [InlineData("Connection closed by authenticating user root 183.81.169.238 port 58460 [preauth]", EventKinds.SshConnectionClosed, "root", "183.81.169.238", 58460)]
    [InlineData("Disconnecting invalid user test 10.1.1.1 port 4000: Too many authentication failures [preauth]", EventKinds.SshTooManyFailures, "test", "10.1.1.1", 4000)]
    [InlineData("Received disconnect from 174.72.166.246 port 52124:11: disconnected by user", EventKinds.SshReceivedDisconnect, null, "174.72.166.246", 52124)]
    [InlineData("error: kex_exchange_identification: Connection closed by remote host", EventKinds.SshKexError, null, null, null)]
    [InlineData("pam_unix(sshd:session): session closed for user root", EventKinds.PamSessionClosed, "root", null, null)]
    [InlineData("PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=218.92.0.1  user=root", EventKinds.PamMoreFailures, "root", "218.92.0.1", null)]
    [InlineData("Accepted keyboard-interactive/pam for bob from 10.0.0.1 port 22 ssh2", EventKinds.SshAcceptedOther, "bob", "10.0.0.1", 22)]
    public void OpenSSH_9_and_attacker_chosen_names(string message, string kind, string? user, string? ip, int? port)
    {
        var r = FormatHarness.Run(Format, Encoding.UTF8.GetBytes($"May 21 03:54:46 droplet1 sshd-session[7]: {message}\n"), "secure", year: 2024);
        var e = Assert.Single(r.Events);
        Assert.Equal(kind, e.Event);
        Assert.Equal(user, e.User);
        Assert.Equal(ip, e.SrcIp);
        Assert.Equal(port, e.SrcPort);
    }

    [SkippableFact]
    public void Corpus_auth_logs_ingest_with_only_explained_rejects()
    {
        // s4 auth logs and plaso's syslog files: zero rejects. fail2ban's sshd file is an annotated test log:
        // its rejects are exactly its '#' comment lines and blank lines, one reject each.
        using var run = CaseRun.Ingest([Corpus.Dir("s4/auth"), Corpus.Dir("plaso/syslog"), Corpus.File("fail2ban/sshd")]);
        foreach (var input in run.Manifest.Inputs.Where(i => i.Format == "syslog"))
        {
            Assert.Equal(input.Records, input.Events + input.Rejects);
            if (!input.SourceFile.EndsWith("fail2ban/sshd", StringComparison.Ordinal)) Assert.Equal(0, input.Rejects);
        }
        var fail2ban = run.Manifest.Inputs.Single(i => i.SourceFile.EndsWith("fail2ban/sshd", StringComparison.Ordinal));
        var lines = File.ReadAllLines(Corpus.File("fail2ban/sshd"), Encoding.Latin1);
        int expected = lines.Count(l => l.StartsWith('#') || l.Length == 0);
        Assert.Equal(expected, fail2ban.Rejects);
        var reasons = Duck.Rows($"SELECT DISTINCT reason FROM {Duck.Rejects(run.CaseDir)}").Select(r => (string)r[0]!).Order().ToList();
        Assert.Equal(["comment line (starts with '#'), not a syslog record", "empty line"], reasons);
        // Every sshd line of the real (non-annotated) auth logs is classified except the ones with no catalogue entry.
        var unclassified = Duck.Rows($"SELECT message FROM {run.Events} WHERE process LIKE 'sshd%' AND event = 'log.line' AND source_file NOT LIKE '%fail2ban%'").Select(r => (string)r[0]!).ToList();
        Assert.All(unclassified, m => Assert.StartsWith("Postponed publickey", m));
    }
}
