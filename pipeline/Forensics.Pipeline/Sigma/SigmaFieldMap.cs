using Forensics.Pipeline.Query;
using YamlDotNet.RepresentationModel;

namespace Forensics.Pipeline.Sigma;

/// <summary>How a Sigma field reads from <c>events</c>: a scalar SQL expression, or a list of values (any may match).</summary>
public sealed record FieldAccess(string Sql, bool IsList);

/// <summary>One log source of the field map: which events it means and how its field names read.</summary>
public sealed record MappedLogSource(LogSource Match, string? Where, IReadOnlyList<string> FieldSets, string? OtherFields, string? Unsupported);

/// <summary>
/// The log source and field map (<c>queries/sigma/fieldmap.yaml</c>): data, read at run time, so a new source or
/// field name is a line in that file. Its SQL expressions are trusted like the canned queries'; names that come
/// from a rule only ever select among them, or become a JSON key in an escaped literal after
/// <see cref="SigmaLoader"/> checked their characters.
/// </summary>
public sealed class SigmaFieldMap
{
    public const string FileName = "fieldmap.yaml";
    public IReadOnlyList<MappedLogSource> LogSources { get; }
    private readonly Dictionary<string, Dictionary<string, FieldAccess>> _sets;
    private static readonly HashSet<string> EventColumns = CaseSession.EventColumns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);

    private SigmaFieldMap(IReadOnlyList<MappedLogSource> sources, Dictionary<string, Dictionary<string, FieldAccess>> sets)
    {
        LogSources = sources;
        _sets = sets;
    }

    /// <summary>queries/sigma/fieldmap.yaml beside the program or in the repository (as the canned queries are found).</summary>
    public static string? Locate(string? queriesFolder = null) =>
        QueryCatalog.Locate(queriesFolder) is { } q && File.Exists(Path.Combine(q, "sigma", FileName)) ? Path.Combine(q, "sigma", FileName) : null;

    /// <summary>The project's own rules (queries/sigma/rules: SSH brute force and the like), which investigate always runs.</summary>
    public static string? BundledRules(string? queriesFolder = null) =>
        Locate(queriesFolder) is { } map && Path.Combine(Path.GetDirectoryName(map)!, "rules") is var rules && Directory.Exists(rules) ? rules : null;

    public static SigmaFieldMap Load(string path)
    {
        using var reader = new StreamReader(path);
        return Load(reader, path);
    }

    /// <summary>The map read from <paramref name="reader"/>; <paramref name="path"/> names it in errors (a file, an embedded resource).</summary>
    public static SigmaFieldMap Load(TextReader reader, string path)
    {
        var stream = new YamlStream();
        stream.Load(reader);
        var root = (YamlMappingNode)stream.Documents.Single().RootNode;
        var sets = new Dictionary<string, Dictionary<string, FieldAccess>>(StringComparer.Ordinal);
        if (root.Children.TryGetValue(new YamlScalarNode("fields"), out var fieldsNode))
        {
            foreach (var (setName, setNode) in ((YamlMappingNode)fieldsNode).Children)
            {
                var set = new Dictionary<string, FieldAccess>(StringComparer.Ordinal);
                foreach (var (name, access) in ((YamlMappingNode)setNode).Children)
                {
                    set[Scalar(name)!] = access switch
                    {
                        YamlScalarNode s => new FieldAccess(s.Value!, false),
                        YamlMappingNode m when Scalar(m, "list") is { } list => new FieldAccess(list, true),
                        _ => throw new FormatException($"{path}: field {Scalar(name)} maps to neither SQL nor {{list: SQL}}"),
                    };
                }
                sets[Scalar(setName)!] = set;
            }
        }
        var sources = new List<MappedLogSource>();
        foreach (var node in ((YamlSequenceNode)root.Children[new YamlScalarNode("logsources")]).Children.Cast<YamlMappingNode>())
        {
            var match = (YamlMappingNode)node.Children[new YamlScalarNode("match")];
            var fieldSets = node.Children.TryGetValue(new YamlScalarNode("fields"), out var f) ? ((YamlSequenceNode)f).Children.Select(x => Scalar(x)!).ToList() : [];
            foreach (var s in fieldSets)
                if (!sets.ContainsKey(s)) throw new FormatException($"{path}: log source names field set {s}, which is not defined");
            var source = new MappedLogSource(new LogSource(Scalar(match, "category"), Scalar(match, "product"), Scalar(match, "service")),
                Scalar(node, "where"), fieldSets, Scalar(node, "other_fields"), Scalar(node, "unsupported"));
            if (source.Where is null && source.Unsupported is null) throw new FormatException($"{path}: log source {source.Match} has neither where nor unsupported");
            sources.Add(source);
        }
        return new SigmaFieldMap(sources, sets);
    }

    /// <summary>The mapped source equal to the rule's log source, or why the rule cannot run.</summary>
    public MappedLogSource Resolve(LogSource rule)
    {
        var found = LogSources.FirstOrDefault(s => s.Match == rule)
            ?? throw new SigmaUnsupportedException($"log source ({rule}) is not mapped to the case");
        if (found.Unsupported is { } reason) throw new SigmaUnsupportedException($"log source {reason}");
        return found;
    }

    /// <summary>How <paramref name="field"/> reads for this source; unknown fields make the rule unsupported (never a silent no-match).</summary>
    public FieldAccess Field(MappedLogSource source, string field)
    {
        foreach (var set in source.FieldSets)
            if (_sets[set].TryGetValue(field, out var access)) return access;
        if (source.OtherFields == "audit_fields") return AuditField(field);
        if (EventColumns.Contains(field)) return new FieldAccess(Quote(field), false);
        throw new SigmaUnsupportedException($"field {field} has no column in the case for log source ({source.Match})");
    }

    /// <summary>
    /// An audit field by its key: the first record's value and those of the event's later records (<c>_records</c>,
    /// see AuditRecordParser.FieldsJson), so <c>name</c> matches any PATH record of a grouped event.
    /// </summary>
    private static FieldAccess AuditField(string key)
    {
        var path = CaseSession.Literal("$.\"" + key + "\"");
        var all = CaseSession.Literal("$._records[*].\"" + key + "\"");
        return new FieldAccess($"list_filter(list_prepend(json_extract_string(audit_fields, {path}), coalesce(json_extract_string(audit_fields, {all}), [])), lambda _av: _av IS NOT NULL)", true);
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string? Scalar(YamlNode node) => (node as YamlScalarNode)?.Value;

    private static string? Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? (v as YamlScalarNode)?.Value : null;
}
