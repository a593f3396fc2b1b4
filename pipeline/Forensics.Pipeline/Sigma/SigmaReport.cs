using System.Globalization;
using System.Text;
using Forensics.Pipeline.Query;
using Forensics.Pipeline.Text;

namespace Forensics.Pipeline.Sigma;

/// <summary>The detections section of the investigation report: grouped by level (highest first), then by rule.</summary>
public static class SigmaReport
{
    public static string Render(SigmaRunResult result)
    {
        var sb = new StringBuilder();
        var ranked = result.Ranked.ToList();
        sb.Append(CultureInfo.InvariantCulture, $"\n== Sigma detections: {ranked.Count} rule(s) matched {ranked.Sum(h => h.Matches):N0} event(s)\n");
        foreach (var level in ranked.GroupBy(h => h.Rule.Level ?? "no level"))
        {
            sb.Append(CultureInfo.InvariantCulture, $"  {level.Key}:\n");
            foreach (var h in level)
            {
                var tags = string.Join(", ", h.Rule.AttackTags);
                var line = FormattableString.Invariant($"   - {h.Rule.Title}: {h.Matches:N0} event(s), {QueryResult.Format(h.FirstTs)} → {QueryResult.Format(h.LastTs)} on {string.Join(", ", h.Hosts)}")
                    + (tags.Length > 0 ? $" [{tags}]" : "") + $" (rule {h.Rule.Id}, {Path.GetFileName(h.Rule.SourceFile)}, by {h.Rule.Author})";
                sb.Append(TerminalText.Escape(line)).Append('\n');
            }
        }
        return sb.ToString();
    }
}
