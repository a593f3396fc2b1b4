using System.Globalization;
using System.Text;

namespace Forensics.Pipeline.Sigma;

/// <summary>A rule compiled to a DuckDB predicate over <c>events</c>, with its values as <c>$name</c> parameters.</summary>
public sealed record CompiledRule(SigmaRule Rule, string Where, IReadOnlyDictionary<string, object?> Parameters)
{
    /// <summary>Columns every rule's query returns, in this order: what a detection row records of the event.</summary>
    public const string MatchColumns = "epoch_us(ts) AS ts_us, host, format, event, source_file, source_offset, evidence_host";

    /// <summary>A correlation's whole query (returning <see cref="MatchColumns"/>); null for a detection rule.</summary>
    public string? CorrelationSql { get; init; }

    /// <summary>The statement that lists the rule's matches.</summary>
    public string Sql => CorrelationSql ?? $"SELECT {MatchColumns} FROM events WHERE {Where} ORDER BY ts, source_file, source_offset";
}

/// <summary>
/// Compiles a Sigma rule to a DuckDB WHERE clause. Rule values only ever become bound parameters; field names only
/// select a field-map expression. Matching follows the specification: strings case-insensitive unless
/// <c>cased</c>, wildcards <c>*</c> and <c>?</c> as LIKE patterns with every other character escaped, <c>re</c>
/// case-sensitive unless <c>i</c>. Every leaf is NULL-safe (<c>coalesce(…, false)</c>), so <c>not filter</c> is
/// true for an event that lacks the filter's field, as the Sigma reference implementation evaluates it.
/// </summary>
public sealed class SigmaCompiler(SigmaFieldMap map)
{
    /// <summary>Name of the scalar function the runner registers for the <c>cidr</c> modifier (<see cref="SigmaCidr"/>).</summary>
    public const string CidrFunction = "sigma_cidr";
    private const string Keywords = "message";

    /// <param name="parameterPrefix">Prefix of the parameter names, so several rules can share one statement (correlations).</param>
    public CompiledRule Compile(SigmaRule rule, string parameterPrefix = "p")
    {
        if (rule.Correlation is not null) throw new InvalidOperationException("a correlation rule is compiled by SigmaCorrelationCompiler");
        var source = map.Resolve(rule.LogSource);
        var state = new State(map, source, parameterPrefix);
        var searches = rule.Searches.ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
        var compiled = new Dictionary<string, string>(StringComparer.Ordinal);
        string Search(string name)
        {
            if (compiled.TryGetValue(name, out var sql)) return sql;
            if (!searches.TryGetValue(name, out var node)) throw new SigmaRuleException($"the condition names {name}, which the detection does not define");
            return compiled[name] = state.Node(node);
        }
        string Cond(Condition c) => c switch
        {
            ConditionAnd a => $"({Cond(a.Left)} AND {Cond(a.Right)})",
            ConditionOr o => $"({Cond(o.Left)} OR {Cond(o.Right)})",
            ConditionNot n => $"(NOT {Cond(n.Inner)})",
            ConditionIdentifier i => Search(i.Name),
            ConditionOf of => SigmaConditionParser.Expand(of.Pattern, searches.Keys) switch
            {
                { Count: 0 } => throw new SigmaRuleException($"'{(of.All ? "all" : "1")} of {of.Pattern}' matches no search identifier"),
                var names => "(" + string.Join(of.All ? " AND " : " OR ", names.Select(Search)) + ")",
            },
            _ => throw new InvalidOperationException(c.GetType().Name),
        };
        var conditions = rule.Conditions.Select(c => Cond(SigmaConditionParser.Parse(c))).ToList();
        var where = $"({source.Where}) AND ({string.Join(" OR ", conditions)})";
        return new CompiledRule(rule, where, state.Parameters);
    }

    private sealed class State(SigmaFieldMap map, MappedLogSource source, string prefix)
    {
        public readonly Dictionary<string, object?> Parameters = new(StringComparer.Ordinal);

        private string Bind(object value)
        {
            var name = prefix + Parameters.Count.ToString(CultureInfo.InvariantCulture);
            Parameters[name] = value;
            return "$" + name;
        }

        public string Node(DetectionNode node) => node switch
        {
            AllOf { Items.Count: 0 } => "true",
            AllOf a => "(" + string.Join(" AND ", a.Items.Select(Node)) + ")",
            AnyOf o => "(" + string.Join(" OR ", o.Items.Select(Node)) + ")",
            FieldMatch f => Match(f),
            _ => throw new InvalidOperationException(node.GetType().Name),
        };

        private string Match(FieldMatch f)
        {
            if (f.Values.Count == 0) throw new SigmaRuleException($"{f.Field ?? "keywords"}: no values");
            var m = SigmaModifiers.Apply(f);
            FieldAccess access;
            if (m.Field is null)
            {
                // Keywords: searched in the record's text, as a substring (the specification: "applied to the full log message").
                access = new FieldAccess(Keywords, false);
                m = m with { Values = m.Values.Select(v => (IReadOnlyList<ValueTest>)v.Select(Contained).ToList()).ToList() };
            }
            else access = map.Field(source, m.Field);
            var perValue = m.Values.Select(alts => alts.Count == 1 ? Test(access, alts[0]) : "(" + string.Join(" OR ", alts.Select(a => Test(access, a))) + ")").ToList();
            var joined = perValue.Count == 1 ? perValue[0] : "(" + string.Join(m.AllValues ? " AND " : " OR ", perValue) + ")";
            return m.Negated ? $"({Exists(access)} AND NOT {joined})" : joined;
        }

        private static ValueTest Contained(ValueTest t) => t is PatternTest p
            ? p with { Parts = [.. (p.Parts.Count > 0 && p.Parts[0] == PatternPart.Any ? [] : new[] { PatternPart.Any }), .. p.Parts, .. (p.Parts.Count > 0 && p.Parts[^1] == PatternPart.Any ? [] : new[] { PatternPart.Any })] }
            : t is NullTest or ExistsTest ? throw new SigmaRuleException("a keyword cannot be null") : t;

        private static string Exists(FieldAccess a) => a.IsList ? $"coalesce(len({a.Sql}) > 0, false)" : $"(({a.Sql}) IS NOT NULL)";

        /// <summary>One value test against a field: NULL-safe, over every value of a list field.</summary>
        private string Test(FieldAccess access, ValueTest test)
        {
            switch (test)
            {
                case NullTest: return $"(NOT {Exists(access)})";
                case ExistsTest e: return e.Exists ? Exists(access) : $"(NOT {Exists(access)})";
                case FieldRefTest r:
                    var other = map.Field(source, r.Field);
                    if (access.IsList || other.IsList) throw new SigmaUnsupportedException($"fieldref between multi-valued audit fields ({r.Field})");
                    return $"coalesce(lower(CAST(({access.Sql}) AS VARCHAR)) = lower(CAST(({other.Sql}) AS VARCHAR)), false)";
            }
            var predicate = Predicate(test);
            return access.IsList
                ? $"coalesce(len(list_filter({access.Sql}, lambda _sv: {predicate("_sv")})) > 0, false)"
                : $"coalesce({predicate($"CAST(({access.Sql}) AS VARCHAR)")}, false)";
        }

        private Func<string, string> Predicate(ValueTest test)
        {
            switch (test)
            {
                case PatternTest p when !p.HasWildcards:
                    var plain = Bind(p.Plain);
                    return p.Cased ? x => $"{x} = {plain}" : x => $"lower({x}) = lower({plain})";
                case PatternTest p when Affix(p.Parts) is var (kind, literal) && kind is not null:
                    // contains / startswith / endswith (the common forms): DuckDB's LIKE with an ESCAPE clause runs
                    // its generic matcher per row, which over 50 M messages times ~100 rules took most of a sigma run
                    // (bench sigma-floor); contains/starts_with/ends_with search the bytes directly.
                    var affix = Bind(literal!);
                    return p.Cased ? x => $"{kind}({x}, {affix})" : x => $"{kind}(lower({x}), lower({affix}))";
                case PatternTest p:
                    var pattern = LikePattern(p.Parts);
                    var like = Bind(pattern);
                    // lower() LIKE rather than ILIKE (which lowers both sides itself): the runner computes lower() of a
                    // column once per row for all rules (SigmaRunner.OnePass). ESCAPE only when the pattern escapes
                    // something: with it DuckDB runs its generic matcher (DuckDB has no default escape character).
                    var escape = pattern.Contains('\\', StringComparison.Ordinal) ? " ESCAPE '\\'" : "";
                    return p.Cased ? x => $"{x} LIKE {like}{escape}" : x => $"lower({x}) LIKE lower({like}){escape}";
                case RegexTest r:
                    CheckRegex(r.Pattern);
                    var re = Bind((r.Flags.Length > 0 ? "(?" + r.Flags + ")" : "") + r.Pattern);
                    return x => $"regexp_matches({x}, {re})";
                case CidrTest c:
                    var net = Bind(c.Network);
                    return x => $"{CidrFunction}({x}, {net})";
                case CompareTest n:
                    var bound = Bind(n.Value);
                    var op = n.Operator switch { "gt" => ">", "gte" => ">=", "lt" => "<", _ => "<=" };
                    return x => $"TRY_CAST({x} AS DOUBLE) {op} {bound}";
                default: throw new InvalidOperationException(test.GetType().Name);
            }
        }
    }

    /// <summary>
    /// The function a pattern of one literal with '*' only at its ends means (<c>*x*</c> contains, <c>x*</c>
    /// starts_with, <c>*x</c> ends_with) and that literal; (null, null) for any other pattern.
    /// </summary>
    internal static (string? Function, string? Literal) Affix(IReadOnlyList<PatternPart> parts)
    {
        int start = 0, end = parts.Count;
        bool leading = start < end && parts[start] == PatternPart.Any, trailing = end > start + 1 && parts[end - 1] == PatternPart.Any;
        if (leading) start++;
        if (trailing) end--;
        if (start >= end || !(leading || trailing)) return (null, null);
        var literal = new StringBuilder();
        for (int i = start; i < end; i++)
        {
            if (parts[i].Wildcard != '\0') return (null, null);
            literal.Append(parts[i].Literal);
        }
        if (literal.Length == 0) return (null, null);
        return (leading && trailing ? "contains" : leading ? "ends_with" : "starts_with", literal.ToString());
    }

    /// <summary>A Sigma pattern as a LIKE pattern with '\' as the escape: literal '%', '_' and '\' escaped, '*' → '%', '?' → '_'.</summary>
    public static string LikePattern(IEnumerable<PatternPart> parts)
    {
        var sb = new StringBuilder();
        foreach (var p in parts)
        {
            if (p.Wildcard == '*') { sb.Append('%'); continue; }
            if (p.Wildcard == '?') { sb.Append('_'); continue; }
            foreach (var c in p.Literal)
            {
                if (c is '%' or '_' or '\\') sb.Append('\\');
                sb.Append(c);
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// DuckDB evaluates regular expressions with RE2, which has no lookaround or backreferences; the specification's
    /// flavour has neither either, so a rule using them is skipped with the reason rather than failing at run time.
    /// </summary>
    private static void CheckRegex(string pattern)
    {
        foreach (var construct in new[] { "(?=", "(?!", "(?<=", "(?<!" })
            if (pattern.Contains(construct, StringComparison.Ordinal)) throw new SigmaUnsupportedException($"regular expression with lookaround {construct}: RE2 (DuckDB) has none");
        for (int i = 0; i + 1 < pattern.Length; i++)
        {
            if (pattern[i] != '\\') continue;
            if (char.IsAsciiDigit(pattern[i + 1]) && pattern[i + 1] != '0') throw new SigmaUnsupportedException("regular expression with a backreference: RE2 (DuckDB) has none");
            i++;
        }
        try { _ = new System.Text.RegularExpressions.Regex(pattern, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1)); }
        catch (ArgumentException ex) { throw new SigmaRuleException($"invalid regular expression: {ex.Message}"); }
    }
}
