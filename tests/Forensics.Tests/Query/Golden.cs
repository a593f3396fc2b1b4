using Forensics.Tests.Support;

namespace Forensics.Tests.Query;

/// <summary>
/// Expected outputs stored beside the tests (Query/Golden/...). FORENSICS_APPROVE=1 rewrites them instead of
/// comparing: the diff of the golden files is the review. Adding a golden is adding one call (and one file).
/// </summary>
internal static class Golden
{
    public static string Folder => Path.Combine(RepoPaths.Root, "tests", "Forensics.Tests", "Query", "Golden");

    public static bool Approving => Environment.GetEnvironmentVariable("FORENSICS_APPROVE") == "1";

    public static void Check(string relative, string actual)
    {
        var path = Path.Combine(Folder, relative);
        actual = actual.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (Approving)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"golden file {relative} is missing; run the tests with FORENSICS_APPROVE=1 and review the diff");
        var expected = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.Equal(expected, actual);
    }
}
