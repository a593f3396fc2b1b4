using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Forensics.Pipeline.Formats.Web;

namespace Forensics.Pipeline.Formats.Audit;

/// <summary>One audit record (one line): its type, time, serial and key=value fields in order.</summary>
public sealed class AuditRecord
{
    public string? Node;
    public string Type = "";
    public long? TsMicros;
    public long? Serial;
    /// <summary>Fields in the order written: raw fields, the inner <c>msg='...'</c> ones, then enriched (UPPER-CASE) ones.</summary>
    public List<KeyValuePair<string, string>> Fields { get; } = [];

    public string? Get(string key)
    {
        foreach (var kv in Fields)
            if (kv.Key == key) return kv.Value;
        return null;
    }
}

/// <summary>
/// Parses audit records as auditd writes them to audit.log (<c>audispd</c>/<c>auditd</c> "raw" and
/// "enriched" log_format) and as they reach journald/syslog. Facts (linux-audit userspace: lib/libaudit.h
/// record types, auparse/interpret.c, audit.rules(7), auditd.conf(5) log_format; elastic go-libaudit auparse):
/// <list type="bullet">
/// <item>header <c>[node=NAME ]type=TYPE msg=audit(SECONDS.MILLIS:SERIAL): </c>; DAEMON_CONFIG of old auditd
/// omits the colon; a record whose type auditd cannot name is <c>type=UNKNOWN[1329] msg=?</c>.</item>
/// <item>values are <c>"quoted"</c> (no escapes inside), unquoted, or — for fields that may hold spaces or
/// control bytes (proctitle, EXECVE a0..aN and aN[i], comm, exe, cmd, acct, cwd, name, path, key, data, ...)
/// — an upper-case hex string when the kernel/userspace had to encode them (auditd's audit_encode_value).
/// proctitle's argv is NUL-separated; NULs become spaces as ausearch -i shows it.</item>
/// <item>user-space records carry their own key=values in <c>msg='...'</c>; RHEL 6 era records write
/// "<c>PAM: accounting acct=root : exe="..." (hostname=?, addr=?, terminal=cron res=success)</c>", so a
/// leading "(" and trailing "," or ")" are trimmed from unquoted tokens; words without "=" are free text.</item>
/// <item>enriched format appends <c>\x1d</c> (ASCII GS) and the translated fields in UPPER-CASE
/// (<c>AUID="root" UID="root" ARCH=x86_64 SYSCALL=sendto</c>).</item>
/// </list>
/// Keys repeated inside one record (an inner <c>msg</c> key equal to an outer one) are kept with a <c>msg.</c> prefix.
/// </summary>
public static class AuditRecordParser
{
    private const byte GroupSeparator = 0x1d;

    /// <summary>Parses an audit.log line (<c>type=... msg=audit(...): ...</c>). False when the line has no <c>type=</c>.</summary>
    public static bool TryParseLogLine(ReadOnlySpan<byte> line, AuditRecord record)
    {
        if (line.StartsWith("node="u8))
        {
            int sp = line.IndexOf((byte)' ');
            if (sp < 0) return false;
            record.Node = Encoding.UTF8.GetString(line[5..sp]);
            line = line[(sp + 1)..];
        }
        if (!line.StartsWith("type="u8)) return false;
        int end = line.IndexOf((byte)' ');
        var type = end < 0 ? line[5..] : line[5..end];
        if (type.IsEmpty) return false;
        record.Type = Encoding.ASCII.GetString(type);
        if (end < 0) return true;
        var rest = line[(end + 1)..];
        // audit.log writes "msg=audit(...)"; the kernel's printk/journal form is "audit(...)".
        if (rest.StartsWith("msg=audit("u8)) rest = rest[10..];
        else if (rest.StartsWith("audit("u8)) rest = rest[6..];
        else { ParseFields(rest, record); return true; }
        int close = rest.IndexOf((byte)')');
        if (close < 0) return false;
        ParseStamp(rest[..close], record);
        rest = rest[(close + 1)..];
        if (rest.Length > 0 && rest[0] == (byte)':') rest = rest[1..];
        ParseFields(rest, record);
        return true;
    }

    /// <summary>
    /// Parses the text of an audit record carried by journald or syslog: <c>USER_LOGIN pid=... msg='...'</c>,
    /// <c>type=1112 audit(1681160194.260:3932): ...</c> (kernel/netlink form) or an audit.log line.
    /// </summary>
    public static bool TryParseCarried(ReadOnlySpan<byte> text, AuditRecord record)
    {
        if (text.StartsWith("audit: "u8)) text = text[7..];
        if (text.StartsWith("type="u8) || text.StartsWith("node="u8))
        {
            if (TryParseLogLine(text, record)) return true;
        }
        int sp = text.IndexOf((byte)' ');
        if (sp > 0 && text[..sp].StartsWith("type="u8))
        {
            record.Type = Encoding.ASCII.GetString(text[5..sp]);
            text = text[(sp + 1)..];
        }
        else
        {
            var word = sp < 0 ? text : text[..sp];
            if (word.IsEmpty || !IsTypeName(word)) return false;
            record.Type = Encoding.ASCII.GetString(word);
            text = sp < 0 ? default : text[(sp + 1)..];
        }
        if (text.StartsWith("audit("u8))
        {
            int close = text.IndexOf((byte)')');
            if (close > 0)
            {
                ParseStamp(text[6..close], record);
                text = text[(close + 1)..];
                if (text.Length > 0 && text[0] == (byte)':') text = text[1..];
            }
        }
        ParseFields(text, record);
        return true;
    }

    private static bool IsTypeName(ReadOnlySpan<byte> w)
    {
        foreach (byte b in w)
            if (!(b is >= (byte)'A' and <= (byte)'Z' || b == (byte)'_' || char.IsAsciiDigit((char)b))) return false;
        return w.Length >= 3;
    }

    private static void ParseStamp(ReadOnlySpan<byte> s, AuditRecord record)
    {
        // SECONDS.MILLIS:SERIAL
        int dot = s.IndexOf((byte)'.');
        int colon = s.IndexOf((byte)':');
        if (dot <= 0 || colon <= dot) return;
        if (Utf8Parser.TryParse(s[..dot], out long sec, out int used) && used == dot
            && Utf8Parser.TryParse(s[(dot + 1)..colon], out long frac, out used) && used == colon - dot - 1 && used <= 6)
        {
            long scale = used switch { 1 => 100_000, 2 => 10_000, 3 => 1000, 4 => 100, 5 => 10, _ => 1 };
            record.TsMicros = sec * 1_000_000 + frac * scale;
        }
        if (Utf8Parser.TryParse(s[(colon + 1)..], out long serial, out used) && used == s.Length - colon - 1) record.Serial = serial;
    }

    /// <summary>Parses <c>key=value ...</c> (with inner msg='...' and the enriched part after GS).</summary>
    public static void ParseFields(ReadOnlySpan<byte> body, AuditRecord record)
    {
        int gs = body.IndexOf(GroupSeparator);
        var raw = gs < 0 ? body : body[..gs];
        ParseKeyValues(raw, record, prefix: null);
        if (gs >= 0) ParseKeyValues(body[(gs + 1)..], record, prefix: null);
    }

    private static void ParseKeyValues(ReadOnlySpan<byte> s, AuditRecord record, string? prefix)
    {
        int i = 0;
        string? qualifier = null;
        while (i < s.Length)
        {
            while (i < s.Length && s[i] == (byte)' ') i++;
            if (i >= s.Length) break;
            int tokStart = i;
            // key runs to '=' or space
            while (i < s.Length && s[i] != (byte)'=' && s[i] != (byte)' ') i++;
            if (i >= s.Length || s[i] == (byte)' ')
            {
                // a free word (avc: denied { read } for ...); old kernels' LOGIN writes "old auid=N new auid=M"
                var word = s[tokStart..i];
                qualifier = word.SequenceEqual("old"u8) ? "old_" : word.SequenceEqual("new"u8) ? "new_" : null;
                continue;
            }
            var key = s[tokStart..i];
            while (key.Length > 0 && key[0] == (byte)'(') key = key[1..];
            i++; // '='
            ReadOnlySpan<byte> value;
            bool quoted = false;
            if (i < s.Length && (s[i] == (byte)'"' || s[i] == (byte)'\''))
            {
                byte q = s[i];
                int close = s[(i + 1)..].IndexOf(q);
                if (close < 0) { value = s[(i + 1)..]; i = s.Length; }
                else { value = s.Slice(i + 1, close); i += close + 2; }
                quoted = true;
                if (q == (byte)'\'' && key.SequenceEqual("msg"u8))
                {
                    ParseKeyValues(value, record, "msg.");
                    continue;
                }
            }
            else
            {
                int start = i;
                while (i < s.Length && s[i] != (byte)' ') i++;
                value = s[start..i];
                // "(hostname=?, addr=?, terminal=cron res=success)": trim the list punctuation, but not the
                // parentheses of values such as tty=(none) or key=(null).
                while (value.Length > 0 && (value[^1] == (byte)',' || (value[^1] == (byte)')' && value.IndexOf((byte)'(') < 0))) value = value[..^1];
            }
            if (key.IsEmpty) continue;
            string k = qualifier is null ? KeyCache.Get(key) : qualifier + KeyCache.Get(key);
            qualifier = null;
            string v = !quoted && IsEncodedField(record.Type, key) && TryHexDecode(value, key.SequenceEqual("proctitle"u8), out string? decoded)
                ? decoded!
                : LogText.Lossless(value);
            if (prefix is not null && record.Get(k) is not null) k = prefix + k;
            else if (prefix is null && record.Get(k) is not null) k = k + "_" + (Count(record, k) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (k == "key" && v.Contains('\u0001'))
            {
                // auditctl joins the keys of several rules that matched one event with \x01 (AUDIT_KEY_SEPARATOR
                // in libaudit.h) and the separator forces hex encoding: one field per key, key, key_2, key_3, ...
                int n = 0;
                foreach (var part in v.Split('\u0001'))
                    if (part.Length > 0) record.Fields.Add(new(n++ == 0 ? "key" : "key_" + (n).ToString(System.Globalization.CultureInfo.InvariantCulture), part));
                continue;
            }
            record.Fields.Add(new(k, v));
            if (k == "saddr" && !quoted) AddSockaddr(value, record);
        }
    }

    /// <summary>
    /// SOCKADDR's saddr is the hex of the struct sockaddr the syscall used (connect/bind/sendto target): decoded
    /// into saddr_family / saddr_addr / saddr_port / saddr_path (layouts from linux/in.h, in6.h, un.h; family in
    /// host byte order, little-endian on the machines auditd runs here; port in network order). Named saddr_* so
    /// a destination is never mistaken for the addr= source of user-space records.
    /// </summary>
    private static void AddSockaddr(ReadOnlySpan<byte> hex, AuditRecord record)
    {
        if (hex.Length < 4 || (hex.Length & 1) != 0) return;
        Span<byte> b = hex.Length <= 512 ? stackalloc byte[hex.Length / 2] : new byte[hex.Length / 2];
        for (int i = 0; i < b.Length; i++)
        {
            if (!LogText.IsHex(hex[2 * i]) || !LogText.IsHex(hex[2 * i + 1])) return;
            b[i] = (byte)(LogText.Hex(hex[2 * i]) << 4 | LogText.Hex(hex[2 * i + 1]));
        }
        int family = b[0] | b[1] << 8;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        switch (family)
        {
            case 2 when b.Length >= 8:
                record.Fields.Add(new("saddr_family", "ipv4"));
                record.Fields.Add(new("saddr_addr", new System.Net.IPAddress(b.Slice(4, 4)).ToString()));
                record.Fields.Add(new("saddr_port", (b[2] << 8 | b[3]).ToString(inv)));
                break;
            case 10 when b.Length >= 24:
                record.Fields.Add(new("saddr_family", "ipv6"));
                record.Fields.Add(new("saddr_addr", new System.Net.IPAddress(b.Slice(8, 16)).ToString()));
                record.Fields.Add(new("saddr_port", (b[2] << 8 | b[3]).ToString(inv)));
                break;
            case 1:
                record.Fields.Add(new("saddr_family", "unix"));
                var path = b[2..];
                int nul = path.Length > 0 && path[0] == 0 ? path[1..].IndexOf((byte)0) + 1 : path.IndexOf((byte)0);
                if (nul > 0) path = path[..nul];
                if (!path.IsEmpty) record.Fields.Add(new("saddr_path", LogText.Lossless(path)));
                break;
            case 16:
                record.Fields.Add(new("saddr_family", "netlink"));
                break;
            default:
                record.Fields.Add(new("saddr_family", family.ToString(inv)));
                break;
        }
    }

    private static int Count(AuditRecord r, string key)
    {
        int n = 0;
        foreach (var kv in r.Fields) if (kv.Key == key || kv.Key.StartsWith(key + "_", StringComparison.Ordinal)) n++;
        return n;
    }

    private static bool IsEncodedField(string type, ReadOnlySpan<byte> key)
    {
        if (key.SequenceEqual("proctitle"u8) || key.SequenceEqual("comm"u8) || key.SequenceEqual("exe"u8) || key.SequenceEqual("cmd"u8)
            || key.SequenceEqual("acct"u8) || key.SequenceEqual("cwd"u8) || key.SequenceEqual("name"u8) || key.SequenceEqual("path"u8)
            || key.SequenceEqual("key"u8) || key.SequenceEqual("data"u8) || key.SequenceEqual("ocomm"u8) || key.SequenceEqual("root_dir"u8)
            || key.SequenceEqual("vm"u8) || key.SequenceEqual("grp"u8) || key.SequenceEqual("new_group"u8) || key.SequenceEqual("file"u8)
            || key.SequenceEqual("dir"u8) || key.SequenceEqual("watch"u8))
            return true;
        // EXECVE arguments a0, a1, ... and chunks of long ones a1[0], a1[1], ... (SYSCALL's a0..a3 are numbers)
        return type == "EXECVE" && key.Length >= 2 && key[0] == (byte)'a' && char.IsAsciiDigit((char)key[1]);
    }

    private static bool TryHexDecode(ReadOnlySpan<byte> v, bool nulToSpace, out string? decoded)
    {
        decoded = null;
        if (v.Length < 2 || (v.Length & 1) != 0) return false;
        foreach (byte b in v)
            if (!(char.IsAsciiDigit((char)b) || b is >= (byte)'A' and <= (byte)'F')) return false;
        byte[] buf = ArrayPool<byte>.Shared.Rent(v.Length / 2);
        try
        {
            int n = v.Length / 2;
            for (int i = 0; i < n; i++) buf[i] = (byte)(LogText.Hex(v[2 * i]) << 4 | LogText.Hex(v[2 * i + 1]));
            var bytes = buf.AsSpan(0, n);
            if (nulToSpace)
            {
                while (bytes.Length > 0 && bytes[^1] == 0) bytes = bytes[..^1];
                bytes.Replace((byte)0, (byte)' ');
            }
            decoded = LogText.Lossless(bytes);
            return true;
        }
        finally { ArrayPool<byte>.Shared.Return(buf); }
    }

    /// <summary>All fields of the records as one JSON object: the first record flat, later ones under <c>_records</c>.</summary>
    public static string FieldsJson(IReadOnlyList<AuditRecord> records)
    {
        // One buffer and writer per thread: parse workers run in parallel, each call finishes before returning.
        var buffer = t_jsonBuffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var w = t_jsonWriter ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        w.Reset(buffer);
        {
            w.WriteStartObject();
            foreach (var kv in records[0].Fields) w.WriteString(kv.Key, kv.Value);
            if (records.Count > 1)
            {
                w.WriteStartArray("_records");
                for (int r = 1; r < records.Count; r++)
                {
                    w.WriteStartObject();
                    w.WriteString("type", records[r].Type);
                    foreach (var kv in records[r].Fields) w.WriteString(kv.Key, kv.Value);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
            w.Flush();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_jsonBuffer;
    [ThreadStatic] private static Utf8JsonWriter? t_jsonWriter;

    /// <summary>Field names repeat on every record: one string per distinct name per thread instead of one per field.</summary>
    private static class KeyCache
    {
        [ThreadStatic] private static Dictionary<int, string>? t_keys;

        public static string Get(ReadOnlySpan<byte> key)
        {
            var keys = t_keys ??= new Dictionary<int, string>();
            var hc = new HashCode();
            hc.AddBytes(key);
            int hash = hc.ToHashCode();
            if (keys.TryGetValue(hash, out var s) && s.Length == key.Length && System.Text.Ascii.Equals(key, s)) return s;
            s = Encoding.ASCII.GetString(key);
            if (keys.Count < 4096) keys[hash] = s;
            return s;
        }
    }
}
