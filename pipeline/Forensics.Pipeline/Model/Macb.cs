namespace Forensics.Pipeline.Model;

/// <summary>
/// The four file-system times of a bodyfile line and how a timeline groups them. Sleuth Kit's <c>mactime</c>
/// prints one row per file and distinct time, with the kinds that share that second as a <c>macb</c> string
/// (<c>m.c.</c>: content modified and metadata changed then); analysts read file-system timelines that way, so
/// an event is one (file, distinct time) pair, its kind names the letters (<c>fs.mc</c>) and <c>fs_macb</c> holds
/// mactime's string. The descriptions are plaso's (definitions.TIME_DESCRIPTION_*), joined with "; " when times
/// coincide. Bit values: m 8, a 4, c 2, b 1 (the order mactime writes the letters).
/// </summary>
public static class Macb
{
    public const int Modified = 8, Accessed = 4, Changed = 2, Born = 1;

    /// <summary>A line whose four times are all 0 (unknown): one event without a time, so the file is still listed.</summary>
    public const string NoTimeKind = "fs.no_time";

    private static readonly (int Bit, char Letter, string Description)[] Kinds =
    [
        (Modified, 'm', "Content Modification Time"),
        (Accessed, 'a', "Last Access Time"),
        (Changed, 'c', "Metadata Modification Time"),
        (Born, 'b', "Creation Time"),
    ];

    private static readonly string[] KindByMask = Build(mask => "fs." + string.Concat(Kinds.Where(k => (mask & k.Bit) != 0).Select(k => k.Letter)));
    private static readonly string[] StringByMask = Build(mask => string.Concat(Kinds.Select(k => (mask & k.Bit) != 0 ? k.Letter : '.')));
    private static readonly string[] DescriptionByMask = Build(mask => string.Join("; ", Kinds.Where(k => (mask & k.Bit) != 0).Select(k => k.Description)));

    private static string[] Build(Func<int, string> of) => [.. Enumerable.Range(0, 16).Select(m => m == 0 ? "" : of(m))];

    /// <summary>The event kind of a mask (1..15): <c>fs.</c> and the letters present (<c>fs.mc</c>); <see cref="NoTimeKind"/> for 0.</summary>
    public static string Kind(int mask) => mask == 0 ? NoTimeKind : KindByMask[mask & 15];

    /// <summary>mactime's four-character string: <c>m.c.</c>; <c>....</c> for 0.</summary>
    public static string Text(int mask) => mask == 0 ? "...." : StringByMask[mask & 15];

    /// <summary>Every fs.* kind with its timestamp_desc (for <see cref="EventDescriptions"/>).</summary>
    public static IEnumerable<(string Kind, string Description)> AllKinds() =>
        Enumerable.Range(1, 15).Select(m => (KindByMask[m], DescriptionByMask[m])).Append((NoTimeKind, "No Time Recorded"));
}
