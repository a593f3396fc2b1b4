using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Forensics.Pipeline.Sigma;

/// <summary>One YAML document of a rule file: a rule, or the reason it was skipped or could not be read.</summary>
public sealed record LoadedDocument(string SourceFile, int Document, SigmaRule? Rule, string? Skipped, string? Failed)
{
    public string Title => Rule?.Title ?? Path.GetFileName(SourceFile) + (Document > 0 ? $" #{Document + 1}" : "");
}

/// <summary>
/// Reads Sigma rule files (<c>*.yml</c>, <c>*.yaml</c>; folders recursively, in name order) with YamlDotNet's
/// representation model, so a scalar keeps whether it was quoted: the specification's <c>null</c>, numbers and
/// booleans are plain scalars, and <c>'null'</c> is the text "null".
/// </summary>
public static class SigmaLoader
{
    public static IEnumerable<string> RuleFiles(string path)
    {
        if (File.Exists(path)) return [Path.GetFullPath(path)];
        if (!Directory.Exists(path)) throw new FileNotFoundException($"rules path {path} does not exist", path);
        return Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase))
            .Select(Path.GetFullPath).Order(StringComparer.Ordinal);
    }

    public static IEnumerable<LoadedDocument> LoadAll(IEnumerable<string> paths) => paths.SelectMany(RuleFiles).Distinct().SelectMany(LoadFile);

    public static IEnumerable<LoadedDocument> LoadFile(string file)
    {
        using var reader = new StreamReader(file);
        return Load(reader, file).ToList();
    }

    /// <summary>
    /// The documents of one rule file read from <paramref name="reader"/>; <paramref name="file"/> names where it
    /// came from (a path, or the resource a single-file binary carries) and is credited in every detection.
    /// </summary>
    public static IEnumerable<LoadedDocument> Load(TextReader reader, string file)
    {
        var stream = new YamlStream();
        string? error = null;
        try
        {
            stream.Load(reader);
        }
        catch (YamlException ex) { error = $"not valid YAML: {ex.Message}"; }
        if (error is not null) { yield return new LoadedDocument(file, 0, null, null, error); yield break; }
        for (int d = 0; d < stream.Documents.Count; d++)
        {
            LoadedDocument doc;
            try { doc = new LoadedDocument(file, d, Parse(file, stream.Documents[d].RootNode), null, null); }
            catch (SigmaUnsupportedException ex) { doc = new LoadedDocument(file, d, null, ex.Message, null); }
            catch (SigmaRuleException ex) { doc = new LoadedDocument(file, d, null, null, ex.Message); }
            yield return doc;
        }
    }

    /// <summary>Parses one rule from YAML text (tests, and rules written by hand).</summary>
    public static SigmaRule ParseText(string yaml, string sourceFile = "inline.yml")
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return Parse(sourceFile, stream.Documents.Single().RootNode);
    }

    private static SigmaRule Parse(string file, YamlNode root)
    {
        if (root is not YamlMappingNode map) throw new SigmaRuleException("the document is not a YAML mapping");
        if (Child(map, "correlation") is YamlMappingNode correlation) return ParseCorrelation(file, map, correlation);
        if (Child(map, "filter") is not null && Child(map, "detection") is null) throw new SigmaUnsupportedException("Sigma filter document: filters are not supported");
        if (Text(map, "action") is { } action) throw new SigmaUnsupportedException($"Sigma 1 multi-document action '{action}': not supported");
        var title = Text(map, "title") ?? throw new SigmaRuleException("the rule has no title");
        if (Child(map, "detection") is not YamlMappingNode detection) throw new SigmaRuleException("the rule has no detection mapping");
        var logsource = Child(map, "logsource") as YamlMappingNode ?? throw new SigmaRuleException("the rule has no logsource mapping");

        var searches = new List<KeyValuePair<string, DetectionNode>>();
        var conditions = new List<string>();
        foreach (var (keyNode, value) in detection.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            switch (key)
            {
                case "condition":
                    if (value is YamlScalarNode c) conditions.Add(c.Value ?? "");
                    else if (value is YamlSequenceNode cs) conditions.AddRange(cs.Children.OfType<YamlScalarNode>().Select(x => x.Value ?? ""));
                    break;
                case "timeframe":
                    throw new SigmaUnsupportedException("timeframe (Sigma 1 aggregation): use a correlation rule");
                default:
                    searches.Add(new(key, Search(key, value)));
                    break;
            }
        }
        if (conditions.Count == 0) throw new SigmaRuleException("the detection has no condition");
        return Described(file, map, title) with
        {
            LogSource = new LogSource(Lower(Text(logsource, "category")), Lower(Text(logsource, "product")), Lower(Text(logsource, "service"))),
            Searches = searches,
            Conditions = conditions,
        };
    }

    private static SigmaRule ParseCorrelation(string file, YamlMappingNode map, YamlMappingNode c)
    {
        var title = Text(map, "title") ?? throw new SigmaRuleException("the correlation rule has no title");
        var type = Text(c, "type") ?? throw new SigmaRuleException("the correlation has no type");
        if (Child(c, "aliases") is not null) throw new SigmaUnsupportedException("correlation with field name aliases: not supported");
        var rules = Child(c, "rules") switch
        {
            YamlSequenceNode seq => seq.Children.OfType<YamlScalarNode>().Select(x => x.Value ?? "").ToList(),
            YamlScalarNode one => [one.Value ?? ""],
            _ => throw new SigmaRuleException("the correlation refers to no rules"),
        };
        var groupBy = Child(c, "group-by") switch
        {
            YamlSequenceNode seq => seq.Children.OfType<YamlScalarNode>().Select(x => x.Value ?? "").ToList(),
            YamlScalarNode one => [one.Value ?? ""],
            _ => new List<string>(),
        };
        foreach (var g in groupBy)
            if (!FieldName.IsMatch(g) || g.Length == 0) throw new SigmaUnsupportedException($"group-by field name '{g}': only letters, digits, '_', '.', '-' are supported");
        var span = Text(c, "timespan") ?? throw new SigmaRuleException("the correlation has no timespan");
        var m = Regex.Match(span, "^([0-9]{1,9})([smhdw])$", RegexOptions.CultureInvariant);
        if (!m.Success) throw new SigmaRuleException($"timespan '{span}' is not a number and one of s, m, h, d");
        long n = long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var timespan = m.Groups[2].Value switch
        {
            "s" => TimeSpan.FromSeconds(n), "m" => TimeSpan.FromMinutes(n), "h" => TimeSpan.FromHours(n), "d" => TimeSpan.FromDays(n), _ => TimeSpan.FromDays(7 * n),
        };
        var condition = new List<(string, double)>();
        var fields = new List<string>();
        if (Child(c, "condition") is YamlMappingNode cond)
        {
            foreach (var (k, v) in cond.Children)
            {
                var key = ((YamlScalarNode)k).Value ?? "";
                if (key == "field")
                {
                    fields.AddRange(v is YamlSequenceNode fs ? fs.Children.OfType<YamlScalarNode>().Select(x => x.Value ?? "") : [((YamlScalarNode)v).Value ?? ""]);
                    continue;
                }
                if (key is not ("gt" or "gte" or "lt" or "lte" or "eq" or "neq")) throw new SigmaRuleException($"correlation condition '{key}' is not defined");
                if (!double.TryParse(((YamlScalarNode)v).Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var limit))
                    throw new SigmaRuleException($"correlation condition {key} needs a number");
                condition.Add((key, limit));
            }
        }
        foreach (var f in fields)
            if (!FieldName.IsMatch(f) || f.Length == 0) throw new SigmaUnsupportedException($"correlation field name '{f}': only letters, digits, '_', '.', '-' are supported");
        return Described(file, map, title) with { Correlation = new SigmaCorrelation(type, rules, groupBy, timespan, condition, fields, Text(c, "generate") is "true") };
    }

    /// <summary>The metadata every rule and correlation has; a correlation has no log source or detection of its own.</summary>
    private static SigmaRule Described(string file, YamlMappingNode map, string title) => new()
    {
        SourceFile = file,
        Id = Text(map, "id"),
        Name = Text(map, "name"),
        Title = title,
        Status = Text(map, "status"),
        Level = Text(map, "level"),
        Author = Text(map, "author"),
        Tags = Child(map, "tags") is YamlSequenceNode tags ? tags.Children.OfType<YamlScalarNode>().Select(t => t.Value ?? "").ToList() : [],
        LogSource = new LogSource(null, null, null),
        Searches = [],
        Conditions = [],
    };

    /// <summary>A search identifier: a map is AND of its entries, a list is OR of its items (strings: keywords; maps).</summary>
    private static DetectionNode Search(string name, YamlNode node) => node switch
    {
        YamlMappingNode m => new AllOf(m.Children.Select(kv => Entry(name, ((YamlScalarNode)kv.Key).Value ?? "", kv.Value)).ToList()),
        YamlSequenceNode s when s.Children.All(c => c is YamlScalarNode) => new FieldMatch(null, [], s.Children.Select(c => Value((YamlScalarNode)c)).ToList()),
        YamlSequenceNode s => new AnyOf(s.Children.Select(c => c is YamlScalarNode k ? new FieldMatch(null, [], [Value(k)]) : Search(name, c)).ToList()),
        YamlScalarNode k => new FieldMatch(null, [], [Value(k)]),
        _ => throw new SigmaRuleException($"search identifier {name} is neither a map nor a list"),
    };

    private static readonly Regex FieldName = new(@"^[A-Za-z0-9_.\-]*$", RegexOptions.CultureInvariant);

    private static FieldMatch Entry(string search, string key, YamlNode value)
    {
        var parts = key.Split('|');
        var field = parts[0];
        // A field name is later looked up in the field map or, for audit events, as a JSON key: only names made of
        // the characters field names have may reach there.
        if (!FieldName.IsMatch(field)) throw new SigmaUnsupportedException($"field name '{field}' in {search}: only letters, digits, '_', '.', '-' are supported");
        var values = value switch
        {
            YamlScalarNode s => [Value(s)],
            YamlSequenceNode seq when seq.Children.All(c => c is YamlScalarNode) => seq.Children.Select(c => Value((YamlScalarNode)c)).ToList(),
            YamlSequenceNode => throw new SigmaRuleException($"{search}: {key} lists something other than values"),
            _ => throw new SigmaRuleException($"{search}: {key} maps to a nested map"),
        };
        if (values.Count > 1 && values.Any(v => v.Kind == SigmaValueKind.Null))
            throw new SigmaRuleException($"{search}: {key} lists null among other values (the specification forbids it)");
        return new FieldMatch(field.Length == 0 ? null : field, parts.Skip(1).Select(m => m.ToLowerInvariant()).ToList(), values);
    }

    private static SigmaValue Value(YamlScalarNode s)
    {
        var text = s.Value ?? "";
        if (s.Style is ScalarStyle.Plain or ScalarStyle.Any)
        {
            if (text is "" or "~" or "null" or "Null" or "NULL") return SigmaValue.Null;
            if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE") return new SigmaValue(SigmaValueKind.Boolean, text.ToLowerInvariant());
            if (Regex.IsMatch(text, @"^[-+]?[0-9]+(\.[0-9]+)?$", RegexOptions.CultureInvariant)) return new SigmaValue(SigmaValueKind.Number, text);
        }
        return new SigmaValue(SigmaValueKind.String, text);
    }

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

    private static string? Text(YamlMappingNode map, string key) => Child(map, key) switch
    {
        YamlScalarNode s => s.Value,
        YamlSequenceNode seq => string.Join(", ", seq.Children.OfType<YamlScalarNode>().Select(x => x.Value)),
        _ => null,
    };

    private static string? Lower(string? s) => s?.Trim().ToLowerInvariant();
}
