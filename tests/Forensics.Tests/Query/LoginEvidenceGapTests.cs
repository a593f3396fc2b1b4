using System.Buffers.Binary;
using System.Text;
using Forensics.Pipeline.Query;
using Forensics.Tests.Support;

namespace Forensics.Tests.Query;

/// <summary>
/// sshd writes wtmp only for sessions with a terminal: a key login that runs a command or sftp has no wtmp
/// record and is not a gap; a login whose shell started on a pty and left no wtmp record is.
/// </summary>
public sealed class LoginEvidenceGapTests
{
    /// <summary>One x86_64 struct utmp (384 bytes): type, pid, line, id, user, host, tv_sec.</summary>
    private static byte[] Utmp(short type, int pid, string line, string user, string host, DateTime utc)
    {
        var r = new byte[384];
        BinaryPrimitives.WriteInt16LittleEndian(r, type);
        BinaryPrimitives.WriteInt32LittleEndian(r.AsSpan(4), pid);
        Encoding.ASCII.GetBytes(line).CopyTo(r, 8);
        Encoding.ASCII.GetBytes(line.Replace("pts/", "", StringComparison.Ordinal)).CopyTo(r, 40);
        Encoding.ASCII.GetBytes(user).CopyTo(r, 44);
        Encoding.ASCII.GetBytes(host).CopyTo(r, 76);
        BinaryPrimitives.WriteInt32LittleEndian(r.AsSpan(340), (int)(utc - DateTime.UnixEpoch).TotalSeconds);
        return r;
    }

    [Fact]
    public void Only_logins_that_had_a_terminal_are_expected_in_wtmp()
    {
        using var tmp = new TempDir();
        var log = Directory.CreateDirectory(tmp.Combine("machine", "var", "log")).FullName;
        File.WriteAllText(Path.Combine(log, "auth.log"), string.Join('\n',
            "Mar  1 10:00:00 web1 sshd[100]: Accepted publickey for alice from 192.0.2.10 port 40000 ssh2: ED25519 SHA256:aaaa",
            "Mar  1 10:00:00 web1 sshd[102]: Starting session: shell on pts/0 for alice from 192.0.2.10 port 40000 id 0",
            // a command run over ssh: no pty, no wtmp record
            "Mar  1 11:00:00 web1 sshd[200]: Accepted publickey for deploy from 198.51.100.7 port 40001 ssh2: ED25519 SHA256:bbbb",
            // sftp: no pty either
            "Mar  1 11:30:00 web1 sshd[300]: Accepted publickey for backup from 198.51.100.8 port 40002 ssh2: ED25519 SHA256:cccc",
            "Mar  1 11:30:00 web1 sshd[302]: subsystem request for sftp by user backup",
            // a shell on a pty whose wtmp record is gone
            "Mar  1 12:00:00 web1 sshd[400]: Accepted password for root from 203.0.113.7 port 40003 ssh2",
            "Mar  1 12:00:00 web1 sshd[402]: Starting session: shell on pts/1 for root from 203.0.113.7 port 40003 id 0") + "\n");
        var wtmp = new MemoryStream();
        wtmp.Write(Utmp(7, 102, "pts/0", "alice", "192.0.2.10", new DateTime(2024, 3, 1, 10, 0, 1)));
        wtmp.Write(Utmp(8, 102, "pts/0", "", "", new DateTime(2024, 3, 1, 10, 30, 0)));
        File.WriteAllBytes(Path.Combine(log, "wtmp"), wtmp.ToArray());

        using var run = CaseRun.Ingest([tmp.Combine("machine")], tz: "UTC", year: 2024);
        using var session = CaseSession.Open(run.CaseDir);
        var q = QueryCatalogTests.Queries.Single(x => x.Name == "login_evidence_gaps");
        var r = session.Run(q.Sql, q.Bind());
        var row = Assert.Single(r.Rows);
        var columns = r.Columns.ToList();
        Assert.Equal("sshd_login_without_wtmp", row[columns.IndexOf("finding")]);
        Assert.Equal("root", row[columns.IndexOf("user")]);
        Assert.StartsWith("had a terminal (sshd started a shell on pts/1)", (string)row[columns.IndexOf("detail")]!, StringComparison.Ordinal);
    }
    [Fact]
    public void A_login_on_one_machine_is_not_explained_by_another_machines_wtmp()
    {
        using var tmp = new TempDir();
        string Machine(string name, string[] auth, byte[][] wtmpRecords)
        {
            var root = tmp.Combine(name);
            var log = Directory.CreateDirectory(Path.Combine(root, "var", "log")).FullName;
            Directory.CreateDirectory(Path.Combine(root, "etc"));
            File.WriteAllText(Path.Combine(root, "etc", "hostname"), name + "\n");
            File.WriteAllText(Path.Combine(log, "auth.log"), string.Join('\n', auth) + "\n");
            File.WriteAllBytes(Path.Combine(log, "wtmp"), wtmpRecords.SelectMany(r => r).ToArray());
            return root;
        }
        // web1: root's shell on pts/1 left no wtmp record; web2: a root session in wtmp that no sshd line of web2 explains.
        // The same user, address and minute on both: matched across machines, each would hide the other.
        var web1 = Machine("web1",
            [
                "Mar  1 12:00:00 web1 sshd[400]: Accepted password for root from 203.0.113.7 port 40003 ssh2",
                "Mar  1 12:00:00 web1 sshd[402]: Starting session: shell on pts/1 for root from 203.0.113.7 port 40003 id 0",
            ],
            [Utmp(7, 102, "pts/0", "alice", "192.0.2.10", new DateTime(2024, 3, 1, 10, 0, 1)), Utmp(8, 102, "pts/0", "", "", new DateTime(2024, 3, 1, 10, 30, 0))]);
        var web2 = Machine("web2",
            ["Mar  1 11:00:00 web2 sshd[500]: Failed password for root from 198.51.100.1 port 40100 ssh2"],
            [Utmp(7, 600, "pts/3", "root", "203.0.113.7", new DateTime(2024, 3, 1, 12, 0, 1)), Utmp(8, 600, "pts/3", "", "", new DateTime(2024, 3, 1, 12, 5, 0))]);

        using var run = CaseRun.Ingest([web1, web2], tz: "UTC", year: 2024);
        using var session = CaseSession.Open(run.CaseDir);
        var q = QueryCatalogTests.Queries.Single(x => x.Name == "login_evidence_gaps");
        var r = session.Run(q.Sql, q.Bind());
        var columns = r.Columns.ToList();
        Assert.Equal(["sshd_login_without_wtmp root web1", "wtmp_session_without_sshd root web2"],
            r.Rows.Select(row => $"{row[columns.IndexOf("finding")]} {row[columns.IndexOf("user")]} {row[columns.IndexOf("host")]}").Order(StringComparer.Ordinal));

        // Nor does one machine's login corroborate the other's.
        var logins = QueryCatalogTests.Queries.Single(x => x.Name == "logins");
        var l = session.Run(logins.Sql, logins.Bind());
        var lc = l.Columns.ToList();
        Assert.Equal(["sshd root web1 -", "wtmp alice web1 -", "wtmp root web2 -"],
            l.Rows.Select(row => $"{row[lc.IndexOf("source")]} {row[lc.IndexOf("user")]} {row[lc.IndexOf("host")]} {row[lc.IndexOf("corroborated_by")] ?? "-"}").Order(StringComparer.Ordinal));
    }
}
