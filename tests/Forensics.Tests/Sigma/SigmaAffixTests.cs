using Forensics.Pipeline.Query;
using Forensics.Pipeline.Sigma;
using Forensics.Tests.Support;

namespace Forensics.Tests.Sigma;

/// <summary>
/// contains / startswith / endswith patterns compile to DuckDB's contains / starts_with / ends_with instead of LIKE
/// with an escape (SigmaCompiler.Affix). The fast form must decide exactly as the LIKE form does, case-insensitive
/// (also for non-ASCII letters) and cased, including LIKE's own special characters in the literal.
/// </summary>
public sealed class SigmaAffixTests
{
    private static PatternPart L(string s) => new(s, '\0');

    [Fact]
    public void Only_one_literal_with_stars_at_its_ends_is_an_affix()
    {
        Assert.Equal(("contains", "ab"), SigmaCompiler.Affix([PatternPart.Any, L("ab"), PatternPart.Any]));
        Assert.Equal(("starts_with", "a%b"), SigmaCompiler.Affix([L("a%b"), PatternPart.Any]));
        Assert.Equal(("ends_with", "a_b"), SigmaCompiler.Affix([PatternPart.Any, L("a_"), L("b")]));
        Assert.Equal((null, null), SigmaCompiler.Affix([L("ab")]));
        Assert.Equal((null, null), SigmaCompiler.Affix([PatternPart.Any]));
        Assert.Equal((null, null), SigmaCompiler.Affix([PatternPart.Any, PatternPart.Any]));
        Assert.Equal((null, null), SigmaCompiler.Affix([PatternPart.Any, L("a"), PatternPart.Any, L("b")]));
        Assert.Equal((null, null), SigmaCompiler.Affix([PatternPart.Any, L("a"), PatternPart.One]));
    }

    [Fact]
    public void Affix_functions_decide_as_like_with_escape_does()
    {
        string[] texts = ["Failed password for ROOT", "ÄÖÜ straße", "100%_done\\x", "", "root", "xROOTx"];
        var patterns = new List<IReadOnlyList<PatternPart>>
        {
            new[] { PatternPart.Any, L("root"), PatternPart.Any }, new[] { L("failed"), PatternPart.Any }, new[] { PatternPart.Any, L("ROOT") },
            new[] { PatternPart.Any, L("äöü"), PatternPart.Any }, new[] { PatternPart.Any, L("STRASSE"), PatternPart.Any }, new[] { PatternPart.Any, L("ße") },
            new[] { PatternPart.Any, L("%_d"), PatternPart.Any }, new[] { PatternPart.Any, L("\\x") }, new[] { L("100%"), PatternPart.Any },
        };
        using var tmp = new TempDir();
        using var session = CaseSession.Open(tmp.Path);
        int compared = 0;
        foreach (var text in texts)
            foreach (var parts in patterns)
                foreach (bool cased in new[] { false, true })
                {
                    var (function, literal) = SigmaCompiler.Affix(parts);
                    Assert.NotNull(function);
                    string fast = cased ? $"{function}($t, $l)" : $"{function}(lower($t), lower($l))";
                    string like = $"$t {(cased ? "LIKE" : "ILIKE")} $p ESCAPE '\\'";
                    var row = session.Run($"SELECT {fast}, {like}", new Dictionary<string, object?> { ["t"] = text, ["l"] = literal, ["p"] = SigmaCompiler.LikePattern(parts) }).Rows[0];
                    Assert.True(Equals(row[0], row[1]), $"'{text}' {string.Concat(parts.Select(p => p.Wildcard == '\0' ? p.Literal : "*"))} cased={cased}: {function} says {row[0]}, LIKE says {row[1]}");
                    compared++;
                }
        Assert.Equal(texts.Length * patterns.Count * 2, compared);
    }
}
