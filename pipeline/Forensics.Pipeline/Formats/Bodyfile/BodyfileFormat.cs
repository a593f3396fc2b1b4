using System.Buffers;
using Forensics.Pipeline.Formats.Web;
using Forensics.Pipeline.Framing;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats.Bodyfile;

/// <summary>
/// A file-system timeline from a bodyfile (UAC's <c>bodyfile/bodyfile.txt</c>, TSK's <c>fls -m</c>; line layout and
/// producer quirks in <see cref="BodyfileLine"/>). Grouped as Sleuth Kit's <c>mactime</c> prints it: one event per
/// file and distinct known time, kind <c>fs.</c> + the MACB letters sharing that time (<c>fs.mc</c>), <c>fs_macb</c>
/// as mactime writes it (<c>m.c.</c>); see <see cref="Macb"/>. plaso instead makes one event per time kind; the
/// grouping keeps a timeline of N files at ~N–2N rows instead of 4N and reads as analysts know it from mactime.
/// Each event is a record of its own: the framer hands the line once per distinct time with that time's MACB bits
/// as hint, so records = events + rejects still holds (a line of 3 distinct times is 3 records at one offset).
/// A name holding a newline is joined back from the lines it split into (<see cref="SplitNameJoiner"/>).
/// Unlike mactime: times of 0 (unknown) give no event, a line whose times are all 0 is one <c>fs.no_time</c>
/// event without a time (mactime skips it silently), fractions are kept to the µs (mactime truncates to seconds),
/// and identical lines are not merged.
/// </summary>
public sealed class BodyfileFormat : ILogFormat
{
    public static readonly ExtraColumn MacbColumn = new("fs_macb", ColumnType.String, "mactime's MACB letters of the times equal to ts (`m.c.`: content modified and metadata changed then; `....` without a time)");
    public static readonly ExtraColumn Path = new("fs_path", ColumnType.String, "file name as the bodyfile records it (bytes that are not UTF-8 as `\\xHH`), without a UAC collection's mount point; for symbolic links the part before ` -> `");
    public static readonly ExtraColumn LinkTarget = new("fs_link_target", ColumnType.String, "a symbolic link's target (UAC and stat write `name -> target`)");
    public static readonly ExtraColumn Inode = new("fs_inode", ColumnType.String, "inode (text: TSK writes NTFS entries as `62-128-4`)");
    public static readonly ExtraColumn Mode = new("fs_mode", ColumnType.String, "mode as a string (`-rw-r--r--`, TSK's `r/rrw-r--r--`)");
    public static readonly ExtraColumn Uid = new("fs_uid", ColumnType.Int64, "owner's uid (`user` is its name when the evidence's etc/passwd has it)");
    public static readonly ExtraColumn Gid = new("fs_gid", ColumnType.Int64, "group id");
    public static readonly ExtraColumn Size = new("fs_size", ColumnType.Int64, "size in bytes");
    public static readonly ExtraColumn Md5 = new("fs_md5", ColumnType.String, "MD5 of the content; null when the bodyfile says 0 (not computed)");

    private static readonly ExtraColumn[] Columns = [MacbColumn, Path, LinkTarget, Inode, Mode, Uid, Gid, Size, Md5];

    public string Id => "bodyfile";
    public string Description => "Sleuth Kit bodyfile (mactime input; UAC bodyfile/bodyfile.txt, fls -m): file-system MACB timeline";
    public IReadOnlyList<ExtraColumn> ExtraColumns => Columns;

    /// <summary>Longer than PATH_MAX twice (name and link target) and the fields: a longer line is cut and rejected.</summary>
    public const int MaxLineBytes = 64 << 10;

    public int Sniff(ReadOnlySpan<byte> head, string fileName)
    {
        int hits = 0, lines = 0;
        foreach (var range in head.Split((byte)'\n'))
        {
            var line = head[range];
            if (line.IsEmpty) continue;
            if (++lines > 200) break;
            if (BodyfileLine.TryParse(line.TrimEnd((byte)'\r'), out _) is null) hits++;
        }
        if (hits == 0) return 0;
        int score = hits * 2 >= lines ? 90 : 40;
        return fileName.Contains("bodyfile", StringComparison.OrdinalIgnoreCase) ? score + 5 : score;
    }

    public IEnumerable<RecordBatch> Frame(Stream input, FileContext file, CancellationToken cancel)
    {
        if (MountPrefix(file) is not null)
            file.Note?.Invoke($"file names start with the collection's mount point {file.CollectionMountPoint} (UAC --mount-point, from uac.log): fs_path is the path on the examined machine without it; message keeps the line as written");
        return LineFramer.Frame(input, new LineFramingOptions { MaxLineBytes = MaxLineBytes, Entries = EntriesOf, IsContinuation = new SplitNameJoiner().Continues }, cancel);
    }

    /// <summary>
    /// UAC with --mount-point (an image mounted on the collecting machine) runs its stat over that folder and does not
    /// strip it: names read <c>/mnt/image/etc/passwd</c>. The examined machine's path is what the analyst searches
    /// for, so fs_path drops the prefix (UTF-8, no trailing '/'); null for a live collection ("/") or none.
    /// </summary>
    private static byte[]? MountPrefix(FileContext file) =>
        file.CollectionMountPoint?.TrimEnd('/') is { Length: > 0 } mount ? System.Text.Encoding.UTF8.GetBytes(mount) : null;

    /// <summary>The name without the mount point when it starts with it (the mount point itself is "/").</summary>
    private static ReadOnlySpan<byte> OnExaminedMachine(ReadOnlySpan<byte> name, byte[]? prefix)
    {
        if (prefix is null || !name.StartsWith(prefix)) return name;
        if (name.Length == prefix.Length) return "/"u8;
        return name[prefix.Length] == (byte)'/' ? name[prefix.Length..] : name;
    }

    /// <summary>
    /// UAC's statx writes names raw, so a name holding a newline splits its line (<c>0|/tmp/two</c>, then
    /// <c>lines|11880825|-rw-r--r--|…</c>). A line with too few separators opens a record that the next lines
    /// continue while together they still have too few, or until together they form a valid line; a line that is
    /// a valid record on its own is never joined. At most <see cref="MaxJoinedLines"/> lines are joined; what never
    /// completes is one reject holding all its lines.
    /// </summary>
    private sealed class SplitNameJoiner
    {
        private readonly ArrayBufferWriter<byte> _pending = new();
        private bool _open;
        private int _pipes, _lines;

        public bool Continues(ReadOnlySpan<byte> line)
        {
            int pipes = line.Count((byte)'|');
            if (_open && _lines < MaxJoinedLines && !(pipes >= BodyfileLine.Fields - 1 && BodyfileLine.TryParse(line, out _) is null))
            {
                _pending.Write("\n"u8);
                _pending.Write(line);
                _lines++;
                _pipes += pipes;
                if (_pipes < BodyfileLine.Fields - 1) return true;
                if (BodyfileLine.TryParse(_pending.WrittenSpan, out _) is null) { _open = false; return true; }
                // Joined, it is still no record: this line starts afresh (the lines before stay one reject).
            }
            _open = pipes is > 0 and < BodyfileLine.Fields - 1 && line[0] != (byte)'#';
            _pending.Clear();
            if (_open) { _pending.Write(line); _pipes = pipes; _lines = 1; }
            return false;
        }
    }

    public const int MaxJoinedLines = 16;

    /// <summary>One record per distinct known time of a valid line (hint: its MACB bits); one record (hint 0) otherwise.</summary>
    private static int EntriesOf(ReadOnlySpan<byte> line, Span<int> hints)
    {
        if (line.Length > MaxLineBytes || BodyfileLine.TryParse(line, out var f) is not null) { hints[0] = 0; return 1; }
        Span<long> times = stackalloc long[4];
        int n = f.Entries(times, hints);
        if (n == 0) hints[0] = 0;
        return Math.Max(1, n);
    }

    public void Parse(RecordBatch batch, FileContext file, ParseOutput output)
    {
        var prefix = MountPrefix(file);
        for (int i = 0; i < batch.Count; i++)
        {
            var line = batch.Record(i);
            long offset = batch.Offset(i);
            // The framer cuts only lines longer than its buffer; a long line that fits is checked here.
            if (batch.Truncated(i) || line.Length > MaxLineBytes) { output.Reject(offset, $"line longer than {MaxLineBytes} bytes (a bodyfile line holds at most two paths); cut", line); continue; }
            if (line.IsEmpty || line.IndexOfAnyExcept((byte)' ', (byte)'\t') < 0) { output.Reject(offset, "empty line", line); continue; }
            if (line[0] == (byte)'#') { output.Reject(offset, "comment line (# ...), which mactime skips", line); continue; }
            if (BodyfileLine.TryParse(line, out var f) is { } reason) { output.Reject(offset, reason, line); continue; }

            int mask = batch.Hint(i);
            var e = output.NewEvent(offset);
            e.Event = Macb.Kind(mask);
            if (mask == 0) e.TsQuality = TsQuality.Missing;
            else e.TsMicros = f.TimeOf(mask);
            e.Host = file.DefaultHost;
            if (file.UserNames is { } names && names.TryGetValue(f.Uid, out var owner)) e.User = owner;
            LogText.SetMessage(e, line);
            e.Set(MacbColumn, Macb.Text(mask));
            var name = OnExaminedMachine(f.Name, prefix);
            int arrow = f.IsSymlink ? name.IndexOf(" -> "u8) : -1;
            if (arrow > 0)
            {
                LogText.SetLossless(e, Path, name[..arrow]);
                LogText.SetLossless(e, LinkTarget, name[(arrow + 4)..]);
            }
            else LogText.SetLossless(e, Path, name);
            e.SetUtf8(Inode, f.Inode);
            LogText.SetLossless(e, Mode, f.Mode);
            e.Set(Uid, f.Uid);
            e.Set(Gid, f.Gid);
            e.Set(Size, f.Size);
            if (f.Md5.Length == 32) e.SetUtf8(Md5, f.Md5);
        }
    }
}
