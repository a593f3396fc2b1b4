using System.Globalization;

namespace Forensics.Pipeline.Evidence;

/// <summary>
/// Rotated log sets (<c>auth.log</c>, <c>auth.log.1</c>, <c>auth.log.2.gz</c>; logrotate dateext
/// <c>secure</c>, <c>secure-20240521</c>) give year inference an upper bound that survives reset mtimes.
/// A file's reference time (the newest moment its last record can have) becomes
/// min(own reference, the references of every newer file of its set, the date in its name + 2 days).
/// Why these rules (logrotate 3.21 man page, "rotate"/"dateext"/"dateformat"): a file is renamed to .1 (or
/// -YYYYMMDD) when it is rotated, so nothing newer was written to it than to the file that replaced it; the
/// dateext stamp is the local date of the rotation, so the last record is at most that day — +2 days covers
/// the time-zone span (±14 h) and a rotation shortly after midnight. Times before 1990 are ignored as evidence
/// (zeroed or epoch mtimes from reproducible-build tools would otherwise drag every set back to 1970).
/// Keys are the provenance path with compression suffixes removed, so the folder
/// <c>log/auth.log.2.gz!</c> and <c>x.tar!var/log/auth.log.2</c> group with their own siblings only.
/// </summary>
public sealed partial class RotationSets
{
    [System.Text.RegularExpressions.GeneratedRegex(@"^(?<base>.+?)-(?<date>[0-9]{8})(?:[0-9]{2}|-[0-9]+)?$")]
    private static partial System.Text.RegularExpressions.Regex DateExt();

    private static readonly DateTime Floor = new(1990, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private readonly Dictionary<string, List<(Rank Rank, DateTime Reference)>> _sets = new(StringComparer.Ordinal);

    /// <summary>Age of a file in its set: the live file is newest; .N is older as N grows; -DATE is older as the date is earlier.</summary>
    public readonly record struct Rank(int Number, DateOnly? Date)
    {
        /// <summary>True when this file is certainly newer than <paramref name="other"/> (numbers and dates do not mix).</summary>
        public bool IsNewerThan(Rank other)
        {
            bool thisLive = Number == 0 && Date is null, otherLive = other.Number == 0 && other.Date is null;
            if (thisLive) return !otherLive;
            if (otherLive) return false;
            if (Date is { } d && other.Date is { } od) return d > od;
            if (Date is null && other.Date is null) return Number < other.Number;
            return false;
        }
    }

    /// <summary>Records a file's own reference time (from the listing pre-pass or when it is read).</summary>
    public void Observe(string sourcePath, DateTime? reference)
    {
        if (reference is not { } r || r < Floor) return;
        var (set, rank) = Parse(sourcePath);
        if (!_sets.TryGetValue(set, out var members)) _sets[set] = members = [];
        members.Add((rank, r));
    }

    /// <summary>The tightened reference time of a file (null when there is no evidence at all).</summary>
    public DateTime? Bound(string sourcePath, DateTime? ownReference)
    {
        DateTime? best = ownReference is { } o && o >= Floor ? o : null;
        var (set, rank) = Parse(sourcePath);
        if (rank.Date is { } d)
            best = Min(best, d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddDays(2));
        if (_sets.TryGetValue(set, out var members))
            foreach (var (otherRank, reference) in members)
                if (otherRank.IsNewerThan(rank)) best = Min(best, reference);
        return best;
    }

    private static DateTime? Min(DateTime? a, DateTime b) => a is { } x && x <= b ? x : b;

    /// <summary>Splits a provenance path into its set key (folder + base name) and rank.</summary>
    public static (string Set, Rank Rank) Parse(string sourcePath)
    {
        var path = sourcePath.TrimEnd('!');
        foreach (var c in Compression.All)
        {
            var stripped = c.StripSuffix(path);
            if (stripped != path && !stripped.EndsWith(".tar", StringComparison.OrdinalIgnoreCase)) { path = stripped; break; }
        }
        int cut = Math.Max(path.LastIndexOf('/'), path.LastIndexOf('!'));
        string folder = cut >= 0 ? path[..(cut + 1)] : "";
        string name = path[(cut + 1)..];

        // .N (logrotate default)
        int dot = name.LastIndexOf('.');
        if (dot > 0 && int.TryParse(name.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 && n < 100000)
            return (folder + name[..dot], new Rank(n, null));
        // -YYYYMMDD, optionally followed by HH or -SECONDS (dateformat -%Y%m%d, -%Y%m%d%H, -%Y%m%d-%s)
        var m = DateExt().Match(name);
        if (m.Success && TryDate(m.Groups["date"].ValueSpan, out var date))
            return (folder + m.Groups["base"].Value, new Rank(0, date));
        return (folder + name, new Rank(0, null));
    }

    private static bool TryDate(ReadOnlySpan<char> s, out DateOnly date) =>
        DateOnly.TryParseExact(s, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date) && date.Year >= 1990;
}
