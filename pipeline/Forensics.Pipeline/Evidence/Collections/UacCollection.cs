using System.Globalization;
using System.Text;
using Forensics.Pipeline.Case;
using Forensics.Pipeline.Formats;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Evidence.Collections;

/// <summary>
/// UAC (Unix-like Artifacts Collector, tclahr/uac 3.x) collections, as a tarball or an extracted folder:
/// <c>[root]/…</c> (copies of the machine's files: its logs parse as any copied file system), <c>uac.log</c>,
/// <c>bodyfile/bodyfile.txt</c> (the bodyfile format), <c>live_response/…</c> (what commands printed on the live
/// system), <c>hash_executables/</c>, <c>system/</c> (file lists UAC derives), <c>chkrootkit/</c>.
/// <para><c>uac.log</c> is read as the collection's metadata, not as events: its lines are UAC's own progress
/// (<c>YYYY-MM-DD HH:MM:SS +ZZZZ LEVEL message</c>, lib/log_msg.sh), which say nothing about the machine beyond the
/// header (version, command line, OS, hostname, mount point, zone) and the start and end of the run. Those go into
/// the file's manifest entry (<see cref="ManifestCollection"/>) and the <c>context/uac_collection</c> table.</para>
/// <para>Outputs no parser reads keep the usual "skipped" status with a reason naming what UAC put there.</para>
/// </summary>
public static class UacCollection
{
    public const string LogFileName = "uac.log";

    /// <summary>True for a path whose file name is uac.log (its content decides whether it is UAC's).</summary>
    public static bool IsLogPath(string relativePath) => relativePath == LogFileName || relativePath.EndsWith("/" + LogFileName, StringComparison.Ordinal);

    /// <summary>
    /// Reads uac.log; null when its first line is not UAC's banner (<c>… INF Unix-like Artifacts Collector 3.3.0</c>,
    /// written by the uac script before anything else).
    /// </summary>
    public static ManifestCollection? ReadLog(ReadOnlySpan<byte> content)
    {
        var c = new ManifestCollection { Kind = "uac" };
        int lines = 0;
        foreach (var range in content.Split((byte)'\n'))
        {
            var text = Encoding.UTF8.GetString(content[range]).TrimEnd('\r');
            if (text.Length == 0) continue;
            if (!TrySplit(text, out var time, out var level, out var message))
            {
                if (lines == 0) return null;
                continue; // a command's stderr continues the previous CMD line
            }
            if (lines++ == 0)
            {
                const string banner = "Unix-like Artifacts Collector ";
                if (!message.StartsWith(banner, StringComparison.Ordinal)) return null;
                c.ToolVersion = message[banner.Length..].Trim();
                c.StartedUtc = time;
            }
            c.FinishedUtc = time;
            if (level == "ERR") c.Errors++;
            if (level != "INF") continue;
            if (Value(message, "Command line: ") is { } cmd) c.CommandLine = cmd;
            else if (Value(message, "Operating system: ") is { } os) c.OperatingSystem = os;
            else if (Value(message, "System architecture: ") is { } arch) c.Architecture = arch;
            else if (Value(message, "Hostname: ") is { } host) c.Hostname = host;
            else if (Value(message, "Time zone: ") is { } zone) c.TimeZone = zone;
            else if (Value(message, "Mount point: ") is { } mount) c.MountPoint = mount;
            else if (message.StartsWith("Artifacts collection completed", StringComparison.Ordinal)) c.CollectionCompleted = true;
        }
        return lines == 0 ? null : c;
    }

    private static string? Value(string message, string key) => message.StartsWith(key, StringComparison.Ordinal) ? message[key.Length..] : null;

    /// <summary><c>2026-12-07 21:49:26 +0000 INF message</c> (UAC's _log_msg: date '+%Y-%m-%d %H:%M:%S %z').</summary>
    private static bool TrySplit(string line, out DateTime utc, out string level, out string message)
    {
        utc = default; level = message = "";
        if (line.Length < 30 || line[25] != ' ' || line[29] != ' ') return false;
        if (!DateTimeOffset.TryParseExact(line[..25], "yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)) return false;
        utc = t.UtcDateTime;
        level = line[26..29];
        message = line[30..];
        return true;
    }

    /// <summary>The collection as a one-row context table (<c>context/uac_collection</c>), for SQL next to the events.</summary>
    public static SideTable Table(ManifestCollection c) => new("context/uac_collection",
        [("hostname", ColumnType.String), ("operating_system", ColumnType.String), ("architecture", ColumnType.String),
         ("uac_version", ColumnType.String), ("started", ColumnType.Timestamp), ("finished", ColumnType.Timestamp),
         ("completed", ColumnType.Bool), ("errors", ColumnType.Int64), ("mount_point", ColumnType.String),
         ("time_zone", ColumnType.String), ("command_line", ColumnType.String)],
        [[c.Hostname, c.OperatingSystem, c.Architecture, c.ToolVersion, Micros(c.StartedUtc), Micros(c.FinishedUtc),
          c.CollectionCompleted, (long)c.Errors, c.MountPoint, c.TimeZone, c.CommandLine]]);

    private static long? Micros(DateTime? utc) => utc is { } t ? ForensicEvent.ToMicros(t) : null;

    // UAC's output folders (artifacts/*/*.yaml output_directory) that hold no logs of the machine.
    private static readonly (string Folder, string What)[] Sections =
    [
        ("live_response", "text a command printed on the live system when UAC ran"),
        ("hash_executables", "UAC's list of executables with their MD5/SHA-1 hashes"),
        ("chkrootkit", "chkrootkit's report"),
        ("system", "a file list UAC derives from the bodyfile (suid, hidden, world-writable, … files)"),
        ("memory_dump", "a memory dump"),
        ("osquery", "osquery's output"),
    ];

    // artifacts/system/*.yaml output_file: "system" alone is too common a folder name to stand for UAC.
    private static readonly HashSet<string> SystemLists = new(StringComparer.Ordinal)
    {
        "getcap.txt", "group_name_unknown_directories.txt", "group_name_unknown_files.txt", "group_writable_directories.txt",
        "group_writable_files.txt", "hidden_directories.txt", "hidden_files.txt", "immutable_files.txt", "sgid.txt", "suid.txt",
        "user_name_unknown_directories.txt", "user_name_unknown_files.txt", "world_writable_directories.txt",
        "world_writable_files.txt", "world_writable_not_sticky_directories.txt", "socket_files.txt",
    };

    // live_response/process/last*.txt, lastb*, who*, utmpdump*: text printed from wtmp/btmp/utmp.
    private static readonly string[] LoginListings = ["last", "lastb", "lastlog", "who", "w", "utmpdump"];

    /// <summary>
    /// Why a file of a UAC collection that no parser recognised is not parsed, or null when its path is not in one of
    /// UAC's output folders. Only the wording of a skip depends on it: content still decides the format first.
    /// </summary>
    public static string? SkipReason(string relativePath)
    {
        var segments = relativePath.Split('/');
        for (int i = 0; i < segments.Length - 1; i++)
        {
            foreach (var (folder, what) in Sections)
            {
                if (segments[i] != folder) continue;
                if (folder == "system" && !SystemLists.Contains(segments[^1])) continue;
                var inside = string.Join('/', segments[(i + 1)..]);
                var name = segments[^1];
                string command = name.Split('_', '.')[0];
                var login = folder == "live_response" && LoginListings.Contains(command)
                    ? $"; `{command}` output is a rendering of wtmp/btmp/utmp, whose own records are parsed when UAC copied them under [root]/var/log"
                    : "";
                return $"UAC collection {folder}/ ({inside}): {what}; kept as listed evidence, no parser reads it{login}";
            }
        }
        return null;
    }
}
