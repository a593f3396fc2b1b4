using Forensics.Pipeline.Framing;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats.Web;

/// <summary>
/// Apache / nginx / gunicorn access logs in the NCSA family, one parser for all layouts:
/// <list type="bullet">
/// <item>common: <c>%h %l %u %t "%r" %&gt;s %b</c> (Apache <c>LogFormat ... common</c>);</item>
/// <item>combined: common + <c>"%{Referer}i" "%{User-agent}i"</c>; nginx's default <c>combined</c> is the same
/// line (<c>$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer"
/// "$http_user_agent"</c>), distributions add <c>"$http_x_forwarded_for"</c> (kept in message);</item>
/// <item>vhost_combined: <c>%v:%p</c> first (Debian's apache2.conf), giving http_vhost;</item>
/// <item>gunicorn's default <c>access_log_format</c> <c>%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"</c>
/// (gunicorn/config.py) is the combined line, so it needs no format of its own;</item>
/// <item>the same lines wrapped in an RFC 5424 syslog header (<c>&lt;174&gt;1 TS HOST nginx - - - LINE</c>, nginx
/// <c>access_log syslog:</c> as pfSense/FreeBSD write it): header skipped, host and app taken from it.</item>
/// </list>
/// Escaping: Apache writes <c>\"</c>, <c>\\</c> and <c>\xhh</c> in %r and headers (mod_log_config,
/// ap_escape_logitem); nginx writes <c>\xHH</c> for <c>"</c>, <c>\</c>, control and non-ASCII bytes. Quote search
/// skips escapes; columns hold the unescaped text when it is clean UTF-8, else the escaped text as logged.
/// Lines that are not access records (error-log lines mixed in, tool banners) are http.server_log events;
/// empty lines and <c>#</c> comment lines (annotations in test corpora such as fail2ban's, never written by a
/// server) are rejected with their reason.
/// </summary>
public sealed class AccessLogFormat : ILogFormat
{
    public string Id => "access_combined";
    public string Description => "Apache/nginx/gunicorn access log: common, combined, vhost_combined (also inside RFC 5424 syslog)";
    public IReadOnlyList<ExtraColumn> ExtraColumns => HttpColumns.All;

    public int Sniff(ReadOnlySpan<byte> head, string fileName)
    {
        int hits = 0, lines = 0;
        var cache = new ZoneCache();
        foreach (var range in head.Split((byte)'\n'))
        {
            var line = head[range];
            if (line.IsEmpty || line[0] == (byte)'#') continue;
            if (++lines > 200) break;
            if (TrySplit(line, out var f) && f.TimeOk(ref cache)) hits++;
        }
        if (hits == 0) return 0;
        return hits * 2 >= lines ? 85 : 50;
    }

    public IEnumerable<RecordBatch> Frame(Stream input, FileContext file, CancellationToken cancel) =>
        LineFramer.Frame(input, new LineFramingOptions(), cancel);

    public void Parse(RecordBatch batch, FileContext file, ParseOutput output)
    {
        var cache = new ZoneCache();
        for (int i = 0; i < batch.Count; i++)
        {
            var line = batch.Record(i);
            long offset = batch.Offset(i);
            if (batch.Truncated(i)) { output.Reject(offset, "line longer than the framer limit; cut", line); continue; }
            if (line.IsEmpty || line.IndexOfAnyExcept((byte)' ', (byte)'\t') < 0) { output.Reject(offset, "empty line", line); continue; }
            if (line[0] == (byte)'#') { output.Reject(offset, "comment line (# ...): an annotation, not an access-log record", line); continue; }

            var e = output.NewEvent(offset);
            bool valid = System.Text.Unicode.Utf8.IsValid(line);
            LogText.SetMessage(e, line, valid);
            e.Host = file.DefaultHost;
            if (!TrySplit(line, out var f))
            {
                e.Event = EventKinds.HttpServerLog;
                e.TsQuality = TsQuality.Missing;
                continue;
            }
            if (f.SyslogHost.Length > 0 && !(f.SyslogHost.Length == 1 && f.SyslogHost[0] == (byte)'-')) e.Host = LogText.Lossless(f.SyslogHost);
            if (f.SyslogApp.Length > 0 && !(f.SyslogApp.Length == 1 && f.SyslogApp[0] == (byte)'-')) e.Process = LogText.Lossless(f.SyslogApp);
            ClfFields.SetClient(e, f.Client);
            e.User = ClfFields.DashIsNull(f.User);
            if (!f.VHost.IsEmpty)
            {
                LogText.SetLossless(e, HttpColumns.VHost, f.VHost, valid);
            }
            if (ClfFields.TryParseTime(f.Time, file.Zone, ref cache, out long micros, out bool assumed))
            {
                e.TsMicros = micros;
                e.TsQuality = TsQuality.Combine(false, assumed);
            }
            else e.TsQuality = TsQuality.Missing;

            AccessEvent.SetRequest(e, f.Request, f.Status, f.Size, valid);
            ClfFields.SetDashIsNull(e, HttpColumns.Referer, f.Referer, valid);
            ClfFields.SetDashIsNull(e, HttpColumns.UserAgent, f.UserAgent, valid);
        }
    }

    private ref struct Fields
    {
        public ReadOnlySpan<byte> VHost, Client, User, Time, Request, Referer, UserAgent, SyslogHost, SyslogApp;
        public int Status;
        public long? Size;

        public readonly bool TimeOk(ref ZoneCache cache) => ClfFields.TryParseTime(Time, TimeZoneInfo.Utc, ref cache, out _, out _);
    }

    private static bool TrySplit(ReadOnlySpan<byte> line, out Fields f)
    {
        f = default;
        if (line.Length > 3 && line[0] == (byte)'<')
        {
            if (!SkipSyslog5424(line, out var host, out var app, out int body)) return false;
            f.SyslogHost = line.Slice(host.Start, host.Length);
            f.SyslogApp = line.Slice(app.Start, app.Length);
            line = line[body..];
        }

        int open = line.IndexOf(" ["u8);
        if (open <= 0) return false;
        int close = line[(open + 2)..].IndexOf((byte)']');
        if (close != 26) return false; // dd/Mon/yyyy:HH:MM:SS +hhmm; Werkzeug's zone-less stamp is not this format
        f.Time = line.Slice(open + 2, close);

        // Before the time: [vhost:port] host ident user; a user name with spaces keeps the extra words.
        var head = line[..open];
        int s1 = head.IndexOf((byte)' ');
        if (s1 <= 0) return false;
        var first = head[..s1];
        var afterFirst = head[(s1 + 1)..];
        int s2 = afterFirst.IndexOf((byte)' ');
        if (s2 <= 0) return false;
        var second = afterFirst[..s2];
        var afterSecond = afterFirst[(s2 + 1)..];
        int s3 = afterSecond.IndexOf((byte)' ');
        if (s3 > 0 && afterSecond[(s3 + 1)..].IndexOf((byte)' ') < 0 && IsHostPort(first))
        {
            f.VHost = first;
            f.Client = second;
            f.User = afterSecond[(s3 + 1)..];
        }
        else
        {
            f.Client = first;
            f.User = afterSecond;
        }

        var tail = line[(open + 2 + close + 1)..];
        if (tail.IsEmpty || tail[0] != (byte)' ') return false;
        tail = tail[1..];
        if (tail.Length > 0 && tail[0] == (byte)'"')
        {
            int end = ClfFields.FindRequestEnd(tail);
            if (end < 0) return false;
            f.Request = tail[1..end];
            tail = tail[(end + 2)..];
        }
        else
        {
            // Unquoted request (a hand-made line with typographic quotes): take up to the status.
            int k = 0;
            while (k < tail.Length && !ClfFields.IsStatusAt(tail, k)) k++;
            if (k >= tail.Length) return false;
            f.Request = tail[..k];
            tail = tail[(k + 1)..];
        }
        int used = ClfFields.ParseStatusAndSize(tail, out f.Status, out f.Size);
        if (used < 0) return false;
        tail = tail[used..];
        if (tail.Length > 1 && tail[0] == (byte)' ' && ClfFields.TryReadQuoted(tail[1..], out var referer, out int n))
        {
            f.Referer = referer;
            tail = tail[(1 + n)..];
            if (tail.Length > 1 && tail[0] == (byte)' ')
            {
                if (ClfFields.TryReadQuoted(tail[1..], out var ua, out _)) f.UserAgent = ua;
                else if (tail[1] == (byte)'"') f.UserAgent = tail[2..]; // unterminated (cut line): keep what exists
            }
        }
        return true;
    }

    // vhost_combined's "%v:%p": a name, a colon, a port number (IPv6 clients have several colons and no name).
    private static bool IsHostPort(ReadOnlySpan<byte> w)
    {
        int colon = w.LastIndexOf((byte)':');
        if (colon <= 0 || colon == w.Length - 1 || w[..colon].IndexOf((byte)':') >= 0) return false;
        foreach (byte b in w[(colon + 1)..])
            if (!char.IsAsciiDigit((char)b)) return false;
        return true;
    }

    /// <summary>Skips <c>&lt;PRI&gt;1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD </c> (RFC 5424 §6).</summary>
    private static bool SkipSyslog5424(ReadOnlySpan<byte> line, out (int Start, int Length) host, out (int Start, int Length) app, out int body)
    {
        host = app = default;
        body = 0;
        int gt = line.IndexOf((byte)'>');
        if (gt < 2 || gt > 4 || line.Length < gt + 3 || line[gt + 1] != (byte)'1' || line[gt + 2] != (byte)' ') return false;
        int pos = gt + 3;
        for (int field = 0; field < 5; field++)
        {
            int sp = line[pos..].IndexOf((byte)' ');
            if (sp < 0) return false;
            if (field == 1) host = (pos, sp);
            if (field == 2) app = (pos, sp);
            pos += sp + 1;
        }
        if (pos < line.Length && line[pos] == (byte)'-') pos++;
        else if (pos < line.Length && line[pos] == (byte)'[')
        {
            int endSd = line[pos..].IndexOf("] "u8);
            if (endSd < 0) return false;
            pos += endSd + 1;
        }
        if (pos < line.Length && line[pos] == (byte)' ') pos++;
        body = pos;
        return true;
    }
}
