using System.Text;
using Forensics.Pipeline.Formats.Web;

namespace Forensics.Tests.Formats.Web;

/// <summary>
/// Kestrel-style shared lists (after aspnetcore src/Servers/Kestrel/shared/test/HttpParsingData.cs, adapted to
/// logged request lines: no CRLF, HTTP/0.9 "GET /path" accepted as RFC 1945 allows).
/// </summary>
public class HttpRequestLineTests
{
    public static readonly string[] Methods = ["GET", "CUSTOM", "POST", "OPTIONS"];
    public static readonly string[] OriginPaths = ["/", "/abc", "/abc/de/f", "/%20", "/a%20", "/%C3%A5", "/%25%30%30", "/%%2000", "/%2F"];
    public static readonly string[] Queries = ["", "?", "?arg1=val1", "?%A", "?path=/home", "?question=what?", "?%00"];
    public static readonly string[] Versions = ["HTTP/1.0", "HTTP/1.1", "HTTP/2.0"];

    public static TheoryData<string, string> AbsoluteTargets => new()
    {
        { "http://host/abs/path", "host:80" }, { "https://host/abs/path", "host:443" }, { "https://host:22/abs/path", "host:22" },
        { "https://user@host:9080/abs/path", "host:9080" }, { "http://host", "host:80" }, { "http://127.0.0.1:8080/", "127.0.0.1:8080" },
        { "http://[::1]", "::1:80" }, { "http://[::1]:8080/", "::1:8080" }, { "http://user@[::1]:8080/", "::1:8080" },
        { "http://example.com?p=/a/../b", "example.com:80" },
    };

    public static IEnumerable<string> ValidLines() =>
        from m in Methods from p in OriginPaths from q in Queries from v in Versions select $"{m} {p}{q} {v}";

    public static readonly string[] InvalidLines =
    [
        "", "G", "GE", "GET ", "GET  ", "GET / ", "GET/HTTP/1.1", " / HTTP/1.1", "/ HTTP/1.1", "GET  / HTTP/1.1", "GET /  HTTP/1.1",
        "GET / HTTP/1.1 ", "GET / H", "GET / HTTP", "GET / HTTP/", "GET / HTTP/1", "GET / HTTP/1.", "GET / HTTP/1.1a", "GET / hello",
        "GET? / HTTP/1.1", "GET ? HTTP/1.1", "GET %2F HTTP/1.1", "GET /?d=Bad UrlToAccept HTTP/1.1", "CUSTOM /", "CUSTOM / H",
        "GET / http/1.1", "GET / 8charact", "( / HTTP/1.0", "get@ / HTTP/1.0", "\0GET / HTTP/1.0", "G\0T / HTTP/1.0", "GET /\0 HTTP/1.1",
        "GET /a\tb HTTP/1.1", "GET http:// HTTP/1.1", "GET http://:80 HTTP/1.1", "GET http://user@/abc HTTP/1.1", "GET ../../ HTTP/1.1",
        "CONNECT : HTTP/1.1", "CONNECT host: HTTP/1.1", "CONNECT host:99999 HTTP/1.1", "CONNECT [::1 HTTP/1.1",
        "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03", "\u0016\u0003\u0001", "-",
    ];

    [Fact]
    public void Valid_origin_form_lines_parse_into_method_target_protocol()
    {
        int n = 0;
        foreach (var line in ValidLines())
        {
            var parts = line.Split(' ');
            var r = HttpRequestLineParser.Parse(Encoding.UTF8.GetBytes(line));
            Assert.True(r.Kind is RequestLineKind.Origin, $"{line}: {r.Error}");
            Assert.Equal(parts[0], Encoding.UTF8.GetString(r.Method));
            Assert.Equal(parts[1], Encoding.UTF8.GetString(r.Target));
            Assert.Equal(parts[2], Encoding.UTF8.GetString(r.Protocol));
            n++;
        }
        Assert.True(n > 500);
    }

    [Theory]
    [MemberData(nameof(AbsoluteTargets))]
    public void Absolute_form_is_a_proxy_attempt_with_host_and_port(string target, string hostPort)
    {
        var r = HttpRequestLineParser.Parse(Encoding.UTF8.GetBytes($"GET {target} HTTP/1.1"));
        Assert.Equal(RequestLineKind.Absolute, r.Kind);
        Assert.Equal(hostPort, $"{Encoding.UTF8.GetString(r.ProxyHost)}:{r.ProxyPort}");
        Assert.Equal("http.proxy_absolute", HttpRequestLineParser.EventFor(r.Kind, 200));
    }

    [Theory]
    [InlineData("CONNECT api.ipify.org:443 HTTP/1.1", "api.ipify.org", 443)]
    [InlineData("CONNECT www.example.com HTTP/1.1", "www.example.com", 0)]
    [InlineData("CONNECT 1.2.3.4:25 HTTP/1.0", "1.2.3.4", 25)]
    [InlineData("CONNECT [2001:db8::1]:8443 HTTP/1.1", "2001:db8::1", 8443)]
    public void Connect_authority_form_is_a_tunnel_attempt(string line, string host, int port)
    {
        var r = HttpRequestLineParser.Parse(Encoding.UTF8.GetBytes(line));
        Assert.Equal(RequestLineKind.Authority, r.Kind);
        Assert.Equal(host, Encoding.UTF8.GetString(r.ProxyHost));
        Assert.Equal(port, r.ProxyPort);
        Assert.Equal("http.proxy_connect", HttpRequestLineParser.EventFor(r.Kind, 404));
    }

    [Fact]
    public void Invalid_lines_are_malformed_with_a_reason()
    {
        foreach (var line in InvalidLines)
        {
            var r = HttpRequestLineParser.Parse(Encoding.Latin1.GetBytes(line));
            Assert.True(r.Kind == RequestLineKind.Malformed, $"'{line}' parsed as {r.Kind}");
            Assert.False(string.IsNullOrEmpty(r.Error));
            Assert.Equal("http.bad_request", HttpRequestLineParser.EventFor(r.Kind, 200));
        }
    }

    [Fact]
    public void Http09_simple_request_only_for_GET()
    {
        Assert.Equal(RequestLineKind.Origin, HttpRequestLineParser.Parse("GET /x"u8).Kind);
        Assert.True(HttpRequestLineParser.Parse("GET /x"u8).Protocol.IsEmpty);
        Assert.Equal(RequestLineKind.Malformed, HttpRequestLineParser.Parse("POST /x"u8).Kind);
    }

    [Fact]
    public void Every_prefix_of_every_valid_line_is_handled_without_exception()
    {
        int malformed = 0, total = 0;
        var lines = ValidLines().Concat(["CONNECT api.ipify.org:443 HTTP/1.1", "GET http://user@[::1]:8080/ HTTP/1.1", "OPTIONS * HTTP/1.1"]);
        foreach (var line in lines)
        {
            var bytes = Encoding.UTF8.GetBytes(line);
            for (int len = 0; len <= bytes.Length; len++)
            {
                var r = HttpRequestLineParser.Parse(bytes.AsSpan(0, len));
                total++;
                if (r.Kind == RequestLineKind.Malformed) malformed++;
                else Assert.True(r.Method.Length > 0 && r.Target.Length > 0);
            }
        }
        // Most prefixes cut the version and must be malformed; full lines must not be.
        Assert.InRange(malformed, total / 2, total - 1);
    }

    [Fact]
    public void Seeded_random_bytes_never_throw()
    {
        var rng = new Random(20240521);
        var buf = new byte[64];
        for (int i = 0; i < 20000; i++)
        {
            int len = rng.Next(buf.Length);
            rng.NextBytes(buf.AsSpan(0, len));
            _ = HttpRequestLineParser.Parse(buf.AsSpan(0, len));
        }
    }
}
