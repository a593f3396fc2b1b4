using Forensics.Pipeline.Sigma;

namespace Forensics.Cli.Commands;

/// <summary>
/// The field map and the project's own rules (<c>queries/sigma</c>) as the program carries them inside: a
/// single-file binary has no queries/ folder beside it, so sigma and investigate fall back to these (as
/// <see cref="QueriesCommand.TryLoad"/> does for the canned queries).
/// </summary>
internal static class EmbeddedSigma
{
    public const string Prefix = "Forensics.Sigma.";
    public const string RulesPrefix = Prefix + "rules.";
    /// <summary>How an embedded rule names its file in every detection (the rules' licence asks for the credit).</summary>
    public const string RulesOrigin = "(built in) queries/sigma/rules/";

    private static readonly System.Reflection.Assembly Assembly = typeof(EmbeddedSigma).Assembly;

    /// <summary>Resource names under <see cref="Prefix"/>, in name order.</summary>
    public static IReadOnlyList<string> Names { get; } =
        Assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();

    public static string Text(string resource)
    {
        using var reader = new StreamReader(Assembly.GetManifestResourceStream(resource)!);
        return reader.ReadToEnd();
    }

    /// <summary>The embedded field map, or null when the program was built without it.</summary>
    public static SigmaFieldMap? Map()
    {
        var name = Prefix + SigmaFieldMap.FileName;
        return Names.Contains(name) ? SigmaFieldMap.Load(new StringReader(Text(name)), name) : null;
    }

    /// <summary>Every document of the embedded rule files.</summary>
    public static IEnumerable<LoadedDocument> Rules() =>
        Names.Where(n => n.StartsWith(RulesPrefix, StringComparison.Ordinal))
            .SelectMany(n => SigmaLoader.Load(new StringReader(Text(n)), RulesOrigin + n[RulesPrefix.Length..]));
}
