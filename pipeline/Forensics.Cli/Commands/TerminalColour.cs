using System.Text.RegularExpressions;
using Forensics.Pipeline.Sigma;

namespace Forensics.Cli.Commands;

/// <summary>
/// Makes the words an analyst must not miss (RISKY settings, ACCEPTED logins after guessing, Sigma detections of
/// level high or critical) stand out in red, only on a terminal and only when NO_COLOR (no-color.org) is unset.
/// Evidence text in the findings is already escaped (no ESC of its own), so the only escape sequences are these.
/// </summary>
internal static partial class TerminalColour
{
    public static bool Enabled =>
        !Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    private const string Red = "\u001b[1;31m", Reset = "\u001b[0m";

    public static string Highlight(string findings) => Enabled ? Alarm().Replace(findings, Red + "$0" + Reset) : findings;

    /// <summary>
    /// <see cref="SigmaReport.Render"/>'s text with each level heading of rank high or above, and every rule line
    /// under it, in red.
    /// </summary>
    public static string HighlightDetections(string detections) => Enabled ? Detections(detections) : detections;

    internal static string Detections(string detections)
    {
        bool alarm = false;
        return LevelOrRule().Replace(detections, m =>
        {
            if (m.Groups["level"].Success) alarm = SigmaRule.LevelRank(m.Groups["level"].Value) >= SigmaRule.LevelRank("high");
            return alarm ? Red + m.Value + Reset : m.Value;
        });
    }

    [GeneratedRegex(@"\b(?:RISKY|ACCEPTED)\b")]
    private static partial Regex Alarm();

    /// <summary>A level heading ("  high:") or a rule line ("   - title: …") of the detections section, without its newline.</summary>
    [GeneratedRegex(@"^(?:  (?<level>[^ \n][^\n]*):|   - [^\n]*)$", RegexOptions.Multiline)]
    private static partial Regex LevelOrRule();
}
