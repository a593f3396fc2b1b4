using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats.Classify;

/// <summary>
/// Classifies a log message by the program that wrote it, whatever carried it (syslog file, journal, journal
/// text): sshd lines in the journal give the same events as in auth.log. Formats call this after filling the
/// spine, and declare <see cref="Columns"/> among their extra columns.
/// </summary>
public static class MessageClassifier
{
    public static readonly ExtraColumn RepeatCount = new("repeat_count", ColumnType.Int32,
        "times the record occurred when the syslog daemon folded repeats into this one line (rsyslog \"message repeated N times: [ … ]\"); null means once; counts sum coalesce(repeat_count, 1)");

    public static IReadOnlyList<ExtraColumn> Columns { get; } =
        [RepeatCount, .. SshdClassifier.Columns, .. SystemdClassifier.Columns, .. AuditRecordClassifier.Columns];

    /// <summary>Sets <c>event</c>, <c>user</c>, <c>src_ip</c>, <c>src_port</c>, <c>unit</c> and classifier columns when recognised.</summary>
    /// <param name="process">The syslog identifier / program name (e.g. <c>sshd</c>, <c>sshd-session</c>, <c>systemd</c>, <c>audit</c>).</param>
    public static void Classify(ForensicEvent e, ReadOnlySpan<char> process, ReadOnlySpan<char> message)
    {
        // Some syslog daemons bracket the tag ("[sshd]: User root from ..."); the program is what is inside.
        if (process.Length > 2 && process[0] == '[' && process[^1] == ']') process = process[1..^1];
        if (process.IsEmpty) return;
        // rsyslog's repeat folding (RepeatedMsgReduction): the inner message is the record, N times.
        if (TryUnwrapRepeat(message, out int times, out var inner))
        {
            e.Set(RepeatCount, times);
            message = inner;
        }
        // Old Linux-PAM tags name the module: "sshd(pam_unix)[101]: authentication failure; …"
        int module = process.IndexOf("(pam_");
        if (module > 0 && process[^1] == ')')
        {
            PamClassifier.Classify(e, message);
            return;
        }
        // A PAM module's line reads the same whatever program loaded it (sshd, su, sudo, cron, login, systemd).
        if (message.StartsWith("pam_") && message.IndexOf("): ") is var close and > 0 && message[..close].IndexOf('(') > 0
            && !process.StartsWith("sshd"))
        {
            PamClassifier.Classify(e, message);
            return;
        }
        if (process.SequenceEqual("sshd") || process.SequenceEqual("sshd-session") || process.StartsWith("sshd"))
            SshdClassifier.Classify(e, message);
        else if (process.SequenceEqual("systemd") || process.SequenceEqual("systemd-logind") || process.SequenceEqual("init"))
            SystemdClassifier.Classify(e, process, message);
        else if (process.SequenceEqual("audit") || process.SequenceEqual("kernel") && message.StartsWith("audit:"))
            AuditRecordClassifier.Classify(e, message);
        else if (process.SequenceEqual("sudo") || process.SequenceEqual("su") || process.StartsWith("pam"))
            PamClassifier.Classify(e, message);
    }

    /// <summary>"message repeated N times: [ INNER]" (rsyslog; the space after '[' is rsyslog's).</summary>
    public static bool TryUnwrapRepeat(ReadOnlySpan<char> message, out int times, out ReadOnlySpan<char> inner)
    {
        times = 0;
        inner = default;
        const string prefix = "message repeated ";
        if (!message.StartsWith(prefix, StringComparison.Ordinal)) return false;
        var rest = message[prefix.Length..];
        int digits = 0;
        while (digits < rest.Length && char.IsAsciiDigit(rest[digits])) digits++;
        if (digits == 0 || !int.TryParse(rest[..digits], out times) || times <= 0) return false;
        rest = rest[digits..];
        if (!rest.StartsWith(" times: [", StringComparison.Ordinal) || !rest.EndsWith("]")) return false;
        inner = rest[" times: [".Length..^1].Trim();
        return true;
    }
}
