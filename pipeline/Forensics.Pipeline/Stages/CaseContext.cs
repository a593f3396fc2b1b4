using System.Security.Cryptography;

namespace Forensics.Pipeline.Stages;

/// <summary>
/// Facts about the examined machine that parsing needs before the first record: the time zone of local-time
/// logs and the host name. Order of precedence for the zone: --tz, the evidence's etc/timezone (Debian),
/// the evidence's etc/localtime (matched byte for byte against this machine's zoneinfo files, since .NET
/// cannot load a TZif file by path), else UTC. The choice and its source go into the manifest.
/// </summary>
public sealed class CaseContext
{
    public required TimeZoneInfo Zone { get; init; }
    public required string ZoneSource { get; init; }
    public string? Hostname { get; init; }
    /// <summary>uid → name from the evidence's etc/passwd (lastlog records only uids); null when there is none.</summary>
    public IReadOnlyDictionary<long, string>? UserNames { get; private set; }
    public List<string> Notes { get; } = [];

    /// <summary>
    /// Folder inputs are searched directly; archives through the <paramref name="listing"/> pre-pass (a folder's
    /// file wins over an archive's). In archives etc/localtime is usually a symlink: its text names the zone
    /// (<c>/usr/share/zoneinfo/Europe/Berlin</c>) and is read without being followed.
    /// </summary>
    public static CaseContext Resolve(IngestOptions options, EvidenceListing? listing = null)
    {
        var context = ResolveZoneAndHost(options, listing);
        byte[]? passwd = FindEtcFile(options.Inputs, "passwd") is { } pw ? File.ReadAllBytes(pw) : listing?.EtcFiles.GetValueOrDefault("passwd").Content;
        if (passwd is not null) context.UserNames = Evidence.Context.ContextFiles.UserNames(passwd);
        return context;
    }

    private static CaseContext ResolveZoneAndHost(IngestOptions options, EvidenceListing? listing)
    {
        var notes = new List<string>();
        string? hostname = FindEtcFile(options.Inputs, "hostname") is { } h ? File.ReadLines(h).FirstOrDefault()?.Trim()
            : listing?.EtcFiles.GetValueOrDefault("hostname").Content is { } hb ? Evidence.Context.ContextFiles.FirstLine(hb) : null;
        if (listing is not null) notes.AddRange(listing.Notes);
        if (options.TimeZone is { } tz)
        {
            return new CaseContext { Zone = FindZone(tz) ?? throw new ArgumentException($"unknown time zone '{tz}' (use an IANA name such as Europe/Berlin)"), ZoneSource = "--tz", Hostname = hostname };
        }
        if (FindEtcFile(options.Inputs, "timezone") is { } tzFile)
        {
            var name = File.ReadLines(tzFile).FirstOrDefault()?.Trim();
            if (name is not null && FindZone(name) is { } zone) return new CaseContext { Zone = zone, ZoneSource = $"etc/timezone ({tzFile})", Hostname = hostname };
            notes.Add($"{tzFile}: zone '{name}' is unknown on this machine; ignored");
        }
        else if (listing?.EtcFiles.GetValueOrDefault("timezone") is { Content: { } tzBytes, SourcePath: var tzSource })
        {
            var name = Evidence.Context.ContextFiles.FirstLine(tzBytes);
            if (name is not null && FindZone(name) is { } zone) return WithNotes(new CaseContext { Zone = zone, ZoneSource = $"etc/timezone ({tzSource})", Hostname = hostname }, notes);
            notes.Add($"{tzSource}: zone '{name}' is unknown on this machine; ignored");
        }
        if (FindEtcFile(options.Inputs, "localtime") is { } localtime)
        {
            var match = MatchZoneInfo(localtime);
            if (match is not null && FindZone(match) is { } zone)
            {
                var ctx = new CaseContext { Zone = zone, ZoneSource = $"etc/localtime ({localtime}) = {match}", Hostname = hostname };
                ctx.Notes.AddRange(notes);
                return ctx;
            }
            notes.Add($"{localtime}: not identical to any zone in /usr/share/zoneinfo; local times are read as UTC");
        }
        else if (listing?.EtcFiles.GetValueOrDefault("localtime") is { SourcePath: { } ltSource } lt)
        {
            string? match = lt.LinkTarget is { } target ? ZoneFromLink(target) : lt.Content is { } bytes ? MatchZoneInfo(bytes) : null;
            if (match is not null && FindZone(match) is { } zone)
                return WithNotes(new CaseContext { Zone = zone, ZoneSource = $"etc/localtime ({ltSource}{(lt.LinkTarget is null ? "" : " -> " + lt.LinkTarget)}) = {match}", Hostname = hostname }, notes);
            notes.Add($"{ltSource}: zone not recognised{(lt.LinkTarget is null ? "" : $" (link to {lt.LinkTarget})")}; local times are read as UTC");
        }
        var result = new CaseContext { Zone = TimeZoneInfo.Utc, ZoneSource = "default (no --tz, no etc/timezone or etc/localtime in the evidence)", Hostname = hostname };
        result.Notes.AddRange(notes);
        return result;
    }

    private static CaseContext WithNotes(CaseContext c, List<string> notes)
    {
        c.Notes.AddRange(notes);
        return c;
    }

    /// <summary>The zone named by a localtime symlink's text: whatever follows "zoneinfo/" (posix/ and right/ prefixes dropped).</summary>
    public static string? ZoneFromLink(string target)
    {
        int i = target.LastIndexOf("zoneinfo/", StringComparison.Ordinal);
        if (i < 0) return null;
        var zone = target[(i + "zoneinfo/".Length)..];
        foreach (var prefix in new[] { "posix/", "right/" })
            if (zone.StartsWith(prefix, StringComparison.Ordinal)) zone = zone[prefix.Length..];
        return zone.Length == 0 || zone.Contains("..", StringComparison.Ordinal) ? null : zone;
    }

    public static TimeZoneInfo? FindZone(string name)
    {
        if (name is "UTC" or "Etc/UTC" or "Etc/Universal" or "Zulu") return TimeZoneInfo.Utc;
        try { return TimeZoneInfo.FindSystemTimeZoneById(name); }
        catch (TimeZoneNotFoundException) { return null; }
        catch (InvalidTimeZoneException) { return null; }
    }

    /// <summary>Finds etc/NAME under a folder input (at any depth, e.g. droplet1/etc/hostname).</summary>
    private static string? FindEtcFile(IEnumerable<string> inputs, string name)
    {
        foreach (var input in inputs.Where(Directory.Exists))
        {
            var hit = Directory.EnumerateFiles(input, name, new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 4 })
                .Where(p => Path.GetFileName(Path.GetDirectoryName(p)) == "etc")
                .Order(StringComparer.Ordinal).FirstOrDefault();
            if (hit is not null && new FileInfo(hit).LinkTarget is null) return hit;
        }
        return null;
    }

    private static string? MatchZoneInfo(string localtime) => MatchZoneInfo(File.ReadAllBytes(localtime));

    private static string? MatchZoneInfo(byte[] wanted)
    {
        const string root = "/usr/share/zoneinfo";
        if (!Directory.Exists(root)) return null;
        if (wanted.Length > 1 << 20) return null;
        var hash = SHA256.HashData(wanted);
        // Prefer Area/City names over aliases such as "UCT" or "posix/...".
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
                     .Where(f => !f.Contains("/posix/", StringComparison.Ordinal) && !f.Contains("/right/", StringComparison.Ordinal))
                     .OrderBy(f => f.Contains("/Etc/", StringComparison.Ordinal) ? 1 : 0).ThenBy(f => f, StringComparer.Ordinal))
        {
            var info = new FileInfo(file);
            if (info.Length != wanted.Length) continue;
            if (SHA256.HashData(File.ReadAllBytes(file)).AsSpan().SequenceEqual(hash))
                return Path.GetRelativePath(root, file);
        }
        return null;
    }
}
