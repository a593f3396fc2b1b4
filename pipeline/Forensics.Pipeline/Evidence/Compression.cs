using System.IO.Compression;
using SharpCompress.Compressors.BZip2;
using SharpCompress.Compressors.Xz;

namespace Forensics.Pipeline.Evidence;

/// <summary>
/// Single-stream compressions recognised by magic bytes (the name only breaks ties), with the suffix they strip.
/// Adding one is one entry in <see cref="All"/>.
/// </summary>
public sealed record Compression(string Name, byte[] Magic, string[] Suffixes, Func<Stream, Stream> OpenDecoder)
{
    /// <summary>
    /// The decompressed stream; corrupt data surfaces as <see cref="InvalidDataException"/> whatever the decoder
    /// throws, from the first read on: SharpCompress's bzip2 stream reads and checks the stream header when it is
    /// created (InvalidFormatException "Not a valid BZip2 stream"; found by tests/fuzz.sh, target compressed).
    /// </summary>
    public Stream Open(Stream stored) => new DecoderErrorStream(() => OpenDecoder(stored), Name);

    public static IReadOnlyList<Compression> All { get; } =
    [
        // RFC 1952; GZipStream reads concatenated members (logrotate's delaycompress can produce them).
        new("gzip", [0x1f, 0x8b], [".gz", ".tgz"], s => new GZipStream(s, CompressionMode.Decompress, leaveOpen: false)),
        // xz file format 1.2.0 §2.1.1.1 (header magic FD '7zXZ' 00). SharpCompress reads one stream; a file of
        // concatenated xz streams (xz -c a b) ends after the first one: the rest is not read (documented limit).
        new("xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], [".xz", ".txz"], s => new XZStream(s)),
        // bzip2: "BZh" + block size digit '1'..'9' (bzip2 1.0.8 source, decompress.c BZ_X_MAGIC_1..4);
        // pbzip2/lbzip2 write concatenated streams, so decompressConcatenated is on.
        new("bzip2", [0x42, 0x5a, 0x68], [".bz2", ".tbz2", ".tbz"], s => BZip2Stream.Create(s, SharpCompress.Compressors.CompressionMode.Decompress, decompressConcatenated: true, leaveOpen: false, tolerateTruncatedStream: false)),
        // RFC 8878 §3.1.1 frame magic 0xFD2FB528 (little-endian); ZstdSharp's stream reads concatenated frames.
        new("zstd", [0x28, 0xb5, 0x2f, 0xfd], [".zst", ".zstd", ".tzst"], s => new ZstdSharp.DecompressionStream(s, bufferSize: 0, checkEndOfStream: true, leaveOpen: false)),
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
                return s.StartsWith(".t", StringComparison.Ordinal) && s != ".tar" ? name[..^s.Length] + ".tar" : name[..^s.Length];
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
