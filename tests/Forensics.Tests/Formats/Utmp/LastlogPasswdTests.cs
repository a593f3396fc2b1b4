using System.Buffers.Binary;
using System.Text;
using Forensics.Tests.Support;

namespace Forensics.Tests.Formats.Utmp;

public class LastlogPasswdTests
{
    /// <summary>One 292-byte struct lastlog slot: int32 ll_time, char ll_line[32], char ll_host[256].</summary>
    private static byte[] Slot(int time, string line, string host)
    {
        var slot = new byte[292];
        BinaryPrimitives.WriteInt32LittleEndian(slot, time);
        Encoding.ASCII.GetBytes(line).CopyTo(slot, 4);
        Encoding.ASCII.GetBytes(host).CopyTo(slot, 36);
        return slot;
    }

    [Fact]
    public void Lastlog_slots_get_user_names_from_the_evidence_passwd()
    {
        using var dir = new TempDir();
        var root = dir.Combine("machine");
        Directory.CreateDirectory(Path.Combine(root, "etc"));
        Directory.CreateDirectory(Path.Combine(root, "var", "log"));
        File.WriteAllText(Path.Combine(root, "etc", "passwd"), "root:x:0:0:root:/root:/bin/bash\nsys:x:3:3:sys:/dev:/usr/sbin/nologin\n");
        var lastlog = new byte[292 * 1001];
        Slot(1716299000, "pts/0", "174.72.166.246").CopyTo(lastlog, 0);      // uid 0 → root
        Slot(1716200000, "pts/1", "10.0.0.9").CopyTo(lastlog, 292 * 1000);   // uid 1000 → not in passwd
        File.WriteAllBytes(Path.Combine(root, "var", "log", "lastlog"), lastlog);

        using var run = CaseRun.Ingest([root]);
        var rows = Duck.Rows($"SELECT uid, \"user\", src_ip FROM {run.Events} WHERE format = 'lastlog' ORDER BY uid");
        Assert.Equal(2, rows.Count);
        Assert.Equal([0L, "root"], rows[0][..2]);
        Assert.Equal(1000L, rows[1][0]);
        Assert.Null(rows[1][1]);
    }
    [Fact]
    public void Each_machines_lastlog_is_named_by_its_own_passwd_never_by_another_machines()
    {
        using var dir = new TempDir();
        string Machine(string name, string? passwd)
        {
            var root = dir.Combine(name);
            Directory.CreateDirectory(Path.Combine(root, "etc"));
            Directory.CreateDirectory(Path.Combine(root, "var", "log"));
            File.WriteAllText(Path.Combine(root, "etc", "hostname"), name + "\n");
            if (passwd is not null) File.WriteAllText(Path.Combine(root, "etc", "passwd"), passwd);
            var lastlog = new byte[292 * 1001];
            Slot(1716200000, "pts/1", "10.0.0.9").CopyTo(lastlog, 292 * 1000);   // uid 1000
            File.WriteAllBytes(Path.Combine(root, "var", "log", "lastlog"), lastlog);
            return root;
        }
        var web1 = Machine("web1", "alice:x:1000:1000::/home/alice:/bin/bash\n");
        var web2 = Machine("web2", "bob:x:1000:1000::/home/bob:/bin/bash\n");
        var web3 = Machine("web3", null);

        using var run = CaseRun.Ingest([web1, web2, web3]);
        var rows = Duck.Rows($"SELECT evidence_host, coalesce(\"user\", '-') FROM {run.Events} WHERE format = 'lastlog' ORDER BY 1");
        // The three lastlog files are the same bytes, yet each is its machine's (not a duplicate of web1's). uid 1000
        // is alice on web1 and bob on web2; web3 has no passwd, and another machine's names are not its own.
        Assert.Equal(["web1 alice", "web2 bob", "web3 -"], rows.Select(r => $"{r[0]} {r[1]}"));

        // With one passwd among two machines, it still names only its own machine's uids.
        using var two = CaseRun.Ingest([web1, web3]);
        Assert.Equal(["web1 alice", "web3 -"], Duck.Rows($"SELECT evidence_host, coalesce(\"user\", '-') FROM {two.Events} WHERE format = 'lastlog' ORDER BY 1").Select(r => $"{r[0]} {r[1]}"));
    }
}
