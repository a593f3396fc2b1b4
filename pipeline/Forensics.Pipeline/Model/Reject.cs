namespace Forensics.Pipeline.Model;

/// <summary>A record that could not become an event: kept with where it was and why, never dropped.</summary>
public sealed record Reject(long SourceOffset, string Reason, byte[] Raw)
{
    /// <summary>Raw bytes kept per reject at most; longer records are cut and the reason says so.</summary>
    public const int MaxRawBytes = 64 * 1024;

    public static Reject FromSpan(long offset, string reason, ReadOnlySpan<byte> raw) =>
        raw.Length <= MaxRawBytes
            ? new Reject(offset, reason, raw.ToArray())
            : new Reject(offset, $"{reason} (raw bytes cut to {MaxRawBytes} of {raw.Length})", raw[..MaxRawBytes].ToArray());
}
