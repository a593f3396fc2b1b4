namespace Forensics.Pipeline.Model;

public enum ColumnType { String, Int64, Int32, Double, Bool, Timestamp, Binary }

/// <summary>
/// A typed column a format adds beside the spine (e.g. <c>auth_method</c>). Declared once as a static
/// instance and compared by reference. Values: string, long, int, double, bool, long (µs, for Timestamp), byte[].
/// </summary>
public sealed class ExtraColumn(string name, ColumnType type, string description)
{
    public string Name { get; } = name;
    public ColumnType Type { get; } = type;
    public string Description { get; } = description;
    public override string ToString() => $"{Name} ({Type})";
}
