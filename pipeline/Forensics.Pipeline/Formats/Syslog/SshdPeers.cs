using Forensics.Pipeline.Formats.Classify;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats.Syslog;

/// <summary>
/// The peer address of each sshd process of one file, in file order, for lines that name none.
/// sshd serves one connection per process, and some of its lines carry no address ("Disconnecting: Too many
/// authentication failures [preauth]", "fatal: Unable to negotiate a key exchange method [preauth]",
/// "error: kex_exchange_identification: …", "fatal: Read from socket failed: …"); fail2ban's filter.d/sshd.conf
/// attributes them to the address an earlier line of the same pid named, and so does this. An address older
/// than <see cref="MaxAge"/> (by the lines' clock) is not carried, so a reused pid does not inherit a stranger's
/// address. The lines are classified with the same classifier the parse workers use, so what counts as "the
/// line's address" cannot differ between the two.
/// </summary>
internal sealed class SshdPeers
{
    /// <summary>How long after a process's last line its address is still carried (sshd's LoginGraceTime is 2 min).</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(1);
    private const int MaxTracked = 1 << 16;

    private readonly Dictionary<long, (string Address, long Seconds)> _byProcess = [];
    private readonly ForensicEvent _scratch = new();

    /// <summary>The address carried to this line, or null (the line names its own, is not sshd's, or nothing is known).</summary>
    public string? Observe(ReadOnlySpan<byte> line)
    {
        if (!SyslogLine.TryParse(line, out var l, out _) || l.Pid < 0 || !IsSshd(l.Tag)) return null;
        long key = l.Pid ^ ((long)HashHost(l.Host) << 32);
        long seconds = ApproxSeconds(l.Time);
        _scratch.Reset(0);
        _scratch.SetMessage(l.Message);
        MessageClassifier.Classify(_scratch, "sshd", _scratch.MessageChars.TrimStart());
        if (!SshdClassifier.IsConnectionEvent(_scratch.Event)) return null;
        var own = _scratch.SrcIp ?? _scratch.Get(SshdClassifier.RemoteHost) as string;
        if (own is not null)
        {
            if (_byProcess.Count >= MaxTracked) _byProcess.Clear();
            _byProcess[key] = (own, seconds);
            return null;
        }
        if (!_byProcess.TryGetValue(key, out var known)) return null;
        long age = seconds - known.Seconds;
        if (age < 0 || age > MaxAge.TotalSeconds) return null;
        _byProcess[key] = (known.Address, seconds);
        return known.Address;
    }

    private static bool IsSshd(ReadOnlySpan<byte> tag) =>
        tag.StartsWith("sshd"u8) || tag.StartsWith("[sshd"u8);

    private static int HashHost(ReadOnlySpan<byte> host)
    {
        uint h = 2166136261;
        foreach (byte b in host) h = (h ^ b) * 16777619;
        return (int)h;
    }

    /// <summary>Seconds on a rough clock (31-day months, no year) that orders the lines of one file closely enough for an age bound.</summary>
    private static long ApproxSeconds(in SyslogTimestamp.Parsed t)
    {
        if (t.HasYear) return t.UtcMicros / 1_000_000;
        return ((((t.Month * 31L) + t.Day) * 24 + t.Hour) * 60 + t.Minute) * 60 + t.Second;
    }
}
