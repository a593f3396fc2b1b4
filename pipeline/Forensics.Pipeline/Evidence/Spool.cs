namespace Forensics.Pipeline.Evidence;

/// <summary>
/// Where decompressed or archived content waits to be read (seekably) by the framer: memory up to a limit, then a
/// temporary file in the case's spool folder, deleted when closed. Writing here is writing the case: a failure
/// (disk full, no permission) is a <see cref="SpoolWriteException"/>, never an error of the evidence.
/// </summary>
internal sealed class SpoolWriter(string spoolDirectory, long inMemoryLimit, string evidencePath, long? sizeHint = null) : IDisposable
{
    private Stream _spool = sizeHint is { } n && n > inMemoryLimit ? null! : new MemoryStream(sizeHint is { } h and > 0 ? (int)h : 0);
    private string? _tempPath;

    /// <summary>True once the spool is a temporary file (past the in-memory limit, or sized so from the start).</summary>
    public bool OnDisk => _tempPath is not null;

    public void Write(ReadOnlySpan<byte> data)
    {
        try
        {
            if (_spool is null) _spool = CreateFile();
            else if (_tempPath is null && _spool.Length + data.Length > inMemoryLimit)
            {
                var memory = _spool;
                _spool = CreateFile(); // owned (and closed by Dispose) before the first byte is written to it
                memory.Position = 0;
                memory.CopyTo(_spool);
                memory.Dispose();
            }
            _spool.Write(data);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SpoolWriteException($"cannot write the spool of {evidencePath} ({_tempPath ?? spoolDirectory}): {ex.Message}", ex);
        }
    }

    private FileStream CreateFile()
    {
        Directory.CreateDirectory(spoolDirectory);
        _tempPath = Path.Combine(spoolDirectory, "spool-" + Guid.NewGuid().ToString("N") + ".bin");
        // Unbuffered (writes come in 64 KiB blocks anyway): a failed write must not leave a buffer that a later
        // Dispose tries to flush, which would throw again and keep the full disk occupied.
        return new FileStream(_tempPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 0, FileOptions.DeleteOnClose);
    }

    /// <summary>The written spool, positioned at 0; the caller owns it from now on.</summary>
    public Stream Complete()
    {
        var s = _spool ?? new MemoryStream();
        try
        {
            s.Flush();
            s.Position = 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            s.Dispose();
            throw new SpoolWriteException($"cannot write the spool of {evidencePath} ({_tempPath ?? spoolDirectory}): {ex.Message}", ex);
        }
        _spool = null!;
        return s;
    }

    public void Dispose() => _spool?.Dispose();
}

/// <summary>
/// Our own write failed (the case's spool or temporary files: disk full, permissions). Not an IOException on
/// purpose: the evidence layer reads IOExceptions as damage of the evidence, and this is not.
/// </summary>
public sealed class SpoolWriteException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// A read-only, independently positioned view of a spool (so the spool is never modified), optionally starting at
/// <paramref name="origin"/> (a zip member found by a scan is read as if the archive began at its local header).
/// </summary>
internal sealed class SpoolReader(Stream spool, long origin = 0) : Stream
{
    private long _position;
    public override int Read(byte[] buffer, int offset, int count)
    {
        lock (spool)
        {
            spool.Position = origin + _position;
            int n = spool.Read(buffer, offset, count);
            _position += n;
            return n;
        }
    }
    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => spool.Length - origin;
    public override long Position { get => _position; set => _position = value; }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin seekOrigin) => _position = seekOrigin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => Length + offset,
    };
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
