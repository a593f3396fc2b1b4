using System.Text;

namespace Forensics.Bench.EndToEnd;

/// <summary>
/// Writes a realistic sshd brute-force auth log of a given size (RFC 3164 stamps, Fedora/Debian sshd texts,
/// the mix a bot-scanned server sees), with a fixed seed so every run measures the same bytes.
/// </summary>
public static class AuthLogGenerator
{
    private static readonly string[] Users = ["root", "pi", "tomcat", "node", "oracle", "www", "red5", "hive", "palworld", "gpadmin", "sol", "sys", "admin", "ubuntu", "test", "git", "postgres", "user"];

    public static long Write(string path, long targetBytes, int seed = 42)
    {
        var rng = new Random(seed);
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        var t = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        long written = 0, lines = 0;
        var sb = new StringBuilder(256);
        string[] months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        while (written < targetBytes)
        {
            t = t.AddMilliseconds(rng.Next(1, 400));
            int pid = 1000 + rng.Next(2_000_000);
            string ip = $"{rng.Next(1, 224)}.{rng.Next(256)}.{rng.Next(256)}.{rng.Next(1, 255)}";
            int port = rng.Next(1024, 65535);
            string user = Users[rng.Next(Users.Length)];
            sb.Clear();
            sb.Append(months[t.Month - 1]).Append(' ').Append(t.Day.ToString().PadLeft(2)).Append(' ').Append(t.ToString("HH:mm:ss")).Append(" droplet1 sshd[").Append(pid).Append("]: ");
            switch (rng.Next(10))
            {
                case 0: sb.Append("Invalid user ").Append(user).Append(" from ").Append(ip).Append(" port ").Append(port); break;
                case 1: case 2: sb.Append("Failed password for ").Append(user == "root" ? "" : "invalid user ").Append(user).Append(" from ").Append(ip).Append(" port ").Append(port).Append(" ssh2"); break;
                case 3: sb.Append("Connection closed by invalid user ").Append(user).Append(' ').Append(ip).Append(" port ").Append(port).Append(" [preauth]"); break;
                case 4: sb.Append("Received disconnect from ").Append(ip).Append(" port ").Append(port).Append(":11: Bye Bye [preauth]"); break;
                case 5: sb.Append("Disconnected from authenticating user root ").Append(ip).Append(" port ").Append(port).Append(" [preauth]"); break;
                case 6: sb.Append("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=").Append(ip).Append("  user=").Append(user); break;
                case 7: sb.Append("error: kex_exchange_identification: Connection closed by remote host"); break;
                case 8: sb.Append("Connection closed by ").Append(ip).Append(" port ").Append(port).Append(" [preauth]"); break;
                default: sb.Append("pam_unix(sshd:auth): check pass; user unknown"); break;
            }
            sb.Append('\n');
            w.Write(sb);
            written += Encoding.UTF8.GetByteCount(sb.ToString());
            lines++;
        }
        File.SetLastWriteTimeUtc(path, t.AddMinutes(1));
        return lines;
    }
}
