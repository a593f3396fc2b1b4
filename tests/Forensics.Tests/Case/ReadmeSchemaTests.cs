using Forensics.Pipeline.Case;

namespace Forensics.Tests.Case;

/// <summary>
/// The README's column tables are generated from <see cref="EventSchema"/>, the one declaration of the event
/// tables; this test fails when they drift apart. <c>FORENSICS_APPROVE=1</c> rewrites the README's block (the diff
/// is the review).
/// </summary>
public class ReadmeSchemaTests
{
    private const string Begin = "<!-- schema:begin (generated from EventSchema; FORENSICS_APPROVE=1 dotnet test rewrites it) -->\n";
    private const string End = "<!-- schema:end -->";

    [Fact]
    public void Readme_column_tables_are_the_declared_schema()
    {
        var readme = Path.Combine(RepoRoot(), "README.md");
        var text = File.ReadAllText(readme).Replace("\r\n", "\n", StringComparison.Ordinal);
        int start = text.IndexOf(Begin, StringComparison.Ordinal);
        int end = text.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "README.md has no schema block");
        var expected = EventSchema.MarkdownTables();
        var actual = text[(start + Begin.Length)..end];
        if (Environment.GetEnvironmentVariable("FORENSICS_APPROVE") == "1" && actual != expected)
        {
            File.WriteAllText(readme, text[..(start + Begin.Length)] + expected + text[end..]);
            return;
        }
        Assert.Equal(expected, actual);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Forensics.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }
}
