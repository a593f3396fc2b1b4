using System.Text.RegularExpressions;

namespace Forensics.Pipeline.Sigma;

/// <summary>A parsed condition: identifiers and <c>1 of</c>/<c>all of</c> groups joined by and/or/not.</summary>
public abstract record Condition;

public sealed record ConditionAnd(Condition Left, Condition Right) : Condition;

public sealed record ConditionOr(Condition Left, Condition Right) : Condition;

public sealed record ConditionNot(Condition Inner) : Condition;

public sealed record ConditionIdentifier(string Name) : Condition;

/// <summary><c>1 of pattern</c> (All = false) or <c>all of pattern</c>; <c>them</c> is every identifier not starting with '_'.</summary>
public sealed record ConditionOf(bool All, string Pattern) : Condition;

/// <summary>
/// Recursive descent over the condition grammar of the specification ("Condition"): precedence from least to most
/// binding is or, and, not, <c>x of</c>, brackets. Keywords are case-insensitive as pySigma reads them.
/// </summary>
public static class SigmaConditionParser
{
    private static readonly Regex Token = new(@"\s*(\(|\)|\||[^\s()|]+)", RegexOptions.CultureInvariant);

    public static Condition Parse(string text)
    {
        var tokens = new List<string>();
        int at = 0;
        text = text.Trim();
        while (at < text.Length)
        {
            var m = Token.Match(text, at);
            if (!m.Success || m.Index != at) break;
            tokens.Add(m.Groups[1].Value);
            at = m.Index + m.Length;
            while (at < text.Length && char.IsWhiteSpace(text[at])) at++;
        }
        if (tokens.Contains("|")) throw new SigmaUnsupportedException("aggregation in the condition ('| count() …', Sigma 1): not supported; use a correlation rule");
        if (tokens.Count == 0) throw new SigmaRuleException("empty condition");
        var parser = new Parser(tokens);
        var result = parser.Or();
        if (parser.Position != tokens.Count) throw new SigmaRuleException($"condition '{text}': unexpected '{tokens[parser.Position]}'");
        return result;
    }

    private sealed class Parser(List<string> tokens)
    {
        public int Position;
        private string? Peek => Position < tokens.Count ? tokens[Position] : null;
        private bool Is(string keyword) => Peek is { } t && t.Equals(keyword, StringComparison.OrdinalIgnoreCase);

        public Condition Or()
        {
            var left = And();
            while (Is("or")) { Position++; left = new ConditionOr(left, And()); }
            return left;
        }

        private Condition And()
        {
            var left = Not();
            while (Is("and")) { Position++; left = new ConditionAnd(left, Not()); }
            return left;
        }

        private Condition Not()
        {
            if (!Is("not")) return Primary();
            Position++;
            return new ConditionNot(Not());
        }

        private Condition Primary()
        {
            var t = Peek ?? throw new SigmaRuleException("condition ends where an identifier was expected");
            Position++;
            if (t == "(")
            {
                var inner = Or();
                if (Peek != ")") throw new SigmaRuleException("condition: missing ')'");
                Position++;
                return inner;
            }
            if (t is ")" || Keyword(t)) throw new SigmaRuleException($"condition: unexpected '{t}'");
            if ((t == "1" || t.Equals("all", StringComparison.OrdinalIgnoreCase) || t.Equals("any", StringComparison.OrdinalIgnoreCase)) && Is("of"))
            {
                Position++;
                var target = Peek ?? throw new SigmaRuleException($"condition: '{t} of' names nothing");
                if (target is "(" or ")" || Keyword(target)) throw new SigmaRuleException($"condition: '{t} of' is followed by '{target}'");
                Position++;
                return new ConditionOf(t.Equals("all", StringComparison.OrdinalIgnoreCase), target);
            }
            if (Is("of")) throw new SigmaUnsupportedException($"condition: '{t} of' (only '1 of' and 'all of' are defined)");
            return new ConditionIdentifier(t);
        }

        private static bool Keyword(string t) => t.Equals("and", StringComparison.OrdinalIgnoreCase) || t.Equals("or", StringComparison.OrdinalIgnoreCase)
            || t.Equals("not", StringComparison.OrdinalIgnoreCase) || t.Equals("of", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The identifiers a <c>x of</c> pattern names: '*' matches any run of characters; <c>them</c> all not starting with '_'.</summary>
    public static List<string> Expand(string pattern, IEnumerable<string> identifiers)
    {
        if (pattern.Equals("them", StringComparison.OrdinalIgnoreCase)) return identifiers.Where(i => !i.StartsWith('_')).ToList();
        var regex = new Regex("^" + string.Join(".*", pattern.Split('*').Select(Regex.Escape)) + "$", RegexOptions.CultureInvariant);
        return identifiers.Where(i => regex.IsMatch(i)).ToList();
    }
}
