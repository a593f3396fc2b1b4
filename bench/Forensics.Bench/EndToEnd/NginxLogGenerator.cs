using System.Text;

namespace Forensics.Bench.EndToEnd;

/// <summary>
/// Writes an nginx access log in the default <c>combined</c> format (ngx_http_log_module:
/// <c>$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer"
/// "$http_user_agent"</c>) of a given size. nginx answers CONNECT and garbage with 400 and logs the raw bytes of a
/// bad request with <c>\xHH</c> escapes, size 157 (its 400 page) and <c>"-"</c> referer/agent. Fixed seed.
/// </summary>
public static class NginxLogGenerator
{
    private static readonly string[] Agents =
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 zgrab/0.x",
        "curl/7.88.1",
        "python-requests/2.31.0",
        "Go-http-client/1.1",
        "-",
    ];
    private static readonly string[] Referers = ["-", "-", "-", "https://www.google.com/", "https://example.org/blog", "http://164.92.10.22/"];

    public static long Write(string path, long targetBytes, int seed = 42)
    {
        var mix = new WebRequestMix(seed);
        var rng = mix.Rng;
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        var t = new DateTimeOffset(2024, 5, 20, 0, 0, 0, TimeSpan.Zero);
        long written = 0, lines = 0;
        var sb = new StringBuilder(384);
        while (written < targetBytes)
        {
            t = t.AddMilliseconds(rng.Next(1, 900));
            sb.Clear();
            sb.Append(mix.Ip()).Append(" - - [").Append(t.ToString("dd/MMM/yyyy:HH:mm:ss")).Append(" +0000] \"");
            int kind = mix.NextKind();
            if (kind == 4)
            {
                sb.Append(rng.Next(2) == 0 ? @"\x16\x03\x01\x00\xee\x01\x00\x00\xea\x03\x03\x8f\x1c" : "").Append("\" 400 157 \"-\" \"-\"\n");
            }
            else
            {
                int status = mix.AppendRequest(sb, kind, 400);
                int size = status switch { 200 => rng.Next(200, 40_000), 304 => 0, 302 => 145, 400 => 157, _ => 153 };
                sb.Append("\" ").Append(status).Append(' ').Append(size).Append(" \"").Append(Referers[rng.Next(Referers.Length)])
                  .Append("\" \"").Append(Agents[rng.Next(Agents.Length)]).Append("\"\n");
            }
            w.Write(sb);
            written += Encoding.UTF8.GetByteCount(sb.ToString());
            lines++;
        }
        File.SetLastWriteTimeUtc(path, t.UtcDateTime.AddMinutes(1));
        return lines;
    }
}
