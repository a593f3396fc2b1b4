using System.Text;
using Forensics.Pipeline.Formats.Web;
using Forensics.Pipeline.Model;
using Forensics.Tests.Support;

namespace Forensics.Tests.Formats.Web;

public class AccessLogFormatTests
{
    private static readonly AccessLogFormat Format = new();

    private static long Micros(int y, int mo, int d, int h, int mi, int s) => ForensicEvent.ToMicros(new DateTime(y, mo, d, h, mi, s, DateTimeKind.Utc));

    [SkippableFact]
    public void Plaso_apache_access_common_combined_vhost_and_oddities()
    {
        var r = FormatHarness.RunFile(Format, Corpus.File("plaso/access/apache_access.log"));
        Assert.Empty(r.Rejects);
        Assert.Equal(15, r.Events.Count);
        Assert.All(r.Events, e => Assert.Equal(TsQuality.Exact, e.TsQuality));
        var common = r.Events[0];
        Assert.Equal("10.0.0.1", common.SrcIp);
        Assert.Equal(Micros(2016, 1, 13, 19, 31, 16), common.TsMicros);
        Assert.Equal(494L, common.Get(HttpColumns.Bytes));
        Assert.Null(common.Get(HttpColumns.UserAgent));
        // +0200 offset applied
        Assert.Equal(Micros(2016, 1, 13, 17, 31, 20), r.Events[4].TsMicros);
        Assert.Equal("http://localhost/", r.Events[4].Get(HttpColumns.Referer));
        // 304 with "-" size
        Assert.Null(r.Events[6].Get(HttpColumns.Bytes));
        Assert.Equal(304, r.Events[6].Get(HttpColumns.Status));
        // user agent cut without closing quote: kept as far as it goes
        Assert.StartsWith("Mozilla/5.0 (compatible; Googlebot/2.1", (string)r.Events[7].Get(HttpColumns.UserAgent)!, StringComparison.Ordinal);
        // vhost_combined
        Assert.Equal("plaso.log2timeline.net:443", r.Events[8].Get(HttpColumns.VHost));
        Assert.Equal("10.1.1.2", r.Events[8].SrcIp);
        // raw quotes inside the request (old Apache): the request still ends before the status
        Assert.Equal("/aaaa.xxxx/SomeText?action=edit&template=<script>alert(\"text\")</script>", r.Events[12].Get(HttpColumns.Target));
        Assert.Equal(404, r.Events[12].Get(HttpColumns.Status));
        Assert.Equal("pyllyukko@EXAMPLE.COM", r.Events[14].User);
    }

    [SkippableFact]
    public void S4_access_logs()
    {
        var deb = FormatHarness.RunFile(Format, Corpus.File("s4/access/Debian11/apache2/access.log"));
        Assert.Empty(deb.Rejects);
        Assert.Equal(5, deb.Events.Count); // last line has no newline
        Assert.Equal("Lynx/2.9.0dev.10 libwww-FM/2.14 SSL-MM/1.4.1 GNUTLS/3.7.1", deb.Events[0].Get(HttpColumns.UserAgent));
        Assert.Equal(EventKinds.HttpRequest, deb.Events[2].Event);
        Assert.Equal(404, deb.Events[2].Get(HttpColumns.Status));

        var rocky = FormatHarness.RunFile(Format, Corpus.File("s4/access/RockyLinux9/nginx/access.log"));
        Assert.Empty(rocky.Rejects);
        Assert.Equal(4, rocky.Events.Count);
        Assert.Equal("curl/7.76.1", rocky.Events[0].Get(HttpColumns.UserAgent)); // the extra "$http_x_forwarded_for" stays in message
        Assert.Equal("/REALLY-DOES-NOT-EXIST", rocky.Events[3].Get(HttpColumns.Target));

        // A hand-made example with typographic quotes around the request: kept, request malformed.
        var odd = FormatHarness.RunFile(Format, Corpus.File("s4/access/programs/apache/access.log"));
        Assert.Empty(odd.Rejects);
        var e = Assert.Single(odd.Events);
        Assert.Equal(EventKinds.HttpBadRequest, e.Event);
        Assert.Equal("john", e.User);
        Assert.Equal(200, e.Get(HttpColumns.Status));
        Assert.Equal("\u201cGET /apache_pb.gif HTTP/1.0\u201d", e.Get(HttpColumns.Target));
        Assert.Equal(Micros(2020, 1, 21, 4, 32, 14), e.TsMicros);

        // nginx lines inside RFC 5424 syslog, plus one newsyslog line (not an access record → server_log)
        var bsd = FormatHarness.RunFile(Format, Corpus.File("s4/access/FreeBSD12.3/nginx.log.0"));
        Assert.Empty(bsd.Rejects);
        Assert.Equal(49, bsd.Events.Count);
        Assert.Equal(EventKinds.HttpServerLog, bsd.Events[0].Event);
        Assert.All(bsd.Events.Skip(1), x => Assert.Equal(EventKinds.HttpRequest, x.Event));
        Assert.Equal("hostname1.local", bsd.Events[1].Host);
        Assert.Equal("nginx", bsd.Events[1].Process);
        Assert.Equal(Micros(2023, 1, 8, 1, 5, 0), bsd.Events[1].TsMicros);
    }

    [SkippableFact]
    public void S4_flask_log_is_not_mistaken_for_combined()
    {
        // Werkzeug lines have no zone offset: access_combined must not claim them with a guessed zone.
        var r = FormatHarness.RunFile(Format, Corpus.File("s4/access/flask/server.log"));
        Assert.All(r.Events, e => Assert.Equal(EventKinds.HttpServerLog, e.Event));
    }

    /// <summary>
    /// fail2ban's test logs annotate each line with "# failJSON: ..." comments and blank lines. Those are not
    /// records a server wrote, so they are rejected with that reason (visible, counted, not evidence);
    /// the nginx error-log lines in nginx-botsearch and all of apache-noscript (an Apache ERROR log) are not
    /// access records either and become http.server_log events with their text.
    /// </summary>
    [SkippableFact]
    public void Fail2ban_logs_comments_rejected_error_lines_kept_as_server_log()
    {
        var nginx = FormatHarness.RunFile(Format, Corpus.File("fail2ban/nginx-botsearch"));
        var lines = File.ReadAllLines(Corpus.File("fail2ban/nginx-botsearch"));
        Assert.Equal(lines.Length, nginx.Records);
        Assert.Equal(lines.Count(l => l.StartsWith('#')), nginx.Rejects.Count(x => x.Reason.StartsWith("comment line", StringComparison.Ordinal)));
        Assert.Equal(lines.Count(l => l.Length == 0), nginx.Rejects.Count(x => x.Reason == "empty line"));
        Assert.Equal(nginx.Rejects.Count, lines.Count(l => l.StartsWith('#') || l.Length == 0));
        Assert.Equal(8, nginx.Events.Count(e => e.Event == EventKinds.HttpRequest));
        Assert.Equal(6, nginx.Events.Count(e => e.Event == EventKinds.HttpServerLog));
        var root = nginx.Events.Single(e => e.User == "root");
        Assert.Equal("7.8.9.10", root.SrcIp);
        Assert.Equal(Micros(2015, 1, 20, 0, 17, 7), root.TsMicros);

        var apache = FormatHarness.RunFile(Format, Corpus.File("fail2ban/apache-noscript"));
        var alines = File.ReadAllLines(Corpus.File("fail2ban/apache-noscript"));
        Assert.Equal(alines.Count(l => l.StartsWith('#') || l.Length == 0), apache.Rejects.Count);
        Assert.All(apache.Events, e => Assert.Equal(EventKinds.HttpServerLog, e.Event));
        Assert.Equal(alines.Count(l => l.StartsWith('[')), apache.Events.Count);
    }

    [Fact]
    public void Nginx_hex_escapes_tls_probe_and_escaped_user_agent()
    {
        var text = "45.1.2.3 - - [21/May/2024:13:50:06 +0000] \"\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03\" 400 157 \"-\" \"-\"\n"
                 + "45.1.2.3 - - [21/May/2024:13:50:07 +0000] \"GET /caf\\xC3\\xA9 HTTP/1.1\" 200 1 \"-\" \"say \\x22hi\\x22\"\n"
                 + "45.1.2.3 - bob [21/May/2024:13:50:08 +0000] \"GET http://example.com:81/ HTTP/1.1\" 502 0 \"-\" \"Apache \\\"quoted\\\" UA\"\n"
                 + "www.example.org:80 2001:db8::7 - - [21/May/2024:13:50:09 -0700] \"CONNECT api.ipify.org:443 HTTP/1.1\" 400 0 \"-\" \"-\"\n";
        var r = FormatHarness.Run(Format, Encoding.UTF8.GetBytes(text));
        Assert.Empty(r.Rejects);
        Assert.Equal(EventKinds.HttpBadRequest, r.Events[0].Event);
        Assert.Equal("\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03", r.Events[0].Get(HttpColumns.Target));
        Assert.Null(r.Events[0].Get(HttpColumns.UserAgent));
        Assert.Equal("/café", r.Events[1].Get(HttpColumns.Target));
        Assert.Equal("say \"hi\"", r.Events[1].Get(HttpColumns.UserAgent));
        Assert.Equal(EventKinds.HttpProxyAbsolute, r.Events[2].Event); // proxy kinds win over 5xx
        Assert.Equal(81, r.Events[2].Get(HttpColumns.ProxyPort));
        Assert.Equal("bob", r.Events[2].User);
        Assert.Equal("Apache \"quoted\" UA", r.Events[2].Get(HttpColumns.UserAgent));
        var c = r.Events[3];
        Assert.Equal(EventKinds.HttpProxyConnect, c.Event);
        Assert.Equal("www.example.org:80", c.Get(HttpColumns.VHost));
        Assert.Equal("2001:db8::7", c.SrcIp);
        Assert.Equal(Micros(2024, 5, 21, 20, 50, 9), c.TsMicros);
    }

    [Fact]
    public void Gunicorn_default_format_is_the_combined_line()
    {
        // gunicorn/config.py AccessLogFormat default: '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'
        var line = "127.0.0.1 - - [21/May/2024:13:50:06 +0200] \"GET /health HTTP/1.1\" 200 2 \"-\" \"kube-probe/1.29\"\n"u8;
        var r = FormatHarness.Run(Format, line.ToArray());
        var e = Assert.Single(r.Events);
        Assert.Equal("kube-probe/1.29", e.Get(HttpColumns.UserAgent));
        Assert.Equal(2L, e.Get(HttpColumns.Bytes));
        Assert.Equal(Micros(2024, 5, 21, 11, 50, 6), e.TsMicros);
    }

    [Fact]
    public void Seeded_mutations_of_a_valid_line_never_throw()
    {
        var valid = "1.2.3.4 - - [21/May/2024:13:50:06 +0000] \"GET /a?b=c HTTP/1.1\" 200 12 \"http://r/\" \"UA x\""u8.ToArray();
        var rng = new Random(42);
        var sb = new List<byte>();
        for (int i = 0; i < 5000; i++)
        {
            var m = (byte[])valid.Clone();
            int edits = rng.Next(1, 4);
            for (int k = 0; k < edits; k++) m[rng.Next(m.Length)] = (byte)rng.Next(256);
            sb.AddRange(m.AsSpan(0, rng.Next(m.Length + 1)).ToArray().Where(b => b != (byte)'\n'));
            sb.Add((byte)'\n');
        }
        var r = FormatHarness.Run(Format, sb.ToArray());
        Assert.Equal(r.Records, r.Events.Count + r.Rejects.Count);
    }
}
