using System.Text;

namespace Forensics.Bench.EndToEnd;

/// <summary>
/// Writes a Werkzeug development-server log (<c>nohup.log</c>) of a given size, as werkzeug/serving.py
/// <c>log_request</c> writes it: <c>ADDR - - [dd/Mon/yyyy HH:MM:SS] "REQUEST" STATUS -</c>, local time without a
/// zone, the size always <c>-</c>. Malformed requests come as http.server's <c>code 400, message Bad request
/// syntax ('...')</c> / <c>Bad request version</c> line followed by the request line with control bytes escaped
/// as <c>\xNN</c> (the TLS-handshake-to-HTTP-port case). Flask answers CONNECT with 404. Fixed seed.
/// </summary>
public static class WerkzeugLogGenerator
{
    public static long Write(string path, long targetBytes, int seed = 42)
    {
        var mix = new WebRequestMix(seed);
        var rng = mix.Rng;
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        const string banner = " * Serving Flask app 'app.py'\n * Debug mode: off\nWARNING: This is a development server. Do not use it in a production deployment. Use a production WSGI server instead.\n * Running on all addresses (0.0.0.0)\n * Running on http://127.0.0.1:5000\n * Running on http://164.92.10.22:5000\nPress CTRL+C to quit\n";
        w.Write(banner);
        long written = banner.Length, lines = 7;
        var t = new DateTime(2024, 5, 20, 0, 0, 0);
        var sb = new StringBuilder(256);
        while (written < targetBytes)
        {
            t = t.AddMilliseconds(rng.Next(1, 900));
            string ip = mix.Ip();
            string prefix = $"{ip} - - [{t:dd/MMM/yyyy HH:mm:ss}] ";
            sb.Clear();
            int kind = mix.NextKind();
            if (kind == 4)
            {
                bool tls = rng.Next(2) == 0;
                string req = tls ? @"\x16\x03\x01\x00\xee\x01\x00\x00\xea\x03\x03\x8f\x1c" : "SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1";
                sb.Append(prefix).Append("code 400, message Bad request ").Append(tls ? "version" : "syntax").Append(" ('").Append(req).Append("')\n");
                sb.Append(prefix).Append('"').Append(req).Append("\" 400 -\n");
                lines += 2;
            }
            else
            {
                sb.Append(prefix).Append('"');
                int status = mix.AppendRequest(sb, kind, 404);
                sb.Append("\" ").Append(status).Append(" -\n");
                lines++;
            }
            w.Write(sb);
            written += Encoding.UTF8.GetByteCount(sb.ToString());
        }
        File.SetLastWriteTime(path, t.AddMinutes(1));
        return lines;
    }
}
