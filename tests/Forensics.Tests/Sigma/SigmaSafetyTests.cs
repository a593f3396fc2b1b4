using Forensics.Pipeline.Sigma;
using Forensics.Tests.Support;

namespace Forensics.Tests.Sigma;

/// <summary>A rule can never inject SQL; what the tool cannot run is skipped with the reason, never dropped.</summary>
public sealed class SigmaSafetyTests(SigmaCase c) : IClassFixture<SigmaCase>
{
    [Theory]
    [InlineData("O'Brien said \"hi\"; DROP TABLE events; --")]
    [InlineData("x' OR '1'='1")]
    [InlineData("'; SELECT 1; --")]
    [InlineData("') OR true OR ('")]
    public void Hostile_values_are_bound_parameters_and_match_as_text(string value)
    {
        var yaml = "keywords:\n    - '" + value.Replace("'", "''", StringComparison.Ordinal) + "'\ncondition: keywords";
        var compiled = c.Compile("product: linux", yaml);
        Assert.DoesNotContain(value, compiled.Where, StringComparison.Ordinal);
        Assert.Contains(compiled.Parameters.Values, v => v is string s && s.Contains(value, StringComparison.Ordinal));
        var expected = SigmaCase.AuthLog.Where(l => l.Contains(value, StringComparison.OrdinalIgnoreCase)).Select(l => l[^3..]).ToList();
        Assert.Equal(expected, c.Markers("product: linux", yaml));
        Assert.NotEmpty(c.Markers("product: linux", "any:\n    message|re: '.'\ncondition: any")); // the table is still there
    }

    [Fact]
    public void The_injection_line_is_found_by_its_own_text() =>
        Assert.Equal(["M09"], c.Markers("product: linux", "keywords:\n    - 'DROP TABLE events; --'\ncondition: keywords"));

    [Theory]
    [InlineData("message) OR (1=1")]
    [InlineData("a0\" || '")]
    [InlineData("x;DROP TABLE events")]
    [InlineData("name'")]
    public void Field_names_outside_the_field_alphabet_skip_the_rule(string field)
    {
        var yaml = SigmaCase.Rule("product: linux\nservice: auditd", $"selection:\n    '{field.Replace("'", "''", StringComparison.Ordinal)}': x\ncondition: selection");
        var ex = Assert.Throws<SigmaUnsupportedException>(() => SigmaLoader.ParseText(yaml));
        Assert.Contains("field name", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_audit_field_name_is_only_a_json_key_in_an_escaped_literal()
    {
        var compiled = c.Compile("product: linux\nservice: auditd", "selection:\n    some-Field.x_1: v\ncondition: selection");
        Assert.Contains("'$.\"some-Field.x_1\"'", compiled.Where, StringComparison.Ordinal);
        Assert.Empty(c.Markers("product: linux\nservice: auditd", "selection:\n    some-Field.x_1: v\ncondition: selection"));
    }

    [Theory]
    [InlineData("product: linux\ncategory: process_creation", "selection:\n    Image|endswith: /wget\ncondition: selection", "process_creation")]
    [InlineData("product: windows\nservice: security", "selection:\n    EventID: 4625\ncondition: selection", "not mapped")]
    [InlineData("category: webserver", "selection:\n    cs-cookie: x\ncondition: selection", "field cs-cookie has no column")]
    [InlineData("category: webserver", "selection:\n    c-uri|expand: '%Servers%'\ncondition: selection", "expand")]
    [InlineData("category: webserver", "selection:\n    c-uri|frobnicate: x\ncondition: selection", "not defined by the specification")]
    [InlineData("category: webserver", "selection:\n    c-uri|re: '(?<=a)b'\ncondition: selection", "lookaround")]
    [InlineData("category: webserver", "selection:\n    c-uri: x\ncondition: selection | count() > 5", "aggregation")]
    [InlineData("category: webserver", "selection:\n    c-uri: x\ntimeframe: 5m\ncondition: selection", "timeframe")]
    public void Unsupported_sources_and_constructs_are_skipped_with_the_reason(string logsource, string detection, string reason)
    {
        using var rules = new TempDir();
        File.WriteAllText(rules.Combine("r.yml"), SigmaCase.Rule(logsource, detection));
        var outcome = Assert.Single(SigmaRuleSet.Compile([rules.Path], c.Map));
        Assert.Equal("skipped", outcome.Status);
        Assert.Contains(reason, outcome.Skipped, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("selection:\n    c-uri: x\ncondition: selection and nothere", "nothere")]
    [InlineData("selection:\n    c-uri: x\ncondition: 1 of filter_*", "matches no search identifier")]
    [InlineData("selection:\n    c-uri: x\ncondition: (selection", "missing ')'")]
    [InlineData("selection:\n    c-uri:\n        - x\n        - null\ncondition: selection", "null among other values")]
    public void Broken_rules_fail_with_the_reason(string detection, string reason)
    {
        using var rules = new TempDir();
        File.WriteAllText(rules.Combine("r.yml"), SigmaCase.Rule("category: webserver", detection));
        var outcome = Assert.Single(SigmaRuleSet.Compile([rules.Path], c.Map));
        Assert.Equal("failed", outcome.Status);
        Assert.Contains(reason, outcome.Failed, StringComparison.Ordinal);
    }
}
