using System.Globalization;
using System.Text;
using System.Text.Json;
using Forensics.Pipeline.Formats.Audit;
using Forensics.Tests.Support;
using Xunit.Abstractions;

namespace Forensics.Tests.Formats.Audit;

/// <summary>
/// Field-by-field comparison with elastic/go-libaudit's auparse goldens (corpus go-libaudit/auparse/*.golden):
/// for each golden record the matching log line is parsed alone and timestamp, type, serial and every data
/// field are compared. go-libaudit adds interpretations auditd does not write (syscall names, errno names,
/// "unset" ids, SELinux context split, res→result); those are checked against the raw value where the mapping
/// is known, and the remaining differences must belong to a short, named list.
/// </summary>
public class AuditGoldenTests(ITestOutputHelper output)
{
    // go-libaudit derived keys that do not exist in the log text (auparse enrichment).
    private static readonly HashSet<string> Derived =
    [
        "subj_user", "subj_role", "subj_domain", "subj_level", "obj_user", "obj_role", "obj_domain", "obj_level",
        "seresult", "seperms", "result", "arch", "syscall", "exit",
    ];

    [SkippableTheory]
    [InlineData("audit-rhel6.log")]
    [InlineData("audit-rhel7.log")]
    [InlineData("audit-ubuntu16.log")]
    [InlineData("test2.log")]
    public void Matches_go_libaudit_golden_field_by_field(string name)
    {
        var logPath = Corpus.File("go-libaudit/auparse/" + name);
        var golden = JsonDocument.Parse(File.ReadAllText(Corpus.File("go-libaudit/auparse/" + name + ".golden")));
        var lines = File.ReadAllLines(logPath);
        int exact = 0, interpreted = 0;
        var unexplained = new List<string>();
        // The golden holds one entry per log line, in order; null where go-libaudit could not parse the line.
        Assert.Equal(lines.Length, golden.RootElement.GetArrayLength());
        int index = 0;
        foreach (var g in golden.RootElement.EnumerateArray())
        {
            var line = lines[index++];
            var rec = new AuditRecord();
            if (g.ValueKind == JsonValueKind.Null)
            {
                // e.g. "type=UNKNOWN[1329] msg=?": we keep it as a record of its type without time or serial.
                Assert.True(AuditRecordParser.TryParseLogLine(Encoding.UTF8.GetBytes(line), rec), line);
                Assert.Null(rec.Serial);
                output.WriteLine($"go-libaudit skipped line {index}: {line}");
                continue;
            }
            Assert.EndsWith(" msg=" + g.GetProperty("raw_msg").GetString(), line, StringComparison.Ordinal);
            Assert.True(AuditRecordParser.TryParseLogLine(Encoding.UTF8.GetBytes(line), rec));
            Assert.Equal(g.GetProperty("record_type").GetString(), rec.Type.ToLowerInvariant());
            Assert.Equal(g.GetProperty("sequence").GetInt64(), rec.Serial);
            var ts = DateTime.Parse(g.GetProperty("@timestamp").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            Assert.Equal(Forensics.Pipeline.Model.ForensicEvent.ToMicros(ts), rec.TsMicros);
            if (!g.TryGetProperty("data", out var data)) continue;
            foreach (var p in data.EnumerateObject())
            {
                string want = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
                // decoded SOCKADDR fields are saddr_* here (see AuditRecordParser.AddSockaddr)
                string? got = rec.Type == "SOCKADDR" && p.Name is "family" or "addr" or "port" or "path" ? rec.Get("saddr_" + p.Name) : rec.Get(p.Name);
                if (got == want) { exact++; continue; }
                if (Interpreted(p.Name, want, got, rec)) { interpreted++; continue; }
                unexplained.Add($"{name} {rec.Type}:{rec.Serial} {p.Name}: golden '{want}' ours '{got ?? "<missing>"}'");
            }
        }
        foreach (var u in unexplained) output.WriteLine(u);
        output.WriteLine($"{name}: {exact} exact, {interpreted} go-libaudit interpretations");
        Assert.Empty(unexplained);
        Assert.True(exact > interpreted);
    }

    private static bool Interpreted(string key, string want, string? got, AuditRecord rec)
    {
        // 4294967295 (unsigned -1) is auditd's "unset" login uid / session
        if (want == "unset" && got == "4294967295") return true;
        if (key == "result")
        {
            string? res = rec.Get("res") ?? rec.Get("msg.res") ?? rec.Get("success");
            return (want, res) is ("success", "success" or "yes" or "1") or ("fail", "failed" or "no" or "0");
        }
        if (key == "arch") return (want, got) is ("x86_64", "c000003e") or ("i386", "40000003") or ("aarch64", "c00000b7");
        if (key == "exit" && got is not null && got.StartsWith('-')) return want.StartsWith('E'); // errno name for negative exit
        if (key.StartsWith("subj_", StringComparison.Ordinal) || key.StartsWith("obj_", StringComparison.Ordinal))
        {
            var ctx = rec.Get(key.StartsWith("subj", StringComparison.Ordinal) ? "subj" : "obj") ?? rec.Get("scontext") ?? rec.Get("tcontext");
            return ctx is not null && ctx.Split(':').Contains(want);
        }
        if (key == "syscall" && got is not null && got.All(char.IsAsciiDigit)) return true; // number → name table
        if (key is "seresult" or "seperms") return true; // "avc: denied { read }" free words
        return Derived.Contains(key) && got is not null;
    }
}
