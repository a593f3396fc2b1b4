using System.Text;
using System.Text.Json;
using Forensics.Pipeline.Formats.Classify;
using Forensics.Pipeline.Formats.Syslog;
using Forensics.Tests.Support;

namespace Forensics.Tests.Formats.Syslog;

/// <summary>
/// fail2ban's sshd test log annotates each line it must match with a <c># failJSON: {...}</c> comment; where the
/// comment names a <c>host</c>, that is the address fail2ban attributes the line to, including lines whose
/// attacker-chosen text carries a second, injected address, and lines with no address at all (fail2ban takes
/// it from the earlier line of the same sshd process). Every such line must be attributed to the same address.
/// </summary>
public sealed class Fail2banAttributionTests
{
    [SkippableFact]
    public void Every_failJSON_host_of_fail2bans_sshd_log_is_the_attributed_address()
    {
        var path = Corpus.File("fail2ban/sshd");
        var bytes = File.ReadAllBytes(path);
        // The record that follows each failJSON comment (the next line that is not a comment), by byte offset.
        var expected = new List<(long Offset, string Host, string Line)>();
        string? pendingHost = null;
        long offset = 0;
        foreach (var raw in Lines(bytes))
        {
            var text = Encoding.UTF8.GetString(raw.Bytes);
            if (text.StartsWith("# failJSON:", StringComparison.Ordinal))
            {
                using var json = JsonDocument.Parse(text["# failJSON:".Length..]);
                pendingHost = json.RootElement.TryGetProperty("host", out var h) ? h.GetString() : null;
            }
            else if (!text.StartsWith('#') && text.Length > 0)
            {
                if (pendingHost is not null) expected.Add((raw.Offset, pendingHost, text));
                pendingHost = null;
            }
            offset = raw.Offset;
        }
        Assert.Equal(108, expected.Count);

        var r = FormatHarness.Run(new SyslogFormat(), bytes, "sshd", year: 2005);
        var byOffset = r.Events.ToDictionary(e => e.SourceOffset);
        var wrong = new List<string>();
        int inherited = 0;
        foreach (var (at, host, line) in expected)
        {
            if (!byOffset.TryGetValue(at, out var e)) { wrong.Add($"no event at {at}: {line}"); continue; }
            var got = e.SrcIp ?? e.Get(SshdClassifier.RemoteHost) as string;
            if (got != host) wrong.Add($"{got ?? "(none)"} instead of {host}: {line}");
            if (e.Get(SshdClassifier.AddressInherited) is true) inherited++;
        }
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {expected.Count} misattributed:\n" + string.Join('\n', wrong));
        Assert.Equal(11, inherited);
    }

    private static IEnumerable<(long Offset, byte[] Bytes)> Lines(byte[] bytes)
    {
        int start = 0;
        while (start < bytes.Length)
        {
            int nl = Array.IndexOf(bytes, (byte)'\n', start);
            int end = nl < 0 ? bytes.Length : nl;
            int len = end > start && bytes[end - 1] == (byte)'\r' ? end - 1 - start : end - start;
            yield return (start, bytes[start..(start + len)]);
            start = end + 1;
        }
    }
}
