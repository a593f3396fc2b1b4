using System.Text.RegularExpressions;

namespace Forensics.Cli.Commands;

/// <summary>
/// Makes the words an analyst must not miss (RISKY settings, ACCEPTED logins after guessing) stand out in red,
/// only on a terminal and only when NO_COLOR (no-color.org) is unset. Evidence text in the findings is already
/// escaped (no ESC of its own), so the only escape sequences are these.
/// </summary>
internal static partial class TerminalColour
{
    public static bool Enabled =>
        !Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    public static string Highlight(string findings) => Enabled ? Alarm().Replace(findings, "\u001b[1;31m$0\u001b[0m") : findings;

    [GeneratedRegex(@"\b(?:RISKY|ACCEPTED)\b")]
    private static partial Regex Alarm();
}
