using System.Diagnostics;
using DuckDB.NET.Data;
using Forensics.Pipeline.Case;
using Forensics.Pipeline.Evidence;
using Forensics.Pipeline.Stages;
using Forensics.Tests.Support;

namespace Forensics.Tests.Evidence;

/// <summary>Runs ingests over test-built evidence and reads the case back through DuckDB.</summary>
internal static class ArchiveKit
{
    public static readonly DateTime FixedMtime = new(2024, 6, 1, 12, 0, 0, DateTimeKind.Utc);

    public static Manifest Ingest(TempDir dir, string caseName, AcquisitionLimits? limits = null, string? tz = null, params string[] inputs)
    {
        var manifest = IngestRunner.RunAsync(new IngestOptions
        {
            Inputs = inputs, CaseDirectory = dir.Combine(caseName), Workers = 2, TimeZone = tz,
            Limits = limits ?? new AcquisitionLimits(),
        }).GetAwaiter().GetResult();
        Support.SecondReader.AgreesWithDuckDb(dir.Combine(caseName));
        return manifest;
    }

    public static ManifestInput Entry(Manifest m, string sourceSuffix) =>
        m.Inputs.SingleOrDefault(i => i.SourceFile.EndsWith(sourceSuffix, StringComparison.Ordinal))
        ?? throw new Xunit.Sdk.XunitException($"no manifest entry ending with {sourceSuffix}; have: {string.Join(", ", m.Inputs.Select(i => i.SourceFile + " [" + i.Status + "]"))}");

    public static List<string> Rows(string caseDir, string sql)
    {
        using var conn = new DuckDBConnection("DataSource=:memory:");
        conn.Open();
        using (var set = conn.CreateCommand()) { set.CommandText = "SET TimeZone='UTC'"; set.ExecuteNonQuery(); }
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql.Replace("$CASE", caseDir.Replace("'", "''", StringComparison.Ordinal), StringComparison.Ordinal);
        using var r = cmd.ExecuteReader();
        var rows = new List<string>();
        while (r.Read())
        {
            var cells = new string[r.FieldCount];
            for (int i = 0; i < r.FieldCount; i++) cells[i] = r.IsDBNull(i) ? "∅" : Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!;
            rows.Add(string.Join(" | ", cells));
        }
        return rows;
    }

    /// <summary>Runs a Debian tool; the test is skipped with the reason when the tool is missing.</summary>
    public static void Run(string tool, string args, string workDir)
    {
        Skip.IfNot(File.Exists("/usr/bin/" + tool) || File.Exists("/bin/" + tool), $"{tool} is not installed (Debian package in .ci/apt-packages)");
        var psi = new ProcessStartInfo(tool, args) { WorkingDirectory = workDir, RedirectStandardError = true, RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{tool} {args} failed: {err}");
    }

    public static byte[] AuthLines(int count, string host = "web1")
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < count; i++)
            sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"May {10 + i % 10} 10:{i % 60:00}:00 {host} sshd[{1000 + i}]: Failed password for root from 203.0.113.{i % 250} port {40000 + i} ssh2\n");
        return System.Text.Encoding.ASCII.GetBytes(sb.ToString());
    }
}
