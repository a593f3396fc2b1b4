namespace Forensics.Pipeline.Formats.Utmp;

/// <summary>What one step over a utmp file found at the current position.</summary>
internal enum UtmpStepKind
{
    /// <summary>A whole record in step (plausible, blank, or damaged in place: the parser judges it).</summary>
    Record,
    /// <summary>Fewer bytes than a record left at the end of the file.</summary>
    PartialRecord,
    /// <summary>Bytes that are not a record: the records resume right after them (bytes inserted or lost).</summary>
    OutOfStep,
}

internal readonly record struct UtmpStep(UtmpStepKind Kind, int Length);

/// <summary>
/// Finds record boundaries in a utmp file whose records are out of step with the file start: one byte inserted
/// (a copy through a tool that adds a byte), a few NUL bytes prepended, a record cut short. A fixed-stride
/// reader (utmpdump, last, plaso) reads every later record shifted and loses them all. Like the binary
/// journal reader's linear scan over objects, this one reads in step while records are plausible; when one is
/// not, it looks for the nearest offset within the next two records where a record that is a sure anchor
/// (<see cref="IsAnchor"/>) is followed by one that looks right in the file's layout, and hands the bytes before it out as
/// one out-of-step piece (a reject); a plausible record followed by a shifted one is checked the same way, as
/// bytes lost inside it leave it plausible. A damaged record followed by a good one in step stays a whole
/// record rejected with its reason, as before. Nothing is invented: only records that pass the strict test end a
/// resynchronisation, and every byte is in a record, a partial record or an out-of-step piece.
/// </summary>
internal static class UtmpResync
{
    /// <summary>Bytes from the current position a step needs to see (fewer only at the end of the file).</summary>
    public static int Lookahead(UtmpLayout layout) => 4 * layout.RecordSize;

    /// <summary>The next step from the start of <paramref name="window"/> (which ends at the end of the file or holds <see cref="Lookahead"/> bytes).</summary>
    public static UtmpStep Step(ReadOnlySpan<byte> window, UtmpLayout layout)
    {
        int size = layout.RecordSize;
        if (window.Length < size) return new(UtmpStepKind.PartialRecord, window.Length);
        int boundary;
        if (Plausible(window[..size], layout))
        {
            // In step when the next record surely is. Bytes lost or inserted inside a record can leave it
            // plausible (a time of 0 read from zeros, a changed tv_usec) while the next one reads shifted, often
            // still "plausible" among zeros (type 0, pid 0, time 0). Where the records resume tells which:
            // before the end of this one, bytes were lost in it; after it, bytes were inserted in it, or after
            // it when it is a sure record itself.
            if (window.Length < 2 * size)
            {
                // The last record, with stray bytes after it: bytes inserted into it leave a misread record (a
                // time of 0 or in 1970) and the stray tail; one out-of-step piece then. A sure record (or a blank
                // one) keeps its place and the tail is a partial record.
                var last = window[..size];
                bool shifted = window.Length > size && !UtmpLayout.AllBytes(last, 0) && !UtmpLayout.AllBytes(last, 0xFF) && !IsAnchor(last, layout);
                return shifted ? new(UtmpStepKind.OutOfStep, window.Length) : new(UtmpStepKind.Record, size);
            }
            var next = window.Slice(size, size);
            if (UtmpLayout.AllBytes(next, 0) || UtmpLayout.AllBytes(next, 0xFF) || IsAnchor(next, layout)) return new(UtmpStepKind.Record, size);
            boundary = NextBoundary(window, layout);
            bool damagedHere = boundary > 0 && (boundary < size || (boundary > size && !ExtraBytesFollow(window[..boundary], layout)));
            return damagedHere ? new(UtmpStepKind.OutOfStep, boundary) : new(UtmpStepKind.Record, size);
        }
        boundary = NextBoundary(window, layout);
        return boundary <= 0 || boundary == size ? new(UtmpStepKind.Record, size) : new(UtmpStepKind.OutOfStep, boundary);
    }

    /// <summary>
    /// <paramref name="piece"/> is longer than a record and its first record reads plausibly: were the extra bytes
    /// inserted after the record (it keeps its place) or into its last fields (tv_usec, ut_addr_v6, where they
    /// leave it plausible with wrong values)? The 20 reserved bytes at a record's end are zero in every real
    /// record: the record ends where they are. When both readings agree on the record, it does not matter; when
    /// neither can be told, the whole piece is out of step rather than a record with invented values.
    /// </summary>
    private static bool ExtraBytesFollow(ReadOnlySpan<byte> piece, UtmpLayout layout)
    {
        int size = layout.RecordSize, reservedStart = layout.AddrOffset + 16, tailStart = layout.TvUsecOffset;
        var inStep = piece[..size];
        var endingAtBoundary = piece[^size..];
        if (!IsAnchor(inStep, layout)) return false;
        bool reservedInStep = !inStep[reservedStart..].ContainsAnyExcept((byte)0);
        bool reservedAtBoundary = !endingAtBoundary[reservedStart..].ContainsAnyExcept((byte)0);
        if (reservedInStep != reservedAtBoundary) return reservedInStep;
        return inStep[tailStart..reservedStart].SequenceEqual(endingAtBoundary[tailStart..reservedStart]);
    }

    /// <summary>What the reader takes in step: a plausible record, or a blank one (rejected by the parser).</summary>
    private static bool Plausible(ReadOnlySpan<byte> record, UtmpLayout layout) =>
        UtmpLayout.AllBytes(record, 0) || UtmpLayout.AllBytes(record, 0xFF) || layout.Implausible(record) is null;

    /// <summary>The first offset after 0 and before two records where the records resume, or -1.</summary>
    private static int NextBoundary(ReadOnlySpan<byte> window, UtmpLayout layout)
    {
        int size = layout.RecordSize;
        for (int q = 1; q < 2 * size && q + size <= window.Length; q++)
        {
            // ut_type 0..9 in the layout's byte order: rules out nearly every offset with two byte compares.
            byte lo = layout.BigEndian ? window[q + 1] : window[q], hi = layout.BigEndian ? window[q] : window[q + 1];
            if (hi != 0 || lo > 9) continue;
            if (IsBoundary(window[q..], layout)) return q;
        }
        return -1;
    }

    /// <summary>
    /// The first offset in [<paramref name="from"/>, <paramref name="limit"/>) where a sure record
    /// (<see cref="IsBoundary"/>) starts, or -1. Candidates are found with a vectorised search for a ut_type byte
    /// 1..9 (the low byte: first in little-endian, second in big-endian), then the zero high byte and padding.
    /// </summary>
    public static int FindAnchor(ReadOnlySpan<byte> span, UtmpLayout layout, int from, int limit)
    {
        int size = layout.RecordSize, typeByte = layout.BigEndian ? 1 : 0;
        int q = from;
        while (q < limit && q + size <= span.Length)
        {
            int hit = span[(q + typeByte)..Math.Min(span.Length, limit + typeByte)].IndexOfAnyInRange((byte)1, (byte)9);
            if (hit < 0) return -1;
            q += hit;
            if (q + size > span.Length) return -1;
            if (span[q + 1 - typeByte] == 0 && span[q + 2] == 0 && span[q + 3] == 0 && IsBoundary(span[q..], layout)) return q;
            q++;
        }
        return -1;
    }

    /// <summary>
    /// Where records resume: a record that is an anchor and a next one that looks right (or is blank, or is past
    /// the end). Looking right alone is too weak off-step: 52 bytes into a record, the zeros after a short
    /// ut_user read as an EMPTY record whose tv_sec is the next record's "pts/" (1995).
    /// </summary>
    private static bool IsBoundary(ReadOnlySpan<byte> at, UtmpLayout layout)
    {
        int size = layout.RecordSize;
        if (!IsAnchor(at[..size], layout)) return false;
        if (at.Length < 2 * size) return true; // the file's last record
        var next = at.Slice(size, size);
        return UtmpLayout.AllBytes(next, 0) || layout.LooksRight(next);
    }

    /// <summary>
    /// A record good enough to resume on: it looks right, has a real time and a type other than EMPTY, the two
    /// bytes of alignment padding after the 16-bit ut_type are zero, and its strings are NUL-padded (glibc and
    /// util-linux fill a zeroed struct, strings with strncpy: every non-blank record of the corpus's Linux files
    /// is so; an off-step read spans two fields and is not). Without the padding test, 5 bytes into a record
    /// reads as type 6 (the pid's low bytes) followed by the record's own later fields.
    /// </summary>
    private static bool IsAnchor(ReadOnlySpan<byte> r, UtmpLayout layout) =>
        r[2] == 0 && r[3] == 0 && layout.Type(r) != 0 && layout.TvSec(r) != 0 && layout.LooksRight(r)
        && NulPadded(r.Slice(UtmpLayout.LineOffset, UtmpLayout.LineSize)) && NulPadded(r.Slice(UtmpLayout.IdOffset, UtmpLayout.IdSize))
        && NulPadded(r.Slice(UtmpLayout.UserOffset, UtmpLayout.UserSize)) && NulPadded(r.Slice(UtmpLayout.HostOffset, UtmpLayout.HostSize));

    private static bool NulPadded(ReadOnlySpan<byte> field)
    {
        int nul = field.IndexOf((byte)0);
        return nul < 0 || !field[nul..].ContainsAnyExcept((byte)0);
    }
}
