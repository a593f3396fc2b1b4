using System.Buffers.Text;
using Forensics.Pipeline.Framing;
using Forensics.Pipeline.Model;
using Forensics.Pipeline.Text;

namespace Forensics.Pipeline.Formats.Web;

/// <summary>
/// Apache httpd and nginx error logs, one parser for both dialects. Facts (Apache core docs, ErrorLogFormat;
/// nginx <c>ngx_log_error_core</c> in src/core/ngx_log.c and <c>ngx_http_log_error</c> in ngx_http_request.c;
/// checked on the real logs in data-samples/webserver-errors, written by Debian 12's apache2 2.4 and nginx 1.22):
/// <list type="bullet">
/// <item>Apache 2.4 default: <c>[Mon Dec 07 17:26:30.437554 2026] [auth_basic:error] [pid 26405:tid 26407]
/// [client 127.0.0.1:37144] AH01617: message, referer: URL</c>; the errno text (<c>(2)No such file or
/// directory: </c>) comes before <c>[client …]</c>; <c>[client …]</c> is <c>ip:port</c> without brackets, IPv6
/// included (<c>::1:51234</c>); mod_remoteip adds <c>[remote ip:port]</c> for the peer.</item>
/// <item>Apache 2.2: <c>[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] message</c>: no module, pid,
/// port or AH code; the messages of mod_auth_basic/mod_authz are the same words as in 2.4.</item>
/// <item>nginx: <c>2026/12/07 17:26:33 [error] 26572#26572: *4 message, client: 127.0.0.1, server: localhost,
/// request: "GET /private/ HTTP/1.1", host: "…", referrer: "…"</c>; <c>*N</c> is the connection number.
/// A missing password is logged at <c>info</c> ("no user/password was provided for basic authentication"), a
/// wrong one at <c>error</c>.</item>
/// <item>Both write local time without a zone (ts_quality zone_assumed). User names and request lines come
/// from the client and may contain <c>[client …]</c> or <c>, client: …</c>: Apache's address is the bracket
/// before the message; nginx's is the first <c>, client: ADDR</c> outside double quotes (its messages quote what
/// the client sent, e.g. <c>user "NAME": password mismatch</c>); the whole line stays in message.</item>
/// </list>
/// Lines in neither shape (stderr of CGI scripts, crash notes) are <c>http.server_log</c> events with their text.
/// </summary>
public sealed class WebErrorLogFormat : ILogFormat
{
    public static readonly ExtraColumn Level = new("log_level", ColumnType.String, "Severity the server logged (error, notice, info, crit, ...)");
    public static readonly ExtraColumn Module = new("web_module", ColumnType.String, "Apache module of the message (auth_basic, authz_core, core, ...); null for nginx and Apache 2.2");
    public static readonly ExtraColumn ErrorCode = new("web_error_code", ColumnType.String, "Apache message id (AH01618); null when absent");
    public static readonly ExtraColumn AuthReason = new("http_auth_reason", ColumnType.String, "Why HTTP authentication failed: password_mismatch, unknown_user, no_credentials, wrong_scheme");
    public static readonly ExtraColumn Connection = new("web_connection", ColumnType.Int64, "nginx connection number (*N); records of one connection share it");
    public static readonly ExtraColumn Dialect = new("web_server", ColumnType.String, "apache2.4, apache2.2 or nginx: which error-log dialect the line is in");

    private static readonly IReadOnlyList<ExtraColumn> Columns =
        [Level, Module, ErrorCode, AuthReason, Connection, Dialect, HttpColumns.Method, HttpColumns.Target, HttpColumns.Protocol, HttpColumns.Referer, HttpColumns.VHost];

    public string Id => "web_error";
    public string Description => "Apache 2.2/2.4 error_log and nginx error.log: client address, module, auth failures";
    public IReadOnlyList<ExtraColumn> ExtraColumns => Columns;

    public int Sniff(ReadOnlySpan<byte> head, string fileName)
    {
        int hits = 0, lines = 0;
        foreach (var range in head.Split((byte)'\n'))
        {
            var line = head[range];
            if (line.IsEmpty) continue;
            if (++lines > 200) break;
            if (ApacheStamp(line, out _, out _) || NginxStamp(line, out _)) hits++;
        }
        if (hits == 0) return 0;
        return hits * 2 >= lines ? 85 : 40;
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
            if (line.IndexOfAnyExcept((byte)' ', (byte)'\t') < 0) { output.Reject(offset, "empty line", line); continue; }

            var e = output.NewEvent(offset);
            e.SetMessage(line);
            e.Host = file.DefaultHost;
            e.Event = EventKinds.HttpServerLog;
            e.TsQuality = TsQuality.Missing;
            if (ApacheStamp(line, out long local, out int used)) ParseApache(e, line[used..], local, file, ref cache);
            else if (NginxStamp(line, out local)) ParseNginx(e, line[19..], local, file, ref cache);
        }
    }

    private static void SetLocalTime(ForensicEvent e, long localTicks, FileContext file, ref ZoneCache cache)
    {
        e.TsMicros = (localTicks - cache.Offset(file.Zone, localTicks) - DateTime.UnixEpoch.Ticks) / 10;
        e.TsQuality = TsQuality.ZoneAssumed;
    }

    // ---- Apache ----

    private static void ParseApache(ForensicEvent e, ReadOnlySpan<byte> rest, long local, FileContext file, ref ZoneCache cache)
    {
        SetLocalTime(e, local, file, ref cache);
        e.Process = "httpd";
        // [module:level] (2.4) or [level] (2.2)
        if (!TakeBracket(ref rest, out var tag)) return;
        int colon = tag.IndexOf((byte)':');
        bool v24 = colon >= 0;
        if (v24)
        {
            if (colon > 0) e.Set(Module, StringCache.Current.Get(tag[..colon]));
            e.Set(Level, StringCache.Current.Get(tag[(colon + 1)..]));
        }
        else e.Set(Level, StringCache.Current.Get(tag));
        // [pid N:tid M] / [pid N]
        if (rest.StartsWith("[pid "u8) && TakeBracket(ref rest, out var pid))
        {
            v24 = true;
            var digits = pid[4..];
            int end = digits.IndexOfAnyExceptInRange((byte)'0', (byte)'9');
            if (Utf8Parser.TryParse(end < 0 ? digits : digits[..end], out long p, out _)) e.Pid = p;
        }
        e.Set(Dialect, v24 ? "apache2.4" : "apache2.2");
        // (errno)text: before the client in 2.4
        if (rest.Length > 0 && rest[0] == (byte)'(' && rest.IndexOf("[client "u8) is int c and > 0) rest = rest[c..];
        if (rest.StartsWith("[client "u8) || rest.StartsWith("[remote "u8))
        {
            bool client = rest[1] == (byte)'c';
            if (TakeBracket(ref rest, out var addr) && client) SetClient(e, addr[7..], withPort: v24);
            if (rest.StartsWith("[client "u8) && TakeBracket(ref rest, out addr)) SetClient(e, addr[7..], withPort: v24);
        }
        // AHnnnnn:
        if (rest.Length >= 8 && rest.StartsWith("AH"u8) && rest[7] == (byte)':' && rest[2..7].IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0)
        {
            e.Set(ErrorCode, StringCache.Current.Get(rest[..7]));
            rest = rest[8..].TrimStart((byte)' ');
        }
        int referer = rest.LastIndexOf(", referer: "u8);
        if (referer >= 0)
        {
            e.Set(HttpColumns.Referer, LogText.Lossless(rest[(referer + 11)..]));
            rest = rest[..referer];
        }
        ClassifyApache(e, rest);
    }

    private static void ClassifyApache(ForensicEvent e, ReadOnlySpan<byte> m)
    {
        // mod_auth_basic (same words in 2.2 and 2.4: AH01617, AH01618, AH01614)
        if (m.StartsWith("user "u8))
        {
            int mismatch = m.IndexOf(": authentication failure for \""u8);
            if (mismatch > 0)
            {
                AuthFailure(e, "password_mismatch", m[5..mismatch]);
                var uri = m[(mismatch + 30)..];
                int q = uri.LastIndexOf("\": "u8);
                if (q >= 0) e.Set(HttpColumns.Target, LogText.Lossless(uri[..q]));
                return;
            }
            int notFound = m.IndexOf(" not found: "u8);
            if (notFound >= 4)
            {
                AuthFailure(e, "unknown_user", m[5..notFound]);
                e.Set(HttpColumns.Target, LogText.Lossless(m[(notFound + 12)..]));
                return;
            }
        }
        if (m.StartsWith("client used wrong authentication scheme: "u8))
        {
            AuthFailure(e, "wrong_scheme", default);
            e.Set(HttpColumns.Target, LogText.Lossless(m[41..]));
            return;
        }
        if (m.StartsWith("client denied by server configuration: "u8)) { e.Event = EventKinds.HttpAccessDenied; e.Set(HttpColumns.Target, LogText.Lossless(m[39..])); return; }
        if (m.StartsWith("File does not exist: "u8)) { e.Event = EventKinds.HttpNotFound; e.Set(HttpColumns.Target, LogText.Lossless(m[21..])); return; }
        if (m.StartsWith("script not found or unable to stat: "u8)) { e.Event = EventKinds.HttpNotFound; e.Set(HttpColumns.Target, LogText.Lossless(m[36..])); return; }
        // mod_cgi variants ("script '/x' not found or unable to stat", "stderr from /x: script not found ..."), and
        // php-fpm's answer through mod_proxy_fcgi for a script that does not exist
        if (m.IndexOf("not found or unable to stat"u8) >= 0 || m.StartsWith("Got error 'Primary script unknown"u8)) { e.Event = EventKinds.HttpNotFound; return; }
        if (m.StartsWith("invalid URI path"u8) || m.StartsWith("Invalid URI in request"u8) || m.StartsWith("Invalid method in request"u8)
            || m.StartsWith("request failed: "u8))
            e.Event = EventKinds.HttpBadRequest;
    }

    /// <summary><c>[Www Mmm dd hh:mm:ss[.uuuuuu] yyyy] </c>; returns the local time and the bytes used.</summary>
    private static bool ApacheStamp(ReadOnlySpan<byte> s, out long localTicks, out int used)
    {
        localTicks = 0; used = 0;
        if (s.Length < 27 || s[0] != (byte)'[' || s[4] != (byte)' ' || s[8] != (byte)' ' || s[11] != (byte)' ' || s[14] != (byte)':' || s[17] != (byte)':') return false;
        int month = ClfFields.Month(s.Slice(5, 3));
        int day = s[9] == (byte)' ' ? s[10] - '0' : ClfFields.Two(s, 9, out int d) ? d : -1;
        if (month == 0 || day is < 1 or > 31 || !ClfFields.Two(s, 12, out int hour) || !ClfFields.Two(s, 15, out int minute) || !ClfFields.Two(s, 18, out int second)) return false;
        int i = 20;
        long fraction = 0;
        if (s[i] == (byte)'.')
        {
            int start = ++i;
            while (i < s.Length && char.IsAsciiDigit((char)s[i])) fraction = fraction * 10 + (s[i++] - '0');
            int digits = i - start;
            if (digits is < 1 or > 7) return false;
            for (int k = digits; k < 7; k++) fraction *= 10;
        }
        if (i + 6 > s.Length || s[i] != (byte)' ' || !ClfFields.Four(s, i + 1, out int year) || s[i + 5] != (byte)']') return false;
        if (year < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 60) return false;
        localTicks = new DateTime(year, month, day, hour, minute, Math.Min(second, 59), DateTimeKind.Unspecified).Ticks + fraction;
        used = i + 6;
        if (used < s.Length && s[used] == (byte)' ') used++;
        return true;
    }

    // ---- nginx ----

    private static void ParseNginx(ForensicEvent e, ReadOnlySpan<byte> rest, long local, FileContext file, ref ZoneCache cache)
    {
        SetLocalTime(e, local, file, ref cache);
        e.Process = "nginx";
        e.Set(Dialect, "nginx");
        rest = rest.TrimStart((byte)' ');
        if (!TakeBracket(ref rest, out var level)) return;
        e.Set(Level, StringCache.Current.Get(level));
        // PID#TID:
        int hash = rest.IndexOf((byte)'#');
        if (hash > 0 && Utf8Parser.TryParse(rest[..hash], out long pid, out int n) && n == hash)
        {
            e.Pid = pid;
            int colon = rest.IndexOf(": "u8);
            if (colon > hash) rest = rest[(colon + 2)..];
        }
        if (rest.Length > 1 && rest[0] == (byte)'*')
        {
            int sp = rest.IndexOf((byte)' ');
            if (sp > 1 && Utf8Parser.TryParse(rest[1..sp], out long conn, out n) && n == sp - 1) { e.Set(Connection, conn); rest = rest[(sp + 1)..]; }
        }
        var message = rest;
        int ctx = ContextStart(rest);
        if (ctx >= 0)
        {
            message = rest[..ctx];
            ParseNginxContext(e, rest[(ctx + 2)..]);
        }
        ClassifyNginx(e, message);
    }

    /// <summary>Where <c>, client: ADDR</c> begins: the first such place outside double quotes with an address after it.</summary>
    private static int ContextStart(ReadOnlySpan<byte> s)
    {
        int from = 0;
        while (true)
        {
            int at = s[from..].IndexOf(", client: "u8);
            if (at < 0) return -1;
            at += from;
            var addr = s[(at + 10)..];
            int end = addr.IndexOf((byte)',');
            if (s[..at].Count((byte)'"') % 2 == 0 && ClfFields.ClientAddress(end < 0 ? addr : addr[..end]) is not null) return at;
            from = at + 10;
        }
    }

    private static void ParseNginxContext(ForensicEvent e, ReadOnlySpan<byte> s)
    {
        // client: A, server: S, request: "R", upstream: "U", host: "H", referrer: "F"
        while (!s.IsEmpty)
        {
            int colon = s.IndexOf(": "u8);
            if (colon <= 0) return;
            var key = s[..colon];
            s = s[(colon + 2)..];
            ReadOnlySpan<byte> value;
            if (s.Length > 0 && s[0] == (byte)'"')
            {
                // quoted values end at the '"' followed by ", " or the end of the line
                int close = -1;
                for (int i = 1; i < s.Length; i++)
                    if (s[i] == (byte)'"' && (i + 1 == s.Length || s[(i + 1)..].StartsWith(", "u8))) { close = i; break; }
                if (close < 0) { value = s[1..]; s = default; }
                else { value = s[1..close]; s = s[(close + 1)..]; }
            }
            else
            {
                int comma = s.IndexOf(", "u8);
                value = comma < 0 ? s : s[..comma];
                s = comma < 0 ? default : s[comma..];
            }
            if (s.StartsWith(", "u8)) s = s[2..];
            if (key.SequenceEqual("client"u8)) SetClient(e, value, withPort: false);
            else if (key.SequenceEqual("server"u8)) e.Set(HttpColumns.VHost, StringCache.Current.Get(value));
            else if (key.SequenceEqual("referrer"u8)) e.Set(HttpColumns.Referer, LogText.Unescape(value));
            else if (key.SequenceEqual("request"u8))
            {
                var rl = HttpRequestLineParser.Parse(value);
                if (rl.Kind == RequestLineKind.Malformed) e.Set(HttpColumns.Target, LogText.Unescape(value));
                else
                {
                    e.Set(HttpColumns.Method, StringCache.Current.Get(rl.Method));
                    e.Set(HttpColumns.Target, LogText.Unescape(rl.Target));
                    if (!rl.Protocol.IsEmpty) e.Set(HttpColumns.Protocol, StringCache.Current.Get(rl.Protocol));
                }
            }
        }
    }

    private static void ClassifyNginx(ForensicEvent e, ReadOnlySpan<byte> m)
    {
        // ngx_http_auth_basic_module
        if (m.StartsWith("no user/password was provided for basic authentication"u8)) { AuthFailure(e, "no_credentials", default); return; }
        if (m.StartsWith("user \""u8))
        {
            int mismatch = m.LastIndexOf("\": password mismatch"u8);
            if (mismatch >= 6 && mismatch + 20 == m.Length) { AuthFailure(e, "password_mismatch", m[6..mismatch]); return; }
            int notFound = m.LastIndexOf("\" was not found in \""u8);
            if (notFound >= 6) { AuthFailure(e, "unknown_user", m[6..notFound]); return; }
        }
        if (m.StartsWith("access forbidden by rule"u8)) { e.Event = EventKinds.HttpAccessDenied; return; }
        if ((m.StartsWith("open() \""u8) || m.IndexOf("\" is not found ("u8) >= 0) && m.IndexOf("(2: No such file or directory)"u8) >= 0) { e.Event = EventKinds.HttpNotFound; return; }
        if (m.StartsWith("client sent "u8) || m.StartsWith("client intended to send too large"u8)) e.Event = EventKinds.HttpBadRequest;
    }

    /// <summary><c>yyyy/MM/dd HH:mm:ss </c> (nginx <c>ngx_cached_err_log_time</c>).</summary>
    private static bool NginxStamp(ReadOnlySpan<byte> s, out long localTicks)
    {
        localTicks = 0;
        if (s.Length < 21 || s[4] != (byte)'/' || s[7] != (byte)'/' || s[10] != (byte)' ' || s[13] != (byte)':' || s[16] != (byte)':' || s[19] != (byte)' ' || s[20] != (byte)'[') return false;
        if (!ClfFields.Four(s, 0, out int year) || !ClfFields.Two(s, 5, out int month) || !ClfFields.Two(s, 8, out int day)
            || !ClfFields.Two(s, 11, out int hour) || !ClfFields.Two(s, 14, out int minute) || !ClfFields.Two(s, 17, out int second)) return false;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 60) return false;
        localTicks = new DateTime(year, month, day, hour, minute, Math.Min(second, 59), DateTimeKind.Unspecified).Ticks;
        return true;
    }

    // ---- shared ----

    private static void AuthFailure(ForensicEvent e, string reason, ReadOnlySpan<byte> user)
    {
        e.Event = EventKinds.HttpAuthFailure;
        e.Set(AuthReason, reason);
        if (!user.IsEmpty) e.User = LogText.Lossless(user);
    }

    /// <summary>An address as the server logged it: <c>ip:port</c> (Apache 2.4, IPv6 unbracketed) or a bare ip.</summary>
    private static void SetClient(ForensicEvent e, ReadOnlySpan<byte> addr, bool withPort)
    {
        if (withPort)
        {
            int colon = addr.LastIndexOf((byte)':');
            if (colon > 0 && Utf8Parser.TryParse(addr[(colon + 1)..], out int port, out int n) && n == addr.Length - colon - 1 && port is >= 0 and <= 65535
                && ClfFields.IsClientAddress(addr[..colon]) && System.Net.IPAddress.TryParse(addr[..colon], out _))
            {
                e.SetSrcIp(addr[..colon]);
                e.SrcPort = port;
                return;
            }
        }
        ClfFields.SetClient(e, addr);
    }

    /// <summary>Takes <c>[content] </c> from the start of <paramref name="s"/>.</summary>
    private static bool TakeBracket(ref ReadOnlySpan<byte> s, out ReadOnlySpan<byte> content)
    {
        content = default;
        if (s.IsEmpty || s[0] != (byte)'[') return false;
        int close = s.IndexOf((byte)']');
        if (close < 0) return false;
        content = s[1..close];
        s = s[(close + 1)..].TrimStart((byte)' ');
        return true;
    }
}
