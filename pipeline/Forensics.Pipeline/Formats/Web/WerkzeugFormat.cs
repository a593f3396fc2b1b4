using System.Buffers.Text;
using Forensics.Pipeline.Framing;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats.Web;

/// <summary>
/// The Werkzeug (Flask) development server's log as it lands in <c>nohup.log</c> / a redirected stderr.
/// Facts, from werkzeug <c>src/werkzeug/serving.py</c> (3.1.3, and Debian 12's 2.2.2 which is the same here):
/// <list type="bullet">
/// <item><c>WSGIRequestHandler.log</c> writes <c>ADDR - - [dd/Mon/yyyy HH:MM:SS] MESSAGE</c>: local time of the
/// server without zone (<c>log_date_time_string</c> from http.server), so the case zone is applied and
/// ts_quality is zone_assumed.</item>
/// <item><c>log_request</c> writes <c>"REQUESTLINE" CODE SIZE</c>; the request line is rebuilt from the
/// IRI-decoded path (<c>uri_to_iri</c>), with control characters escaped (<c>_control_char_table</c>) but
/// quotes NOT escaped, so the closing quote is the last one before <c> CODE SIZE</c> at the end of line.</item>
/// <item><c>_ansi_style</c> wraps the request line in SGR colours by status (404 yellow, 4xx bold red, 5xx
/// bold magenta, ...). Under <c>flask run</c> with output redirected (nohup) no colours were written
/// (observed with Debian's Flask/Werkzeug 2.2.2 and Werkzeug 3.1.3, data-samples/werkzeug), but logs captured
/// from a terminal (tmux/screen scrollback, <c>script</c>) carry them inside the quotes. They are stripped
/// for parsing and kept in message.</item>
/// <item>Werkzeug 3.x escapes control characters of the request line (<c>\x16</c>, <c>\x00</c>); 2.2.2 writes
/// them raw, NUL included, and the latin-1 decoded bytes of a TLS hello come out UTF-8 encoded.</item>
/// <item>http.server's <c>send_error</c> logs <c>code 400, message Bad request version ('...')</c> or
/// <c>Bad request syntax ('...')</c> with the Python repr of the latin-1 decoded raw line (TLS handshakes to
/// the plain port), followed by the request line itself with status 400.</item>
/// <item>Start-up banner (<c>log_startup</c>, Flask's cli): <c> * Serving Flask app</c>, <c> * Debug mode</c>,
/// <c>WARNING: This is a development server...</c>, <c> * Running on ...</c>, <c>Press CTRL+C to quit</c>,
/// <c> * Restarting with stat</c>, <c> * Debugger PIN</c>: events of kind http.server_banner without time.</item>
/// <item>Python tracebacks (<c>Traceback (most recent call last):</c>, indented frames, the final
/// <c>XxxError: ...</c>, chained with "During handling..." / "The above exception...") are joined into one
/// http.server_error event by the framer.</item>
/// </list>
/// Anything else (print() output of the app, Flask's <c>[date] ERROR in app:</c>) is http.server_log. No line
/// is rejected except lines the framer had to cut (giant lines).
/// </summary>
public sealed class WerkzeugFormat : ILogFormat
{
    public string Id => "werkzeug";
    public string Description => "Werkzeug/Flask development server log (nohup.log): requests, banner, tracebacks, code 400 lines";
    public IReadOnlyList<ExtraColumn> ExtraColumns => HttpColumns.All;

    public int Sniff(ReadOnlySpan<byte> head, string fileName)
    {
        int requests = 0, banner = 0, lines = 0;
        foreach (var range in head.Split((byte)'\n'))
        {
            var line = head[range];
            if (line.IsEmpty) continue;
            if (++lines > 200) break;
            var zone = TimeZoneInfo.Utc;
            var cache = new ZoneCache();
            if (TrySplitPrefix(line, out _, out var date, out _) && ClfFields.TryParseTime(date, zone, ref cache, out _, out bool assumed) && assumed) requests++;
            else if (IsBanner(line)) banner++;
        }
        if (requests > 0) return requests * 2 >= lines ? 90 : 60;
        return banner >= 2 ? 70 : 0;
    }

    public IEnumerable<RecordBatch> Frame(Stream input, FileContext file, CancellationToken cancel)
    {
        var tracebacks = new TracebackJoiner();
        return LineFramer.Frame(input, new LineFramingOptions { IsContinuation = tracebacks.IsContinuation }, cancel);
    }

    public void Parse(RecordBatch batch, FileContext file, ParseOutput output)
    {
        var cache = new ZoneCache();
        byte[] scratch = new byte[4096];
        for (int i = 0; i < batch.Count; i++)
        {
            var raw = batch.Record(i);
            long offset = batch.Offset(i);
            if (batch.Truncated(i)) { output.Reject(offset, "line longer than the framer limit; cut", raw); continue; }
            if (scratch.Length < raw.Length) scratch = new byte[raw.Length];
            var line = raw;
            if (LogText.HasAnsi(raw)) line = scratch.AsSpan(0, LogText.StripAnsi(raw, scratch));

            var e = output.NewEvent(offset);
            e.Host = file.DefaultHost;
            // The ANSI-stripped line only loses ASCII escape sequences: valid when the raw line is.
            bool valid = System.Text.Unicode.Utf8.IsValid(raw);
            LogText.SetMessage(e, raw, valid);
            e.Process = "werkzeug";
            e.TsQuality = TsQuality.Missing;

            if (!TrySplitPrefix(line, out var addr, out var date, out var message))
            {
                e.Event = line.StartsWith("Traceback (most recent call last):"u8) || line.StartsWith("Error on request:"u8)
                    ? EventKinds.HttpServerError
                    : IsBanner(line) ? EventKinds.HttpServerBanner : EventKinds.HttpServerLog;
                continue;
            }
            ClfFields.SetClient(e, addr);
            if (ClfFields.TryParseTime(date, file.Zone, ref cache, out long micros, out bool assumed))
            {
                e.TsMicros = micros;
                e.TsQuality = TsQuality.Combine(false, assumed);
            }
            if (message.Length > 0 && message[0] == (byte)'"' && TryParseRequestTail(message, out var request, out int status, out long? size))
            {
                AccessEvent.SetRequest(e, request, status, size, valid);
                continue;
            }
            if (message.StartsWith("code "u8))
            {
                // send_error: "code %d, message %s"
                var rest = message[5..];
                if (Utf8Parser.TryParse(rest, out int code, out int used) && used == 3) e.Set(HttpColumns.Status, code);
                e.Event = EventKinds.HttpBadRequest;
                continue;
            }
            e.Event = EventKinds.HttpServerLog;
        }
    }

    /// <summary><c>"REQUEST" CODE SIZE</c> anchored at the end of the line (Werkzeug does not escape quotes).</summary>
    private static bool TryParseRequestTail(ReadOnlySpan<byte> m, out ReadOnlySpan<byte> request, out int status, out long? size)
    {
        request = default;
        status = 0;
        size = null;
        int sp2 = m.LastIndexOf((byte)' ');
        if (sp2 <= 0) return false;
        var sizeTok = m[(sp2 + 1)..];
        int sp1 = m[..sp2].LastIndexOf((byte)' ');
        if (sp1 <= 0 || m[sp1 - 1] != (byte)'"' || sp1 - 1 == 0) return false;
        var codeTok = m[(sp1 + 1)..sp2];
        if (codeTok.Length != 3 || !Utf8Parser.TryParse(codeTok, out status, out int used) || used != 3) return false;
        if (!(sizeTok.Length == 1 && sizeTok[0] == (byte)'-'))
        {
            if (!Utf8Parser.TryParse(sizeTok, out long n, out used) || used != sizeTok.Length) return false;
            size = n;
        }
        request = m[1..(sp1 - 1)];
        return true;
    }

    /// <summary><c>ADDR - - [DATE] MESSAGE</c>.</summary>
    private static bool TrySplitPrefix(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> addr, out ReadOnlySpan<byte> date, out ReadOnlySpan<byte> message)
    {
        addr = date = message = default;
        int marker = line.IndexOf(" - - ["u8);
        if (marker <= 0) return false;
        int close = line.Slice(marker + 6).IndexOf((byte)']');
        if (close != 20) return false;
        addr = line[..marker];
        date = line.Slice(marker + 6, 20);
        int msgStart = marker + 6 + 21;
        if (msgStart < line.Length && line[msgStart] == (byte)' ') msgStart++;
        message = line[Math.Min(msgStart, line.Length)..];
        return true;
    }

    private static bool IsBanner(ReadOnlySpan<byte> line) =>
        line.StartsWith(" * "u8) || line.StartsWith("WARNING: This is a development server"u8) || line.StartsWith("Press CTRL+C to quit"u8);

    /// <summary>
    /// Joins a Python traceback into one record. Stateful, one instance per file (the framer calls it in
    /// order, once per line after the first): frames are indented, the exception line is the first line
    /// after them that is not, and chained tracebacks continue through their blank + "During handling" lines.
    /// </summary>
    private sealed class TracebackJoiner
    {
        private enum State { None, Header, Frames, AfterException, Chain }
        private State _state;

        public bool IsContinuation(ReadOnlySpan<byte> line)
        {
            var s = line.Length > 0 && line[0] == 0x1b ? StripLeadingAnsi(line) : line;
            bool isTb = s.StartsWith("Traceback (most recent call last):"u8);
            switch (_state)
            {
                case State.Header: // after "Error on request:"
                    if (isTb) { _state = State.Frames; return true; }
                    break;
                case State.Frames:
                    if (s.Length > 0 && (s[0] == (byte)' ' || s[0] == (byte)'\t')) return true;
                    _state = State.AfterException;
                    return true; // the exception line itself
                case State.AfterException:
                    if (s.IsEmpty) { _state = State.Chain; return true; }
                    if (s.Length > 0 && (s[0] == (byte)' ' || s[0] == (byte)'\t')) return true; // multi-line exception text / notes
                    break;
                case State.Chain:
                    if (s.IsEmpty || s.StartsWith("During handling of the above exception"u8) || s.StartsWith("The above exception was the direct cause"u8)) return true;
                    if (isTb) { _state = State.Frames; return true; }
                    break;
            }
            _state = isTb ? State.Frames : s.StartsWith("Error on request:"u8) ? State.Header : State.None;
            return false;
        }

        private static ReadOnlySpan<byte> StripLeadingAnsi(ReadOnlySpan<byte> s)
        {
            int m = s.IndexOf((byte)'m');
            return m > 0 && m < 12 ? s[(m + 1)..] : s;
        }
    }
}
