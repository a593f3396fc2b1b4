using System.Text;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats.Web;

/// <summary>Fills the request columns and the event kind of one logged request; shared by all access formats.</summary>
internal static class AccessEvent
{
    public static void SetRequest(ForensicEvent e, ReadOnlySpan<byte> request, int status, long? size, bool knownValid = false)
    {
        var rl = HttpRequestLineParser.Parse(request);
        e.Event = HttpRequestLineParser.EventFor(rl.Kind, status);
        e.Set(HttpColumns.Status, status);
        if (size is { } n) e.Set(HttpColumns.Bytes, n);
        if (rl.Kind == RequestLineKind.Malformed)
        {
            if (!request.IsEmpty && !(request.Length == 1 && request[0] == (byte)'-')) LogText.SetUnescaped(e, HttpColumns.Target, request, knownValid);
            return;
        }
        e.Set(HttpColumns.Method, Method(rl.Method));
        LogText.SetUnescaped(e, HttpColumns.Target, rl.Target, knownValid);
        if (!rl.Protocol.IsEmpty) e.Set(HttpColumns.Protocol, Protocol(rl.Protocol));
        if (rl.Kind is RequestLineKind.Authority or RequestLineKind.Absolute)
        {
            LogText.SetLossless(e, HttpColumns.ProxyHost, rl.ProxyHost, knownValid);
            if (rl.ProxyPort != 0) e.Set(HttpColumns.ProxyPort, rl.ProxyPort);
        }
    }

    // The common values are shared instances: millions of rows, a handful of distinct strings.
    private static string Method(ReadOnlySpan<byte> m) => m switch
    {
        _ when m.SequenceEqual("GET"u8) => "GET",
        _ when m.SequenceEqual("POST"u8) => "POST",
        _ when m.SequenceEqual("HEAD"u8) => "HEAD",
        _ when m.SequenceEqual("CONNECT"u8) => "CONNECT",
        _ when m.SequenceEqual("OPTIONS"u8) => "OPTIONS",
        _ when m.SequenceEqual("PUT"u8) => "PUT",
        _ when m.SequenceEqual("DELETE"u8) => "DELETE",
        _ => Encoding.ASCII.GetString(m),
    };

    private static string Protocol(ReadOnlySpan<byte> p) =>
        p.SequenceEqual("HTTP/1.1"u8) ? "HTTP/1.1" : p.SequenceEqual("HTTP/1.0"u8) ? "HTTP/1.0" : Encoding.ASCII.GetString(p);
}
