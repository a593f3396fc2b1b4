using System.Security.Cryptography;

namespace Forensics.Pipeline.Evidence;

/// <summary>
/// Base of the evidence layer's wrappers: readable, forward-only, never writable. Only Read and Position vary.
/// </summary>
internal abstract class ForwardOnlyReadStream : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>
/// Read-only pass-through that hashes (SHA-256) and counts every byte read. Each layer's bytes are hashed once,
/// as they are read from the evidence: the recorded hash is of what was read, never of a copy (a spool that a
/// full disk cut short). With <c>hash: false</c> (the listing pre-pass, which records no hashes) it only counts.
/// </summary>
internal sealed class HashingReadStream(Stream inner, bool hash = true) : ForwardOnlyReadStream
{
    private readonly IncrementalHash? _hash = hash ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
    public long BytesRead { get; private set; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        if (n > 0) { _hash?.AppendData(buffer[..n]); BytesRead += n; }
        return n;
    }

    /// <summary>Reads what is left (so the hash covers the whole stream) and returns the hex digest.</summary>
    public string Finish()
    {
        var buf = new byte[1 << 16];
        while (Read(buf, 0, buf.Length) > 0) { }
        return Digest();
    }

    /// <summary>The hex digest of the bytes read so far (all of them once the stream has ended); "" when not hashing.</summary>
    public string Digest() => _hash is null ? "" : Convert.ToHexStringLower(_hash.GetHashAndReset());

    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
    protected override void Dispose(bool disposing) { if (disposing) { inner.Dispose(); _hash?.Dispose(); } base.Dispose(disposing); }
}

/// <summary>
/// Guards decompressed output against bombs: fails once output passes the member limit, or once past the
/// grace size the output/input ratio exceeds the limit. The exception names the limit, for the reject reason.
/// </summary>
internal sealed class BombGuardStream(Stream decompressed, Func<long> compressedBytesRead, AcquisitionLimits limits) : ForwardOnlyReadStream
{
    public long Produced { get; private set; }

    /// <summary>
    /// Set when the decompressed content turned out to be an archive: the ratio is then judged per member
    /// (by the container) and only <see cref="AcquisitionLimits.MaxArchiveBytes"/> bounds the whole stream.
    /// </summary>
    public bool CarriesArchive { get; set; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
    public override int Read(Span<byte> buffer)
    {
        int n = decompressed.Read(buffer);
        Produced += n;
        if (CarriesArchive)
        {
            if (Produced > limits.MaxArchiveBytes)
                throw new DecompressionLimitException($"decompressed archive passed the limit of {limits.MaxArchiveBytes} bytes");
            return n;
        }
        if (Produced > limits.MaxMemberBytes)
            throw new DecompressionLimitException($"decompressed size passed the limit of {limits.MaxMemberBytes} bytes");
        if (Produced > limits.RatioGraceBytes)
        {
            double ratio = (double)Produced / Math.Max(1, compressedBytesRead());
            if (ratio > limits.MaxExpansionRatio)
                throw new DecompressionLimitException($"expansion ratio {ratio:F0}:1 passed the limit of {limits.MaxExpansionRatio:F0}:1 (decompression bomb?)");
        }
        return n;
    }

    public override long Position { get => Produced; set => throw new NotSupportedException(); }
    protected override void Dispose(bool disposing) { if (disposing) decompressed.Dispose(); base.Dispose(disposing); }
}

public sealed class DecompressionLimitException(string message) : IOException(message);

/// <summary>A stream that first returns already-read head bytes, then the rest of the inner stream.</summary>
internal sealed class PrefixedStream(byte[] prefix, int prefixLength, Stream inner) : ForwardOnlyReadStream
{
    private int _prefixPos;
    private long _position;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
    public override int Read(Span<byte> buffer)
    {
        int n;
        if (_prefixPos < prefixLength)
        {
            n = Math.Min(buffer.Length, prefixLength - _prefixPos);
            prefix.AsSpan(_prefixPos, n).CopyTo(buffer);
            _prefixPos += n;
        }
        else n = inner.Read(buffer);
        _position += n;
        return n;
    }

    public override long Position { get => _position; set => throw new NotSupportedException(); }
    protected override void Dispose(bool disposing) { if (disposing) inner.Dispose(); base.Dispose(disposing); }

    /// <summary>
    /// Reads up to <paramref name="size"/> bytes of <paramref name="inner"/> and returns them with a stream that
    /// replays them. A read error (a member cut short, corrupt compressed data) is not thrown here: the bytes
    /// before it are replayed and the same exception is thrown where the reader gets to it, so the caller treats
    /// an error in the first bytes like one further on (the member is partial, the archive goes on).
    /// </summary>
    public static (byte[] Head, int Length, Stream Stream) Peek(Stream inner, int size)
    {
        var head = new byte[size];
        int total = 0;
        try
        {
            bool endSeenOnce = false;
            while (total < size)
            {
                int n = inner.Read(head, total, size - total);
                if (n <= 0)
                {
                    // SharpCompress's entry stream for a zip member recovered from a damaged local header (size
                    // fields zero) can return 0 and then the member's data (found by tests/fuzz.sh, target zip): an
                    // empty head would then hide the content from format detection. One more read tells the two apart.
                    if (endSeenOnce) break;
                    endSeenOnce = true;
                    continue;
                }
                endSeenOnce = false;
                total += n;
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            return (head, total, new PrefixedStream(head, total, new RethrowingStream(ex, inner)));
        }
        return (head, total, new PrefixedStream(head, total, inner));
    }
}

/// <summary>Throws a read error that was met while peeking, at the point the reader reaches it; disposes the stream it came from.</summary>
internal sealed class RethrowingStream(Exception error, Stream source) : ForwardOnlyReadStream
{
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
    public override int Read(Span<byte> buffer)
    {
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        return 0;
    }
    public override long Position { get => 0; set => throw new NotSupportedException(); }
    protected override void Dispose(bool disposing) { if (disposing) source.Dispose(); base.Dispose(disposing); }
}

/// <summary>Counts bytes read, so a container can name the offset of a damaged header.</summary>
internal sealed class CountingStream(Stream inner) : ForwardOnlyReadStream
{
    private long _position;
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        _position += n;
        return n;
    }
    public override long Position { get => _position; set => throw new NotSupportedException(); }
}

/// <summary>
/// Hands a member's data stream to code that disposes what it reads, without closing it: the tar reader still
/// owns the stream and must skip what is left of it.
/// </summary>
internal sealed class NonClosingStream(Stream inner) : ForwardOnlyReadStream
{
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override int Read(Span<byte> buffer) => inner.Read(buffer);
    public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
}
