using System.Buffers.Text;
using System.Text;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats.Web;

/// <summary>What kind of request line a log recorded (RFC 9112 §3.2 request-target forms).</summary>
public enum RequestLineKind
{
    /// <summary>Not a request line: method is not a token, wrong separators, bad version, control bytes.</summary>
    Malformed,
    /// <summary>origin-form (<c>/path?q</c>), the normal case.</summary>
    Origin,
    /// <summary>authority-form, only valid with CONNECT: a proxy tunnel attempt (<c>CONNECT host:port</c>).</summary>
    Authority,
    /// <summary>absolute-form (<c>GET http://host/ HTTP/1.1</c>): a forward-proxy attempt.</summary>
    Absolute,
    /// <summary>asterisk-form (<c>OPTIONS *</c>).</summary>
    Asterisk,
}

/// <summary>A parsed request line: slices of the input plus the proxy target, if any.</summary>
public readonly ref struct RequestLine
{
    public RequestLineKind Kind { get; init; }
    public ReadOnlySpan<byte> Method { get; init; }
    public ReadOnlySpan<byte> Target { get; init; }
    /// <summary>Empty for HTTP/0.9 simple requests (<c>GET /path</c>).</summary>
    public ReadOnlySpan<byte> Protocol { get; init; }
    public ReadOnlySpan<byte> ProxyHost { get; init; }
    public int ProxyPort { get; init; }
    /// <summary>Why the line is malformed (for tests and diagnostics); null when well formed.</summary>
    public string? Error { get; init; }
}

/// <summary>
/// Parses the request line a web server logged (the <c>%r</c> of Apache/nginx/gunicorn, Werkzeug's
/// <c>requestline</c>). Grammar from RFC 9112 §3 (<c>method SP request-target SP HTTP-version</c>) with
/// Kestrel's strictness (aspnetcore <c>HttpParser.cs</c>, test lists in <c>shared/test/HttpParsingData.cs</c>):
/// single spaces, token method, no control bytes or spaces in the target, <c>HTTP/d.d</c> version. One
/// leniency: a two-word <c>GET /path</c> is an HTTP/0.9 simple request (RFC 1945 §4.1), which servers still
/// answer and log. Logged text is input, not a live connection, so "incomplete" is simply malformed here.
/// </summary>
public static class HttpRequestLineParser
{
    public static RequestLine Parse(ReadOnlySpan<byte> line)
    {
        int sp1 = line.IndexOf((byte)' ');
        if (sp1 <= 0) return Bad(line.IsEmpty ? "empty request line" : "no space after method");
        var method = line[..sp1];
        if (!IsToken(method)) return Bad("method is not an RFC 9110 token");
        var rest = line[(sp1 + 1)..];
        int sp2 = rest.IndexOf((byte)' ');
        ReadOnlySpan<byte> target, protocol;
        if (sp2 < 0)
        {
            if (!method.SequenceEqual("GET"u8)) return Bad("no HTTP version (only GET may be an HTTP/0.9 simple request)");
            target = rest;
            protocol = default;
        }
        else
        {
            target = rest[..sp2];
            protocol = rest[(sp2 + 1)..];
            if (!IsHttpVersion(protocol)) return Bad("HTTP version is not HTTP/d.d");
        }
        if (target.IsEmpty) return Bad("empty request target");
        foreach (byte b in target)
            if (b <= 0x20 || b == 0x7f) return Bad("control byte or space in request target");

        if (target[0] == (byte)'/')
            return new RequestLine { Kind = RequestLineKind.Origin, Method = method, Target = target, Protocol = protocol };
        if (target.Length == 1 && target[0] == (byte)'*')
            return new RequestLine { Kind = RequestLineKind.Asterisk, Method = method, Target = target, Protocol = protocol };
        if (method.SequenceEqual("CONNECT"u8))
        {
            // authority-form = uri-host ":" port (RFC 9112 §3.2.3); a missing port is still a tunnel attempt
            // (Kestrel's list has "CONNECT www.example.com HTTP/1.1"), so the port is then left null.
            if (!SplitHostPort(target, out var host, out int port)) return Bad("CONNECT target is not host[:port]");
            return new RequestLine { Kind = RequestLineKind.Authority, Method = method, Target = target, Protocol = protocol, ProxyHost = host, ProxyPort = port };
        }
        int schemeEnd = target.IndexOf("://"u8);
        if (schemeEnd > 0 && IsScheme(target[..schemeEnd]))
        {
            var scheme = target[..schemeEnd];
            var afterScheme = target[(schemeEnd + 3)..];
            int end = afterScheme.IndexOfAny((byte)'/', (byte)'?', (byte)'#');
            var authority = end < 0 ? afterScheme : afterScheme[..end];
            int at = authority.LastIndexOf((byte)'@');
            if (at >= 0) authority = authority[(at + 1)..];
            if (authority.IsEmpty || !SplitHostPort(authority, out var host, out int port)) return Bad("absolute-form target without a valid host");
            if (port == 0) port = DefaultPort(scheme);
            return new RequestLine { Kind = RequestLineKind.Absolute, Method = method, Target = target, Protocol = protocol, ProxyHost = host, ProxyPort = port };
        }
        return Bad("request target is not origin, absolute, authority or asterisk form");
    }

    /// <summary>Event kind for a logged request: malformed → bad_request, proxy forms first, then 5xx.</summary>
    public static string EventFor(RequestLineKind kind, int status) => kind switch
    {
        RequestLineKind.Malformed => EventKinds.HttpBadRequest,
        RequestLineKind.Authority => EventKinds.HttpProxyConnect,
        RequestLineKind.Absolute => EventKinds.HttpProxyAbsolute,
        _ => status is >= 500 and <= 599 ? EventKinds.HttpServerError : EventKinds.HttpRequest,
    };

    private static RequestLine Bad(string why) => new() { Kind = RequestLineKind.Malformed, Error = why };

    // tchar (RFC 9110 §5.6.2)
    private static bool IsToken(ReadOnlySpan<byte> s)
    {
        foreach (byte b in s)
        {
            bool ok = b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
                || b is (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&' or (byte)'\'' or (byte)'*' or (byte)'+'
                    or (byte)'-' or (byte)'.' or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~';
            if (!ok) return false;
        }
        return s.Length > 0;
    }

    private static bool IsHttpVersion(ReadOnlySpan<byte> s) =>
        s.Length == 8 && s.StartsWith("HTTP/"u8) && char.IsAsciiDigit((char)s[5]) && s[6] == (byte)'.' && char.IsAsciiDigit((char)s[7]);

    private static bool IsScheme(ReadOnlySpan<byte> s)
    {
        if (s.IsEmpty || !char.IsAsciiLetter((char)s[0])) return false;
        foreach (byte b in s)
            if (!(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'+' or (byte)'-' or (byte)'.')) return false;
        return true;
    }

    private static int DefaultPort(ReadOnlySpan<byte> scheme) =>
        Ascii.EqualsIgnoreCase(scheme, "https"u8) || Ascii.EqualsIgnoreCase(scheme, "wss"u8) ? 443
        : Ascii.EqualsIgnoreCase(scheme, "http"u8) || Ascii.EqualsIgnoreCase(scheme, "ws"u8) ? 80
        : Ascii.EqualsIgnoreCase(scheme, "ftp"u8) ? 21 : 0;

    /// <summary>host[:port] with IPv6 literals in brackets; port 0 when absent.</summary>
    internal static bool SplitHostPort(ReadOnlySpan<byte> s, out ReadOnlySpan<byte> host, out int port)
    {
        port = 0;
        host = default;
        ReadOnlySpan<byte> portPart = default;
        if (s.Length > 0 && s[0] == (byte)'[')
        {
            int close = s.IndexOf((byte)']');
            if (close < 0) return false;
            host = s[1..close];
            var after = s[(close + 1)..];
            if (!after.IsEmpty)
            {
                if (after[0] != (byte)':') return false;
                portPart = after[1..];
            }
        }
        else
        {
            int colon = s.LastIndexOf((byte)':');
            if (colon >= 0) { host = s[..colon]; portPart = s[(colon + 1)..]; }
            else host = s;
            if (host.IndexOf((byte)':') >= 0) return false;
        }
        if (host.IsEmpty) return false;
        foreach (byte b in host)
            if (b <= 0x20 || b is (byte)'/' or (byte)'@' or (byte)'?' or (byte)'#' or 0x7f) return false;
        if (s[^1] == (byte)':') return false;
        if (!portPart.IsEmpty)
        {
            if (portPart.Length > 5 || !Utf8Parser.TryParse(portPart, out int p, out int used) || used != portPart.Length || p is < 1 or > 65535) return false;
            port = p;
        }
        return true;
    }
}
