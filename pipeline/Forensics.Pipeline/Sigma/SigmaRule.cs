namespace Forensics.Pipeline.Sigma;

/// <summary>
/// One Sigma detection rule as the specification defines it (sigma-rules-specification.md): metadata, the log
/// source, the named search identifiers of <c>detection</c> and the condition(s) over them.
/// </summary>
public sealed record SigmaRule
{
    /// <summary>The file the rule came from (credited in every detection: the rules' licence, DRL 1.1, asks for it).</summary>
    public required string SourceFile { get; init; }
    public string? Id { get; init; }
    /// <summary>The rule's <c>name</c>: how correlation rules may refer to it besides its id.</summary>
    public string? Name { get; init; }
    public required string Title { get; init; }
    public string? Status { get; init; }
    public string? Level { get; init; }
    public string? Author { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public required LogSource LogSource { get; init; }
    /// <summary>Search identifiers by name, in file order.</summary>
    public required IReadOnlyList<KeyValuePair<string, DetectionNode>> Searches { get; init; }
    /// <summary>The condition; a list of conditions in the rule is OR-ed (specification, "Condition").</summary>
    public required IReadOnlyList<string> Conditions { get; init; }
    /// <summary>Set for a correlation rule (sigma-correlation-rules-specification.md), which has no detection of its own.</summary>
    public SigmaCorrelation? Correlation { get; init; }

    /// <summary>ATT&amp;CK tags only (attack.*), as the detections table lists them.</summary>
    public IEnumerable<string> AttackTags => Tags.Where(t => t.StartsWith("attack.", StringComparison.OrdinalIgnoreCase));

    /// <summary>Rank of the level for "highest first" (critical 5 … informational 1, none 0).</summary>
    public static int LevelRank(string? level) => level?.ToLowerInvariant() switch
    {
        "critical" => 5, "high" => 4, "medium" => 3, "low" => 2, "informational" => 1, _ => 0,
    };
}

/// <summary>
/// The <c>correlation</c> section: a type, the rules it refers to (by id or name), the group-by fields, the
/// timespan and the condition (each entry AND-ed; <c>field</c> names what value_count counts).
/// </summary>
public sealed record SigmaCorrelation(string Type, IReadOnlyList<string> Rules, IReadOnlyList<string> GroupBy, TimeSpan Timespan,
    IReadOnlyList<(string Operator, double Value)> Condition, IReadOnlyList<string> Fields, bool Generate);

/// <summary>The rule's <c>logsource</c>: values are lower case by the specification; <c>definition</c> is prose and not evaluated.</summary>
public sealed record LogSource(string? Category, string? Product, string? Service)
{
    public override string ToString() =>
        string.Join(", ", new[] { ("category", Category), ("product", Product), ("service", Service) }
            .Where(p => p.Item2 is not null).Select(p => $"{p.Item1}: {p.Item2}"));
}

/// <summary>What a search identifier holds: maps (AND), lists (OR), field matches and keywords.</summary>
public abstract record DetectionNode;

public sealed record AllOf(IReadOnlyList<DetectionNode> Items) : DetectionNode;

public sealed record AnyOf(IReadOnlyList<DetectionNode> Items) : DetectionNode;

/// <summary>
/// <c>field|mod1|mod2: value(s)</c>; a null <see cref="Field"/> is a keyword search over the whole event (the
/// values of a list under an identifier, or of a <c>'|all':</c> key).
/// </summary>
public sealed record FieldMatch(string? Field, IReadOnlyList<string> Modifiers, IReadOnlyList<SigmaValue> Values) : DetectionNode;

/// <summary>A YAML scalar of a detection: a string, a number, a boolean or null (the specification's special values).</summary>
public sealed record SigmaValue(SigmaValueKind Kind, string Text)
{
    public static readonly SigmaValue Null = new(SigmaValueKind.Null, "");
    public override string ToString() => Kind == SigmaValueKind.Null ? "null" : Text;
}

public enum SigmaValueKind { String, Number, Boolean, Null }

/// <summary>A rule the tool will not run, and why (never silent): an unmapped log source, an unsupported construct.</summary>
public sealed class SigmaUnsupportedException(string reason) : Exception(reason);

/// <summary>A document that is not a valid Sigma rule (the rule's fault, not ours): the reason names what is wrong.</summary>
public sealed class SigmaRuleException(string reason) : Exception(reason);
