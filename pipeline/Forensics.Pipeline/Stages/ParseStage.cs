using System.Threading.Channels;
using Forensics.Pipeline.Formats;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Stages;

/// <summary>
/// A parse worker: turns framed batches into events and rejects. A format that throws on a batch has a bug,
/// but evidence is not lost for it: the batch's records become rejects naming the exception, and the run goes on.
/// </summary>
internal static class ParseStage
{

    public static async Task RunAsync(ChannelReader<FramedItem> input, ChannelWriter<ParsedItem> output, IngestOptions options, CancellationToken cancel)
    {
        await foreach (var item in input.ReadAllAsync(cancel).ConfigureAwait(false))
        {
            if (item.Batch is not { } batch)
            {
                await output.WriteAsync(new ParsedItem(item.File, -1, 0, null, null, EndOfFile: true), cancel).ConfigureAwait(false);
                continue;
            }
            options.OnParse?.Invoke(batch);
            var result = new ParseOutput();
            long start = Runtime.ThreadCpu.Now();
            try
            {
                item.File.Format!.Parse(batch, item.File.Context!, result);
                result.Seal();
                if (result.Batch.Count + result.Rejects.Count != batch.Count)
                    throw new InvalidOperationException($"format {item.File.Format.Id} produced {result.Batch.Count} events + {result.Rejects.Count} rejects for {batch.Count} records");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                result.Discard();
                for (int i = 0; i < batch.Count; i++)
                    result.Rejects.Add(Reject.FromSpan(batch.Offset(i), $"parser failed on this batch: {ex.GetType().Name}: {ex.Message}", batch.Record(i)));
            }
            Interlocked.Add(ref options.ParseCpuTicks, Runtime.ThreadCpu.Now() - start);
            int records = batch.Count;
            int sequence = batch.Sequence;
            batch.Release();
            await output.WriteAsync(new ParsedItem(item.File, sequence, records, result.Batch, result.Rejects, EndOfFile: false), cancel).ConfigureAwait(false);
        }
    }
}
