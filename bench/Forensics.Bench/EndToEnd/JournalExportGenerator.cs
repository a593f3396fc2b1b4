using System.Text;

namespace Forensics.Bench.EndToEnd;

/// <summary>
/// Writes a journal export stream (the <c>journalctl -o export</c> form, text fields only) of a given size for
/// <c>systemd-journal-remote</c> to turn into real journal files. The mix is what a bot-scanned droplet's
/// journal holds: sshd brute force, systemd unit lifecycle, kernel firewall lines and audit records, with the
/// trusted fields journald adds (_HOSTNAME, _SYSTEMD_UNIT, _PID, _COMM, _TRANSPORT, _BOOT_ID, ...). Fixed seed,
/// so every run measures the same entries.
/// </summary>
/// <remarks>
/// Export format: systemd docs/JOURNAL_EXPORT_FORMATS.md — one <c>KEY=value</c> line per field, entries ended
/// by an empty line; <c>__REALTIME_TIMESTAMP</c>, <c>__MONOTONIC_TIMESTAMP</c> and <c>_BOOT_ID</c> are taken by
/// journal-remote as the entry's timestamps and boot id (systemd 252 journal-remote-parse.c), so they must be
/// consistent: monotonic restarts at each new boot id, realtime keeps rising.
/// </remarks>
public static class JournalExportGenerator
{
    private static readonly string[] Users = SshdMessageMix.Users;
    private static readonly string[] Timers = ["dnf-makecache", "logrotate", "man-db", "apt-daily", "apt-daily-upgrade", "fstrim", "systemd-tmpfiles-clean", "e2scrub_all"];

    public static long Write(string path, long targetBytes, int seed = 42)
    {
        var rng = new Random(seed);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        var sb = new StringBuilder(1024);
        byte[] buf = new byte[64 * 1024];
        long realtime = 1_716_163_200_000_000; // 2024-05-20T00:00:00Z
        long monotonic = 0;
        string boot = NewId(rng);
        long written = 0, entries = 0;
        while (written < targetBytes)
        {
            long step = rng.Next(1_000, 400_000);
            realtime += step;
            monotonic += step;
            if (rng.Next(400_000) == 0) { boot = NewId(rng); monotonic = rng.Next(2_000_000, 9_000_000); }
            sb.Clear();
            sb.Append("__REALTIME_TIMESTAMP=").Append(realtime).Append('\n');
            sb.Append("__MONOTONIC_TIMESTAMP=").Append(monotonic).Append('\n');
            sb.Append("_BOOT_ID=").Append(boot).Append('\n');
            sb.Append("_HOSTNAME=droplet1\n");
            int kind = rng.Next(100);
            if (kind < 55) Sshd(sb, rng);
            else if (kind < 78) Systemd(sb, rng);
            else if (kind < 88) Kernel(sb, rng);
            else Audit(sb, rng, realtime);
            sb.Append('\n');
            int n = Encoding.UTF8.GetBytes(sb.ToString(), buf);
            stream.Write(buf, 0, n);
            written += n;
            entries++;
        }
        return entries;
    }

    private static string NewId(Random rng)
    {
        Span<byte> b = stackalloc byte[16];
        rng.NextBytes(b);
        return Convert.ToHexStringLower(b);
    }

    private static string Ip(Random rng) => $"{rng.Next(1, 224)}.{rng.Next(256)}.{rng.Next(256)}.{rng.Next(1, 255)}";

    private static void Process(StringBuilder sb, string ident, int pid, string comm, string exe, string cmdline, string unit, string transport, int priority, int facility)
    {
        sb.Append("PRIORITY=").Append(priority).Append('\n');
        sb.Append("SYSLOG_FACILITY=").Append(facility).Append('\n');
        sb.Append("SYSLOG_IDENTIFIER=").Append(ident).Append('\n');
        sb.Append("SYSLOG_PID=").Append(pid).Append('\n');
        sb.Append("_TRANSPORT=").Append(transport).Append('\n');
        sb.Append("_PID=").Append(pid).Append('\n');
        sb.Append("_UID=0\n_GID=0\n");
        sb.Append("_COMM=").Append(comm).Append('\n');
        sb.Append("_EXE=").Append(exe).Append('\n');
        sb.Append("_CMDLINE=").Append(cmdline).Append('\n');
        sb.Append("_CAP_EFFECTIVE=1ffffffffff\n");
        sb.Append("_SELINUX_CONTEXT=unconfined\n");
        sb.Append("_SYSTEMD_CGROUP=/system.slice/").Append(unit).Append('\n');
        sb.Append("_SYSTEMD_UNIT=").Append(unit).Append('\n');
        sb.Append("_SYSTEMD_SLICE=system.slice\n");
        sb.Append("_SYSTEMD_INVOCATION_ID=4c1fd0b4bd3a4d5c9a3fbbf0e8a2c1d7\n");
    }

    private static void Sshd(StringBuilder sb, Random rng)
    {
        int pid = 1000 + rng.Next(2_000_000);
        Process(sb, "sshd", pid, "sshd", "/usr/sbin/sshd", "sshd: [accepted]", "ssh.service", "syslog", rng.Next(4) == 0 ? 5 : 6, rng.Next(3) == 0 ? 10 : 4);
        string ip = Ip(rng);
        int port = rng.Next(1024, 65535);
        sb.Append("MESSAGE=");
        SshdMessageMix.Append(sb, rng, ip, port);
        sb.Append('\n');
    }

    private static void Systemd(StringBuilder sb, Random rng)
    {
        string timer = Timers[rng.Next(Timers.Length)];
        string unit = timer + ".service";
        // Messages about a unit come from PID 1 with UNIT= naming the unit; _SYSTEMD_UNIT is init.scope.
        Process(sb, "systemd", 1, "systemd", "/usr/lib/systemd/systemd", "/sbin/init", "init.scope", "journal", 6, 3);
        sb.Append("CODE_FILE=src/core/unit.c\nCODE_FUNC=unit_log_success\n");
        sb.Append("UNIT=").Append(unit).Append('\n');
        sb.Append("MESSAGE=");
        switch (rng.Next(8))
        {
            case 0: sb.Append("Starting ").Append(unit).Append(" - ").Append(timer).Append(" job..."); break;
            case 1: sb.Append("Started ").Append(unit).Append(" - ").Append(timer).Append(" job."); break;
            case 2: sb.Append(unit).Append(": Deactivated successfully."); break;
            case 3: sb.Append("Finished ").Append(unit).Append(" - ").Append(timer).Append(" job."); break;
            case 4: sb.Append(unit).Append(": Consumed ").Append(rng.Next(1, 60)).Append('.').Append(rng.Next(100, 999)).Append("s CPU time."); break;
            case 5: sb.Append(unit).Append(": Main process exited, code=killed, status=9/KILL"); break;
            case 6: sb.Append(unit).Append(": Failed with result 'signal'."); break;
            default: sb.Append("Failed to start ").Append(unit).Append(" - ").Append(timer).Append(" job."); break;
        }
        sb.Append('\n');
    }

    private static void Kernel(StringBuilder sb, Random rng)
    {
        // Kernel entries have no _PID/_COMM: journald fills them from /dev/kmsg (_TRANSPORT=kernel).
        sb.Append("PRIORITY=4\nSYSLOG_FACILITY=0\nSYSLOG_IDENTIFIER=kernel\n_TRANSPORT=kernel\n");
        sb.Append("_SOURCE_MONOTONIC_TIMESTAMP=").Append(rng.Next(1_000_000, int.MaxValue)).Append('\n');
        sb.Append("MESSAGE=");
        if (rng.Next(4) == 0)
            sb.Append("TCP: request_sock_TCP: Possible SYN flooding on port 22. Sending cookies.  Check SNMP counters.");
        else
            sb.Append("[UFW BLOCK] IN=eth0 OUT= MAC=ee:5e:f3:1a:77:0c:fe:00:00:00:01:01:08:00 SRC=").Append(Ip(rng))
              .Append(" DST=164.92.10.22 LEN=40 TOS=0x00 PREC=0x00 TTL=").Append(rng.Next(30, 250)).Append(" ID=").Append(rng.Next(65536))
              .Append(" PROTO=TCP SPT=").Append(rng.Next(1024, 65535)).Append(" DPT=").Append(rng.Next(1, 65535)).Append(" WINDOW=1024 RES=0x00 SYN URGP=0");
        sb.Append('\n');
    }

    private static void Audit(StringBuilder sb, Random rng, long realtime)
    {
        // journald's audit transport: MESSAGE is the record without its type=/msg=audit( prefix, plus _AUDIT_* fields.
        string[] types = ["USER_LOGIN", "USER_ERR", "CRYPTO_KEY_USER", "USER_AUTH", "USER_ACCT", "CRED_DISP"];
        int[] ids = [1112, 1109, 2301, 1100, 1101, 1104];
        int t = rng.Next(types.Length);
        int pid = 1000 + rng.Next(2_000_000);
        long serial = rng.Next(1, int.MaxValue);
        string ip = Ip(rng);
        string user = Users[rng.Next(Users.Length)];
        sb.Append("SYSLOG_FACILITY=4\nSYSLOG_IDENTIFIER=audit\n_TRANSPORT=audit\n");
        sb.Append("_AUDIT_TYPE=").Append(ids[t]).Append('\n');
        sb.Append("_AUDIT_TYPE_NAME=").Append(types[t]).Append('\n');
        sb.Append("_AUDIT_ID=").Append(serial).Append('\n');
        sb.Append("_SOURCE_REALTIME_TIMESTAMP=").Append(realtime / 1000 * 1000).Append('\n');
        sb.Append("_PID=").Append(pid).Append("\n_UID=0\n_AUDIT_LOGINUID=4294967295\n_AUDIT_SESSION=4294967295\n_COMM=sshd\n_EXE=/usr/sbin/sshd\n");
        sb.Append("MESSAGE=").Append(types[t]).Append(" pid=").Append(pid).Append(" uid=0 auid=4294967295 ses=4294967295 subj=system_u:system_r:sshd_t:s0-s0:c0.c1023 msg='");
        if (types[t] == "CRYPTO_KEY_USER")
            sb.Append("op=destroy kind=server fp=SHA256:Jq5mV0uN1r3m2tC3hV8l7pQJ1k3Gx2e0m9y6mEo0Hk4 direction=? spid=").Append(pid).Append(" suid=0  exe=\"/usr/sbin/sshd\" hostname=? addr=? terminal=? res=success'");
        else
            sb.Append("op=login acct=\"").Append(user).Append("\" exe=\"/usr/sbin/sshd\" hostname=? addr=").Append(ip).Append(" terminal=ssh res=failed'");
        sb.Append('\n');
    }
}
