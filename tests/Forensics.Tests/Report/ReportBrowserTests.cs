using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Forensics.Pipeline.Report;
using Forensics.Tests.Support;

namespace Forensics.Tests.Report;

/// <summary>
/// The report as a browser shows it: Debian's headless chromium loads the droplet1 report and dumps its DOM. A
/// probe script, added to a copy of the page and allowed there by its hash, measures the layout at 1280 px and
/// lists the charts; the NetLog lists every request the page started.
/// </summary>
public sealed class ReportBrowserTests(Droplet1Report droplet1) : IClassFixture<Droplet1Report>
{
    /// <summary>Measures the page after layout and writes the result into the DOM (data-probe on body).</summary>
    private const string Probe = """
        (() => {
          const w = window.innerWidth;
          const outside = [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('.table-wrap'))
            .map(e => e.tagName + (e.id ? '#' + e.id : '')).slice(0, 20);
          const scrolling = [...document.querySelectorAll('.table-wrap')]
            .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.closest('section[id]').id);
          const charts = [...document.querySelectorAll('figure svg.chart')].map(s => ({
            id: s.closest('figure').id, shapes: s.querySelectorAll('rect, path, circle').length,
            texts: s.querySelectorAll('text').length, width: Math.round(s.getBoundingClientRect().width) }));
          document.body.setAttribute('data-probe', JSON.stringify({ innerWidth: w, scrollWidth: document.documentElement.scrollWidth,
            outside, scrolling, charts, title: document.title, scripts: document.scripts.length, images: document.images.length }));
        })();
        """;

    /// <summary>The page with the probe at the end of its body; <paramref name="csp"/> says what becomes of the policy.</summary>
    internal static string WithProbe(string html, bool keepPolicy)
    {
        var hash = "'sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Probe))) + "'";
        html = keepPolicy
            ? html.Replace("script-src 'none'", "script-src " + hash, StringComparison.Ordinal)
            : Regex.Replace(html, "<meta http-equiv=\"Content-Security-Policy\"[^>]*>\n", "");
        return html.Replace("</body>", "<script>" + Probe + "</script>\n</body>", StringComparison.Ordinal);
    }

    internal static JsonElement ReadProbe(string dom)
    {
        var m = Regex.Match(dom, "data-probe=\"([^\"]*)\"");
        Assert.True(m.Success, "the probe did not run: " + dom[..Math.Min(500, dom.Length)]);
        return JsonDocument.Parse(WebUtility.HtmlDecode(m.Groups[1].Value)).RootElement.Clone();
    }

    [SkippableFact]
    public void Chromium_renders_every_section_and_chart_and_nothing_overflows_1280_px()
    {
        HeadlessChromium.SkipIfAbsent();
        var dom = HeadlessChromium.DumpDom(droplet1.Variant("probe.html", h => WithProbe(h, keepPolicy: true)));
        var probe = ReadProbe(dom);

        foreach (var id in HtmlReport.Sections) Assert.Contains($"<section id=\"{id}\">", dom, StringComparison.Ordinal);
        foreach (var query in droplet1.Data.Queries) Assert.Contains($"id=\"q-{query.Name}\"", dom, StringComparison.Ordinal);
        var charts = probe.GetProperty("charts").EnumerateArray().ToDictionary(c => c.GetProperty("id").GetString()!);
        Assert.Equal(["chart-events", "chart-kill-0", "chart-logins", "chart-ssh-failures"], charts.Keys.Order(StringComparer.Ordinal));
        foreach (var (id, chart) in charts)
        {
            Assert.True(chart.GetProperty("shapes").GetInt32() > 10, $"{id} draws almost nothing: {chart}");
            Assert.True(chart.GetProperty("texts").GetInt32() > 5, $"{id} has no axis labels: {chart}");
            Assert.InRange(chart.GetProperty("width").GetInt32(), 600, 1280);
        }
        // The droplet1 story: the kill chart names the unit, and the sshd failures chart the top attacker.
        Assert.Contains("dnf-makecache.service killed at 2024-05-21 13:50:09", dom, StringComparison.Ordinal);
        Assert.Contains("122.249.5.20", dom, StringComparison.Ordinal);
        Assert.Contains("<tr class=\"risky\">", dom, StringComparison.Ordinal);

        Assert.Equal(1280, probe.GetProperty("innerWidth").GetInt32());
        Assert.True(probe.GetProperty("scrollWidth").GetInt32() <= 1280, $"the page is wider than 1280 px: {probe}");
        Assert.Empty(probe.GetProperty("outside").EnumerateArray());
        Assert.Empty(probe.GetProperty("scrolling").EnumerateArray());
    }

    [SkippableFact]
    public void The_page_starts_no_request_even_without_its_policy_while_a_page_with_one_image_does()
    {
        HeadlessChromium.SkipIfAbsent();
        // Without the Content-Security-Policy only the content itself can hold a request back: it must name nothing.
        var bare = droplet1.Variant("no-policy.html", h => Regex.Replace(h, "<meta http-equiv=\"Content-Security-Policy\"[^>]*>\n", ""));
        var log = Path.Combine(droplet1.CaseDir, "net.json");
        HeadlessChromium.DumpDom(bare, log);
        Assert.Empty(HeadlessChromium.PageRequests(log));

        // The method sees a request when there is one (a closed port on this machine, so nothing leaves it).
        var control = droplet1.Variant("control.html", h => h.Replace("</body>", "<img src=\"http://127.0.0.1:9/x.png\" alt=\"\">\n</body>", StringComparison.Ordinal)
            .Replace("img-src 'none'", "img-src http://127.0.0.1:9", StringComparison.Ordinal));
        var controlLog = Path.Combine(droplet1.CaseDir, "net-control.json");
        HeadlessChromium.DumpDom(control, controlLog);
        Assert.Contains("http://127.0.0.1:9/x.png", HeadlessChromium.PageRequests(controlLog));

        // And with its policy the page blocks one that would be added (a shared report edited later).
        var blocked = droplet1.Variant("blocked.html", h => h.Replace("</body>", "<img src=\"http://127.0.0.1:9/x.png\" alt=\"\">\n</body>", StringComparison.Ordinal));
        var blockedLog = Path.Combine(droplet1.CaseDir, "net-blocked.json");
        HeadlessChromium.DumpDom(blocked, blockedLog);
        Assert.Empty(HeadlessChromium.PageRequests(blockedLog));
    }

    [SkippableFact]
    public void Chromium_screenshots_the_report_at_1280_px()
    {
        HeadlessChromium.SkipIfAbsent();
        var png = Path.Combine(droplet1.CaseDir, "report.png");
        HeadlessChromium.Screenshot(droplet1.HtmlFile, png, 1600);
        var header = File.ReadAllBytes(png)[..24];
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, header[..4]);
        Assert.Equal(1280, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(16, 4)));
    }
}

/// <summary>Hostile evidence in a real browser, the policy taken away so that only the escaping stands between it and the page.</summary>
public sealed class HostileReportBrowserTests(HostileReport hostile) : IClassFixture<HostileReport>
{
    [SkippableFact]
    public void Script_and_attribute_breakout_in_user_names_and_urls_do_not_run()
    {
        HeadlessChromium.SkipIfAbsent();
        var dom = HeadlessChromium.DumpDom(hostile.Variant("probe.html", h => ReportBrowserTests.WithProbe(h, keepPolicy: false)));
        var probe = ReportBrowserTests.ReadProbe(dom);
        Assert.StartsWith("Forensics report:", probe.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, probe.GetProperty("scripts").GetInt32()); // the probe itself
        Assert.Equal(0, probe.GetProperty("images").GetInt32());
        // The payloads are on the page, as text.
        Assert.Contains("&lt;script&gt;document.title='PWNED'&lt;/script&gt;", dom, StringComparison.Ordinal);
        Assert.Contains("\"&gt;&lt;img/src/onerror=document.title='PWNED'&gt;", dom, StringComparison.Ordinal);
    }
}
