using System.Text.Unicode;
using Forensics.Pipeline.Formats;
using Forensics.Pipeline.Framing;
using Forensics.Pipeline.Model;

namespace Forensics.Fuzz;

/// <summary>
/// Feeds bytes through one format exactly as ingest does (Frame on the frame thread, Parse per batch, InOrder
/// in file order; see Stages/FrameStage.cs and ParseStage.cs) and checks what the pipeline promises:
/// <list type="bullet">
/// <item>no exception escapes Frame, Parse or InOrder (ingest would turn it into a partial file or a batch of
///   "parser failed" rejects: evidence survives, but it is a parser bug);</item>
/// <item>records = events + rejects for every batch, and every event/reject carries the offset of its own record;</item>
/// <item>every record offset lies inside the input and its first line is the input's bytes at that offset;
///   offsets increase in file order (for formats that frame in file order);</item>
/// <item>line-framed formats: every line of the input is in exactly one record (nothing silently dropped);</item>
/// <item>text columns hold valid UTF-8 (the Parquet writer and DuckDB need it) and every column covers every row.</item>
/// </list>
/// </summary>
public sealed class FormatTarget(ILogFormat format, string fileName, bool lineFramed, bool fileOrder) : ITarget
{
    private static readonly DateTime ReferenceTime = new(2024, 6, 1, 12, 0, 0, DateTimeKind.Utc);

    public void Run(byte[] input)
    {
        using var stream = new MemoryStream(input, writable: false);
        var ctx = new FileContext
        {
            SourceFile = "/evidence/" + fileName, SourceSha256 = new string('0', 64), FileName = fileName,
            ReferenceTimeUtc = ReferenceTime, Zone = TimeZoneInfo.Utc, ZoneSource = "fuzz", Length = input.Length,
            OpenContent = () => new MemoryStream(input, writable: false),
        };
        long records = 0, linesInRecords = 0, previousOffset = -1;
        foreach (var batch in format.Frame(stream, ctx, CancellationToken.None))
        {
            var batchOffsets = new List<long>(batch.Count);
            for (int i = 0; i < batch.Count; i++)
            {
                long offset = batch.Offset(i);
                batchOffsets.Add(offset);
                InvariantViolation.Check(offset >= 0 && offset < Math.Max(1, input.Length), $"record {records + i} at offset {offset}, outside the {input.Length}-byte input");
                if (fileOrder)
                {
                    InvariantViolation.Check(offset > previousOffset, $"record {records + i} at offset {offset} does not follow the previous record at {previousOffset}");
                    previousOffset = offset;
                }
                var record = batch.Record(i);
                int firstLine = record.IndexOf((byte)'\n');
                var head = firstLine < 0 ? record : record[..firstLine];
                InvariantViolation.Check(input.AsSpan((int)Math.Min(offset, input.Length)).StartsWith(head), $"record {records + i} at offset {offset} is not the input's bytes at that offset");
                linesInRecords += 1 + record.Count((byte)'\n');
            }
            var output = new ParseOutput();
            format.Parse(batch, ctx, output);
            var events = output.Seal();
            format.InOrder(events, ctx);
            InvariantViolation.Check(events.Count + output.Rejects.Count == batch.Count,
                $"batch of {batch.Count} records gave {events.Count} events + {output.Rejects.Count} rejects");
            var produced = new List<long>(batch.Count);
            produced.AddRange(events.SourceOffsets.ToArray());
            foreach (var reject in output.Rejects)
            {
                InvariantViolation.Check(!string.IsNullOrWhiteSpace(reject.Reason), $"reject at {reject.SourceOffset} has no reason");
                InvariantViolation.Check(reject.Raw.Length <= Reject.MaxRawBytes, $"reject at {reject.SourceOffset} keeps {reject.Raw.Length} raw bytes");
                produced.Add(reject.SourceOffset);
            }
            produced.Sort();
            batchOffsets.Sort();
            InvariantViolation.Check(produced.SequenceEqual(batchOffsets), "the events' and rejects' offsets are not the records' offsets");
            CheckColumns(events);
            records += batch.Count;
            events.Return();
            batch.Release();
        }
        ctx.DisposeResources();
        if (lineFramed)
        {
            long lines = input.AsSpan().Count((byte)'\n') + (input.Length > 0 && input[^1] != (byte)'\n' ? 1 : 0);
            InvariantViolation.Check(lines == linesInRecords, $"{lines} input lines, but the {records} records hold {linesInRecords}");
        }
    }

    private static void CheckColumns(EventBatch events)
    {
        BatchColumn[] spine = [events.Ts, events.TsQuality, events.Host, events.Event, events.Process, events.Pid, events.Unit, events.User, events.SrcIp, events.SrcPort, events.Message];
        foreach (var column in spine.Concat(events.UsedExtras.Select(c => events.Extra(c)!)))
        {
            InvariantViolation.Check(column.Rows == events.Count, $"a column covers {column.Rows} of {events.Count} rows");
            if (column is not Utf8BatchColumn { IsBinary: false } text) continue;
            for (int v = 0; v < text.Values; v++)
                InvariantViolation.Check(Utf8.IsValid(text.Arena.AsSpan(text.Starts[v], text.Lengths[v])), "a text column holds invalid UTF-8");
        }
    }
}
