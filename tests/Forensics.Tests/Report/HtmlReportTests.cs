using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Forensics.Pipeline.Query;
using Forensics.Pipeline.Report;
using Forensics.Pipeline.Sigma;

namespace Forensics.Tests.Report;

/// <summary>The report's HTML as text: escaping of evidence, the Content-Security-Policy, the chart SVG clean-up.</summary>
public sealed partial class HtmlReportTests(HostileReport hostile) : IClassFixture<HostileReport>
{
    [Fact]
    public void Hostile_user_names_and_urls_appear_as_text_never_as_markup()
    {
        var html = hostile.Html;
        // The hostile rows made it into the findings (so the test tests something) ...
        Assert.Contains("&lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("&quot;&gt;&lt;img/src/onerror=document.title=&#39;PWNED&#39;&gt;", html, StringComparison.Ordinal);
        Assert.Contains("http://evil.example/&quot;&gt;&lt;img", html, StringComparison.Ordinal);
        // ... and nowhere as markup: the page has no script or img element, no event handler attribute at all.
        Assert.DoesNotMatch(OpeningTag(), html);
        Assert.DoesNotMatch(EventHandler(), html);
        Assert.DoesNotContain("PWNED'", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_findings_row_links_to_its_evidence_also_rows_that_count_many_records()
    {
        foreach (var query in new[] { "ssh_usernames_tried", "ssh_bruteforce_by_ip", "service_kills", "logins", "http_proxy_probes" })
        {
            var section = Regex.Match(hostile.Html, $"<section class=\"finding\" id=\"q-{query}\">(.*?)</section>", RegexOptions.Singleline).Groups[1].Value;
            int rows = Math.Max(0, Regex.Count(section, "<tr[ >]") - 1); // less the header row
            Assert.True(rows > 0 || query == "service_kills", $"{query}: no rows");
            var links = Regex.Matches(section, "<a href=\"#(file-[0-9]+)\">([^<]*)</a> @ byte ([0-9,]+)").ToList();
            Assert.Equal(rows, links.Count);
            foreach (var link in links)
                Assert.Contains($"<tr id=\"{link.Groups[1].Value}\"><td>{link.Groups[2].Value}", hostile.Html, StringComparison.Ordinal);
        }
        // The two hostile user names each link to their first record: the first "Invalid user" line of each (offsets 0 and 2 lines in).
        var users = Regex.Match(hostile.Html, "<section class=\"finding\" id=\"q-ssh_usernames_tried\">(.*?)</section>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("secure</a> @ byte 0<", users, StringComparison.Ordinal);
    }

    [Fact]
    public void The_policy_forbids_every_request_and_allows_exactly_the_pages_style_block()
    {
        var html = hostile.Html;
        var csp = Regex.Match(html, "<meta http-equiv=\"Content-Security-Policy\" content=\"([^\"]+)\">").Groups[1].Value;
        foreach (var directive in new[] { "default-src 'none'", "script-src 'none'", "img-src 'none'", "font-src 'none'", "connect-src 'none'", "base-uri 'none'", "form-action 'none'" })
            Assert.Contains(directive, csp, StringComparison.Ordinal);
        var style = Assert.Single(Regex.Matches(html, "<style>(.*?)</style>", RegexOptions.Singleline)).Groups[1].Value;
        Assert.Contains($"style-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(style)))}'", csp, StringComparison.Ordinal);
        // Nothing in the page names a place outside it (the SVG namespace names are identifiers, not requests).
        var external = Regex.Matches(html, "(?:src|href|action)\\s*=\\s*\"(?!#)([^\"]*)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Empty(external);
        Assert.DoesNotContain("url(http", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Chart_svg_keeps_drawing_only_and_scales_to_the_page()
    {
        const string svg = """
            <?xml version="1.0" encoding="utf-8" ?>
            <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="800" height="300" onload="alert(1)">
              <script>alert(2)</script>
              <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>
              <rect fill="white" width="800" height="300" style="fill:url(http://example.com/a)"/>
              <g clip-path="url(#cl_4)"><rect fill="url(https://example.com/p)" x="1" y="2" width="3" height="4"/></g>
              <image href="http://example.com/x.png"/>
              <a href="javascript:alert(3)"><text>link</text></a>
              <text x="1, 2, 3, " y="9, ">a&lt;b</text>
            </svg>
            """;
        var clean = InlineSvg.Clean(svg);
        Assert.StartsWith("<svg", clean, StringComparison.Ordinal);
        Assert.Contains("viewBox=\"0 0 800 300\"", clean, StringComparison.Ordinal);
        Assert.Contains("clip-path=\"url(#cl_4)\"", clean, StringComparison.Ordinal);
        Assert.Contains("<text x=\"1\" y=\"9\">a&lt;b</text>", clean, StringComparison.Ordinal);
        foreach (var gone in new[] { "onload", "<script", "alert", "foreignObject", "example.com", "<image", "<a ", "style=", ">link<" })
            Assert.DoesNotContain(gone, clean, StringComparison.Ordinal);
        Assert.Equal(2, Regex.Count(clean, "<rect"));
        Assert.DoesNotMatch("^<svg[^>]*\\s(?:width|height)=", clean);
    }

    [Fact]
    public void Every_report_query_is_embedded_and_declares_its_output()
    {
        var names = ReportData.EmbeddedQueries.Select(q => q.Name).ToList();
        Assert.Equal(["report_detections", "report_events_over_time", "report_first_evidence", "report_login_sessions", "report_ssh_failures"], names);
        foreach (var name in names)
        {
            var q = ReportData.Embedded(name);
            Assert.Equal($"Forensics.Report.{name}.sql", q.Path);
            Assert.Subset(q.Parameters.Select(p => p.Name).ToHashSet(), q.UsedParameters.ToHashSet());
        }
    }

    [Fact]
    public void Sigma_detections_are_grouped_by_rule_highest_level_first_credited_and_linked_to_their_evidence()
    {
        var section = Regex.Match(hostile.Html, "<section id=\"detections\">(.*)</section>\n<section id=\"evidence\">", RegexOptions.Singleline).Groups[1].Value;
        Assert.NotEmpty(section);
        // The rules that matched, as the detections table counts them (bundled rules included), each once, highest level first.
        using var session = CaseSession.Open(hostile.CaseDir);
        var table = session.Run("SELECT rule_title, rule_level, count(*) AS n FROM detections GROUP BY ALL");
        var expected = table.Rows.Select(r => (Title: (string)r[0]!, Level: (string)r[1]!, Count: Convert.ToInt64(r[2], CultureInfo.InvariantCulture))).ToList();
        Assert.Contains(expected, e => e.Title == HostileReport.ScriptRuleTitle && e.Level == "critical");
        Assert.Contains(expected, e => e.Title == HostileReport.PlainRuleTitle && e.Level == "medium");
        var rules = Regex.Matches(section, "<section class=\"finding detection\">\n<h4>(.*?)(?: <span class=\"badge\">[A-Z]+</span>)?</h4>\n<p class=\"muted\">level ([a-z]+) · ([0-9,]+) match").ToList();
        Assert.Equal(expected.Select(e => WebUtility.HtmlEncode(e.Title)).Order(StringComparer.Ordinal), rules.Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal));
        var ranks = rules.Select(m => SigmaRule.LevelRank(m.Groups[2].Value)).ToList();
        Assert.Equal(ranks.OrderDescending().ToList(), ranks);
        foreach (var m in rules)
            Assert.Equal(expected.Single(e => WebUtility.HtmlEncode(e.Title) == m.Groups[1].Value).Count, long.Parse(m.Groups[3].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture));
        // The hostile rule: every sshd record of the case, each row with an evidence link to a file row of the report.
        var sshd = Convert.ToInt64(session.Run("SELECT count(*) FROM events WHERE process = 'sshd' AND event LIKE 'ssh.%'").Rows[0][0], CultureInfo.InvariantCulture);
        Assert.Equal(sshd, expected.Single(e => e.Title == HostileReport.ScriptRuleTitle).Count);
        var hostileRule = Regex.Match(section, "<h4>&lt;script&gt;.*?</section>", RegexOptions.Singleline).Value;
        Assert.Contains("<span class=\"badge\">CRITICAL</span>", hostileRule, StringComparison.Ordinal);
        Assert.Contains("ATT&amp;CK attack.credential-access, attack.t1110", hostileRule, StringComparison.Ordinal);
        Assert.Contains("hostile.yml</code>", hostileRule, StringComparison.Ordinal);
        var links = Regex.Matches(hostileRule, "<a href=\"#(file-[0-9]+)\">[^<]*secure</a> @ byte [0-9,]+").ToList();
        Assert.Equal(sshd, links.Count);
        foreach (var link in links) Assert.Contains($"<tr id=\"{link.Groups[1].Value}\">", hostile.Html, StringComparison.Ordinal);
        // Title and author are the rule file's text: escaped like the evidence, never markup.
        Assert.Contains("&lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt; SSH activity", hostileRule, StringComparison.Ordinal);
        Assert.Contains("by &quot;&gt;&lt;img/src/onerror=document.title=&#39;PWNED&#39;&gt;", hostileRule, StringComparison.Ordinal);
        Assert.DoesNotMatch(OpeningTag(), section);
        Assert.DoesNotMatch(EventHandler(), section);
    }

    [GeneratedRegex("<(?:script|img|iframe|object|embed|link)\\b", RegexOptions.IgnoreCase)]
    private static partial Regex OpeningTag();

    [GeneratedRegex("\\son[a-z]+\\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex EventHandler();
}
