using Forensics.Pipeline.Framing;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats.Journal;

/// <summary>
/// Native systemd journal files (<c>system.journal</c>, <c>system@…journal</c>, <c>user-1000.journal</c>,
/// dirty <c>*.journal~</c>). The framer locates the ENTRY objects (entry-array chain, or a linear scan of a
/// damaged file) and frames one record per entry at its object offset; damage becomes a record too, so the
/// parser turns it into a reject. The parse workers decode the entries with positioned reads on their own
/// reader of the file (<see cref="FileContext.OpenContent"/>), so decoding runs on every core.
/// Reader details and quirks: <see cref="JournalFileReader"/>.
/// </summary>
public sealed class JournalBinaryFormat : ILogFormat
{
    public string Id => "journal";
    public string Description => "systemd native journal file (regular/compact, keyed hash, XZ/LZ4/ZSTD, dirty or damaged)";
    public IReadOnlyList<ExtraColumn> ExtraColumns => JournalNormalizer.Columns;

    public int Sniff(ReadOnlySpan<byte> head, string fileName)
    {
        if (head.StartsWith(JournalFileReader.Signature)) return 100;
        return 0;
    }

    public IEnumerable<RecordBatch> Frame(Stream input, FileContext file, CancellationToken cancel)
    {
        using var reader = JournalFileReader.Open(input, out string? error);
        if (reader is null)
        {
            var bad = new RecordBatch(4096, 1);
            var head = new byte[(int)Math.Min(input.Length, 4096)];
            input.Position = 0;
            input.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            bad.AddDecoded(new JournalDamage("not a readable journal file: " + error), 0, head);
            yield return bad;
            yield break;
        }
        var batch = new RecordBatch(1 << 16, 2048);
        int sequence = 0;
        foreach (var item in reader.Locate(cancel))
        {
            byte[] raw = item.Damage is not null && item.RawLength > 0 ? reader.ReadRaw(item.Offset, Math.Min(item.RawLength, Reject.MaxRawBytes)) : [];
            if (!batch.CanAdd(raw.Length) && batch.Count > 0)
            {
                batch.Sequence = sequence++;
                yield return batch;
                batch = new RecordBatch(1 << 16, 2048);
            }
            if (item.Damage is { } damage) batch.AddDecoded(damage, item.Offset, raw);
            else batch.Add([], item.Offset, hint: EntryToDecode);
        }
        if (batch.Count > 0) { batch.Sequence = sequence; yield return batch; }
        else batch.Release();
    }

    private const int EntryToDecode = 1;

    public void Parse(RecordBatch batch, FileContext file, ParseOutput output)
    {
        JournalFileReader? reader = null;
        try
        {
            for (int i = 0; i < batch.Count; i++)
            {
                long offset = batch.Offset(i);
                if (batch.Hint(i) != EntryToDecode || batch.Decoded?[i] is JournalDamage)
                {
                    var reason = (batch.Decoded?[i] as JournalDamage)?.Reason ?? "journal record was not located by the framer";
                    output.Reject(offset, reason, batch.Record(i));
                    continue;
                }
                reader ??= ReaderFor(file);
                var entry = reader.TryReadEntry(offset, out string? why);
                if (entry is null)
                {
                    output.Reject(offset, why!, []);
                    continue;
                }
                JournalNormalizer.Fill(output.NewEvent(offset), entry);
            }
        }
        finally
        {
            if (reader is not null) file.ReturnResource(reader);
        }
    }

    /// <summary>A reader of this file for this worker: one left by an earlier batch, or a new one.</summary>
    private static JournalFileReader ReaderFor(FileContext file)
    {
        if (file.TakeResource<JournalFileReader>() is { } reader) return reader;
        var open = file.OpenContent ?? throw new InvalidOperationException("the file's content cannot be reopened for decoding");
        var stream = open();
        return JournalFileReader.Open(stream, out string? error, ownsStream: true)
            ?? throw new InvalidDataException("journal file could not be reopened: " + error);
    }
}
