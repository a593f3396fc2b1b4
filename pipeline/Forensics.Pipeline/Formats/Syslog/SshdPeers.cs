using System.Net;
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
    private static readonly long MaxAgeMicros = (long)MaxAge.TotalMicroseconds;
    // Direct-mapped by (host, pid): one memory access per line, no resizing. Two live processes that share a slot
    // only cost the older one its carried address (never a wrong one: the full key is compared). Allocated on
    // the first batch with sshd lines: a collection has thousands of small files.
    private const int SlotBits = 16;
    private long[]? _keys;
    private string?[]? _addresses;
    private long[]? _micros;
    private readonly List<(int Row, string Value)> _addressFills = [], _hostFills = [];
    private readonly List<int> _inherited = [];

    /// <summary>Marks a classified sshd record: it names its peer, or is a connection event that wants one.</summary>
    public static void Mark(ForensicEvent e)
    {
        if (e.Pid is null || e.Process is not { } p || !(p.StartsWith("sshd", StringComparison.Ordinal) || p.StartsWith("[sshd", StringComparison.Ordinal))) return;
        if (!SshdClassifier.IsConnectionEvent(e.Event)) return;
        e.PeerRole = e.SrcIp is not null || e.Get(SshdClassifier.RemoteHost) is not null ? PeerRole.NamesPeer : PeerRole.WantsPeer;
    }

    /// <summary>Carries addresses through one parsed batch (the file's batches arrive in order).</summary>
    public void Apply(EventBatch batch)
    {
        if (!batch.HasPeerRoles) return;
        _addressFills.Clear(); _hostFills.Clear(); _inherited.Clear();
        var remoteHost = batch.Extra(SshdClassifier.RemoteHost) as Utf8BatchColumn;
        var keys = _keys ??= new long[1 << SlotBits];
        var addresses = _addresses ??= new string?[1 << SlotBits];
        var micros = _micros ??= new long[1 << SlotBits];
        var cache = StringCache.Current;
        for (int row = 0; row < batch.Count; row++)
        {
            var role = batch.PeerRole(row);
            if (role == PeerRole.None || batch.Ts.IsNull(row)) continue;
            long key = batch.Pid.Get(row) ^ ((long)HashHost(batch.Host, row) << 32);
            long now = batch.Ts.Get(row);
            int slot = (int)((ulong)(key * unchecked((long)0x9E3779B97F4A7C15)) >> (64 - SlotBits));
            if (role == PeerRole.NamesPeer)
            {
                var own = !batch.SrcIp.IsNull(row) ? cache.Get(batch.SrcIp.GetBytes(row))
                    : remoteHost is not null && row < remoteHost.Rows && !remoteHost.IsNull(row) ? cache.Get(remoteHost.GetBytes(row)) : null;
                if (own is null) continue;
                keys[slot] = key;
                addresses[slot] = own;
                micros[slot] = now;
                continue;
            }
            if (keys[slot] != key || addresses[slot] is not { } known) continue;
            long age = now - micros[slot];
            if (age < 0 || age > MaxAgeMicros) continue;
            micros[slot] = now;
            (IPAddress.TryParse(known, out _) ? _addressFills : _hostFills).Add((row, known));
            _inherited.Add(row);
        }
        if (_inherited.Count == 0) return;
        if (_addressFills.Count > 0) batch.FillText(batch.SrcIp, _addressFills);
        if (_hostFills.Count > 0) batch.FillExtraText(SshdClassifier.RemoteHost, _hostFills);
        batch.SetExtraTrue(SshdClassifier.AddressInherited, _inherited);
    }

    private static int HashHost(Utf8BatchColumn host, int row)
    {
        if (host.IsNull(row)) return 0;
        uint h = 2166136261;
        foreach (byte b in host.GetBytes(row)) h = (h ^ b) * 16777619;
        return (int)h;
    }
}
