using System.Buffers.Text;

namespace Forensics.Pipeline.Formats.Syslog;

/// <summary>
/// The header of one syslog line, as byte ranges into the line. Shapes accepted (rsyslog writes all of them):
/// <list type="bullet">
/// <item><c>[&lt;PRI&gt;]TIMESTAMP HOST TAG[PID]: MSG</c> — RFC 3164 traditional and RFC 3339 "high precision";
/// TAG without a colon (<c>Job `cron.daily' terminated</c>) leaves the process unknown.</item>
/// <item><c>TIMESTAMP: --- last message repeated N times ---</c> — no host (rsyslog repeat summary).</item>
/// <item><c>&lt;PRI&gt;1 TIMESTAMP HOST APP PROCID MSGID SD MSG</c> — RFC 5424 (rsyslog RSYSLOG_SyslogProtocol23Format).</item>
/// </list>
/// journalctl's short outputs write the same shape, so the journal text formats share this parser.
/// </summary>
public ref struct SyslogLine
{
    public SyslogTimestamp.Parsed Time;
    public int Priority;            // -1 when absent
    public bool IsRfc5424;
    public ReadOnlySpan<byte> Host;
    public ReadOnlySpan<byte> Tag;  // program / APP-NAME; empty when none
    public long Pid;                // -1 when absent
    public ReadOnlySpan<byte> MsgId;
    public ReadOnlySpan<byte> StructuredData;
    public ReadOnlySpan<byte> Message;

    /// <summary>Parses a line; on failure <paramref name="error"/> says why (for the reject reason).</summary>
    public static bool TryParse(ReadOnlySpan<byte> line, out SyslogLine result, out string? error)
    {
        result = default;
        result.Priority = -1;
        result.Pid = -1;
        error = null;
        int pos = 0;
        if (line.Length > 0 && line[0] == (byte)'<')
        {
            int close = line[..Math.Min(line.Length, 6)].IndexOf((byte)'>');
            if (close < 2 || !Utf8Parser.TryParse(line[1..close], out int pri, out int used) || used != close - 1 || pri > 191)
            {
                error = "invalid <PRI> prefix";
                return false;
            }
            result.Priority = pri;
            pos = close + 1;
            if (line.Length > pos + 1 && line[pos] == (byte)'1' && line[pos + 1] == (byte)' ')
                return TryParse5424(line, pos + 2, ref result, out error);
        }
        if (!SyslogTimestamp.TryParse(line[pos..], out result.Time))
        {
            error = "no syslog timestamp at the start of the line";
            return false;
        }
        pos += result.Time.Length;
        if (pos < line.Length && line[pos] == (byte)':')
        {
            // "Mar 11 09:39:39: --- last message repeated 5 times ---"
            result.Message = Skip1(line[(pos + 1)..]);
            return true;
        }
        if (pos >= line.Length || line[pos] != (byte)' ')
        {
            error = "no space after the timestamp";
            return false;
        }
        pos++;
        var rest = line[pos..];
        int sp = rest.IndexOf((byte)' ');
        if (sp <= 0)
        {
            // "TIMESTAMP HOST" with nothing after it (a blank message) is legal.
            result.Host = sp < 0 ? rest : rest[..sp];
            if (result.Host.IsEmpty) { error = "no host after the timestamp"; return false; }
            return true;
        }
        if (rest[sp - 1] == (byte)':')
        {
            // No host field: "Feb 17 17:40:17 sshd[19725]: ..." / "Mar  3 00:17:22 [sshd]: ..." (host names never end in ':').
            ParseTag(rest, ref result);
            return true;
        }
        if (rest[0] == (byte)'[' && rest[sp - 1] == (byte)']')
        {
            // No host, a bracketed tag without a colon: "Jun 25 23:53:34 [sshd] User root from …" (host names never start with '[').
            result.Tag = rest[..sp];
            result.Message = rest[(sp + 1)..];
            return true;
        }
        result.Host = rest[..sp];
        rest = rest[(sp + 1)..];
        ParseTag(rest, ref result);
        return true;
    }

    private static void ParseTag(ReadOnlySpan<byte> rest, ref SyslogLine result)
    {
        // TAG is up to 48 printable chars ending at '[' (pid follows) or ':'; anything else means no tag.
        int limit = Math.Min(rest.Length, 64);
        for (int i = 0; i < limit; i++)
        {
            byte b = rest[i];
            if (b == (byte)':' && i > 0 && (i + 1 == rest.Length || rest[i + 1] == (byte)' '))
            {
                result.Tag = rest[..i];
                result.Message = Skip1(rest[(i + 1)..]);
                return;
            }
            if (b == (byte)'[' && i > 0)
            {
                int close = rest[i..].IndexOf((byte)']');
                if (close > 1 && Utf8Parser.TryParse(rest.Slice(i + 1, close - 1), out long pid, out int used) && used == close - 1
                    && i + close + 1 < rest.Length + 1)
                {
                    int after = i + close + 1;
                    if (after < rest.Length && rest[after] == (byte)':')
                    {
                        result.Tag = rest[..i];
                        result.Pid = pid;
                        result.Message = Skip1(rest[(after + 1)..]);
                        return;
                    }
                    if (after == rest.Length || rest[after] == (byte)' ')
                    {
                        // "sshd[123] message" (no colon): still a tag with a pid.
                        result.Tag = rest[..i];
                        result.Pid = pid;
                        result.Message = after == rest.Length ? default : Skip1(rest[after..]);
                        return;
                    }
                }
                break;
            }
            if (b == (byte)' ' && i > 0 && VersionTagEnd(rest, i + 1) is var end and > 0)
            {
                // "syslogd 1.4.1: restart." — sysklogd tags its own lines with its version (a space in the tag).
                result.Tag = rest[..end];
                result.Message = Skip1(rest[(end + 1)..]);
                return;
            }
            if (b == (byte)' ' || b < 0x21) break;
        }
        result.Message = rest;
    }

    /// <summary>End (the ':') of a version token "1.4.1:" / "1.5.0#6:" starting at <paramref name="at"/>, or -1.</summary>
    private static int VersionTagEnd(ReadOnlySpan<byte> rest, int at)
    {
        if (at >= rest.Length || rest[at] < (byte)'0' || rest[at] > (byte)'9') return -1;
        for (int j = at + 1; j < rest.Length && j < at + 16; j++)
        {
            byte c = rest[j];
            if (c == (byte)':') return j + 1 == rest.Length || rest[j + 1] == (byte)' ' ? j : -1;
            if (!(c is >= (byte)'0' and <= (byte)'9' || c is >= (byte)'a' and <= (byte)'z' || c is (byte)'.' or (byte)'#' or (byte)'-' or (byte)'_')) return -1;
        }
        return -1;
    }

    private static bool TryParse5424(ReadOnlySpan<byte> line, int pos, ref SyslogLine result, out string? error)
    {
        error = null;
        var rest = line[pos..];
        if (rest.Length > 0 && rest[0] == (byte)'-') { result.Time = default; rest = rest[1..]; error = "RFC 5424 line without a timestamp"; return false; }
        if (!SyslogTimestamp.TryParse(rest, out result.Time) || !result.Time.HasYear)
        {
            error = "RFC 5424 line with an invalid timestamp";
            return false;
        }
        rest = rest[result.Time.Length..];
        var host = NextField(ref rest);
        var app = NextField(ref rest);
        var procId = NextField(ref rest);
        var msgId = NextField(ref rest);
        if (host.IsEmpty || app.IsEmpty || procId.IsEmpty || msgId.IsEmpty)
        {
            error = "RFC 5424 header is incomplete";
            return false;
        }
        result.IsRfc5424 = true;
        result.Host = Nil(host);
        result.Tag = Nil(app);
        if (!Nil(procId).IsEmpty && Utf8Parser.TryParse(procId, out long pid, out int used) && used == procId.Length) result.Pid = pid;
        result.MsgId = Nil(msgId);
        // STRUCTURED-DATA: "-" or one or more [id k="v" ...] elements; ']' inside values is escaped as \].
        if (rest.Length > 0 && rest[0] == (byte)' ') rest = rest[1..];
        int sdEnd;
        if (rest.Length > 0 && rest[0] == (byte)'-') sdEnd = 1;
        else if (rest.Length > 0 && rest[0] == (byte)'[') sdEnd = StructuredDataLength(rest);
        else sdEnd = 0;
        if (sdEnd < 0) { error = "RFC 5424 structured data is not closed"; return false; }
        result.StructuredData = sdEnd == 1 && rest[0] == (byte)'-' ? default : rest[..sdEnd];
        result.Message = Skip1(rest[sdEnd..]);
        return true;
    }

    private static int StructuredDataLength(ReadOnlySpan<byte> s)
    {
        int i = 0;
        while (i < s.Length && s[i] == (byte)'[')
        {
            bool inQuote = false;
            i++;
            for (; i < s.Length; i++)
            {
                if (s[i] == (byte)'\\') { i++; continue; }
                if (s[i] == (byte)'"') inQuote = !inQuote;
                else if (s[i] == (byte)']' && !inQuote) break;
            }
            if (i >= s.Length) return -1;
            i++;
        }
        return i;
    }

    /// <summary>The next space-separated header field, or empty when the header ends early.</summary>
    private static ReadOnlySpan<byte> NextField(scoped ref ReadOnlySpan<byte> rest)
    {
        if (rest.Length > 0 && rest[0] == (byte)' ') rest = rest[1..];
        int sp = rest.IndexOf((byte)' ');
        if (sp <= 0) return default;
        var field = rest[..sp];
        rest = rest[sp..];
        return field;
    }

    private static ReadOnlySpan<byte> Nil(ReadOnlySpan<byte> f) => f.Length == 1 && f[0] == (byte)'-' ? default : f;
    private static ReadOnlySpan<byte> Skip1(ReadOnlySpan<byte> s) => s.Length > 0 && s[0] == (byte)' ' ? s[1..] : s;
}
