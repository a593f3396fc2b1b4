using System.Globalization;

namespace Forensics.Pipeline.Sigma;

/// <summary>
/// Compiles a correlation rule (sigma-correlation-rules-specification.md) to one DuckDB statement with window
/// functions: the events of the rules it refers to, each tagged with its rule and its group-by values, and per
/// event a window over the same group reaching <c>timespan</c> back. An event is a match when its window
/// satisfies the condition: for <c>event_count</c> the events in it, for <c>value_count</c> the distinct values of
/// the field, for <c>temporal</c> the distinct rules (all of them unless a condition is given), for
/// <c>temporal_ordered</c> (two rules) an event of the second rule with one of the first before it. Events
/// without a group-by value take no part (a count "by user" has no group for events without a user).
/// </summary>
public sealed class SigmaCorrelationCompiler(SigmaFieldMap map)
{
    private static readonly HashSet<string> Supported = ["event_count", "value_count", "temporal", "temporal_ordered"];

    /// <param name="lookup">The detection rules of the rule set by id and by name.</param>
    public CompiledRule Compile(SigmaRule rule, IReadOnlyDictionary<string, SigmaRule> lookup)
    {
        var c = rule.Correlation ?? throw new InvalidOperationException("not a correlation rule");
        if (!Supported.Contains(c.Type)) throw new SigmaUnsupportedException($"correlation type {c.Type}: not supported (event_count, value_count, temporal, temporal_ordered are)");
        if (c.Rules.Count == 0) throw new SigmaRuleException("the correlation refers to no rules");
        var bases = c.Rules.Select(r => lookup.TryGetValue(r, out var b) ? b : throw new SigmaRuleException($"the correlation refers to {r}, which no loaded rule has as id or name")).ToList();
        if (bases.Any(b => b.Correlation is not null)) throw new SigmaUnsupportedException("a correlation of correlations (chained): not supported");
        if (c.Type == "temporal_ordered" && bases.Count != 2) throw new SigmaUnsupportedException($"temporal_ordered over {bases.Count} rules: only two are supported");
        if (c.Type == "value_count" && c.Fields.Count != 1) throw new SigmaRuleException("value_count needs exactly one condition field");
        if (c.Type is "event_count" or "value_count" && c.Condition.Count == 0) throw new SigmaRuleException($"{c.Type} needs a condition");

        var parameters = new Dictionary<string, object?>(StringComparer.Ordinal);
        var branches = new List<string>();
        var compiler = new SigmaCompiler(map);
        for (int i = 0; i < bases.Count; i++)
        {
            var compiled = compiler.Compile(bases[i], $"r{i}p");
            foreach (var (k, v) in compiled.Parameters) parameters[k] = v;
            var source = map.Resolve(bases[i].LogSource);
            var groups = c.GroupBy.Select((g, j) => $"{Scalar(map.Field(source, g))} AS _g{j}");
            var value = c.Type == "value_count" ? $"{Scalar(map.Field(source, c.Fields[0]))} AS _v" : "NULL::VARCHAR AS _v";
            var select = string.Join(", ", new[] { "ts", "host", "format", "event", "source_file", "source_offset", "evidence_host", $"{i} AS _rule", value }.Concat(groups));
            branches.Add($"SELECT {select} FROM events WHERE {compiled.Where}");
        }
        var partition = c.GroupBy.Count == 0 ? "" : "PARTITION BY " + string.Join(", ", c.GroupBy.Select((_, j) => $"_g{j}"));
        var noNullGroups = c.GroupBy.Count == 0 ? "true" : string.Join(" AND ", c.GroupBy.Select((_, j) => $"_g{j} IS NOT NULL"));
        long micros = c.Timespan.Ticks / 10;
        var window = $"({partition} ORDER BY ts RANGE BETWEEN INTERVAL '{micros.ToString(CultureInfo.InvariantCulture)} microseconds' PRECEDING AND CURRENT ROW)";
        var measure = c.Type switch
        {
            "event_count" => $"count(*) OVER {window}",
            "value_count" => $"count(DISTINCT _v) OVER {window}",
            "temporal" => $"count(DISTINCT _rule) OVER {window}",
            _ => $"CASE WHEN _rule = 1 AND max(CASE WHEN _rule = 0 THEN 1 ELSE 0 END) OVER {window} = 1 THEN 2 ELSE 1 END",
        };
        var conditions = c.Type == "temporal_ordered" ? [] : c.Condition.Select((x, k) =>
        {
            var name = $"c{k}";
            parameters[name] = x.Value;
            var op = x.Operator switch { "gt" => ">", "gte" => ">=", "lt" => "<", "lte" => "<=", "eq" => "=", _ => "<>" };
            return $"_n {op} ${name}";
        }).ToList();
        // temporal without a condition: every rule within the timespan; temporal_ordered: both rules, in order.
        if (conditions.Count == 0) conditions.Add($"_n = {bases.Count.ToString(CultureInfo.InvariantCulture)}");
        var sql = $"""
            WITH matched AS (
            {string.Join("\nUNION ALL\n", branches)}
            ), measured AS (
                SELECT *, {measure} AS _n FROM matched WHERE {noNullGroups}
            )
            SELECT {CompiledRule.MatchColumns} FROM measured WHERE {string.Join(" AND ", conditions)} ORDER BY ts, source_file, source_offset
            """;
        return new CompiledRule(rule, "", parameters) { CorrelationSql = sql };
    }

    /// <summary>A group-by or counted field as one text value (the first value of a multi-valued audit field).</summary>
    private static string Scalar(FieldAccess access) => access.IsList ? $"({access.Sql})[1]" : $"CAST(({access.Sql}) AS VARCHAR)";
}
