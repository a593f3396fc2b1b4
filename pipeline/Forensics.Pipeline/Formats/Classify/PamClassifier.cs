using Forensics.Pipeline.Model;
using Forensics.Pipeline.Text;

namespace Forensics.Pipeline.Formats.Classify;

/// <summary>
/// Linux-PAM module lines ("pam_unix(sshd:auth): authentication failure; … rhost=IP  user=X", "session opened for
/// user X(uid=0) by (uid=0)"), whatever program loaded the module (sshd, su, sudo, cron, login, systemd), the old
/// tag style that names the module in the tag ("sshd(pam_unix)[101]: check pass; user unknown"), sshd's
/// "PAM N more authentication failures", and sudo's command summaries. Texts: Linux-PAM's pam_unix
/// (pam_unix_auth.c, pam_unix_sess.c) and sudo's log format.
/// </summary>
public static class PamClassifier
{
    public static void Classify(ForensicEvent e, ReadOnlySpan<char> message)
    {
        var m = message.Trim();
        int close = m.IndexOf("): ");
        if (m.StartsWith("pam_") && close > 0) m = m[(close + 3)..];
        if (SshdClassifier.TryStrip(ref m, "session opened for user "))
        {
            // "root(uid=0) by (uid=0)" (Linux-PAM ≥ 1.5) or "root by (uid=0)" (older)
            int end = m.IndexOf(" by ");
            var user = end >= 0 ? m[..end] : m;
            int paren = user.IndexOf("(uid=");
            if (paren > 0) user = user[..paren];
            e.User = StringCache.Current.Get(user);
            e.Event = EventKinds.PamSessionOpened;
            return;
        }
        if (SshdClassifier.TryStrip(ref m, "session closed for user ")) { e.User = StringCache.Current.Get(m.Trim()); e.Event = EventKinds.PamSessionClosed; return; }
        if (m.StartsWith("authentication failure;")) { PamKeyValues(e, m); e.Event = EventKinds.PamAuthFailure; return; }
        if (m.StartsWith("check pass; user unknown")) { e.Event = EventKinds.PamCheckPassUnknownUser; return; }
        if (m.StartsWith("PAM ") && m.Contains(" more authentication failure", StringComparison.Ordinal)) { PamKeyValues(e, m); e.Event = EventKinds.PamMoreFailures; return; }
        int command = m.IndexOf(" ; COMMAND=");
        if (command > 0 && m.IndexOf(" : ") is var colon and > 0 && colon < command)
        {
            e.User = StringCache.Current.Get(m[..colon].Trim());
            e.Event = EventKinds.SudoCommand;
        }
    }

    private static void PamKeyValues(ForensicEvent e, ReadOnlySpan<char> m)
    {
        // "...; logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4  user=root" — values never contain spaces except user
        int rhost = m.IndexOf("rhost=");
        if (rhost >= 0)
        {
            var v = m[(rhost + 6)..];
            int sp = v.IndexOf(' ');
            if (sp >= 0) v = v[..sp];
            if (!v.IsEmpty) SshdClassifier.SetAddress(e, v);
        }
        int user = m.IndexOf(" user=");
        if (user >= 0)
        {
            var v = m[(user + 6)..].Trim();
            if (!v.IsEmpty) e.User = StringCache.Current.Get(v);
        }
    }
}
