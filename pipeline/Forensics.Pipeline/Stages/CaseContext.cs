using System.Security.Cryptography;
using Forensics.Pipeline.Evidence;
using Forensics.Pipeline.Time;

namespace Forensics.Pipeline.Stages;

/// <summary>
/// Facts about the examined machine that parsing needs before the first record: the time zone of local-time
/// logs and the host name. Order of precedence for the zone: --tz, the evidence's etc/timezone (Debian), the
/// evidence's etc/localtime, else UTC, said to be ASSUMED. etc/localtime is usually a symbolic link (kept by tar
/// and cp -a): its text names the zone (<c>/usr/share/zoneinfo/Europe/Berlin</c>) and is read, never followed;
/// a zone this machine does not know is read from the evidence's own zoneinfo file the link names, when the
/// evidence holds it. A regular etc/localtime identical to one of this machine's zoneinfo files is that zone;
/// any other TZif file is read as what it is (<see cref="TzifZone"/>: the rules the machine used). The choice
/// and its source go into the manifest. Evidence added to a case (<c>ingest --add</c>) that holds no zone or host
/// file of its own takes those of the case's last run, as it would have in one ingest with the earlier evidence.
/// </summary>
public sealed class CaseContext
{
    public required LocalZone Zone { get; init; }
    public required string ZoneSource { get; init; }
    /// <summary>True when no zone was stated or found and UTC is only assumed for local-time stamps.</summary>
    public bool ZoneAssumed { get; init; }
    /// <summary>The run's host: --host, else the first etc/hostname found (the manifest's options.host).</summary>
    public string? Hostname { get; private set; }
    /// <summary>uid → name from the evidence's etc/passwd (lastlog records only uids); null when there is none.</summary>
    public IReadOnlyDictionary<long, string>? UserNames { get; private set; }
    public List<string> Notes { get; } = [];
    private IReadOnlyList<InputMachine> _inputs = [];
    /// <summary>Collections' mount points by the source-path prefix of their files (<see cref="EvidenceListing.CollectionMountPoints"/>).</summary>
    public IReadOnlyDictionary<string, string> CollectionMountPoints { get; private set; } = new Dictionary<string, string>();

    /// <summary>The mount point of the collection a file belongs to (the longest matching prefix), or null.</summary>
    public string? CollectionMountPointFor(string sourcePath)
    {
        string? found = null;
        int longest = -1;
        foreach (var (prefix, mount) in CollectionMountPoints)
            if (prefix.Length > longest && sourcePath.StartsWith(prefix, StringComparison.Ordinal)) (found, longest) = (mount, prefix.Length);
        return found;
    }

    /// <summary>
    /// One input's machine: its evidence host (--host, else the input's own etc/hostname) and the uid → name map of
    /// its own etc/passwd. An input without a file of its own takes the run's when the run's inputs hold exactly
    /// one (evidence/ and a stray log copied off the same machine); with several machines it stays unknown (null)
    /// rather than being given another machine's.
    /// </summary>
    private sealed record InputMachine(string? Host, IReadOnlyDictionary<long, string>? UserNames);

    /// <summary>The evidence host of the files of input <paramref name="input"/> (index in the order given); null when unknown.</summary>
    public string? HostOf(int input) => input < _inputs.Count ? _inputs[input].Host : Hostname;

    /// <summary>uid → name from the etc/passwd of input <paramref name="input"/>'s machine; null when it has none.</summary>
    public IReadOnlyDictionary<long, string>? UserNamesOf(int input) => input < _inputs.Count ? _inputs[input].UserNames : UserNames;

    /// <summary>
    /// Folder inputs are searched directly; archives through the <paramref name="listing"/> pre-pass (a folder's
    /// file wins over an archive's); then the case's <paramref name="earlier"/> run, when evidence is added to a case.
    /// </summary>
    public static CaseContext Resolve(IngestOptions options, EvidenceListing? listing = null, Case.IngestRun? earlier = null)
    {
        var context = ResolveZone(options, listing, earlier);
        var hosts = new string?[options.Inputs.Count];
        var passwds = new IReadOnlyDictionary<long, string>?[options.Inputs.Count];
        for (int i = 0; i < options.Inputs.Count; i++)
        {
            string[] one = [options.Inputs[i]];
            string? raw = FindEtcFile(one, "hostname") is { } h && new FileInfo(h).LinkTarget is null ? Evidence.Context.ContextFiles.FirstLine(EvidenceOpen.ReadHead(h, 1 << 20))
                : listing?.InputEtcFiles.GetValueOrDefault((i, "hostname")).Content is { } hb ? Evidence.Context.ContextFiles.FirstLine(hb) : null;
            hosts[i] = Case.HostPartition.Normalize(raw, out bool cut);
            if (cut) context.Notes.Add($"{options.Inputs[i]}: etc/hostname holds more than {Case.HostPartition.MaxBytes} bytes (HOST_NAME_MAX), which no Linux host name can; its first {Case.HostPartition.MaxBytes} bytes are the evidence host");
            byte[]? passwd = FindEtcFile(one, "passwd") is { } pw && new FileInfo(pw).LinkTarget is null ? EvidenceOpen.ReadHead(pw, 16 << 20) : listing?.InputEtcFiles.GetValueOrDefault((i, "passwd")).Content;
            if (passwd is not null) passwds[i] = Evidence.Context.ContextFiles.UserNames(passwd);
        }
        var distinctHosts = hosts.OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        // Evidence added to a case (ingest --add) with no machine name of its own belongs to the earlier run's
        // machine, as one ingest of all the evidence would have named it.
        string? inherited = null;
        if (options.Host is null && distinctHosts.Count == 0 && earlier?.Options.Host is { } earlierHost)
        {
            inherited = earlierHost;
            context.Notes.Add($"host name {earlierHost} taken from run {earlier.Run} of the case (the added evidence has no etc/hostname)");
        }
        // One machine's passwd names the uids of inputs without one only when the run holds one machine.
        bool oneMachine = options.Host is not null || distinctHosts.Count <= 1;
        var onlyPasswd = oneMachine && passwds.OfType<IReadOnlyDictionary<long, string>>().Count() == 1 ? passwds.OfType<IReadOnlyDictionary<long, string>>().Single() : null;
        context._inputs = hosts.Select((h, i) => new InputMachine(
            options.Host ?? h ?? (distinctHosts.Count == 1 ? distinctHosts[0] : inherited),
            passwds[i] ?? onlyPasswd)).ToList();
        context.Hostname = options.Host ?? hosts.OfType<string>().FirstOrDefault() ?? inherited;
        context.UserNames = passwds.OfType<IReadOnlyDictionary<long, string>>().FirstOrDefault();
        if (options.Host is null && distinctHosts.Count > 1)
            context.Notes.Add($"the inputs come from {distinctHosts.Count} machines ({string.Join(", ", distinctHosts)}): each input's events and context tables carry its own evidence_host");
        if (listing is not null) context.CollectionMountPoints = listing.CollectionMountPoints;
        return context;
    }

    private static CaseContext ResolveZone(IngestOptions options, EvidenceListing? listing, Case.IngestRun? earlier)
    {
        var notes = new List<string>();
        if (listing is not null) notes.AddRange(listing.Notes);
        CaseContext Found(LocalZone zone, string source) => WithNotes(new CaseContext { Zone = zone, ZoneSource = source }, notes);

        if (options.TimeZone is { } tz)
            return Found(FindZone(tz) ?? throw new ArgumentException($"unknown time zone '{tz}' (use an IANA name such as Europe/Berlin)"), "--tz");

        if (FindEtcFile(options.Inputs, "timezone") is { } tzFile && new FileInfo(tzFile).LinkTarget is null)
        {
            var name = Evidence.Context.ContextFiles.FirstLine(EvidenceOpen.ReadHead(tzFile, 1 << 20));
            if (name is not null && FindZone(name) is { } zone) return Found(zone, $"etc/timezone ({tzFile})");
            notes.Add($"{tzFile}: zone '{name}' is unknown on this machine; ignored");
        }
        else if (listing?.EtcFiles.GetValueOrDefault("timezone") is { Content: { } tzBytes, SourcePath: var tzSource })
        {
            var name = Evidence.Context.ContextFiles.FirstLine(tzBytes);
            if (name is not null && FindZone(name) is { } zone) return Found(zone, $"etc/timezone ({tzSource})");
            notes.Add($"{tzSource}: zone '{name}' is unknown on this machine; ignored");
        }

        var unusable = new List<string>();
        if (FindEtcFile(options.Inputs, "localtime") is { } localtime)
        {
            var link = new FileInfo(localtime).LinkTarget;
            if (link is not null)
            {
                if (FromLink(localtime, link, EvidenceFileForLink(localtime, link), unusable) is { } linked) return Found(linked.Zone, linked.Source);
            }
            else if (FromTzifBytes(EvidenceOpen.ReadHead(localtime, 1 << 20), localtime, unusable) is { } read) return Found(read.Zone, read.Source);
        }
        else if (listing?.EtcFiles.GetValueOrDefault("localtime") is { SourcePath: { } ltSource } lt)
        {
            if (lt.LinkTarget is { } target)
            {
                if (FromLink(ltSource, target, null, unusable) is { } linked) return Found(linked.Zone, linked.Source);
            }
            else if (lt.Content is { } bytes && FromTzifBytes(bytes, ltSource, unusable) is { } read) return Found(read.Zone, read.Source);
        }

        if (earlier is { Options.TimeZoneAssumed: false } && FindZone(earlier.Options.TimeZone) is { } earlierZone)
        {
            if (unusable.Count > 0) notes.Add("the added evidence's zone files could not be used: " + string.Join("; ", unusable));
            // The source the zone was first found in, not a chain of runs that took it over.
            var original = earlier.Options.TimeZoneSource;
            if (original.StartsWith(InheritedZone, StringComparison.Ordinal)) original = original[(original.IndexOf(": ", StringComparison.Ordinal) + 2)..];
            return Found(earlierZone, $"{InheritedZone} {earlier.Run} of the case, as the added evidence names none: {original}");
        }

        var why = unusable.Count == 0
            ? "no --tz, and no etc/timezone or etc/localtime in the evidence"
            : "no --tz, and the evidence's zone files could not be used: " + string.Join("; ", unusable);
        notes.Add($"time zone ASSUMED to be UTC ({why}): local-time stamps (RFC 3164 syslog, web and journal text logs) are off by the machine's UTC offset if it was not UTC; give --tz");
        return WithNotes(new CaseContext { Zone = LocalZone.Utc, ZoneSource = "ASSUMED UTC: " + why, ZoneAssumed = true }, notes);
    }

    private const string InheritedZone = "the zone of run";

    /// <summary>A localtime symlink: the zone its text names, else the evidence's own file it names (folders only).</summary>
    private static (LocalZone Zone, string Source)? FromLink(string source, string target, string? evidenceFile, List<string> unusable)
    {
        var name = ZoneFromLink(target);
        if (name is not null && FindZone(name) is { } zone) return (zone, $"etc/localtime ({source} -> {target}) = {name}");
        if (evidenceFile is not null && File.Exists(evidenceFile) && new FileInfo(evidenceFile).LinkTarget is null && new FileInfo(evidenceFile).Length <= 1 << 20)
        {
            var bytes = EvidenceOpen.ReadHead(evidenceFile, 1 << 20);
            if (TzifZone.TryRead(bytes, $"{name ?? target} (TZif from the evidence)", out string? error) is { } own)
                return (own, $"etc/localtime ({source} -> {target}): zone unknown on this machine, read from the evidence's {evidenceFile} ({Describe(own)})");
            unusable.Add($"{evidenceFile}: {error}");
            return null;
        }
        unusable.Add($"{source} links to {target}: {(name is null ? "not a zoneinfo path" : $"zone '{name}' is unknown on this machine and the evidence does not hold that file")}");
        return null;
    }

    /// <summary>A regular etc/localtime: the identical zoneinfo file of this machine, else its own TZif rules.</summary>
    private static (LocalZone Zone, string Source)? FromTzifBytes(byte[] bytes, string source, List<string> unusable)
    {
        var match = MatchZoneInfo(bytes);
        if (match is not null && FindZone(match) is { } zone) return (zone, $"etc/localtime ({source}) = {match}");
        if (TzifZone.TryRead(bytes, "etc/localtime TZif", out string? error) is { } own)
            return (own, $"etc/localtime ({source}): not identical to this machine's tzdata, read as TZif ({Describe(own)})");
        unusable.Add($"{source}: {error}");
        return null;
    }

    private static string Describe(TzifZone z) =>
        $"v{z.Version}, {z.Transitions.Count} transitions, rule after them '{z.FooterText}'"
        + (z.LeapRecords > 0 ? $", {z.LeapRecords} leap-second records ignored" : "");

    /// <summary>
    /// The file inside the evidence folder that a localtime link names: absolute targets are taken from the folder
    /// holding etc/ (the machine's root), relative ones from etc/; a target leaving that root gives null.
    /// </summary>
    private static string? EvidenceFileForLink(string localtime, string target)
    {
        var etc = Path.GetDirectoryName(Path.GetFullPath(localtime))!;
        var root = Path.GetDirectoryName(etc);
        if (root is null) return null;
        var candidate = Path.GetFullPath(target.StartsWith('/') ? Path.Combine(root, target.TrimStart('/')) : Path.Combine(etc, target));
        return candidate.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? candidate : null;
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

    public static LocalZone? FindZone(string name)
    {
        if (name is "UTC" or "Etc/UTC" or "Etc/Universal" or "Zulu") return LocalZone.Utc;
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
            if (hit is not null) return hit; // may be a symbolic link: callers read its text, never follow it
        }
        return null;
    }

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
