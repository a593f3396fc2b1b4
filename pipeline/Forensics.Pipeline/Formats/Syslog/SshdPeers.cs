using System.Text;
using Forensics.Pipeline.Formats.Classify;
using Forensics.Pipeline.Model;
using Forensics.Pipeline.Text;

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

    /// <summary>
    /// A remembered peer: a canonical IPv4 address packed in <see cref="IPv4"/> (no string: most lines name one and
    /// most are never carried), otherwise its text; <see cref="IsHost"/> for a host name (UseDNS) rather than an address.
    /// </summary>
    private readonly record struct Peer(uint IPv4, string? Text, bool IsHost)
    {
        public string Render() => Text ?? AddressText.FormatIPv4(IPv4);
    }

    // Not pre-sized: one instance per syslog file, and a collection has thousands of small files.
    private readonly Dictionary<long, (Peer Peer, long Micros)> _byProcess = [];
    private readonly List<(int Row, string Value)> _addresses = [], _hosts = [];
    private readonly List<int> _inherited = [];

    /// <summary>Marks a classified sshd record: it names its peer, or is a connection event that wants one.</summary>
    public static void Mark(ForensicEvent e)
    {
        if (e.Pid is null || e.Process is not { } p || !(p.StartsWith("sshd", StringComparison.Ordinal) || p.StartsWith("[sshd", StringComparison.Ordinal))) return;
        if (!SshdClassifier.IsConnectionEvent(e.Event)) return;
        bool hasAddress = e.HasSrcIp;
        var name = hasAddress ? null : e.Get(SshdClassifier.RemoteHost) as string;
        e.PeerRole = hasAddress || name is not null ? PeerRole.NamesPeer : PeerRole.WantsPeer;
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
                Peer peer;
                if (p.SrcIpValue >= 0)
                {
                    var bytes = batch.SrcIp.ValueBytes(p.SrcIpValue);
                    peer = AddressText.IsCanonicalIPv4(bytes, out uint v4) ? new Peer(v4, null, false) : new Peer(0, Encoding.UTF8.GetString(bytes), false);
                }
                else if (p.PeerName is { } name) peer = new Peer(0, name, true);
                else continue;
                if (_byProcess.Count >= MaxTracked) _byProcess.Clear();
                _byProcess[p.ProcessKey] = (peer, p.Micros);
                continue;
            }
            if (!_byProcess.TryGetValue(p.ProcessKey, out var known)) continue;
            long age = p.Micros - known.Micros;
            if (age < 0 || age > (long)MaxAge.TotalMicroseconds) continue;
            _byProcess[p.ProcessKey] = (known.Peer, p.Micros);
            (known.Peer.IsHost ? _hosts : _addresses).Add((p.Row, known.Peer.Render()));
            _inherited.Add(p.Row);
        }
        if (_inherited.Count == 0) return;
        if (_addresses.Count > 0) batch.FillText(batch.SrcIp, _addresses);
        if (_hosts.Count > 0) batch.FillExtraText(SshdClassifier.RemoteHost, _hosts);
        batch.SetExtraTrue(SshdClassifier.AddressInherited, _inherited);
    }
}
