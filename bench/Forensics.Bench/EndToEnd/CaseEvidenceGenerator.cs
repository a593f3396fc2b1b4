using System.Text;

namespace Forensics.Bench.EndToEnd;

/// <summary>
/// Writes an evidence folder for the query benchmark (issue 14): HOSTS machines, each with etc/hostname and a
/// var/log/secure of MB_PER_HOST megabytes of bot traffic (the sshd mix, but from a pool of 5,000 addresses and
/// ~2,000 user names, with one accepted login in 2,000 guesses), plus var/log/nginx/access.log on the first host.
/// Ingesting it with forensics gives a case laid out exactly as the real ingest lays it out.
/// </summary>
public static class CaseEvidenceGenerator
{
    public static long Write(string root, int hosts, long mbPerHost, long webMb)
    {
        long events = 0;
        for (int h = 0; h < hosts; h++)
        {
            string host = $"web{h + 1}";
            string dir = Path.Combine(root, host);
            Directory.CreateDirectory(Path.Combine(dir, "etc"));
            Directory.CreateDirectory(Path.Combine(dir, "var", "log"));
            File.WriteAllText(Path.Combine(dir, "etc", "hostname"), host + "\n");
            File.WriteAllText(Path.Combine(dir, "etc", "timezone"), "Etc/UTC\n");
            events += WriteSecure(Path.Combine(dir, "var", "log", "secure"), host, mbPerHost << 20, seed: 100 + h);
            if (h == 0 && webMb > 0)
            {
                Directory.CreateDirectory(Path.Combine(dir, "var", "log", "nginx"));
                events += NginxLogGenerator.Write(Path.Combine(dir, "var", "log", "nginx", "access.log"), webMb << 20, seed: 7);
            }
        }
        return events;
    }

    private static long WriteSecure(string path, string host, long targetBytes, int seed)
    {
        var rng = new Random(seed);
        var ips = new string[5000];
        for (int i = 0; i < ips.Length; i++) ips[i] = $"{rng.Next(1, 224)}.{rng.Next(256)}.{rng.Next(256)}.{rng.Next(1, 255)}";
        var users = new string[2000];
        for (int i = 0; i < users.Length; i++) users[i] = i < SshdMessageMix.Users.Length ? SshdMessageMix.Users[i] : "user" + i;
        return AuthLogGenerator.WriteLines(path, targetBytes, rng, host, (sb, line) =>
        {
            // Bots come in bursts: an address keeps guessing for a while, so pick the next one rarely.
            string ip = ips[(int)((line / 40 + (uint)rng.Next(3)) * 2654435761u % (uint)ips.Length)];
            string user = users[rng.Next(8) == 0 ? rng.Next(users.Length) : rng.Next(SshdMessageMix.Users.Length)];
            SshdMessageMix.Append(sb, rng, ip, rng.Next(1024, 65535), user, 2000);
        });
    }
}
