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
    public List<string> Notes { get; } = [];

    public static CaseContext Resolve(IngestOptions options)
    {
        var notes = new List<string>();
        string? hostname = FindEtcFile(options.Inputs, "hostname") is { } h ? File.ReadLines(h).FirstOrDefault()?.Trim() : null;
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
        var result = new CaseContext { Zone = TimeZoneInfo.Utc, ZoneSource = "default (no --tz, no etc/timezone or etc/localtime in the evidence)", Hostname = hostname };
        result.Notes.AddRange(notes);
        return result;
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

    private static string? MatchZoneInfo(string localtime)
    {
        const string root = "/usr/share/zoneinfo";
        if (!Directory.Exists(root)) return null;
        byte[] wanted = File.ReadAllBytes(localtime);
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
