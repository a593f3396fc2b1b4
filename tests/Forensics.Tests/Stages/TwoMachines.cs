namespace Forensics.Tests.Stages;

/// <summary>
/// Two small machines' evidence written by the tests: each a folder with etc/hostname, etc/passwd,
/// etc/ssh/sshd_config and var/log/auth.log (real sshd line forms). The same user name (bob) is tried on both but
/// exists only in alpha's passwd; dave exists only in beta's, with a shell that refuses logins.
/// </summary>
internal static class TwoMachines
{
    public const string Alpha = "alpha";
    public const string Beta = "beta";

    /// <summary>Writes both machines under <paramref name="root"/> and returns their folders (alpha, beta).</summary>
    public static (string Alpha, string Beta) Write(string root, string? alphaHostname = Alpha, string? betaHostname = Beta)
    {
        var alpha = Machine(root, "alpha-copy", alphaHostname,
            passwd: "root:x:0:0:root:/root:/bin/bash\nbob:x:1000:1000:Bob:/home/bob:/bin/bash\n",
            sshd: "PermitRootLogin no\nPasswordAuthentication yes\n",
            auth:
            [
                "Mar  1 10:00:00 alpha sshd[100]: Failed password for bob from 203.0.113.7 port 50001 ssh2",
                "Mar  1 10:00:05 alpha sshd[101]: Invalid user carol from 203.0.113.7 port 50002",
                "Mar  1 10:00:06 alpha sshd[101]: Failed password for invalid user carol from 203.0.113.7 port 50002 ssh2",
                // relayed by alpha's rsyslog from another machine: the line names its own host, the evidence stays alpha's
                "Mar  1 10:00:07 relay-src sshd[102]: Failed password for root from 203.0.113.7 port 50003 ssh2",
                "Mar  1 10:01:00 alpha sshd[103]: Accepted password for bob from 192.0.2.10 port 50100 ssh2",
            ]);
        var beta = Machine(root, "beta-copy", betaHostname,
            passwd: "root:x:0:0:root:/root:/bin/bash\ndave:x:1001:1001:Dave:/home/dave:/usr/sbin/nologin\n",
            sshd: "PermitRootLogin prohibit-password\nPasswordAuthentication no\n",
            auth:
            [
                "Mar  1 11:00:00 beta sshd[200]: Failed password for bob from 198.51.100.9 port 40001 ssh2",
                "Mar  1 11:00:10 beta sshd[201]: Failed password for dave from 198.51.100.9 port 40002 ssh2",
                "Mar  1 11:00:20 beta sshd[202]: Failed password for dave from 198.51.100.9 port 40003 ssh2",
            ]);
        return (alpha, beta);
    }

    private static string Machine(string root, string name, string? hostname, string passwd, string sshd, string[] auth)
    {
        var dir = Path.Combine(root, name);
        Directory.CreateDirectory(Path.Combine(dir, "etc", "ssh"));
        Directory.CreateDirectory(Path.Combine(dir, "var", "log"));
        if (hostname is not null) File.WriteAllText(Path.Combine(dir, "etc", "hostname"), hostname + "\n");
        File.WriteAllText(Path.Combine(dir, "etc", "passwd"), passwd);
        File.WriteAllText(Path.Combine(dir, "etc", "timezone"), "Etc/UTC\n");
        File.WriteAllText(Path.Combine(dir, "etc", "ssh", "sshd_config"), sshd);
        var log = Path.Combine(dir, "var", "log", "auth.log");
        File.WriteAllText(log, string.Join("\n", auth) + "\n");
        File.SetLastWriteTimeUtc(log, new DateTime(2024, 3, 2, 0, 0, 0, DateTimeKind.Utc));
        return dir;
    }
}
