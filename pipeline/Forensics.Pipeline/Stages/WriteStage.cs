using System.Threading.Channels;
using Forensics.Pipeline.Case;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Stages;

/// <summary>
/// Writes parsed batches in file order (workers finish out of order; a small reorder buffer per file puts them
/// back, so a case is reproducible), keeps each file's accounting, and closes a file once all its batches
/// and its end marker have arrived.
/// </summary>
internal sealed class WriteStage(CaseWriter writer, IngestOptions options)
{
    private readonly Dictionary<FileState, SortedDictionary<int, ParsedItem>> _pending = [];
    private long _events, _rejects;
    private int _filesDone;

    public async Task RunAsync(ChannelReader<ParsedItem> input, CancellationToken cancel)
    {
        await foreach (var item in input.ReadAllAsync(cancel).ConfigureAwait(false))
        {
            var file = item.File;
            if (!_pending.TryGetValue(file, out var queue)) _pending[file] = queue = [];
            if (!item.EndOfFile) queue[item.Sequence] = item;
            while (queue.Remove(file.BatchesWritten, out var next))
            {
                await WriteAsync(file, next, cancel).ConfigureAwait(false);
                file.BatchesWritten++;
            }
            if (item.EndOfFile) _endSeen.Add(file);
            // The end marker can overtake the file's last batches (parallel workers): close when both are in.
            if (_endSeen.Contains(file) && file.BatchesWritten == file.TotalBatches)
            {
                await CloseFileAsync(file, cancel).ConfigureAwait(false);
                _pending.Remove(file);
            }
        }
        if (_pending.Count > 0)
            throw new InvalidOperationException($"{_pending.Count} files did not complete: {string.Join(", ", _pending.Keys.Select(f => f.Evidence.SourcePath).Take(3))}");
    }

    private readonly HashSet<FileState> _endSeen = [];

    private async Task WriteAsync(FileState file, ParsedItem item, CancellationToken cancel)
    {
        var m = file.Manifest;
        var formatId = file.Format!.Id;
        m.Records += item.Records;
        if (item.Events is { } events)
        {
            foreach (long ts in events.Ts.PackedValues)
            {
                if (file.MinTs is null || ts < file.MinTs) file.MinTs = ts;
                if (file.MaxTs is null || ts > file.MaxTs) file.MaxTs = ts;
            }
            file.Format.InOrder(events, file.Context!);
            int count = events.Count;
            await writer.WriteEventsAsync(file.Format, file.Manifest.EvidenceHost, file.Evidence.SourcePath, file.Evidence.Sha256, events).ConfigureAwait(false);
            m.Events += count;
            _events += count;
        }
        if (item.Rejects is { Count: > 0 } rejects)
        {
            await writer.WriteRejectsAsync(formatId, file.Manifest.EvidenceHost, file.Evidence.SourcePath, file.Evidence.Sha256, rejects, cancel).ConfigureAwait(false);
            m.Rejects += rejects.Count;
            _rejects += rejects.Count;
        }
    }

    private async Task CloseFileAsync(FileState file, CancellationToken cancel)
    {
        foreach (var table in file.SideTables)
            await writer.WriteSideTableAsync(table, file.Manifest.EvidenceHost, file.Evidence.SourcePath, file.Evidence.Sha256, cancel).ConfigureAwait(false);
        file.Manifest.FirstTsUtc = ForensicEvent.ToDateTime(file.MinTs);
        file.Manifest.LastTsUtc = ForensicEvent.ToDateTime(file.MaxTs);
        _filesDone++;
        options.Progress?.Report(new IngestProgress(file.Evidence.SourcePath, _filesDone, file.Evidence.Length, _events, _rejects, FileDone: true)
        {
            RelativePath = file.Manifest.RelativePath, FileBytes = file.Evidence.Length, FileEvents = file.Manifest.Events, FileRejects = file.Manifest.Rejects,
        });
        file.Context?.DisposeResources();
        file.Evidence.Dispose();
        _endSeen.Remove(file);
    }
}
