using System.Text;

namespace Forensics.Bench.EndToEnd;

/// <summary>
/// Writes a realistic sshd brute-force auth log of a given size (RFC 3164 stamps, Fedora/Debian sshd texts,
/// the mix a bot-scanned server sees), with a fixed seed so every run measures the same bytes.
/// </summary>
public static class AuthLogGenerator
{

    public static long Write(string path, long targetBytes, int seed = 42)
    {
        var rng = new Random(seed);
        return WriteLines(path, targetBytes, rng, "droplet1",
            (sb, _) => SshdMessageMix.Append(sb, rng, $"{rng.Next(1, 224)}.{rng.Next(256)}.{rng.Next(256)}.{rng.Next(1, 255)}", rng.Next(1024, 65535)));
    }

    /// <summary>
    /// sshd lines of <paramref name="host"/> with RFC 3164 stamps from 2024-01-01, 1–400 ms apart, until
    /// <paramref name="targetBytes"/>; <paramref name="appendMessage"/> writes each message (it gets the line number).
    /// The file's mtime is a minute after the last line, as a log's would be.
    /// </summary>
    internal static long WriteLines(string path, long targetBytes, Random rng, string host, Action<StringBuilder, long> appendMessage)
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        var t = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        long written = 0, lines = 0;
        var sb = new StringBuilder(256);
        string[] months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        while (written < targetBytes)
        {
            t = t.AddMilliseconds(rng.Next(1, 400));
            int pid = 1000 + rng.Next(2_000_000);
            sb.Clear();
            sb.Append(months[t.Month - 1]).Append(' ').Append(t.Day.ToString().PadLeft(2)).Append(' ').Append(t.ToString("HH:mm:ss")).Append(' ').Append(host).Append(" sshd[").Append(pid).Append("]: ");
            appendMessage(sb, lines);
            sb.Append('\n');
            w.Write(sb);
            written += Encoding.UTF8.GetByteCount(sb.ToString());
            lines++;
        }
        File.SetLastWriteTimeUtc(path, t.AddMinutes(1));
        return lines;
    }
}
