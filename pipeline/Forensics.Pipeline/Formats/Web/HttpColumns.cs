using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats.Web;

/// <summary>Typed columns shared by every web access-log format (Werkzeug, Apache/nginx/gunicorn).</summary>
public static class HttpColumns
{
    public static readonly ExtraColumn Method = new("http_method", ColumnType.String, "Request method as logged (GET, CONNECT, ...); null when the request line is malformed");
    public static readonly ExtraColumn Target = new("http_target", ColumnType.String, "Request target (origin, absolute, authority or asterisk form); for malformed request lines the whole raw request text");
    public static readonly ExtraColumn Protocol = new("http_protocol", ColumnType.String, "HTTP version token (HTTP/1.1); null for HTTP/0.9 simple requests and malformed lines");
    public static readonly ExtraColumn Status = new("http_status", ColumnType.Int32, "Response status code");
    public static readonly ExtraColumn Bytes = new("http_bytes", ColumnType.Int64, "Response size in bytes; null when logged as '-'");
    public static readonly ExtraColumn Referer = new("http_referer", ColumnType.String, "Referer header; null when logged as '-'");
    public static readonly ExtraColumn UserAgent = new("http_user_agent", ColumnType.String, "User-Agent header; null when logged as '-'");
    public static readonly ExtraColumn VHost = new("http_vhost", ColumnType.String, "Virtual host of vhost_combined lines (%v)");
    public static readonly ExtraColumn ProxyHost = new("proxy_host", ColumnType.String, "Host a proxy request asked for (CONNECT authority or absolute-form URI host)");
    public static readonly ExtraColumn ProxyPort = new("proxy_port", ColumnType.Int32, "Port a proxy request asked for (explicit, or the scheme default for absolute-form)");

    public static IReadOnlyList<ExtraColumn> All { get; } =
        [Method, Target, Protocol, Status, Bytes, Referer, UserAgent, VHost, ProxyHost, ProxyPort];
}
