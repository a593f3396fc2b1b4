using System.IO.Compression;

namespace Forensics.Pipeline.Evidence;

/// <summary>
/// Single-stream compressions recognised by magic bytes (the name only breaks ties), with the suffix they strip.
/// Adding one is one entry in <see cref="All"/>.
/// </summary>
public sealed record Compression(string Name, byte[] Magic, string[] Suffixes, Func<Stream, Stream> Open)
{
    public static IReadOnlyList<Compression> All { get; } =
    [
        // RFC 1952; GZipStream reads concatenated members (logrotate's delaycompress can produce them).
        new("gzip", [0x1f, 0x8b], [".gz", ".tgz"], s => new GZipStream(s, CompressionMode.Decompress, leaveOpen: false)),
    ];

    public static Compression? Detect(ReadOnlySpan<byte> head)
    {
        foreach (var c in All)
            if (head.StartsWith(c.Magic)) return c;
        return null;
    }

    public string StripSuffix(string name)
    {
        foreach (var s in Suffixes)
        {
            if (name.EndsWith(s, StringComparison.OrdinalIgnoreCase))
                return s == ".tgz" ? name[..^s.Length] + ".tar" : name[..^s.Length];
        }
        return name;
    }

    /// <summary>MTIME from a gzip header (RFC 1952 §2.3.1), or null when zero/absent.</summary>
    public static DateTime? GzipHeaderTime(ReadOnlySpan<byte> head)
    {
        if (head.Length < 10 || head[0] != 0x1f || head[1] != 0x8b) return null;
        uint mtime = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(head[4..8]);
        return mtime == 0 ? null : DateTime.UnixEpoch.AddSeconds(mtime);
    }
}
