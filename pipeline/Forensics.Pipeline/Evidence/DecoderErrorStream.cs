namespace Forensics.Pipeline.Evidence;

/// <summary>
/// Wraps a third-party decoder's output so that corrupt input surfaces as <see cref="InvalidDataException"/>, the
/// type every damaged-evidence handler catches. The decoders report it with their own types: ZstdSharp throws
/// <c>ZstdException</c> ("Data corruption detected", "Restored data doesn't match checksum"), SharpCompress's
/// deflate/deflate64 (zip members recovered from local headers) <c>ZlibException</c> ("Bad state (invalid
/// distance code)"); both derive from <see cref="Exception"/> only, so they escaped discovery and failed the
/// whole run (found by tests/fuzz.sh, targets compressed and zip). I/O errors, limits and cancellation pass as
/// they are.
/// </summary>
internal sealed class DecoderErrorStream(Func<Stream> open, string decoder) : ForwardOnlyReadStream
{
    private Stream? _decoded;
    private long _position;

    /// <summary>Wraps a decoder that is already open.</summary>
    public DecoderErrorStream(Stream decoded, string decoder) : this(() => decoded, decoder) { }

    /// <summary>
    /// Opens now (an archive member, read in archive order); what the decoder throws while it is created (reading
    /// its header: SharpCompress's implode/LZMA/bzip2 member streams) becomes <see cref="InvalidDataException"/> too.
    /// </summary>
    public static Stream OpenNow(Func<Stream> open, string decoder)
    {
        try { return new DecoderErrorStream(open(), decoder); }
        catch (Exception ex) when (IsDecoderError(ex)) { throw Corrupt(ex, decoder); }
    }

    private static bool IsDecoderError(Exception ex) => ex is not (IOException or InvalidDataException or OperationCanceledException or OutOfMemoryException);
    private static InvalidDataException Corrupt(Exception ex, string decoder) => new($"{decoder} data is corrupt ({ex.GetType().Name}: {ex.Message})", ex);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            // Opened on the first read: some decoders read and check their header when they are created.
            int n = (_decoded ??= open()).Read(buffer);
            _position += n;
            return n;
        }
        catch (Exception ex) when (IsDecoderError(ex)) { throw Corrupt(ex, decoder); }
    }

    public override long Position { get => _position; set => throw new NotSupportedException(); }
    protected override void Dispose(bool disposing) { if (disposing) _decoded?.Dispose(); base.Dispose(disposing); }
}
