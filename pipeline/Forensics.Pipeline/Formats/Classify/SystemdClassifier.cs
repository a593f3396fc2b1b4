using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats.Classify;

/// <summary>systemd unit lifecycle messages (filled in by the journal work).</summary>
public static class SystemdClassifier
{
    public static IReadOnlyList<ExtraColumn> Columns { get; } = [];
    public static void Classify(ForensicEvent e, ReadOnlySpan<char> process, ReadOnlySpan<char> message) { }
}
