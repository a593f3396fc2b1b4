using System.Globalization;
using System.Text;
using System.Text.Json;
using Forensics.Pipeline.Formats;
using Forensics.Pipeline.Formats.Web;
using Forensics.Pipeline.Model;
using Forensics.Tests.Support;

namespace Forensics.Tests.Formats.Web;

/// <summary>
/// Apache and nginx error logs. The samples in data-samples/webserver-errors were written by Debian 12's apache2
/// 2.4 and nginx 1.22 (see its README); the 2.2 and hostile lines are written here.
/// </summary>
public class WebErrorLogFormatTests
{
    private static readonly WebErrorLogFormat Format = new();
    private static string Sample(string name) => Path.Combine(RepoPaths.DataSamples, "webserver-errors", name);
    private static long Micros(int y, int mo, int d, int h, int mi, int s, int us = 0) =>
        ForensicEvent.ToMicros(new DateTime(y, mo, d, h, mi, s, DateTimeKind.Utc)) + us;

    [Fact]
    public void Real_apache_error_log_gives_auth_failures_with_client_module_and_code()
    {
        var r = FormatHarness.RunFile(Format, Sample("apache2-error.log"));
        Assert.Empty(r.Rejects);
        Assert.Equal(File.ReadAllLines(Sample("apache2-error.log")).Length, r.Events.Count);
        Assert.All(r.Events, e => Assert.Equal("apache2.4", e.Get(WebErrorLogFormat.Dialect)));
        Assert.All(r.Events, e => Assert.Equal(TsQuality.ZoneAssumed, e.TsQuality));

        var auth = r.Events.Where(e => e.Event == EventKinds.HttpAuthFailure).ToList();
        Assert.Equal(["password_mismatch", "unknown_user", "wrong_scheme", "unknown_user", "unknown_user"], auth.Select(e => (string?)e.Get(WebErrorLogFormat.AuthReason)));
        Assert.Equal(["alice", "mallory", null, null, "root"], auth.Select(e => e.User));
        Assert.All(auth, e => Assert.Equal("127.0.0.1", e.SrcIp));
        Assert.All(auth, e => Assert.Equal("auth_basic", e.Get(WebErrorLogFormat.Module)));
        Assert.All(auth, e => Assert.Equal("error", e.Get(WebErrorLogFormat.Level)));
        Assert.All(auth, e => Assert.Equal("/private/", e.Get(HttpColumns.Target)));
        var mallory = auth[1];
        Assert.Equal("AH01618", mallory.Get(WebErrorLogFormat.ErrorCode));
        Assert.Equal(37146, mallory.SrcPort);
        Assert.Equal(26404L, mallory.Pid);
        Assert.Equal(Micros(2026, 12, 7, 17, 26, 30, 444685), mallory.TsMicros);
        Assert.Equal("http://example.com/", auth[4].Get(HttpColumns.Referer));

        var denied = Assert.Single(r.Events, e => e.Event == EventKinds.HttpAccessDenied);
        Assert.Equal("authz_core", denied.Get(WebErrorLogFormat.Module));
        Assert.EndsWith("/htdocs/denied/", (string)denied.Get(HttpColumns.Target)!, StringComparison.Ordinal);
        Assert.Single(r.Events, e => e.Event == EventKinds.HttpNotFound && e.Get(WebErrorLogFormat.Level) as string == "info");
        Assert.Single(r.Events, e => e.Event == EventKinds.HttpBadRequest && e.Get(WebErrorLogFormat.ErrorCode) as string == "AH10244");
        // start-up and shutdown notices stay events with their text
        var start = r.Events[0];
        Assert.Equal(EventKinds.HttpServerLog, start.Event);
        Assert.Equal("mpm_event", start.Get(WebErrorLogFormat.Module));
        Assert.Null(start.SrcIp);
        Assert.Contains("resuming normal operations", start.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Real_nginx_error_log_gives_auth_failures_missing_credentials_and_requests()
    {
        var r = FormatHarness.RunFile(Format, Sample("nginx-error.log"));
        Assert.Empty(r.Rejects);
        Assert.Equal(File.ReadAllLines(Sample("nginx-error.log")).Length, r.Events.Count);
        Assert.All(r.Events, e => Assert.Equal("nginx", e.Get(WebErrorLogFormat.Dialect)));

        var auth = r.Events.Where(e => e.Event == EventKinds.HttpAuthFailure).ToList();
        Assert.Equal(["no_credentials", "password_mismatch", "unknown_user", "no_credentials", "no_credentials", "unknown_user"], auth.Select(e => (string?)e.Get(WebErrorLogFormat.AuthReason)));
        Assert.Equal([null, "alice", "mallory", null, null, "root"], auth.Select(e => e.User));
        Assert.All(auth, e =>
        {
            Assert.Equal("127.0.0.1", e.SrcIp);
            Assert.Equal("GET", e.Get(HttpColumns.Method));
            Assert.Equal("/private/", e.Get(HttpColumns.Target));
            Assert.Equal("HTTP/1.1", e.Get(HttpColumns.Protocol));
            Assert.Equal("localhost", e.Get(HttpColumns.VHost));
            Assert.Equal("nginx", e.Process);
        });
        Assert.Equal(["info", "error", "error", "info", "info", "error"], auth.Select(e => (string?)e.Get(WebErrorLogFormat.Level)));
        Assert.Equal(3L, auth[0].Get(WebErrorLogFormat.Connection));
        Assert.Equal("http://example.com/", auth[5].Get(HttpColumns.Referer));
        Assert.Equal(Micros(2026, 12, 7, 17, 26, 33), auth[0].TsMicros);

        Assert.Single(r.Events, e => e.Event == EventKinds.HttpAccessDenied);
        var missing = Assert.Single(r.Events, e => e.Event == EventKinds.HttpNotFound);
        Assert.Equal("/missing.php?id=1", missing.Get(HttpColumns.Target));
        var bad = r.Events.Where(e => e.Event == EventKinds.HttpBadRequest).ToList();
        Assert.Equal(2, bad.Count);
        Assert.Equal("GARBAGE", bad[1].Get(HttpColumns.Target)); // malformed request kept as text
        Assert.Equal(EventKinds.HttpServerLog, r.Events[0].Event);
        Assert.Equal("notice", r.Events[0].Get(WebErrorLogFormat.Level));
    }

    [Fact]
    public void Samples_are_detected_from_content_even_when_renamed()
    {
        foreach (var name in new[] { "apache2-error.log", "nginx-error.log" })
        {
            var head = File.ReadAllBytes(Sample(name));
            Assert.Equal("web_error", FormatRegistry.Detect(head, "renamed.txt").Format?.Id);
        }
    }

    [Fact]
    public void Apache_22_lines_ipv6_zone_unknown_and_hostile_lines()
    {
        var text = "[Wed Oct 11 14:32:52 2000] [error] [client 203.0.113.9] user bob: authentication failure for \"/admin\": Password Mismatch\n"
                 + "[Wed Oct 11 14:32:53 2000] [error] [client 203.0.113.9] user eve not found: /admin\n"
                 + "[Wed Oct 11 14:32:54 2000] [error] [client 203.0.113.10] client denied by server configuration: /var/www/private\n"
                 + "[Thu Jul 04 03:04:05.123456 2024] [auth_basic:error] [pid 7:tid 8] [client 2001:db8::7:51234] AH01618: user x not found: /a\n"
                 + "[Thu Jul 04 03:04:06.000001 2024] [auth_basic:error] [pid 7:tid 8] [client ::1] AH01618: user y not found: /a\n"
                 + "[Thu Jul 04 03:04:07 2024] [core:error] [pid 7] (13)Permission denied: [client 198.51.100.1:40000] AH00035: access to /x denied\n"
                 // attacker-chosen user name carrying a fake client: the bracketed client before the message wins
                 + "[Thu Jul 04 03:04:08.5 2024] [auth_basic:error] [pid 7:tid 8] [client 198.51.100.2:1] AH01618: user [client 6.6.6.6:1] not found: /a\n"
                 + "Premature end of script headers: printenv.pl\n"
                 + "\n";
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var r = FormatHarness.Run(Format, Encoding.UTF8.GetBytes(text), zone: berlin);
        Assert.Equal(["empty line"], r.Rejects.Select(x => x.Reason));
        Assert.Equal(8, r.Events.Count);
        var e = r.Events;
        Assert.Equal("apache2.2", e[0].Get(WebErrorLogFormat.Dialect));
        Assert.Equal(EventKinds.HttpAuthFailure, e[0].Event);
        Assert.Equal("bob", e[0].User);
        Assert.Equal("203.0.113.9", e[0].SrcIp);
        Assert.Null(e[0].SrcPort);
        Assert.Null(e[0].Get(WebErrorLogFormat.Module));
        Assert.Equal("error", e[0].Get(WebErrorLogFormat.Level));
        Assert.Equal(Micros(2000, 10, 11, 12, 32, 52), e[0].TsMicros); // CEST, +02:00
        Assert.Equal("eve", e[1].User);
        Assert.Equal(EventKinds.HttpAccessDenied, e[2].Event);
        Assert.Equal(("2001:db8::7", 51234), (e[3].SrcIp, e[3].SrcPort));
        Assert.Equal(Micros(2024, 7, 4, 1, 4, 5, 123456), e[3].TsMicros);
        Assert.Equal(("::1", (int?)null), (e[4].SrcIp, e[4].SrcPort));
        Assert.Equal(("198.51.100.1", 40000), (e[5].SrcIp, e[5].SrcPort));
        Assert.Equal(7L, e[5].Pid);
        Assert.Equal(("198.51.100.2", "[client 6.6.6.6:1]"), (e[6].SrcIp, e[6].User));
        Assert.Equal(Micros(2024, 7, 4, 1, 4, 8, 500000), e[6].TsMicros);
        Assert.Equal(EventKinds.HttpServerLog, e[7].Event);
        Assert.Equal(TsQuality.Missing, e[7].TsQuality);
        Assert.Equal("Premature end of script headers: printenv.pl", e[7].Message);
    }

    [Fact]
    public void Nginx_client_is_the_first_one_outside_quotes_and_odd_lines_stay_events()
    {
        var text = "2024/07/04 03:04:05 [error] 10#10: *5 user \"a, client: 6.6.6.6\": password mismatch, client: 203.0.113.9, server: _, request: \"GET /, client: 7.7.7.7 HTTP/1.1\", host: \"h\"\n"
                 + "2024/07/04 03:04:06 [info] 10#10: *6 no user/password was provided for basic authentication, client: 2001:db8::9, server: s, request: \"GET /p HTTP/1.1\", host: \"h\"\n"
                 + "2024/07/04 03:04:07 [emerg] 10#10: bind() to 0.0.0.0:80 failed (98: Address already in use)\n"
                 + "2024/13/04 03:04:07 [error] not a valid date\n";
        var r = FormatHarness.Run(Format, Encoding.UTF8.GetBytes(text));
        Assert.Empty(r.Rejects);
        var e = r.Events;
        Assert.Equal(("203.0.113.9", "a, client: 6.6.6.6"), (e[0].SrcIp, e[0].User));
        Assert.Equal("GET /, client: 7.7.7.7 HTTP/1.1", e[0].Get(HttpColumns.Target)); // not a valid request line: kept whole
        Assert.Equal(("2001:db8::9", EventKinds.HttpAuthFailure), (e[1].SrcIp, e[1].Event));
        Assert.Equal((EventKinds.HttpServerLog, "emerg", (long?)10), (e[2].Event, (string?)e[2].Get(WebErrorLogFormat.Level), e[2].Pid));
        Assert.Equal((EventKinds.HttpServerLog, TsQuality.Missing), (e[3].Event, e[3].TsQuality));
    }

    /// <summary>fail2ban's apache-noscript test log names the client each line must be attributed to (failJSON "host").</summary>
    [SkippableFact]
    public void Fail2ban_apache_noscript_hosts_and_times_agree()
    {
        var lines = File.ReadAllLines(Corpus.File("fail2ban/apache-noscript"));
        int checkedLines = 0;
        for (int i = 0; i + 1 < lines.Length; i++)
        {
            if (!lines[i].StartsWith("# failJSON:", StringComparison.Ordinal)) continue;
            var want = JsonDocument.Parse(lines[i][11..]).RootElement;
            if (!want.TryGetProperty("host", out var host)) continue;
            var r = FormatHarness.Run(Format, Encoding.UTF8.GetBytes(lines[i + 1] + "\n"));
            var e = Assert.Single(r.Events);
            Assert.Equal(host.GetString(), e.SrcIp);
            var t = DateTime.Parse(want.GetProperty("time").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
            Assert.Equal(ForensicEvent.ToMicros(t), e.TsMicros / 1_000_000 * 1_000_000);
            checkedLines++;
        }
        Assert.True(checkedLines >= 10, $"only {checkedLines} failJSON lines");
    }
}
