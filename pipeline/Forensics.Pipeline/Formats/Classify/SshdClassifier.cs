using Forensics.Pipeline.Model;
using Forensics.Pipeline.Text;

namespace Forensics.Pipeline.Formats.Classify;

/// <summary>
/// The sshd / sshd-session message catalogue (OpenSSH 7.x–9.x; 9.8 moved per-connection logging to
/// <c>sshd-session</c> with the same texts). Texts come from OpenSSH's auth.c (<c>auth_log</c>: "%s %s%s%s for
/// %s%.100s from %.200s port %d ssh2%s%s"), sshd.c and packet.c (<c>sshpkt_fmt_connection_id</c>: "invalid user
/// X IP port P" / "authenticating user X IP port P"), cross-checked with fail2ban's filter.d/sshd.conf, the
/// de-facto catalogue of failure lines. User names are attacker-chosen and may contain spaces, so the user is
/// everything between the fixed words and the last " from " / the address, never one token.
/// </summary>
public static class SshdClassifier
{
    public static readonly ExtraColumn AuthMethod = new("auth_method", ColumnType.String, "ssh authentication method: password, publickey, keyboard-interactive/pam, none, ...");
    public static readonly ExtraColumn KeyType = new("key_type", ColumnType.String, "public key type of an accepted/failed publickey (RSA, ED25519, ...)");
    public static readonly ExtraColumn KeyFingerprint = new("key_fingerprint", ColumnType.String, "public key fingerprint (SHA256:... or MD5 hex)");
    public static readonly ExtraColumn InvalidUser = new("invalid_user", ColumnType.Bool, "true when sshd said the user does not exist (\"invalid user\")");
    public static readonly ExtraColumn Preauth = new("preauth", ColumnType.Bool, "true for lines sshd tagged [preauth] (before authentication completed)");
    public static readonly ExtraColumn RemoteHost = new("remote_host", ColumnType.String, "remote host name when sshd logged a name instead of an address (UseDNS)");
    public static readonly ExtraColumn DisconnectReason = new("disconnect_reason", ColumnType.String, "reason text of a disconnect / negotiation failure / kex error");

    public static readonly ExtraColumn AddressInherited = new("src_ip_inherited", ColumnType.Bool, "true when the line names no address and src_ip is the one an earlier line of the same sshd process (pid) in the same file named");

    public static readonly ExtraColumn SessionKind = new("ssh_session", ColumnType.String, "what an sshd session ran (LogLevel VERBOSE \"Starting session:\"): shell, command, forced-command, subsystem 'sftp', ...");
    public static readonly ExtraColumn SessionTty = new("ssh_tty", ColumnType.String, "terminal of an sshd session (pts/0); null when it had none (commands, sftp)");

    public static IReadOnlyList<ExtraColumn> Columns { get; } = [AuthMethod, KeyType, KeyFingerprint, InvalidUser, Preauth, RemoteHost, DisconnectReason, AddressInherited, SessionKind, SessionTty];

    /// <summary>
    /// Kinds about one client connection, which may take the address of an earlier line of the same sshd process
    /// (<see cref="AddressInherited"/>); the listener's own lines (listening, terminating, MaxStartups) never do.
    /// </summary>
    public static bool IsConnectionEvent(string kind) =>
        (kind.StartsWith("ssh.", StringComparison.Ordinal) || kind.StartsWith("pam.", StringComparison.Ordinal))
        && kind is not (EventKinds.SshServerListening or EventKinds.SshServerTerminating or EventKinds.SshMaxStartups);

    public static void Classify(ForensicEvent e, ReadOnlySpan<char> message)
    {
        var m = message.Trim();
        if (m.EndsWith(" [preauth]"))
        {
            e.Set(Preauth, true);
            m = m[..^" [preauth]".Length];
        }
        if (m.StartsWith("pam_unix(") || m.StartsWith("PAM ")) { PamClassifier.Classify(e, m); return; }
        // Solaris/illumos prefix "[ID 800047 auth.info] ", then sshd's own severity prefixes.
        if (m.StartsWith("[ID ") && m.IndexOf("] ") is var idEnd and > 0) m = m[(idEnd + 2)..];
        bool fatal = TryStrip(ref m, "fatal: ");
        if (!fatal) TryStrip(ref m, "error: ");

        if (TryStrip(ref m, "PAM: "))
        {
            // "PAM: Authentication failure for X from HOST[ via IP]" (old sshd PAM reporting)
            int forAt = m.IndexOf(" for ");
            if (forAt > 0 && (m.StartsWith("Authentication failure", StringComparison.OrdinalIgnoreCase) || m.StartsWith("Authentication error", StringComparison.OrdinalIgnoreCase) || m.StartsWith("User not known")))
            {
                var rest = m[(forAt + 5)..];
                int via = rest.IndexOf(" via ");
                if (via > 0) rest = rest[..via];
                bool invalid = TryStrip(ref rest, "illegal user ") || TryStrip(ref rest, "invalid user ");
                UserFromAddress(e, rest, invalid);
                e.Set(AuthMethod, "pam");
                e.Event = EventKinds.SshFailedOther;
            }
            return;
        }
        if (TryStrip(ref m, "input_userauth_request: invalid user ")) { e.User = StringCache.Current.Get(m); e.Set(InvalidUser, true); e.Event = EventKinds.SshInvalidUser; return; }
        if (TryStrip(ref m, "ROOT LOGIN REFUSED FROM "))
        {
            e.User = "root";
            AddressPort(e, m);
            e.Event = EventKinds.SshUserNotAllowed;
            return;
        }
        if (m.StartsWith("Unable to negotiate a key exchange method") || m.StartsWith("no matching ")) { e.Set(DisconnectReason, m.ToString()); e.Event = EventKinds.SshNegotiationFailed; return; }
        // "fatal: Read from socket failed: …" (OpenSSH < 7.x) and "fatal: Write failed: …": no address in the
        // line; the syslog framer supplies the one the same sshd process named before.
        if (m.StartsWith("Read from socket failed: Connection reset by peer") || m.StartsWith("Write failed: Connection reset by peer")) { e.Event = EventKinds.SshConnectionReset; return; }
        if (TryStrip(ref m, "Starting session: "))
        {
            // session.c (LogLevel VERBOSE): "Starting session: shell on pts/0 for root from IP port P id 0",
            // "… command for root from …", "… subsystem 'sftp' for …": only a session "on" a tty writes wtmp.
            int forAt = m.IndexOf(" for ");
            if (forAt <= 0) return;
            var what = m[..forAt];
            int on = what.LastIndexOf(" on ");
            if (on > 0) { e.Set(SessionTty, StringCache.Current.Get(what[(on + 4)..])); what = what[..on]; }
            e.Set(SessionKind, StringCache.Current.Get(what));
            var rest = m[(forAt + 5)..];
            int id = rest.LastIndexOf(" id ");
            UserFromAddress(e, id > 0 ? rest[..id] : rest, invalid: false);
            e.Event = EventKinds.SshSessionStarted;
            return;
        }
        if (TryStrip(ref m, "subsystem request for "))
        {
            // session.c (INFO): "subsystem request for sftp by user alice" — a session without a terminal.
            int by = m.IndexOf(" by user ");
            if (by > 0)
            {
                e.Set(SessionKind, "subsystem '" + m[..by].ToString() + "'");
                e.User = StringCache.Current.Get(m[(by + 9)..].Trim());
                e.Event = EventKinds.SshSessionStarted;
            }
            return;
        }
        if (TryStrip(ref m, "SSH: Server;Ltype: "))
        {
            // Connection records of some vendor sshd builds (seen in fail2ban's sshd test log):
            // "SSH: Server;Ltype: Version|Kex|Authname;Remote: ADDR-PORT;…[;Name: USER]".
            int remote = m.IndexOf(";Remote: ");
            if (remote >= 0)
            {
                var r = m[(remote + 9)..];
                int semi = r.IndexOf(';');
                if (semi >= 0) r = r[..semi];
                int dash = r.LastIndexOf('-');
                SetAddress(e, dash > 0 ? r[..dash] : r);
                if (dash > 0 && int.TryParse(r[(dash + 1)..], out int port)) e.SrcPort = port;
            }
            if (m.StartsWith("Authname;") && m.IndexOf(";Name: ") is var name and >= 0) e.User = StringCache.Current.Get(m[(name + 7)..]);
            e.Event = EventKinds.SshConnectionInfo;
            return;
        }
        if (TryStrip(ref m, "refused connect from "))
        {
            // TCP wrappers (libwrap): "refused connect from NAME (ADDR)"; NAME may be "user@host" chosen by the peer.
            int open = m.LastIndexOf(" (");
            if (open >= 0 && m.EndsWith(")")) SetAddress(e, m[(open + 2)..^1]);
            e.Event = EventKinds.SshConnectionRefused;
            return;
        }
        if (TryStrip(ref m, "ssh_dispatch_run_fatal: Connection from "))
        {
            int colon = m.IndexOf(": ");
            AddressPort(e, colon >= 0 ? m[..colon] : m);
            if (colon >= 0) e.Set(DisconnectReason, m[(colon + 2)..].ToString());
            e.Event = EventKinds.SshKexError;
            return;
        }

        if (TryStrip(ref m, "Invalid user ")) { UserFromAddress(e, m, invalid: true); e.Event = EventKinds.SshInvalidUser; return; }
        if (TryStrip(ref m, "Failed ")) { AuthResult(e, m, accepted: false); return; }
        if (TryStrip(ref m, "Accepted ")) { AuthResult(e, m, accepted: true); return; }
        if (TryStrip(ref m, "Connection closed by ")) { ConnectionId(e, m); e.Event = EventKinds.SshConnectionClosed; return; }
        if (TryStrip(ref m, "Connection reset by ")) { ConnectionId(e, m); e.Event = EventKinds.SshConnectionReset; return; }
        if (TryStrip(ref m, "Disconnected from ")) { ConnectionId(e, m); e.Event = EventKinds.SshDisconnected; return; }
        if (TryStrip(ref m, "Disconnecting: "))
        {
            // Old sshd: "Disconnecting: Too many authentication failures[ for X]"
            int forAt = m.IndexOf(" for ");
            if (forAt > 0) e.User = StringCache.Current.Get(m[(forAt + 5)..]);
            e.Set(DisconnectReason, (forAt > 0 ? m[..forAt] : m).ToString());
            e.Event = m.StartsWith("Too many authentication failures") ? EventKinds.SshTooManyFailures : EventKinds.SshDisconnected;
            return;
        }
        if (TryStrip(ref m, "Disconnecting "))
        {
            int colon = m.IndexOf(": ");
            var reason = colon >= 0 ? m[(colon + 2)..] : default;
            if (colon >= 0) ConnectionId(e, m[..colon]);
            if (!reason.IsEmpty) e.Set(DisconnectReason, reason.ToString());
            e.Event = reason.Contains("Too many authentication failures", StringComparison.Ordinal) ? EventKinds.SshTooManyFailures : EventKinds.SshDisconnected;
            return;
        }
        if (TryStrip(ref m, "Received disconnect from "))
        {
            // "IP port P:11: Bye Bye" (code and text after the address)
            // New: "IP port P:11: text"; old: "IP: 3: text" (IPv6 addresses contain ':', so find ": " first)
            int portAt = m.IndexOf(" port ");
            int colon = portAt >= 0 ? m[portAt..].IndexOf(':') is var c and >= 0 ? c + portAt : -1 : m.IndexOf(": ");
            AddressPort(e, colon >= 0 ? m[..colon] : m);
            if (colon >= 0) e.Set(DisconnectReason, m[(colon + 1)..].Trim().ToString());
            e.Event = EventKinds.SshReceivedDisconnect;
            return;
        }
        if (m.StartsWith("maximum authentication attempts exceeded for "))
        {
            var rest = m[(m.IndexOf(" for ") + 5)..];
            if (rest.EndsWith(" ssh2")) rest = rest[..^5];
            bool invalid = TryStrip(ref rest, "invalid user ");
            UserFromAddress(e, rest, invalid);
            e.Event = EventKinds.SshTooManyFailures;
            return;
        }
        if (TryStrip(ref m, "Unable to negotiate with "))
        {
            int colon = m.IndexOf(": ");
            AddressPort(e, colon >= 0 ? m[..colon] : m);
            if (colon >= 0) e.Set(DisconnectReason, m[(colon + 2)..].ToString());
            e.Event = EventKinds.SshNegotiationFailed;
            return;
        }
        if (m.Contains("kex_exchange_identification", StringComparison.Ordinal) || m.Contains("kex_protocol_error", StringComparison.Ordinal)
            || m.StartsWith("banner exchange: "))
        {
            // "banner exchange: Connection from IP port P: invalid format"
            int from = m.IndexOf("Connection from ");
            if (from >= 0)
            {
                var rest = m[(from + "Connection from ".Length)..];
                int colon = rest.IndexOf(": ");
                AddressPort(e, colon >= 0 ? rest[..colon] : rest);
            }
            int reasonAt = m.LastIndexOf(": ");
            if (reasonAt >= 0) e.Set(DisconnectReason, m[(reasonAt + 2)..].ToString());
            e.Event = EventKinds.SshKexError;
            return;
        }
        if (TryStrip(ref m, "Did not receive identification string from ")) { AddressPort(e, m); e.Event = EventKinds.SshNoIdentification; return; }
        if (TryStrip(ref m, "Bad protocol version identification "))
        {
            int from = m.LastIndexOf(" from ");
            if (from >= 0) AddressPort(e, m[(from + 6)..]);
            e.Event = EventKinds.SshBadProtocol;
            return;
        }
        if (TryStrip(ref m, "User "))
        {
            int notAllowed = m.IndexOf(" not allowed because ");
            if (notAllowed > 0)
            {
                var who = m[..notAllowed];
                int from = who.LastIndexOf(" from ");
                e.User = StringCache.Current.Get(from > 0 ? who[..from] : who);
                if (from > 0) AddressPort(e, who[(from + 6)..]);
                e.Set(DisconnectReason, m[(notAllowed + 1)..].ToString());
                e.Event = EventKinds.SshUserNotAllowed;
            }
            return;
        }
        if (TryStrip(ref m, "Connection from "))
        {
            int on = m.IndexOf(" on ");
            AddressPort(e, on >= 0 ? m[..on] : m);
            e.Event = EventKinds.SshConnection;
            return;
        }
        if (m.StartsWith("Timeout before authentication for "))
        {
            // "… for IP port P" (OpenSSH) or "… for connection from IP to IP, pid = N" (some distributions' sshd)
            var who = m[(m.IndexOf(" for ") + 5)..];
            TryStrip(ref who, "connection from ");
            AddressPort(e, who);
            e.Event = EventKinds.SshAuthTimeout;
            return;
        }
        if (m.StartsWith("Server listening on ")) { e.Event = EventKinds.SshServerListening; return; }
        if (m.StartsWith("Received signal ") && m.EndsWith("terminating.")) { e.Event = EventKinds.SshServerTerminating; return; }
        if (m.StartsWith("drop connection #") || m.Contains("MaxStartups", StringComparison.Ordinal))
        {
            int open = m.IndexOf("from [");
            if (open >= 0)
            {
                var rest = m[(open + 6)..];
                int close = rest.IndexOf(']');
                if (close > 0) SetAddress(e, rest[..close]);
                if (close > 0 && rest.Length > close + 2 && rest[close + 1] == ':' && int.TryParse(TakeDigits(rest[(close + 2)..]), out int p)) e.SrcPort = p;
            }
            e.Event = EventKinds.SshMaxStartups;
            return;
        }
        if (m.StartsWith("reverse mapping checking getaddrinfo for ") || (m.StartsWith("Address ") && m.Contains(" maps to ", StringComparison.Ordinal)))
        {
            int open = m.IndexOf('[');
            int close = m.IndexOf(']');
            if (open >= 0 && close > open) SetAddress(e, m[(open + 1)..close]);
            else if (m.StartsWith("Address ")) SetAddress(e, m[8..m.IndexOf(" maps to ")]);
            e.Event = EventKinds.SshReverseMappingFailed;
        }
    }

    private static void AuthResult(ForensicEvent e, ReadOnlySpan<char> m, bool accepted)
    {
        // "{method} for [invalid user ]{user} from {ip} port {port} ssh2[: {info}]"; user and info are attacker
        // text (info: key type and fingerprint, "client user …" of hostbased, "ruser …" of SSH-1 rhosts).
        int forAt = m.IndexOf(" for ");
        if (forAt <= 0) return;
        var method = m[..forAt];
        var rest = m[(forAt + 5)..];
        bool invalid = TryStrip(ref rest, "invalid user ");
        int from = AddressClause(rest, infoMayFollow: true, out int clauseEnd);
        if (from >= 0)
        {
            e.User = StringCache.Current.Get(rest[..from]);
            AddressPort(e, rest[(from + 6)..clauseEnd]);
            e.Set(InvalidUser, invalid);
        }
        else UserFromAddress(e, rest, invalid);
        e.Set(AuthMethod, StringCache.Current.Get(method));
        var tail = from >= 0 ? rest[clauseEnd..] : default;
        if (tail.StartsWith(": "))
        {
            var key = tail[2..];
            int sp = key.IndexOf(' ');
            if (sp > 0)
            {
                e.Set(KeyType, StringCache.Current.Get(key[..sp]));
                e.Set(KeyFingerprint, key[(sp + 1)..].Trim().ToString());
            }
        }
        bool password = method.SequenceEqual("password"), publickey = method.SequenceEqual("publickey");
        e.Event = accepted
            ? password ? EventKinds.SshAcceptedPassword : publickey ? EventKinds.SshAcceptedPublickey : EventKinds.SshAcceptedOther
            : password ? EventKinds.SshFailedPassword : publickey ? EventKinds.SshFailedPublickey : EventKinds.SshFailedOther;
    }

    /// <summary>
    /// Where sshd's " from ADDR[ port P][ sshN]" clause starts in "{user} from …[: {info}]", or -1.
    /// <paramref name="clauseEnd"/> is where the clause ends (at the info's ": " or the end). The user before
    /// and the info after may both hold a fake clause; the real one is the first followed by the ": " that
    /// introduces the info, else the last one that ends the line, else the last address after " from ". This
    /// resolves the injection lines of fail2ban's sshd test log (filter.d/sshd.conf) as fail2ban does.
    /// </summary>
    private static int AddressClause(ReadOnlySpan<char> m, bool infoMayFollow, out int clauseEnd)
    {
        int lastAtEnd = -1, lastAny = -1, lastAnyEnd = -1;
        clauseEnd = -1;
        for (int search = 0; search < m.Length;)
        {
            int idx = m[search..].IndexOf(" from ");
            if (idx < 0) break;
            int at = search + idx;
            search = at + 1;
            var after = m[(at + 6)..];
            int sp = after.IndexOf(' ');
            var address = sp < 0 ? after : after[..sp];
            // "from ADDR: …" (a clause ended by the info separator without a port); "2001:db8::" keeps its colons
            if (address.EndsWith(":") && !AddressText.IsAddress(address)) address = address[..^1];
            int end = at + 6 + address.Length;
            bool hasPort = false;
            if (m[end..].StartsWith(" port ") && TakeDigits(m[(end + 6)..]) is { Length: > 0 } digits) { end += 6 + digits.Length; hasPort = true; }
            if (m[end..].StartsWith(" ssh") && end + 5 <= m.Length && char.IsAsciiDigit(m[end + 4])) end += 5;
            if (address.IsEmpty || !(hasPort || AddressText.IsAddress(Unmapped(address)))) continue;
            var tail = m[end..];
            if (infoMayFollow && hasPort && tail.StartsWith(": ")) { clauseEnd = end; return at; }
            if (tail.IsEmpty) { lastAtEnd = at; clauseEnd = end; }
            lastAny = at;
            lastAnyEnd = end;
        }
        if (lastAtEnd >= 0) return lastAtEnd;
        clauseEnd = lastAnyEnd;
        return lastAny;
    }

    /// <summary>"{user} from {ip}[ port {port}]" — the user is everything before the last " from ".</summary>
    private static void UserFromAddress(ForensicEvent e, ReadOnlySpan<char> m, bool invalid)
    {
        int from = AddressClause(m, infoMayFollow: false, out _);
        if (from < 0) from = m.LastIndexOf(" from ");
        if (from < 0)
        {
            if (m.StartsWith("from ")) { e.User = string.Empty; AddressPort(e, m[5..]); }
            else e.User = StringCache.Current.Get(m);
        }
        else
        {
            e.User = StringCache.Current.Get(m[..from]);
            AddressPort(e, m[(from + 6)..]);
        }
        e.Set(InvalidUser, invalid);
    }

    /// <summary>sshd's connection id: "[invalid user X |authenticating user X |user X ]IP port P".</summary>
    private static void ConnectionId(ForensicEvent e, ReadOnlySpan<char> m)
    {
        bool invalid = TryStrip(ref m, "invalid user ");
        bool named = invalid || TryStrip(ref m, "authenticating user ") || TryStrip(ref m, "user ");
        if (named)
        {
            // The address is the second-to-last token before " port P" (user names may contain spaces).
            int port = m.LastIndexOf(" port ");
            var beforePort = port >= 0 ? m[..port] : m;
            int sp = beforePort.LastIndexOf(' ');
            if (sp >= 0)
            {
                e.User = StringCache.Current.Get(beforePort[..sp]);
                AddressPort(e, m[(sp + 1)..]);
            }
            else AddressPort(e, m);
            e.Set(InvalidUser, invalid);
        }
        else AddressPort(e, m);
    }

    /// <summary>"IP port P" or "IP" (possibly followed by more text after the port number).</summary>
    private static void AddressPort(ForensicEvent e, ReadOnlySpan<char> m)
    {
        m = m.Trim();
        int port = m.IndexOf(" port ");
        var address = port >= 0 ? m[..port] : m;
        int sp = address.IndexOf(' ');
        if (sp >= 0) address = address[..sp];
        SetAddress(e, address);
        if (port >= 0 && int.TryParse(TakeDigits(m[(port + 6)..]), out int p)) e.SrcPort = p;
    }

    internal static void SetAddress(ForensicEvent e, ReadOnlySpan<char> address)
    {
        if (address.IsEmpty) return;
        // "::ffff:1.2.3.4" (an IPv4 peer on a dual-stack socket) is the IPv4 address other sources name.
        address = Unmapped(address);
        if (AddressText.IsAddress(address)) e.SetSrcIp(address);
        else e.Set(RemoteHost, StringCache.Current.Get(address));
    }

    private static ReadOnlySpan<char> Unmapped(ReadOnlySpan<char> address) =>
        address.StartsWith("::ffff:", StringComparison.OrdinalIgnoreCase) && address[7..].Contains('.') ? address[7..] : address;

    private static ReadOnlySpan<char> TakeDigits(ReadOnlySpan<char> s)
    {
        int i = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
        return s[..i];
    }

    internal static bool TryStrip(ref ReadOnlySpan<char> s, string prefix)
    {
        if (!s.StartsWith(prefix, StringComparison.Ordinal)) return false;
        s = s[prefix.Length..];
        return true;
    }
}
