using Forensics.Pipeline.Framing;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats.Journal;

/// <summary>
/// Native systemd journal files (<c>system.journal</c>, <c>system@…journal</c>, <c>user-1000.journal</c>,
/// dirty <c>*.journal~</c>). Entries are decoded while framing (the file needs random access), one record per
/// ENTRY object at its object offset; damage becomes a record too, so the parser turns it into a reject.
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
        foreach (var item in reader.ReadAll(cancel))
        {
            byte[] raw = item.Damage is not null && item.RawLength > 0 ? reader.ReadRaw(item.Offset, Math.Min(item.RawLength, Reject.MaxRawBytes)) : [];
            if (!batch.CanAdd(raw.Length) && batch.Count > 0)
            {
                batch.Sequence = sequence++;
                yield return batch;
                batch = new RecordBatch(1 << 16, 2048);
            }
            batch.AddDecoded(item.Entry ?? (object)item.Damage!, item.Offset, raw);
        }
        if (batch.Count > 0) { batch.Sequence = sequence; yield return batch; }
        else batch.Release();
    }

    public void Parse(RecordBatch batch, FileContext file, ParseOutput output) => ParseDecoded(batch, output);

    /// <summary>Shared by the journal forms that decode while framing (binary, export, json).</summary>
    internal static void ParseDecoded(RecordBatch batch, ParseOutput output)
    {
        var decoded = batch.Decoded;
        for (int i = 0; i < batch.Count; i++)
        {
            switch (decoded?[i])
            {
                case JournalRecord r:
                    JournalNormalizer.Fill(output.NewEvent(batch.Offset(i)), r);
                    break;
                case JournalDamage d:
                    output.Reject(batch.Offset(i), d.Reason, batch.Record(i));
                    break;
                default:
                    output.Reject(batch.Offset(i), "journal record was not decoded by the framer", batch.Record(i));
                    break;
            }
        }
    }
}
