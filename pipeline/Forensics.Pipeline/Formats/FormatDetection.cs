namespace Forensics.Pipeline.Formats;

/// <summary>
/// Decides a file's format from a few bounded windows of its content, not only its head. A head of junk (one
/// 70,000-byte line before 1,180 auth lines, a binary blob pasted in front of a log, a damaged start) otherwise
/// hides the whole file. The head decides when it can; when no format recognises it, up to
/// <see cref="ExtraWindows"/> more windows of <see cref="ILogFormat.SniffBytes"/> are read: right after the
/// head, then a quarter, half and three quarters in. The first window (in file order) that a format recognises
/// decides; the parse then starts at offset 0 as always, so the junk becomes rejects. Deterministic (fixed
/// offsets) and bounded: at most 5 × 64 KiB read per file, nothing more for files the head decides or that fit
/// in the head.
/// </summary>
public static class FormatDetection
{
    public const int ExtraWindows = 4;

    /// <param name="WindowOffset">Where the deciding window starts (0: the head).</param>
    public readonly record struct Result(ILogFormat? Format, int Confidence, long WindowOffset);

    /// <param name="head">The first bytes of the content (up to <see cref="ILogFormat.SniffBytes"/>).</param>
    /// <param name="length">Content length.</param>
    /// <param name="open">Opens the content seekable (the evidence's own opener); null: the head only.</param>
    public static Result Detect(ReadOnlySpan<byte> head, long length, string fileName, Func<Stream>? open)
    {
        var (format, confidence) = FormatRegistry.Detect(head, fileName);
        if (format is not null || open is null || length <= head.Length) return new(format, confidence, 0);
        int best = confidence;
        using var stream = open();
        var window = new byte[ILogFormat.SniffBytes];
        foreach (long offset in WindowOffsets(length, head.Length))
        {
            stream.Seek(offset, SeekOrigin.Begin);
            int n = stream.ReadAtLeast(window, window.Length, throwOnEndOfStream: false);
            var (found, score) = DetectWindow(window.AsSpan(0, n), fileName);
            if (found is not null) return new(found, score, offset);
            best = Math.Max(best, score);
        }
        return new(null, best, 0);
    }

    /// <summary>
    /// A window starts mid-record. Binary record formats re-synchronise on their own (utmp); line formats get
    /// the window from its first line start too, so the cut first line does not count against them.
    /// </summary>
    private static (ILogFormat? Format, int Confidence) DetectWindow(ReadOnlySpan<byte> window, string fileName)
    {
        var (format, confidence) = FormatRegistry.Detect(window, fileName);
        int nl = window.IndexOf((byte)'\n');
        if (nl >= 0 && nl + 1 < window.Length)
        {
            var (lineFormat, lineConfidence) = FormatRegistry.Detect(window[(nl + 1)..], fileName);
            if (lineConfidence > confidence) (format, confidence) = (lineFormat, lineConfidence);
        }
        return (format, confidence);
    }

    /// <summary>Right after the head, then 1/4, 1/2 and 3/4 of the content: in order, each past the end of the window before it (no byte read twice).</summary>
    public static IEnumerable<long> WindowOffsets(long length, int headLength)
    {
        long readTo = headLength;
        foreach (long offset in (long[])[headLength, length / 4, length / 2, length / 4 * 3])
        {
            if (offset < readTo || offset >= length) continue;
            yield return offset;
            readTo = offset + ILogFormat.SniffBytes;
        }
    }
}
