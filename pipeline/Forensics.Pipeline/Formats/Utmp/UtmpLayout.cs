using System.Buffers.Binary;

namespace Forensics.Pipeline.Formats.Utmp;

/// <summary>
/// The on-disk shapes of glibc's <c>struct utmp</c> on Linux. Source: glibc
/// <c>sysdeps/gnu/bits/utmp.h</c> (2.36):
/// <code>
///   short ut_type; pid_t ut_pid; char ut_line[32]; char ut_id[4]; char ut_user[32]; char ut_host[256];
///   struct exit_status { short e_termination; short e_exit; } ut_exit;
///   #if __WORDSIZE_TIME64_COMPAT32  int32_t ut_session; struct { int32_t tv_sec, tv_usec; } ut_tv;
///   #else                           long ut_session; struct timeval ut_tv;
///   int32_t ut_addr_v6[4]; char __glibc_reserved[20];
/// </code>
/// Offsets 0..335 are the same everywhere. x86_64, i686, riscv64, 32-bit arm and the 32-bit big-endian
/// ABIs (ppc, mips, s390) keep 32-bit session/time: 384 bytes. aarch64 and s390x have no 32-bit compat
/// define, so session and tv_sec/tv_usec are 64-bit from offset 336 and the struct pads to 400 bytes
/// (plaso test_data/utmp/utmp_aarch64 and utmp_s390, s4 Debian11_aarch64/wtmp: 400-byte records).
/// The architecture in <see cref="Name"/> is a representative label only: the file says size and byte order,
/// not the CPU. <c>ut_addr_v6</c> holds bytes in network order on every ABI (util-linux wtmp-ipv6.LE/.BE
/// carry identical address bytes), so it is never byte-swapped.
/// </summary>
public sealed class UtmpLayout
{
    public const int Small = 384;
    public const int Large = 400;

    public static readonly UtmpLayout X86_64Le = new(0, "x86_64-384-le", Small, bigEndian: false);
    public static readonly UtmpLayout Be384 = new(1, "ppc-384-be", Small, bigEndian: true);
    public static readonly UtmpLayout Aarch64Le = new(2, "aarch64-400-le", Large, bigEndian: false);
    public static readonly UtmpLayout S390xBe = new(3, "s390x-400-be", Large, bigEndian: true);

    /// <summary>In tie order: the common layout wins a tie.</summary>
    public static IReadOnlyList<UtmpLayout> All { get; } = [X86_64Le, Aarch64Le, Be384, S390xBe];

    public static UtmpLayout ByCode(int code) => code switch { 0 => X86_64Le, 1 => Be384, 2 => Aarch64Le, _ => S390xBe };

    public int Code { get; }
    public string Name { get; }
    public int RecordSize { get; }
    public bool BigEndian { get; }
    public bool Wide => RecordSize == Large;

    public const int TypeOffset = 0, PidOffset = 4, LineOffset = 8, LineSize = 32, IdOffset = 40, IdSize = 4,
        UserOffset = 44, UserSize = 32, HostOffset = 76, HostSize = 256, ExitOffset = 332, SessionOffset = 336;

    public int TvSecOffset => Wide ? 344 : 340;
    public int TvUsecOffset => Wide ? 352 : 344;
    public int AddrOffset => Wide ? 360 : 348;

    private UtmpLayout(int code, string name, int size, bool bigEndian)
    {
        Code = code; Name = name; RecordSize = size; BigEndian = bigEndian;
    }

    public short Type(ReadOnlySpan<byte> r) => BigEndian ? BinaryPrimitives.ReadInt16BigEndian(r) : BinaryPrimitives.ReadInt16LittleEndian(r);
    public int Pid(ReadOnlySpan<byte> r) => I32(r[PidOffset..]);
    public short ExitTermination(ReadOnlySpan<byte> r) => I16(r[ExitOffset..]);
    public short ExitStatus(ReadOnlySpan<byte> r) => I16(r[(ExitOffset + 2)..]);
    public long Session(ReadOnlySpan<byte> r) => Wide ? I64(r[SessionOffset..]) : I32(r[SessionOffset..]);
    public long TvSec(ReadOnlySpan<byte> r) => Wide ? I64(r[TvSecOffset..]) : I32(r[TvSecOffset..]);
    public long TvUsec(ReadOnlySpan<byte> r) => Wide ? I64(r[TvUsecOffset..]) : I32(r[TvUsecOffset..]);
    public ReadOnlySpan<byte> Addr(ReadOnlySpan<byte> r) => r.Slice(AddrOffset, 16);

    private short I16(ReadOnlySpan<byte> s) => BigEndian ? BinaryPrimitives.ReadInt16BigEndian(s) : BinaryPrimitives.ReadInt16LittleEndian(s);
    private int I32(ReadOnlySpan<byte> s) => BigEndian ? BinaryPrimitives.ReadInt32BigEndian(s) : BinaryPrimitives.ReadInt32LittleEndian(s);
    private long I64(ReadOnlySpan<byte> s) => BigEndian ? BinaryPrimitives.ReadInt64BigEndian(s) : BinaryPrimitives.ReadInt64LittleEndian(s);

    /// <summary>Latest accepted time: 2100-01-01. Files are written by clocks, not by time travellers.</summary>
    public const long MaxSeconds = 4_102_444_800;
    /// <summary>Linux pid_max ceiling (PID_MAX_LIMIT, include/linux/threads.h: 4 M on 64-bit).</summary>
    public const int MaxPid = 4 * 1024 * 1024;

    /// <summary>Why a record cannot be a utmp record in this layout, or null when it is plausible.</summary>
    public string? Implausible(ReadOnlySpan<byte> r)
    {
        short type = Type(r);
        if (type is < 0 or > 9) return $"invalid ut_type {type}";
        int pid = Pid(r);
        if (pid is < 0 or > MaxPid) return $"impossible ut_pid {pid}";
        long sec = TvSec(r), usec = TvUsec(r);
        if (sec is < 0 or > MaxSeconds) return $"impossible timestamp ut_tv.tv_sec={sec}";
        if (usec is < 0 or > 999_999) return $"impossible microseconds ut_tv.tv_usec={usec}";
        return null;
    }

    /// <summary>
    /// A stricter test for layout detection: plausible fields and strings without control bytes. A wrong
    /// layout puts tv_sec/tv_usec/type on bytes of other fields, which fails these checks almost always.
    /// </summary>
    public bool LooksRight(ReadOnlySpan<byte> r)
    {
        if (Implausible(r) is not null) return false;
        // A misaligned reading often lands a small counter (session id, usec) on tv_sec: a first-year-of-1970
        // stamp on a non-empty record is that, not a real login (time 0 itself is kept: util-linux txt-a has one).
        if (TvSec(r) is > 0 and < 86400 * 365 && Type(r) != 0) return false;
        return CleanString(r.Slice(LineOffset, LineSize)) && CleanString(r.Slice(UserOffset, UserSize))
            && CleanString(r.Slice(HostOffset, HostSize));
    }

    private static bool CleanString(ReadOnlySpan<byte> field)
    {
        int nul = field.IndexOf((byte)0);
        var text = nul < 0 ? field : field[..nul];
        foreach (byte b in text) if (b < 0x20 || b == 0x7F) return false;
        return true;
    }

    public static bool AllBytes(ReadOnlySpan<byte> r, byte value) => !r.ContainsAnyExcept(value);

    /// <summary>
    /// Picks the layout whose reading of the first records is plausible most often. A record counts as good
    /// when it looks right and has a real time (not 0: a misaligned 64-bit read of a 32-bit time followed by
    /// zeros gives exactly 0), bad when it does not look right, and neutral otherwise. The records are walked
    /// as the framer walks them (<see cref="UtmpResync"/>), so a file whose records are out of step with its
    /// start (bytes inserted or prepended) is judged by its records, each out-of-step piece counting as one bad.
    /// Returns the layout and its good and bad counts; the best layout has the highest good share, then the
    /// most good records.
    /// </summary>
    public static (UtmpLayout Layout, int Examined, int Good) Detect(ReadOnlySpan<byte> head, int maxRecords = 64)
    {
        UtmpLayout best = X86_64Le;
        int bestGood = 0, bestBad = 0;
        bool first = true;
        foreach (var layout in All)
        {
            var (good, bad) = layout.Count(head, maxRecords);
            long mine = (long)good * (bestGood + bestBad), theirs = (long)bestGood * (good + bad);
            if (first || mine > theirs || (mine == theirs && good > bestGood))
            {
                best = layout; bestGood = good; bestBad = bad; first = false;
            }
        }
        return (best, bestGood + bestBad, bestGood);
    }

    private (int Good, int Bad) Count(ReadOnlySpan<byte> head, int maxRecords)
    {
        int good = 0, bad = 0, pos = 0;
        for (int step = 0; step < maxRecords && pos + RecordSize <= head.Length; step++)
        {
            var next = UtmpResync.Step(head[pos..], this);
            var r = head.Slice(pos, RecordSize);
            pos += next.Length;
            if (next.Kind == UtmpStepKind.OutOfStep) bad++;
            else if (AllBytes(r, 0) || AllBytes(r, 0xFF)) continue; // blank slots say nothing about the layout
            else if (!LooksRight(r)) bad++;
            else if (TvSec(r) != 0) good++;
            if (good == 0 && bad > 0)
            {
                // Nothing plausible yet: junk before the records (or no records at all). Jump to the next sure
                // record within 32 records (longer junk is found by FormatDetection's later windows); the junk
                // counts once.
                int anchor = UtmpResync.FindAnchor(head, this, pos, pos + 32 * RecordSize);
                if (anchor < 0) break;
                pos = anchor;
            }
        }
        return (good, bad);
    }
}
