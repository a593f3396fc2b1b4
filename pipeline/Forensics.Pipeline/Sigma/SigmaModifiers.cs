using System.Text;

namespace Forensics.Pipeline.Sigma;

/// <summary>What one value of a field match tests, after its modifiers (sigma-appendix-modifiers.md).</summary>
public abstract record ValueTest;

/// <summary>A string with the wildcards <c>*</c> (any run) and <c>?</c> (one character); case-insensitive unless <c>cased</c>.</summary>
public sealed record PatternTest(IReadOnlyList<PatternPart> Parts, bool Cased) : ValueTest
{
    public bool HasWildcards => Parts.Any(p => p.Wildcard != '\0');
    public string Plain => string.Concat(Parts.Select(p => p.Literal));
}

/// <summary>Either a literal run of text or one wildcard ('*' or '?').</summary>
public readonly record struct PatternPart(string Literal, char Wildcard)
{
    public static readonly PatternPart Any = new("", '*');
    public static readonly PatternPart One = new("", '?');
}

/// <summary>The <c>re</c> modifier; flags are the <c>i</c>/<c>m</c>/<c>s</c> sub-modifiers.</summary>
public sealed record RegexTest(string Pattern, string Flags) : ValueTest;

public sealed record CidrTest(string Network) : ValueTest;

public sealed record CompareTest(string Operator, double Value) : ValueTest;

public sealed record NullTest : ValueTest;

public sealed record ExistsTest(bool Exists) : ValueTest;

public sealed record FieldRefTest(string Field) : ValueTest;

/// <summary>
/// A field match after its modifiers: one list of alternatives per value of the rule (a value may expand into
/// several, e.g. <c>base64offset</c> or <c>windash</c>, and those are always OR-ed); the values themselves are OR-ed,
/// or AND-ed under <c>all</c>; <c>neq</c> negates the whole.
/// </summary>
public sealed record CompiledMatch(string? Field, IReadOnlyList<IReadOnlyList<ValueTest>> Values, bool AllValues, bool Negated);

/// <summary>Applies a field's modifiers to its values, in the order the rule writes them (specification, "Value Modifiers").</summary>
public static class SigmaModifiers
{
    private static readonly HashSet<string> TimeModifiers = ["minute", "hour", "day", "week", "month", "year"];

    public static CompiledMatch Apply(FieldMatch match)
    {
        var mods = match.Modifiers;
        bool all = mods.Contains("all"), cased = mods.Contains("cased"), neq = mods.Contains("neq");
        string? type = null;
        var regexFlags = new StringBuilder();
        foreach (var m in mods)
        {
            switch (m)
            {
                case "re" or "cidr" or "exists" or "gt" or "gte" or "lt" or "lte" or "fieldref":
                    if (type is not null) throw new SigmaRuleException($"modifiers {type} and {m} on one field");
                    type = m;
                    break;
                case "i" or "m" or "s":
                    if (type != "re") throw new SigmaRuleException($"modifier {m} is a sub-modifier of re");
                    regexFlags.Append(m);
                    break;
                case "expand": throw new SigmaUnsupportedException("modifier expand: placeholders need values from the environment (the specification says to reject the rule)");
                case var t when TimeModifiers.Contains(t): throw new SigmaUnsupportedException($"time modifier {t}: not supported");
                case "contains" or "startswith" or "endswith" or "all" or "cased" or "neq" or "windash" or "base64" or "base64offset"
                    or "utf16le" or "utf16be" or "utf16" or "wide":
                    break;
                default: throw new SigmaUnsupportedException($"modifier '{m}' is not defined by the specification");
            }
        }
        var values = new List<IReadOnlyList<ValueTest>>();
        foreach (var v in match.Values)
        {
            if (v.Kind == SigmaValueKind.Null)
            {
                if (type is not null || mods.Any(m => m is not "cased")) throw new SigmaRuleException($"{match.Field}: null with modifiers");
                values.Add([new NullTest()]);
                continue;
            }
            values.Add(type switch
            {
                "exists" => [new ExistsTest(v.Kind == SigmaValueKind.Boolean ? v.Text == "true" : throw new SigmaRuleException($"{match.Field}|exists needs true or false, not '{v.Text}'"))],
                "re" => [new RegexTest(v.Text, regexFlags.ToString())],
                "cidr" => [new CidrTest(CheckedCidr(v.Text))],
                "gt" or "gte" or "lt" or "lte" => [new CompareTest(type, v.Kind == SigmaValueKind.Number
                    ? double.Parse(v.Text, System.Globalization.CultureInfo.InvariantCulture)
                    : throw new SigmaRuleException($"{match.Field}|{type} needs a number, not '{v.Text}'"))],
                "fieldref" => [new FieldRefTest(v.Text)],
                _ => Transform(v, mods, cased),
            });
        }
        if (type is "fieldref" && mods.Any(m => m is "contains" or "startswith" or "endswith"))
            throw new SigmaUnsupportedException("fieldref combined with contains/startswith/endswith: not supported");
        return new CompiledMatch(match.Field, values, all, neq);
    }

    /// <summary>The transformation modifiers, in order, over the alternatives one value expands into.</summary>
    private static List<ValueTest> Transform(SigmaValue value, IReadOnlyList<string> mods, bool cased)
    {
        // An alternative is a pattern, or bytes waiting for base64 (after utf16*).
        var alts = new List<object> { Parse(value.Text) };
        foreach (var m in mods)
        {
            alts = m switch
            {
                "contains" => alts.Select(a => (object)Wrap(Pattern(a, m), true, true)).ToList(),
                "startswith" => alts.Select(a => (object)Wrap(Pattern(a, m), false, true)).ToList(),
                "endswith" => alts.Select(a => (object)Wrap(Pattern(a, m), true, false)).ToList(),
                "windash" => alts.SelectMany(a => WinDash(Pattern(a, m))).Cast<object>().ToList(),
                "utf16le" or "wide" => alts.Select(a => (object)Encoding.Unicode.GetBytes(PlainText(a, m))).ToList(),
                "utf16be" => alts.Select(a => (object)Encoding.BigEndianUnicode.GetBytes(PlainText(a, m))).ToList(),
                "utf16" => alts.Select(a => (object)new byte[] { 0xFF, 0xFE }.Concat(Encoding.Unicode.GetBytes(PlainText(a, m))).ToArray()).ToList(),
                "base64" => alts.Select(a => (object)Literal(Convert.ToBase64String(Bytes(a, m)))).ToList(),
                "base64offset" => alts.SelectMany(a => Base64Offsets(Bytes(a, m))).Select(s => (object)Literal(s)).ToList(),
                _ => alts,
            };
        }
        return alts.Select(a => (ValueTest)new PatternTest(Pattern(a, "the value"), cased)).ToList();
    }

    /// <summary>
    /// The specification's wildcards and escapes ("String Wildcard", "Escape Character"): '*' and '?' are wildcards,
    /// a backslash escapes '*', '?' and itself; a backslash before anything else is a plain backslash.
    /// </summary>
    public static List<PatternPart> Parse(string text)
    {
        var parts = new List<PatternPart>();
        var literal = new StringBuilder();
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\\' && i + 1 < text.Length && text[i + 1] is '*' or '?' or '\\') { literal.Append(text[++i]); continue; }
            if (c is '*' or '?')
            {
                if (literal.Length > 0) { parts.Add(new PatternPart(literal.ToString(), '\0')); literal.Clear(); }
                parts.Add(c == '*' ? PatternPart.Any : PatternPart.One);
                continue;
            }
            literal.Append(c);
        }
        if (literal.Length > 0) parts.Add(new PatternPart(literal.ToString(), '\0'));
        return parts;
    }

    private static List<PatternPart> Literal(string s) => s.Length == 0 ? [] : [new PatternPart(s, '\0')];

    private static List<PatternPart> Pattern(object alt, string modifier) =>
        alt as List<PatternPart> ?? throw new SigmaRuleException($"{modifier} after an encoding to bytes (utf16*) needs base64 first");

    private static string PlainText(object alt, string modifier)
    {
        var p = Pattern(alt, modifier);
        if (p.Any(x => x.Wildcard != '\0')) throw new SigmaUnsupportedException($"wildcards in a value encoded with {modifier}: not supported");
        return string.Concat(p.Select(x => x.Literal));
    }

    private static byte[] Bytes(object alt, string modifier) => alt as byte[] ?? Encoding.UTF8.GetBytes(PlainText(alt, modifier));

    private static List<PatternPart> Wrap(List<PatternPart> p, bool before, bool after)
    {
        var r = new List<PatternPart>(p.Count + 2);
        if (before && (p.Count == 0 || p[0] != PatternPart.Any)) r.Add(PatternPart.Any);
        r.AddRange(p);
        if (after && (r.Count == 0 || r[^1] != PatternPart.Any)) r.Add(PatternPart.Any);
        return r;
    }

    private static readonly char[] Dashes = ['-', '/', '\u2013', '\u2014', '\u2015'];

    /// <summary><c>windash</c>: every permutation of '-', '/', en dash, em dash and horizontal bar where the value has one of them.</summary>
    private static IEnumerable<List<PatternPart>> WinDash(List<PatternPart> p)
    {
        var text = p.Select(x => x.Wildcard == '\0' ? x.Literal : "").ToList();
        var positions = new List<(int Part, int Index)>();
        for (int i = 0; i < p.Count; i++)
            for (int j = 0; j < text[i].Length; j++)
                if (Array.IndexOf(Dashes, text[i][j]) >= 0) positions.Add((i, j));
        if (positions.Count > 4) throw new SigmaUnsupportedException($"windash on a value with {positions.Count} dashes ({Math.Pow(5, positions.Count)} permutations)");
        int total = (int)Math.Pow(Dashes.Length, positions.Count);
        for (int n = 0; n < total; n++)
        {
            var chars = text.Select(t => t.ToCharArray()).ToList();
            int k = n;
            foreach (var (part, index) in positions) { chars[part][index] = Dashes[k % Dashes.Length]; k /= Dashes.Length; }
            yield return p.Select((x, i) => x.Wildcard == '\0' ? new PatternPart(new string(chars[i]), '\0') : x).ToList();
        }
    }

    /// <summary>
    /// <c>base64offset</c>: the value encoded at the three byte offsets it can have inside a longer base64 text, each
    /// cut to the characters that do not depend on the neighbouring bytes (the three variants of the specification).
    /// </summary>
    public static IEnumerable<string> Base64Offsets(byte[] value)
    {
        int[] start = [0, 2, 3];
        int?[] endTrim = [null, 3, 2];
        for (int i = 0; i < 3; i++)
        {
            var shifted = new byte[i + value.Length];
            for (int j = 0; j < i; j++) shifted[j] = (byte)' ';
            value.CopyTo(shifted, i);
            var encoded = Convert.ToBase64String(shifted);
            int end = endTrim[(value.Length + i) % 3] is { } trim ? encoded.Length - trim : encoded.Length;
            yield return encoded[start[i]..end];
        }
    }

    private static string CheckedCidr(string text)
    {
        var slash = text.IndexOf('/');
        if (!System.Net.IPAddress.TryParse(slash < 0 ? text : text[..slash], out var address)
            || (slash >= 0 && (!int.TryParse(text[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var bits)
                || bits > (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32))))
            throw new SigmaRuleException($"'{text}' is not a CIDR network");
        return text;
    }
}
