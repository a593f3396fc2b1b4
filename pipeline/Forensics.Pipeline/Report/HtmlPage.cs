using System.Net;
using System.Security.Cryptography;
using System.Text;
using Forensics.Pipeline.Text;

namespace Forensics.Pipeline.Report;

/// <summary>
/// The frame of a self-contained report page: one style block allowed by its hash, and a Content-Security-Policy
/// that lets the page load nothing (no script, no font, no image, no request of any kind), so it can be opened on
/// an offline workstation or attached to a ticket. Every piece of text goes through <see cref="Html(string?)"/>.
/// </summary>
internal static class HtmlPage
{
    /// <summary>
    /// Evidence text as HTML: control characters shown as \xHH (as on the terminal), then &lt; &gt; &amp; " '
    /// encoded, so it is text wherever it lands, element content or a quoted attribute.
    /// </summary>
    public static string Html(string? evidence) => WebUtility.HtmlEncode(TerminalText.Escape(evidence ?? ""));

    private const string Style = """
        :root { --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --risky: #ffebe9; --risky-fg: #a40e26; --head: #f6f8fa; }
        * { box-sizing: border-box; }
        body { margin: 0 auto; padding: 16px 24px 48px; max-width: 1280px; color: var(--fg); font: 14px/1.45 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
        h1 { font-size: 24px; margin: 8px 0 4px; }
        h2 { font-size: 19px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
        h3 { font-size: 15px; margin: 20px 0 4px; }
        p, li { overflow-wrap: anywhere; }
        .muted { color: var(--muted); }
        nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 16px; }
        a { color: #0969da; }
        code, .mono { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 12px; }
        .table-wrap { max-width: 100%; overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; margin: 6px 0; font-size: 12.5px; }
        th, td { border: 1px solid var(--line); padding: 3px 6px; text-align: left; vertical-align: top; overflow-wrap: anywhere; word-break: break-word; }
        th { background: var(--head); }
        tr.risky td { background: var(--risky); color: var(--risky-fg); font-weight: 600; }
        .badge { display: inline-block; padding: 0 6px; border-radius: 8px; background: var(--risky-fg); color: #fff; font-size: 11px; }
        .ok { color: #1a7f37; }
        .warn { color: var(--risky-fg); font-weight: 600; }
        figure { margin: 12px 0 20px; }
        figcaption { color: var(--muted); font-size: 12.5px; }
        svg.chart { display: block; width: 100%; height: auto; border: 1px solid var(--line); }
        dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; }
        dt { font-weight: 600; } dd { margin: 0; overflow-wrap: anywhere; }
        """;

    /// <summary>The policy: nothing may be fetched, nothing may run; only the page's own style block applies.</summary>
    public static string ContentSecurityPolicy { get; } =
        $"default-src 'none'; style-src '{StyleHash()}'; img-src 'none'; font-src 'none'; connect-src 'none'; script-src 'none'; "
        + "object-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'";

    private static string StyleHash() => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style)));

    public static void Open(StringBuilder html, string title)
    {
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"").Append(ContentSecurityPolicy).Append("\">\n")
            .Append("<meta name=\"referrer\" content=\"no-referrer\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(Html(title)).Append("</title>\n")
            .Append("<style>").Append(Style).Append("</style>\n</head>\n<body>\n");
    }

    public static void Close(StringBuilder html) => html.Append("</body>\n</html>\n");
}
