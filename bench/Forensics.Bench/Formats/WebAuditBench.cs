using System.Text;
using BenchmarkDotNet.Attributes;
using Forensics.Pipeline.Formats;
using Forensics.Pipeline.Formats.Audit;
using Forensics.Pipeline.Formats.Web;

namespace Forensics.Bench.Formats;

/// <summary>
/// Frame + Parse throughput of the web and audit formats over ~16 MB of realistic lines held in memory
/// (single thread, no writer). MB/s = InputMB / Mean. Lines mimic the seed case: scanner traffic, CONNECT
/// probes, TLS garbage, nginx combined with user agents, auditd sshd/PAM and SYSCALL groups.
/// </summary>
[MemoryDiagnoser]
public class WebAuditBench
{
    private byte[] _werkzeug = [];
    private byte[] _nginx = [];
    private byte[] _audit = [];
    private readonly FileContext _ctx = new() { SourceFile = "bench", SourceSha256 = "", FileName = "bench", Zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"), ZoneSource = "bench" };

    public const int TargetBytes = 16 << 20;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _werkzeug = Build(rng, i => (i % 50) switch
        {
            0 => $"91.92.245.{i % 250} - - [21/May/2024 13:{i / 60 % 60:00}:{i % 60:00}] \"CONNECT api.ipify.org:443 HTTP/1.1\" 404 -",
            1 => $"45.1.2.{i % 250} - - [21/May/2024 13:{i / 60 % 60:00}:{i % 60:00}] code 400, message Bad request version ('\\x16\\x03\\x01\\x00')",
            _ => $"10.0.{i % 200}.{i % 250} - - [21/May/2024 13:{i / 60 % 60:00}:{i % 60:00}] \"GET /static/app.js?v={i} HTTP/1.1\" {(i % 7 == 0 ? 404 : 200)} -",
        });
        _nginx = Build(rng, i => $"203.0.113.{i % 250} - - [21/May/2024:13:{i / 60 % 60:00}:{i % 60:00} +0000] \"GET /wp-login.php?id={i} HTTP/1.1\" {(i % 5 == 0 ? 404 : 200)} {i % 9000} \"https://example.com/page/{i % 100}\" \"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36\"");
        _audit = Build(rng, i => (i % 3) switch
        {
            0 => $"type=USER_LOGIN msg=audit(1716299406.{i % 1000:000}:{i}): pid=2856055 uid=0 auid=4294967295 ses=4294967295 subj=system_u:system_r:sshd_t:s0-s0:c0.c1023 msg='op=login acct=\"(unknown)\" exe=\"/usr/sbin/sshd\" hostname=? addr=95.223.184.{i % 250} terminal=sshd res=failed'\u001dUID=\"root\" AUID=\"unset\"",
            1 => $"type=SYSCALL msg=audit(1716299406.{i % 1000:000}:{i}): arch=c000003e syscall=59 success=yes exit=0 a0=55d5 a1=55d6 a2=55d7 a3=0 items=2 ppid=1 pid={i} auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm=\"bash\" exe=\"/usr/bin/bash\" key=(null)",
            _ => $"type=PROCTITLE msg=audit(1716299406.{(i - 1) % 1000:000}:{i - 1}): proctitle=2F62696E2F62617368002D63006C73",
        });
    }

    private static byte[] Build(Random rng, Func<int, string> line)
    {
        var sb = new StringBuilder(TargetBytes + 1024);
        for (int i = 0; sb.Length < TargetBytes; i++) sb.Append(line(i)).Append('\n');
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private int Run(ILogFormat format, byte[] data)
    {
        int events = 0;
        using var stream = new MemoryStream(data, writable: false);
        foreach (var batch in format.Frame(stream, _ctx, CancellationToken.None))
        {
            var output = new ParseOutput();
            format.Parse(batch, _ctx, output);
            events += output.Events.Count;
            batch.Release();
        }
        return events;
    }

    [Benchmark] public int Werkzeug() => Run(new WerkzeugFormat(), _werkzeug);
    [Benchmark] public int NginxCombined() => Run(new AccessLogFormat(), _nginx);
    [Benchmark] public int AuditLog() => Run(new AuditFormat(), _audit);
}
