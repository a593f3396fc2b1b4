using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats.Bodyfile;

/// <summary>
/// One line of a Sleuth Kit 3.x+ bodyfile, <c>MD5|name|inode|mode_as_string|UID|GID|size|atime|mtime|ctime|crtime</c>
/// (TSK wiki "Body file"; mactime's <c>tm_split</c>), as producers actually write it:
/// <list type="bullet">
/// <item>UAC (bodyfile/bodyfile.yaml, lib/find_based_collector.sh): its own <c>statx</c> prints
/// <c>0|name|ino|-rw-r--r--|uid|gid|size|atime|mtime|ctime|btime</c> with the name raw (pipes, newlines and bytes
/// that are not UTF-8 as they are) and btime 0 where the file system has none; GNU <c>stat -c "0|%N|…|%W"</c>
/// shell-quotes the name and UAC's sed strips only the outer quotes (so <c>'e'$'\n''f'</c> keeps its inner
/// quoting) and turns a <c>-</c> birth time into 0; <c>stat.pl</c> writes crtime 0. Symbolic links are
/// <c>name -&gt; target</c>. MD5 is <c>0</c> (not computed).</item>
/// <item>TSK's fls/ils write an MD5 of 32 hex digits or 0, inodes such as <c>62-128-4</c> (NTFS attributes), and modes
/// such as <c>r/rrwxr-xr-x</c>; times are whole seconds. Other writers add a fraction (<c>1700000000.123456789</c>).</item>
/// </list>
/// Only the name can hold a pipe, so the name is everything between the first field and the last nine: a pipe in a
/// name is read as part of it, never as a field boundary. A line with fewer than eleven fields is rejected (a name
/// holding a newline splits its record into two such lines). A time of 0 means "unknown" (TSK writes 0 for times a
/// file system lacks); mactime still prints such a time as <c>Xxx Xxx 00 0000</c>, here it gives no event.
/// </summary>
public ref struct BodyfileLine
{
    public ReadOnlySpan<byte> Md5, Name, Inode, Mode;
    public long Uid, Gid, Size;
    /// <summary>µs since the epoch, in MACB order: mtime, atime, ctime, crtime; 0 = unknown.</summary>
    public long MTime, ATime, CTime, BTime;

    public const int Fields = 11;

    /// <summary>Splits and checks a line; null when it is a bodyfile record, else the reason it is not.</summary>
    public static string? TryParse(ReadOnlySpan<byte> line, out BodyfileLine f)
    {
        f = default;
        if (line.IndexOf((byte)0) >= 0) return "NUL byte in a bodyfile line (no file name can hold one)";
        int first = line.IndexOf((byte)'|');
        if (first < 0) return "not a bodyfile line: no '|' field separator";
        // The last nine separators, from the right.
        Span<int> seps = stackalloc int[9];
        int end = line.Length, found = 0;
        while (found < 9)
        {
            int p = line[..end].LastIndexOf((byte)'|');
            if (p <= first) break;
            seps[8 - found++] = p;
            end = p;
        }
        if (found < 9)
            return $"{found + 2} fields where a bodyfile line has {Fields} (MD5|name|inode|mode|UID|GID|size|atime|mtime|ctime|crtime); a file name holding a newline splits its line in two";
        f.Md5 = line[..first];
        f.Name = line[(first + 1)..seps[0]];
        static ReadOnlySpan<byte> Field(int i, ReadOnlySpan<byte> l, scoped Span<int> s) => l[(s[i] + 1)..(i + 1 < 9 ? s[i + 1] : l.Length)];
        f.Inode = Field(0, line, seps);
        f.Mode = Field(1, line, seps);
        if (!IsMd5(f.Md5)) return "MD5 field is neither 0 nor 32 hexadecimal digits";
        if (f.Name.IsEmpty) return "empty file name";
        if (!IsInode(f.Inode)) return "inode field is not a number (or TSK's number-type-id)";
        if (f.Mode.IsEmpty) return "empty mode field";
        if (!TryNumber(Field(2, line, seps), out f.Uid)) return "UID field is not a number";
        if (!TryNumber(Field(3, line, seps), out f.Gid)) return "GID field is not a number";
        if (!TryNumber(Field(4, line, seps), out f.Size)) return "size field is not a number";
        if (!TryTime(Field(5, line, seps), out f.ATime)) return "atime is not a time in seconds since 1970 (an integer, optionally with a fraction)";
        if (!TryTime(Field(6, line, seps), out f.MTime)) return "mtime is not a time in seconds since 1970 (an integer, optionally with a fraction)";
        if (!TryTime(Field(7, line, seps), out f.CTime)) return "ctime is not a time in seconds since 1970 (an integer, optionally with a fraction)";
        if (!TryTime(Field(8, line, seps), out f.BTime)) return "crtime is not a time in seconds since 1970 (an integer, optionally with a fraction)";
        return null;
    }

    /// <summary>The distinct known times, each with the MACB bits that share it (mactime's grouping), in MACB order of first appearance; returns how many (0..4).</summary>
    public readonly int Entries(Span<long> times, Span<int> masks)
    {
        int n = 0;
        Add(MTime, Macb.Modified, times, masks, ref n);
        Add(ATime, Macb.Accessed, times, masks, ref n);
        Add(CTime, Macb.Changed, times, masks, ref n);
        Add(BTime, Macb.Born, times, masks, ref n);
        return n;
    }

    private static void Add(long time, int bit, Span<long> times, Span<int> masks, ref int n)
    {
        if (time == 0) return;
        for (int i = 0; i < n; i++)
            if (times[i] == time) { masks[i] |= bit; return; }
        times[n] = time;
        masks[n++] = bit;
    }

    /// <summary>The time of the entry whose bits are <paramref name="mask"/> (any of its times: they are equal).</summary>
    public readonly long TimeOf(int mask) =>
        (mask & Macb.Modified) != 0 ? MTime : (mask & Macb.Accessed) != 0 ? ATime : (mask & Macb.Changed) != 0 ? CTime : BTime;

    public readonly bool IsSymlink => !Mode.IsEmpty && (Mode[0] == (byte)'l' || Mode.StartsWith("l/"u8));

    private static bool IsMd5(ReadOnlySpan<byte> s)
    {
        if (s.Length == 1 && s[0] == (byte)'0') return true;
        if (s.Length != 32) return false;
        foreach (byte b in s) if (!char.IsAsciiHexDigit((char)b)) return false;
        return true;
    }

    private static bool IsInode(ReadOnlySpan<byte> s)
    {
        if (s.IsEmpty || !char.IsAsciiDigit((char)s[0])) return false;
        foreach (byte b in s) if (!char.IsAsciiDigit((char)b) && b != (byte)'-') return false;
        return true;
    }

    private static bool TryNumber(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 18) return false;
        foreach (byte b in s)
        {
            if (!char.IsAsciiDigit((char)b)) return false;
            value = value * 10 + (b - '0');
        }
        return true;
    }

    // Seconds the spine's timestamp can hold (years 1..9999 as DateTime does).
    private const long MaxSeconds = 253402300799, MinSeconds = -62135596800;

    /// <summary>Seconds since the epoch, optionally negative, optionally with up to 9 fraction digits (cut to µs).</summary>
    private static bool TryTime(ReadOnlySpan<byte> s, out long micros)
    {
        micros = 0;
        bool negative = !s.IsEmpty && s[0] == (byte)'-';
        if (negative) s = s[1..];
        int dot = s.IndexOf((byte)'.');
        var whole = dot < 0 ? s : s[..dot];
        var fraction = dot < 0 ? default : s[(dot + 1)..];
        if (dot >= 0 && (fraction.IsEmpty || fraction.Length > 9)) return false;
        if (!TryNumber(whole, out long seconds) || seconds > MaxSeconds || (negative && -seconds < MinSeconds)) return false;
        long us = 0;
        for (int i = 0; i < fraction.Length; i++)
        {
            if (!char.IsAsciiDigit((char)fraction[i])) return false;
            if (i < 6) us = us * 10 + (fraction[i] - '0');
        }
        for (int i = fraction.Length; i < 6; i++) us *= 10;
        micros = seconds * 1_000_000 + us;
        if (negative) micros = -micros;
        return true;
    }
}
