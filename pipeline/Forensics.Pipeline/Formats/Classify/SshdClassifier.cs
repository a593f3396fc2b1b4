using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats.Classify;

/// <summary>sshd / sshd-session message catalogue (filled in by the syslog work).</summary>
public static class SshdClassifier
{
    public static IReadOnlyList<ExtraColumn> Columns { get; } = [];
    public static void Classify(ForensicEvent e, ReadOnlySpan<char> message) { }
    public static void ClassifyPam(ForensicEvent e, ReadOnlySpan<char> message) { }
}
