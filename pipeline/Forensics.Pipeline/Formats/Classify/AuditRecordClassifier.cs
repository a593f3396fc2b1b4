using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats.Classify;

/// <summary>Audit records carried in journal/syslog (<c>audit[pid]: USER_LOGIN ...</c>); filled in by the audit work.</summary>
public static class AuditRecordClassifier
{
    public static IReadOnlyList<ExtraColumn> Columns { get; } = [];
    public static void Classify(ForensicEvent e, ReadOnlySpan<char> message) { }
}
