using System.Text;
using Forensics.Pipeline.Formats.Web;
using Forensics.Pipeline.Model;
using Forensics.Tests.Support;

namespace Forensics.Tests.Formats.Web;

public class WerkzeugFormatTests
{
    private static readonly WerkzeugFormat Format = new();
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    [SkippableFact]
    public void S4_flask_server_log_local_time_gets_the_case_zone()
    {
        var r = FormatHarness.RunFile(Format, Corpus.File("s4/access/flask/server.log"), zone: Berlin);
        Assert.Empty(r.Rejects);
        Assert.Equal(4, r.Events.Count);
        var e = r.Events[0];
        // 22/Mar/2024 15:11:28 in Berlin (CET, +01:00) = 14:11:28Z
        Assert.Equal(new DateTime(2024, 3, 22, 14, 11, 28, DateTimeKind.Utc), ForensicEvent.ToDateTime(e.TsMicros));
        Assert.Equal(TsQuality.ZoneAssumed, e.TsQuality);
        Assert.Equal("127.0.0.1", e.SrcIp);
        Assert.Equal(EventKinds.HttpRequest, e.Event);
        Assert.Equal(200, e.Get(HttpColumns.Status));
        Assert.Null(e.Get(HttpColumns.Bytes));
        Assert.Equal("GET", e.Get(HttpColumns.Method));
        Assert.Equal("HTTP/1.1", e.Get(HttpColumns.Protocol));
    }

    /// <summary>
    /// data-samples/werkzeug/nohup.log was written by a real Flask 2.2.2 / Werkzeug 2.2.2 development server
    /// (Debian 12 python3-flask) via generate.sh; nohup-werkzeug3.1.3.log by Werkzeug 3.1.3. Expectations are
    /// what those servers were sent (see generate.sh), line by line.
    /// </summary>
    [Theory]
    [InlineData("nohup.log")]
    [InlineData("nohup-werkzeug3.1.3.log")]
    public void Real_flask_server_log_every_line_accounted(string file)
    {
        var path = Path.Combine(RepoPaths.DataSamples, "werkzeug", file);
        var r = FormatHarness.RunFile(Format, path);
        Assert.Empty(r.Rejects);
        var kinds = r.Events.GroupBy(e => e.Event).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(5, kinds[EventKinds.HttpServerBanner]);
        Assert.Equal(1, kinds[EventKinds.HttpServerLog]);       // "[date] ERROR in app: Exception on /boom [GET]"
        // traceback (joined) + the 500, 503 and 505 (HTTP/9.9) request lines
        Assert.Equal(4, kinds[EventKinds.HttpServerError]);
        var tb = r.Events.Single(e => e.Message!.StartsWith("Traceback", StringComparison.Ordinal));
        Assert.EndsWith("ValueError: boom: a deliberate error for the traceback sample", tb.Message);
        Assert.Equal(TsQuality.Missing, tb.TsQuality);

        var connect = r.Events.Single(e => e.Event == EventKinds.HttpProxyConnect);
        Assert.Equal("api.ipify.org", connect.Get(HttpColumns.ProxyHost));
        Assert.Equal(443, connect.Get(HttpColumns.ProxyPort));
        Assert.Equal(404, connect.Get(HttpColumns.Status));
        var absolute = r.Events.Where(e => e.Event == EventKinds.HttpProxyAbsolute).ToList();
        Assert.Equal(["example.com:80", "example.com:8080"], absolute.Select(e => $"{e.Get(HttpColumns.ProxyHost)}:{e.Get(HttpColumns.ProxyPort)}"));

        // code 400/505 lines (4) + the malformed request lines (GARBAGE, "a b c", TLS hello) + the NUL one on 2.2.2
        var bad = r.Events.Where(e => e.Event == EventKinds.HttpBadRequest).ToList();
        bool rawControlBytes = file == "nohup.log";
        Assert.Equal(rawControlBytes ? 8 : 7, bad.Count);
        Assert.Equal(4, bad.Count(e => e.Message!.Contains("] code ", StringComparison.Ordinal)));
        Assert.Contains(bad, e => e.Get(HttpColumns.Target) is string t && t.Contains("rest of a TLS hello", StringComparison.Ordinal));
        Assert.Contains(bad, e => (string?)e.Get(HttpColumns.Target) == "GET /a b c HTTP/1.1");
        Assert.All(bad, e => Assert.Equal(TsQuality.ZoneAssumed, e.TsQuality));

        // the NUL byte request: Werkzeug 2.2.2 writes the NUL raw (a target with a control byte is malformed
        // as a request line, but Flask routed it: the line is kept, status 404); 3.1.3 writes "\x00".
        var nul = r.Events.Single(e => e.Message!.Contains("/nul", StringComparison.Ordinal));
        Assert.Equal(404, nul.Get(HttpColumns.Status));
        Assert.Equal(rawControlBytes ? EventKinds.HttpBadRequest : EventKinds.HttpRequest, nul.Event);
        Assert.Equal(rawControlBytes, nul.Message!.Contains('\0', StringComparison.Ordinal));
        Assert.Equal(r.Records, r.Events.Count);
    }

    [Fact]
    public void Ansi_colours_are_stripped_for_parsing_and_kept_in_message()
    {
        var line = "91.92.245.67 - - [21/May/2024 13:50:06] \"\u001b[33mCONNECT api.ipify.org:443 HTTP/1.1\u001b[0m\" 404 -\n"
                 + "10.0.0.9 - - [21/May/2024 13:50:07] \"\u001b[35m\u001b[1mGET /x HTTP/1.1\u001b[0m\" 500 -\n";
        var r = FormatHarness.Run(Format, Encoding.UTF8.GetBytes(line), zone: TimeZoneInfo.Utc);
        Assert.Empty(r.Rejects);
        var e = r.Events[0];
        Assert.Equal(EventKinds.HttpProxyConnect, e.Event);
        Assert.Equal("api.ipify.org", e.Get(HttpColumns.ProxyHost));
        Assert.Equal(443, e.Get(HttpColumns.ProxyPort));
        Assert.Equal("91.92.245.67", e.SrcIp);
        Assert.Contains("\u001b[33m", e.Message, StringComparison.Ordinal);
        Assert.Equal(new DateTime(2024, 5, 21, 13, 50, 6, DateTimeKind.Utc), ForensicEvent.ToDateTime(e.TsMicros));
        Assert.Equal(EventKinds.HttpServerError, r.Events[1].Event);
        Assert.Equal("/x", r.Events[1].Get(HttpColumns.Target));
    }

    [Fact]
    public void Invalid_utf8_and_nul_bytes_never_crash_and_stay_visible()
    {
        var bytes = new List<byte>();
        bytes.AddRange("1.2.3.4 - - [21/May/2024 13:50:06] code 400, message Bad request version ('"u8.ToArray());
        bytes.AddRange(new byte[] { 0x16, 0x03, 0x01, 0xff, 0xfe, 0x00, 0xc3 });
        bytes.AddRange("')\n1.2.3.4 - - [21/May/2024 13:50:06] \""u8.ToArray());
        bytes.AddRange(new byte[] { 0x16, 0x03, 0x01, 0xff, 0x00 });
        bytes.AddRange("\" 400 -\n"u8.ToArray());
        var r = FormatHarness.Run(Format, bytes.ToArray());
        Assert.Empty(r.Rejects);
        Assert.Equal(2, r.Events.Count);
        Assert.All(r.Events, e => Assert.Equal(EventKinds.HttpBadRequest, e.Event));
        Assert.Contains("\\xFF\\xFE", r.Events[0].Message, StringComparison.Ordinal);
        Assert.Contains("\0", r.Events[0].Message, StringComparison.Ordinal);
        Assert.Equal(400, r.Events[0].Get(HttpColumns.Status));
    }

    [Fact]
    public void Seeded_garbage_lines_become_events_never_exceptions()
    {
        var rng = new Random(5);
        var data = new byte[200_000];
        rng.NextBytes(data);
        for (int i = 0; i < data.Length; i += rng.Next(1, 300)) data[i] = (byte)'\n';
        var r = FormatHarness.Run(Format, data);
        Assert.Equal(r.Records, r.Events.Count + r.Rejects.Count);
        Assert.Empty(r.Rejects);
    }

    [Fact]
    public void Sniff_prefers_werkzeug_for_werkzeug_and_not_for_apache()
    {
        var wz = "127.0.0.1 - - [22/Mar/2024 15:11:28] \"GET / HTTP/1.1\" 200 -\n"u8;
        var ap = "127.0.0.1 - - [11/Oct/2022:00:10:26 +0000] \"GET / HTTP/1.0\" 200 3343 \"-\" \"Lynx\"\n"u8;
        Assert.True(Format.Sniff(wz, "nohup.log") >= 80);
        Assert.Equal(0, Format.Sniff(ap, "access.log"));
        Assert.Equal(0, new AccessLogFormat().Sniff(wz, "nohup.log"));
        Assert.True(new AccessLogFormat().Sniff(ap, "access.log") >= 80);
    }
}

public class WerkzeugDropletSampleTests
{
    /// <summary>
    /// data-samples/droplet1 (the seed case, made by data-samples/droplet1-web.sh on main): its nohup.log starts
    /// with nohup's own "nohup: ignoring input", then the banner and requests including CONNECT probes and
    /// binary lines. Every line becomes an event; CONNECT probes are queryable with their target.
    /// </summary>
    [Fact]
    public void Droplet_nohup_log_every_line_is_an_event_and_connect_probes_have_targets()
    {
        var path = Path.Combine(RepoPaths.DataSamples, "droplet1", "home", "webadmin", "site", "nohup.log");
        var r = FormatHarness.RunFile(new WerkzeugFormat(), path);
        Assert.Empty(r.Rejects);
        Assert.Equal(File.ReadAllBytes(path).Count(b => b == (byte)'\n'), r.Events.Count);
        Assert.Equal(7, r.Events.Count(e => e.Event == EventKinds.HttpServerBanner));
        Assert.Equal(EventKinds.HttpServerLog, r.Events[0].Event); // "nohup: ignoring input"
        var connects = r.Events.Where(e => e.Event == EventKinds.HttpProxyConnect).ToList();
        Assert.Equal(2, connects.Count);
        Assert.All(connects, e => { Assert.NotNull(e.Get(HttpColumns.ProxyHost)); Assert.NotNull(e.SrcIp); Assert.NotNull(e.TsMicros); });
        var requests = r.Events.Where(e => e.Message!.Contains(" - - [", StringComparison.Ordinal)).ToList();
        Assert.All(requests, e => Assert.Equal(TsQuality.ZoneAssumed, e.TsQuality));
    }
}
