using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Forensics.Pipeline.Formats.Classify;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats.Syslog;

/// <summary>
/// The peer address of sshd lines that name none, from the earlier lines of the same sshd process in the file.
/// sshd serves one connection per process, and some of its lines carry no address ("Disconnecting: Too many
/// authentication failures [preauth]", "fatal: Unable to negotiate a key exchange method [preauth]",
/// "error: kex_exchange_identification: …", "fatal: Read from socket failed: …"); fail2ban's filter.d/sshd.conf
/// attributes them to the address an earlier line of the same pid named, and so does this.
/// <para>
/// The framer (<see cref="Carry"/>, in file order, no classification) remembers per pid and host the newest line
/// that holds an IP address, and hands its message to the next lines of that process that hold none, if the
/// process's previous line is younger than <see cref="MaxAge"/> (a reused pid must not inherit a stranger's
/// address). A parse worker looks at it only when its own line is a connection event without an address
/// (<see cref="Resolve"/>, rare) and classifies it with the same classifier, so what counts as "the line's
/// address" is the same everywhere.
/// </para>
/// </summary>
internal sealed class SshdPeers : IDisposable
{
    /// <summary>How long after a process's previous line its address is still carried (sshd's LoginGraceTime is 2 min).</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(1);
    private const int MaxTracked = 1 << 16;
    private const int MaxMessage = 1024;
    private const int ArenaSize = 1 << 22;

    /// <summary>Where a process's newest address line lies in the arena (absolute position), and when it last wrote.</summary>
    private struct Process
    {
        public long Position;
        public int Length;
        public long Seconds;
    }

    private readonly Dictionary<long, Process> _byProcess = [];
    // Remembered messages, appended in a ring: no allocation per process. An entry the ring has overwritten since
    // (older than ArenaSize bytes of remembered lines) is treated as forgotten. Rented at the first sshd line with
    // an address and returned by Dispose, so files without sshd lines cost nothing.
    private byte[]? _arena;
    private long _written;

    public void Dispose()
    {
        if (_arena is not null) ArrayPool<byte>.Shared.Return(_arena);
        _arena = null;
    }

    /// <summary>Framer side: for a line without an IP address, writes the message of its process's newest line with one; remembers lines with one.</summary>
    public void Carry(ReadOnlySpan<byte> line, ArrayBufferWriter<byte> carried)
    {
        if (!SyslogLine.TryParse(line, out var l, out _) || l.Pid < 0 || !IsSshd(l.Tag)) return;
        long key = l.Pid ^ ((long)HashHost(l.Host) << 32);
        long seconds = ApproxSeconds(l.Time);
        bool hasAddress = HoldsIpAddress(l.Message);
        if (!hasAddress)
        {
            ref var known = ref CollectionsMarshal.GetValueRefOrNullRef(_byProcess, key);
            if (Unsafe.IsNullRef(ref known)) return;
            long age = seconds - known.Seconds;
            known.Seconds = seconds;
            // A reused pid or out-of-order lines: forget; an entry the ring overwrote is gone.
            if (age < 0 || age > (long)MaxAge.TotalSeconds || known.Position < _written - ArenaSize) { known.Length = 0; return; }
            if (known.Length > 0 && _arena is not null) carried.Write(_arena.AsSpan((int)(known.Position % ArenaSize), known.Length));
            return;
        }
        if (_byProcess.Count >= MaxTracked) _byProcess.Clear();
        _arena ??= ArrayPool<byte>.Shared.Rent(ArenaSize);
        var message = l.Message.Length > MaxMessage ? l.Message[..MaxMessage] : l.Message;
        int at = (int)(_written % ArenaSize);
        if (at + message.Length > ArenaSize) { _written += ArenaSize - at; at = 0; } // keep each message contiguous
        message.CopyTo(_arena.AsSpan(at));
        ref var p = ref CollectionsMarshal.GetValueRefOrAddDefault(_byProcess, key, out _);
        p.Position = _written;
        p.Length = message.Length;
        p.Seconds = seconds;
        _written += message.Length;
    }

    [ThreadStatic] private static ForensicEvent? t_scratch;

    /// <summary>Worker side: the address the carried line names (when it is about a connection), or null.</summary>
    public static string? Resolve(ReadOnlySpan<byte> carried)
    {
        var scratch = t_scratch ??= new ForensicEvent();
        scratch.Reset(0);
        scratch.SetMessage(carried);
        MessageClassifier.Classify(scratch, "sshd", scratch.MessageChars.TrimStart());
        return SshdClassifier.IsConnectionEvent(scratch.Event) ? scratch.SrcIp ?? scratch.Get(SshdClassifier.RemoteHost) as string : null;
    }

    /// <summary>
    /// Whether the text holds something shaped like an IPv4 (d.d.d.d) or IPv6 (h:h:…, "::") address: a cheap
    /// stand-in for "the classifier finds an address here", used only to decide what to remember and carry.
    /// </summary>
    internal static bool HoldsIpAddress(ReadOnlySpan<byte> s)
    {
        for (int i = s.IndexOfAny((byte)'.', (byte)':'); i > 0 && i < s.Length - 1; i = NextSeparator(s, i + 1))
        {
            if (s[i] == (byte)'.')
            {
                // Three dots, each between digits: 203.0.113.9
                int j = i, dots = 0;
                while (j > 0 && j < s.Length - 1 && s[j] == (byte)'.' && IsDigit(s[j - 1]) && IsDigit(s[j + 1]))
                {
                    dots++;
                    j++;
                    while (j < s.Length && IsDigit(s[j])) j++;
                }
                if (dots >= 3) return true;
            }
            else if (s[i + 1] == (byte)':' || (IsHex(s[i - 1]) && IsHex(s[i + 1]) && s[(i + 1)..].IndexOf((byte)':') is > 0 and <= 4))
                return true; // "::" or two hex groups joined by colons
        }
        return false;
    }

    private static int NextSeparator(ReadOnlySpan<byte> s, int from)
    {
        int k = s[from..].IndexOfAny((byte)'.', (byte)':');
        return k < 0 ? -1 : from + k;
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';
    private static bool IsHex(byte b) => IsDigit(b) || b is >= (byte)'a' and <= (byte)'f' || b is >= (byte)'A' and <= (byte)'F';

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
