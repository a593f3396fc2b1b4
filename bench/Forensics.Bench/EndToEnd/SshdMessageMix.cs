using System.Text;

namespace Forensics.Bench.EndToEnd;

/// <summary>
/// The sshd message mix a bot-scanned server logs (OpenSSH 9 texts), shared by the auth.log and journal
/// generators so both benchmarks parse the same kind of traffic.
/// </summary>
public static class SshdMessageMix
{
    public static readonly string[] Users = ["root", "pi", "tomcat", "node", "oracle", "www", "red5", "hive", "palworld", "gpadmin", "sol", "sys", "admin", "ubuntu", "test", "git", "postgres", "user"];

    /// <summary>Appends one message (no header, no newline) for a random user from <paramref name="ip"/>:<paramref name="port"/>.</summary>
    public static void Append(StringBuilder sb, Random rng, string ip, int port) => Append(sb, rng, ip, port, Users[rng.Next(Users.Length)], 1);

    /// <summary>
    /// As above for a given <paramref name="user"/>; only one in <paramref name="acceptEvery"/> of the accepted-login
    /// draws is a success (the others fail), so a large case can have the few successes a real server has.
    /// </summary>
    public static void Append(StringBuilder sb, Random rng, string ip, int port, string user, int acceptEvery)
    {
        int draw = rng.Next(10);
        if (draw == 8 && acceptEvery > 1 && rng.Next(acceptEvery) != 0) draw = 1;
        switch (draw)
        {
            case 0: sb.Append("Invalid user ").Append(user).Append(" from ").Append(ip).Append(" port ").Append(port); break;
            case 1: case 2: sb.Append("Failed password for ").Append(user == "root" ? "" : "invalid user ").Append(user).Append(" from ").Append(ip).Append(" port ").Append(port).Append(" ssh2"); break;
            case 3: sb.Append("Connection closed by invalid user ").Append(user).Append(' ').Append(ip).Append(" port ").Append(port).Append(" [preauth]"); break;
            case 4: sb.Append("Received disconnect from ").Append(ip).Append(" port ").Append(port).Append(":11: Bye Bye [preauth]"); break;
            case 5: sb.Append("Disconnected from authenticating user root ").Append(ip).Append(" port ").Append(port).Append(" [preauth]"); break;
            case 6: sb.Append("pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=").Append(ip).Append("  user=").Append(user); break;
            case 7: sb.Append("error: kex_exchange_identification: Connection closed by remote host"); break;
            case 8: sb.Append("Accepted publickey for root from ").Append(ip).Append(" port ").Append(port).Append(" ssh2: ED25519 SHA256:Jq5mV0uN1r3m2tC3hV8l7pQJ1k3Gx2e0m9y6mEo0Hk4"); break;
            default: sb.Append("Connection closed by ").Append(ip).Append(" port ").Append(port).Append(" [preauth]"); break;
        }
    }
}
