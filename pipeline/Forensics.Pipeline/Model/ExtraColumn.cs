namespace Forensics.Pipeline.Model;

public enum ColumnType { String, Int64, Int32, Double, Bool, Timestamp, Binary }

/// <summary>
/// A typed column a format adds beside the spine (e.g. <c>auth_method</c>). Declared once as a static
/// instance and compared by reference; <see cref="Ordinal"/> indexes per-batch column buffers without a lookup.
/// Values: string, long, int, double, bool, long (µs, for Timestamp), byte[].
/// </summary>
public sealed class ExtraColumn(string name, ColumnType type, string description)
{
    private static int s_count;

    public string Name { get; } = name;
    public ColumnType Type { get; } = type;
    public string Description { get; } = description;
    /// <summary>0, 1, 2, … in order of declaration across the process.</summary>
    public int Ordinal { get; } = Interlocked.Increment(ref s_count) - 1;

    /// <summary>How many extra columns exist (an upper bound for ordinals).</summary>
    public static int Count => Volatile.Read(ref s_count);

    public override string ToString() => $"{Name} ({Type})";
}
