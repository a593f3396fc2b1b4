using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using Forensics.Pipeline.Sigma;
using Forensics.Tests.Support;

namespace Forensics.Tests.Sigma;

/// <summary>
/// A self-check over every SigmaHQ rule: from the rule's own detection, build one event that satisfies its condition
/// (a value for each selection the condition needs true) and one near miss (one character of one value changed),
/// and check that the compiled SQL matches the first and not the second. The field map used here sends every
/// field to a key of <c>audit_fields</c> and keywords to <c>message</c>, so the check is about the compiler (values,
/// wildcards, escapes, modifiers, conditions), over hundreds of real rules, Sysmon ones included; the field map
/// itself is checked by the other Sigma tests.
/// </summary>
public sealed class SigmaSelfCheckTests
{
    [SkippableFact]
    public void Every_SigmaHQ_rule_matches_an_event_built_from_it_and_not_its_near_miss()
    {
        var root = Corpus.Dir("sigma/rules");
        var docs = SigmaLoader.LoadAll([root]).Where(d => d.Rule is { Correlation: null }).Select(d => d.Rule!).ToList();
        var map = Map(docs.Select(r => r.LogSource).Distinct());
        using var con = new DuckDBConnection("DataSource=:memory:");
        con.Open();
        SigmaCidr.Register(con);
        Exec(con, "CREATE TABLE events (message VARCHAR, audit_fields VARCHAR)");

        int checkedRules = 0, missesChecked = 0;
        var notBuilt = new List<string>();
        var wrong = new List<string>();
        foreach (var rule in docs)
        {
            CompiledRule compiled;
            try { compiled = new SigmaCompiler(map).Compile(rule); }
            catch (SigmaUnsupportedException) { continue; } // listed by the corpus test with its reason
            var built = EventBuilder.Build(rule);
            if (built.Reason is not null) { notBuilt.Add($"{Path.GetFileName(rule.SourceFile)}: {built.Reason}"); continue; }
            checkedRules++;
            if (!Matches(con, compiled, built.Hit!)) wrong.Add($"{rule.SourceFile}: no match on {built.Hit}");
            if (built.Miss is { } miss && ++missesChecked > 0 && Matches(con, compiled, miss)) wrong.Add($"{rule.SourceFile}: matches the near miss {miss}");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        // Only regular expressions are not turned into events here (that would need a generator for them).
        Assert.All(notBuilt, n => Assert.Contains("regular expression", n, StringComparison.Ordinal));
        Assert.True(checkedRules >= 200, $"only {checkedRules} rules checked, {missesChecked} near misses; not built: {string.Join("; ", notBuilt)}");
    }

    private static bool Matches(DuckDBConnection con, CompiledRule rule, Event e)
    {
        Exec(con, "DELETE FROM events");
        using (var insert = con.CreateCommand())
        {
            insert.CommandText = "INSERT INTO events VALUES ($m, $f)";
            insert.Parameters.Add(new DuckDBParameter("m", (object?)e.Message ?? DBNull.Value));
            insert.Parameters.Add(new DuckDBParameter("f", JsonSerializer.Serialize(e.Fields)));
            insert.ExecuteNonQuery();
        }
        using var cmd = con.CreateCommand();
        cmd.CommandText = $"SELECT count(*) FROM events WHERE {rule.Where}";
        foreach (var (k, v) in rule.Parameters) cmd.Parameters.Add(new DuckDBParameter(k, v));
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 1;
    }

    private static void Exec(DuckDBConnection con, string sql)
    {
        using var cmd = con.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary>Every log source of the rules, each meaning "all events", every field an audit_fields key.</summary>
    private static SigmaFieldMap Map(IEnumerable<LogSource> sources)
    {
        var yaml = new StringBuilder("logsources:\n");
        foreach (var s in sources)
        {
            var match = string.Join(", ", new[] { ("category", s.Category), ("product", s.Product), ("service", s.Service) }
                .Where(p => p.Item2 is not null).Select(p => $"{p.Item1}: '{p.Item2}'"));
            yaml.Append("  - match: {").Append(match).Append("}\n    where: \"true\"\n    other_fields: audit_fields\n");
        }
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("map.yaml"), yaml.ToString());
        return SigmaFieldMap.Load(dir.Combine("map.yaml"));
    }

    public sealed record Event(string? Message, Dictionary<string, string> Fields)
    {
        public override string ToString() => $"message={Message} fields={JsonSerializer.Serialize(Fields)}";
    }

    /// <summary>Builds the satisfying event and its near miss from a rule's detection.</summary>
    private sealed class EventBuilder
    {
        private readonly Dictionary<string, string> _fields = new(StringComparer.Ordinal);
        private readonly List<string> _keywords = [];
        // Where the near miss changes one character: a field, or a keyword by index.
        private (string? Field, int Keyword, int Position, List<string> Siblings)? _mutable;

        public Event? Hit { get; private set; }
        public Event? Miss { get; private set; }
        public string? Reason { get; private set; }

        public static EventBuilder Build(SigmaRule rule)
        {
            var b = new EventBuilder();
            try
            {
                var searches = rule.Searches.ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
                var (wanted, unwanted) = Solve(SigmaConditionParser.Parse(rule.Conditions[0]), true, searches.Keys.ToList());
                foreach (var name in wanted) b.Node(searches[name]);
                // A search that must be false and tests for an absent field (filter: Field: null) is made false by giving the field a value.
                foreach (var name in unwanted.Except(wanted)) b.Absent(searches[name]);
                b.Finish();
            }
            catch (NotSupportedException ex) { b.Reason = ex.Message; }
            return b;
        }

        /// <summary>The identifiers that must be true for the condition to be <paramref name="value"/> (those that must be false are simply not built).</summary>
        private static (List<string> True, List<string> False) Solve(Condition c, bool value, List<string> names) => (c, value) switch
        {
            (ConditionIdentifier i, true) => ([i.Name], []),
            (ConditionIdentifier i, false) => ([], [i.Name]),
            (ConditionNot n, _) => Solve(n.Inner, !value, names),
            (ConditionAnd a, true) => Join(Solve(a.Left, true, names), Solve(a.Right, true, names)),
            (ConditionAnd a, false) => Solve(a.Left, false, names),
            (ConditionOr o, true) => Solve(o.Left, true, names),
            (ConditionOr o, false) => Join(Solve(o.Left, false, names), Solve(o.Right, false, names)),
            (ConditionOf of, true) => of.All ? (SigmaConditionParser.Expand(of.Pattern, names), []) : ([SigmaConditionParser.Expand(of.Pattern, names)[0]], []),
            (ConditionOf of, false) => ([], SigmaConditionParser.Expand(of.Pattern, names)),
            _ => throw new NotSupportedException(c.ToString()),
        };

        private static (List<string>, List<string>) Join((List<string> T, List<string> F) a, (List<string> T, List<string> F) b) => ([.. a.T, .. b.T], [.. a.F, .. b.F]);

        private void Node(DetectionNode node)
        {
            switch (node)
            {
                case AllOf a: foreach (var i in a.Items) Node(i); break;
                case AnyOf o: Node(o.Items[0]); break;
                case FieldMatch f: Field(f); break;
            }
        }

        private void Absent(DetectionNode node)
        {
            switch (node)
            {
                case AllOf a: foreach (var i in a.Items) Absent(i); break;
                case AnyOf o: foreach (var i in o.Items) Absent(i); break;
                case FieldMatch { Field: { } field } f when f.Values.Any(v => v.Kind == SigmaValueKind.Null) || f.Modifiers.Contains("exists") && f.Values.Any(v => v.Text == "false"):
                    _fields.TryAdd(field, "unrelated value");
                    break;
            }
        }

        private void Field(FieldMatch f)
        {
            var m = SigmaModifiers.Apply(f);
            var chosen = m.AllValues ? m.Values : m.Values.Take(1).ToList();
            foreach (var value in chosen)
            {
                var test = value[0];
                if (m.Negated) throw new NotSupportedException("neq");
                if (m.Field is null)
                {
                    if (test is not PatternTest p) throw new NotSupportedException("keyword " + test);
                    _mutable ??= (null, _keywords.Count, p.Plain.Length > 0 ? Literal(p) : -1, Siblings(m, p));
                    _keywords.Add(Text(p));
                    continue;
                }
                switch (test)
                {
                    case PatternTest p:
                        var text = Text(p);
                        // Two values of one field under 'all' share the field: their texts are joined (each is matched as a part).
                        if (_fields.TryGetValue(m.Field, out var earlier)) text = earlier + " " + text;
                        else if (Literal(p) >= 0) _mutable ??= (m.Field, -1, Literal(p), Siblings(m, p));
                        _fields[m.Field] = text;
                        break;
                    case NullTest or ExistsTest { Exists: false }: _fields.Remove(m.Field); break;
                    case ExistsTest: _fields[m.Field] = "present"; break;
                    case CidrTest c: _fields[m.Field] = c.Network.Split('/')[0]; break;
                    case CompareTest n: _fields[m.Field] = (n.Operator is "gt" ? n.Value + 1 : n.Operator is "lt" ? n.Value - 1 : n.Value).ToString(System.Globalization.CultureInfo.InvariantCulture); break;
                    case RegexTest: throw new NotSupportedException("regular expression: no generator for them here");
                    default: throw new NotSupportedException(test.ToString());
                }
            }
        }

        private void Finish()
        {
            Hit = new Event(_keywords.Count > 0 ? string.Join(" ", _keywords) : null, new Dictionary<string, string>(_fields));
            if (_mutable is not { Position: >= 0 } where) return;
            var fields = new Dictionary<string, string>(_fields);
            var keywords = _keywords.ToList();
            if (where.Field is { } f) fields[f] = Mutate(fields[f], where.Position, where.Siblings);
            else keywords[where.Keyword] = Mutate(keywords[where.Keyword], where.Position, where.Siblings);
            Miss = new Event(keywords.Count > 0 ? string.Join(" ", keywords) : null, fields);
        }

        /// <summary>
        /// The text a pattern stands for: '*' as two letters and '?' as one (so contains, startswith and endswith
        /// are not met by an exact value), and the literals with their case swapped unless the match is cased.
        /// </summary>
        private static string Text(PatternTest p) => string.Concat(p.Parts.Select(x => x.Wildcard switch
        {
            '*' => AnyRun,
            '?' => "Q",
            _ => p.Cased ? x.Literal : SwapCase(x.Literal),
        }));

        private const string AnyRun = "Zz";

        private static string SwapCase(string s) => string.Concat(s.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)));

        /// <summary>Position in <see cref="Text"/> of the first literal character (-1 when the pattern has none).</summary>
        private static int Literal(PatternTest p)
        {
            int at = 0;
            foreach (var x in p.Parts)
            {
                if (x.Wildcard == '\0' && x.Literal.Length > 0) return at;
                at += x.Wildcard switch { '?' => 1, '*' => AnyRun.Length, _ => x.Literal.Length };
            }
            return -1;
        }

        /// <summary>
        /// One character changed, from <paramref name="first"/> on, at the first place where the result no longer
        /// contains another value of the same list (".paste.ee/r/" changed at the dot still contains "paste.ee/r/").
        /// </summary>
        private static string Mutate(string s, int first, List<string> siblings)
        {
            string result = s;
            for (int i = first; i < s.Length; i++)
            {
                result = s[..i] + (char.ToLowerInvariant(s[i]) == 'q' ? '#' : 'q') + s[(i + 1)..];
                if (!siblings.Any(x => result.Contains(x, StringComparison.OrdinalIgnoreCase))) return result;
            }
            return result;
        }

        /// <summary>The literal texts of the other values of a list, which the near miss must not contain either.</summary>
        private static List<string> Siblings(CompiledMatch m, PatternTest chosen) =>
            m.AllValues ? [] : m.Values.SelectMany(v => v).OfType<PatternTest>().Where(p => !ReferenceEquals(p, chosen))
                .SelectMany(p => p.Parts.Where(x => x.Wildcard == '\0' && x.Literal.Length > 0).Select(x => x.Literal)).ToList();
    }
}
