using System.Net;
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
/// address.
/// It runs after parsing, on each parsed batch in file order (<see cref="ILogFormat.InOrder"/>): the parse
/// workers already classified every line and marked the ones that name a peer or want one
/// (<see cref="ForensicEvent.PeerRole"/>), so this pass only reads host, pid, time and address of those rows and
/// fills the few that want one. (Classifying in the framer instead cost ~1 µs per line on the one framing thread.)
/// </summary>
internal sealed class SshdPeers
{
    /// <summary>How long after a process's last line its address is still carried (sshd's LoginGraceTime is 2 min).</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(1);
    private const int MaxTracked = 1 << 16;

    // Not pre-sized: one instance per syslog file, and a collection has thousands of small files.
    private readonly Dictionary<long, (string Address, long Micros)> _byProcess = [];
    private readonly List<(int Row, string Value)> _addresses = [], _hosts = [];
    private readonly List<int> _inherited = [];

    /// <summary>Marks a classified sshd record: it names its peer, or is a connection event that wants one.</summary>
    public static void Mark(ForensicEvent e)
    {
        if (e.Pid is null || e.Process is not { } p || !(p.StartsWith("sshd", StringComparison.Ordinal) || p.StartsWith("[sshd", StringComparison.Ordinal))) return;
        if (!SshdClassifier.IsConnectionEvent(e.Event)) return;
        var name = e.SrcIp is null ? e.Get(SshdClassifier.RemoteHost) as string : null;
        e.PeerRole = e.SrcIp is not null || name is not null ? PeerRole.NamesPeer : PeerRole.WantsPeer;
        e.PeerName = name;
    }

    /// <summary>Carries addresses through one parsed batch (the file's batches arrive in order).</summary>
    public void Apply(EventBatch batch)
    {
        if (!batch.HasPeerRoles) return;
        _addresses.Clear(); _hosts.Clear(); _inherited.Clear();
        // Only the marked rows, with key and address the parse workers already worked out: this pass runs on
        // the one write thread, so it must cost next to nothing per row.
        foreach (var p in batch.PeerRows)
        {
            if (p.Role == PeerRole.NamesPeer)
            {
                if (p.Address is null) continue;
                if (_byProcess.Count >= MaxTracked) _byProcess.Clear();
                _byProcess[p.ProcessKey] = (p.Address, p.Micros);
                continue;
            }
            if (!_byProcess.TryGetValue(p.ProcessKey, out var known)) continue;
            long age = p.Micros - known.Micros;
            if (age < 0 || age > (long)MaxAge.TotalMicroseconds) continue;
            _byProcess[p.ProcessKey] = (known.Address, p.Micros);
            (IPAddress.TryParse(known.Address, out _) ? _addresses : _hosts).Add((p.Row, known.Address));
            _inherited.Add(p.Row);
        }
        if (_inherited.Count == 0) return;
        if (_addresses.Count > 0) batch.FillText(batch.SrcIp, _addresses);
        if (_hosts.Count > 0) batch.FillExtraText(SshdClassifier.RemoteHost, _hosts);
        batch.SetExtraTrue(SshdClassifier.AddressInherited, _inherited);
    }
}
