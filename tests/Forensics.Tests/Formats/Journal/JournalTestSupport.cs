using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Forensics.Pipeline.Formats.Journal;

namespace Forensics.Tests.Formats.Journal;

internal static class JournalTestSupport
{
    public static readonly string[] CorpusJournals =
    [
        "s4/journal/RHE_91_system.journal",
        "s4/journal/Ubuntu16/system.journal",
        "s4/journal/Ubuntu22-user-1000x3.journal",
    ];

    /// <summary>Oracle folder + file stem for a corpus journal (derived-journalctl/...).</summary>
    public static string Oracle(string journal, string form) => journal switch
    {
        "s4/journal/RHE_91_system.journal" => $"derived-journalctl/RHE_91/RHE_91_system.journal.journalctl252.{form}",
        "s4/journal/Ubuntu16/system.journal" => $"derived-journalctl/Ubuntu16/system.journal.journalctl252.{form}",
        "s4/journal/Ubuntu22-user-1000x3.journal" => $"derived-journalctl/Ubuntu22-user/Ubuntu22-user-1000x3.journal.journalctl252.{form}",
        _ => throw new ArgumentException(journal),
    };

    /// <summary>Reads every entry and damage item of a journal with the managed reader.</summary>
    public static (List<JournalFileReader.Item> Items, JournalHeader Header) ReadAll(byte[] bytes)
    {
        using var ms = new MemoryStream(bytes, false);
        using var r = JournalFileReader.Open(ms, out string? error) ?? throw new InvalidOperationException(error);
        return ([.. r.ReadAll()], r.Header);
    }

    public static byte[] RenderExport(IEnumerable<JournalRecord> records)
    {
        var w = new ArrayBufferWriter<byte>();
        foreach (var r in records) JournalNormalizer.WriteExport(r, w);
        return w.WrittenSpan.ToArray();
    }

    /// <summary>Byte equality with a readable failure: where the streams first differ.</summary>
    public static void AssertSameBytes(byte[] expected, byte[] actual, string what)
    {
        int n = Math.Min(expected.Length, actual.Length);
        int i = 0;
        while (i < n && expected[i] == actual[i]) i++;
        if (i == n && expected.Length == actual.Length) return;
        string Ctx(byte[] b) => Encoding.UTF8.GetString(b, Math.Max(0, i - 200), Math.Min(400, b.Length - Math.Max(0, i - 200)));
        Assert.Fail($"{what}: first difference at byte {i} (expected {expected.Length} bytes, got {actual.Length}).\n--- expected ---\n{Ctx(expected)}\n--- actual ---\n{Ctx(actual)}");
    }

    /// <summary>JSON objects equal as key/value sets (journalctl's key order is random).</summary>
    public static void AssertSameJsonObject(string expected, string actual, string what)
    {
        var e = JsonNode.Parse(expected)!.AsObject();
        var a = JsonNode.Parse(actual)!.AsObject();
        var ek = e.Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
        var ak = a.Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
        Assert.True(ek.SequenceEqual(ak), $"{what}: keys differ\nexpected: {string.Join(",", ek)}\nactual:   {string.Join(",", ak)}");
        foreach (var (k, v) in e)
            Assert.True(JsonNode.DeepEquals(v, a[k]), $"{what}: field {k} differs: expected {v?.ToJsonString()} got {a[k]?.ToJsonString()}");
    }

    public static string? Tool(string path) => File.Exists(path) ? path : null;

    public static string? Journalctl => Tool("/usr/bin/journalctl") ?? Tool("/bin/journalctl");
    public static string? JournalRemote => Tool("/lib/systemd/systemd-journal-remote") ?? Tool("/usr/lib/systemd/systemd-journal-remote");

    /// <summary>Runs a tool with stdin bytes; returns stdout bytes. Time limit is a hang guard only.</summary>
    public static byte[] Run(string exe, IEnumerable<string> args, byte[]? stdin = null, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["TZ"] = "UTC";
        psi.Environment["SYSTEMD_PAGER"] = "";
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdoutTask = Task.Run(() => { using var ms = new MemoryStream(); p.StandardOutput.BaseStream.CopyTo(ms); return ms.ToArray(); });
        if (stdin is not null) p.StandardInput.BaseStream.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(120_000)) { p.Kill(true); Assert.Fail($"{exe} hung"); }
        var output = stdoutTask.Result;
        Assert.True(p.ExitCode == 0, $"{exe} {string.Join(' ', args)} exited {p.ExitCode}: {stderr.Result}");
        return output;
    }
}
