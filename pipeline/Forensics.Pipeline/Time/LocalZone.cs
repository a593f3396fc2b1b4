using System.Runtime.CompilerServices;

namespace Forensics.Pipeline.Time;

/// <summary>
/// The examined machine's rules for its local wall-clock time: what parsers use to turn a zone-less stamp into
/// UTC. Either one of this machine's zones (<see cref="TimeZoneInfo"/>, named by --tz, etc/timezone or an
/// etc/localtime identical to a zoneinfo file) or the evidence's own TZif file (<see cref="TzifZone"/>), which
/// holds the rules the machine used even when this machine's tzdata differs or lacks the zone.
/// </summary>
public abstract class LocalZone
{
    /// <summary>Zone name (Europe/Berlin), or a description of a TZif read from the evidence.</summary>
    public abstract string Id { get; }

    /// <summary>
    /// UTC offset in ticks for a local wall-clock time. An ambiguous time (the repeated hour when clocks go back) is
    /// read as standard time and a skipped time (the hour clocks jump over) with the offset before the jump,
    /// as <see cref="TimeZoneInfo.GetUtcOffset(DateTime)"/> does.
    /// </summary>
    public abstract long OffsetTicks(long localTicks);

    /// <summary>UTC offset in ticks in force at a UTC instant.</summary>
    public abstract long OffsetAtUtcTicks(long utcTicks);

    public bool IsUtc => ReferenceEquals(this, Utc);

    public long ToUtcTicks(long localTicks) => localTicks - OffsetTicks(localTicks);

    public DateTime ToUtc(DateTime local) => new(ToUtcTicks(local.Ticks), DateTimeKind.Utc);

    public static LocalZone Utc { get; } = new SystemZone(TimeZoneInfo.Utc);

    private static readonly ConditionalWeakTable<TimeZoneInfo, LocalZone> s_system = new();

    /// <summary>One wrapper per TimeZoneInfo, so per-zone caches (ZoneCache) can compare by reference.</summary>
    public static LocalZone From(TimeZoneInfo zone) =>
        zone == TimeZoneInfo.Utc ? Utc : s_system.GetValue(zone, z => new SystemZone(z));

    public static implicit operator LocalZone(TimeZoneInfo zone) => From(zone);

    public override string ToString() => Id;

    private sealed class SystemZone(TimeZoneInfo zone) : LocalZone
    {
        public override string Id => zone.Id;

        public override long OffsetTicks(long localTicks) =>
            zone == TimeZoneInfo.Utc ? 0 : zone.GetUtcOffset(new DateTime(localTicks, DateTimeKind.Unspecified)).Ticks;

        public override long OffsetAtUtcTicks(long utcTicks) =>
            zone == TimeZoneInfo.Utc ? 0 : zone.GetUtcOffset(new DateTime(utcTicks, DateTimeKind.Utc)).Ticks;
    }
}
