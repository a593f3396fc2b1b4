using Forensics.Pipeline.Case;
using Forensics.Pipeline.Evidence;
using Forensics.Pipeline.Formats;
using Forensics.Pipeline.Framing;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Stages;

/// <summary>One input file while it moves through the stages, with its manifest entry.</summary>
internal sealed class FileState(int index, EvidenceFile evidence, ILogFormat? format, FileContext? context, ManifestInput manifest)
{
    public int Index { get; } = index;
    public EvidenceFile Evidence { get; } = evidence;
    public ILogFormat? Format { get; } = format;
    /// <summary>Set once when the file is classified (it carries this state's side-table sink).</summary>
    public FileContext? Context { get; set; } = context;
    public ManifestInput Manifest { get; } = manifest;
    public List<SideTable> SideTables { get; } = [];
    /// <summary>Set by the frame stage when framing ended (total batches known).</summary>
    public int? TotalBatches { get; set; }
    public int BatchesWritten { get; set; }
    public long? MinTs { get; set; }
    public long? MaxTs { get; set; }
}

/// <summary>A framed batch on its way to a parse worker, or (Batch null) the end-of-file marker.</summary>
internal readonly record struct FramedItem(FileState File, RecordBatch? Batch);

/// <summary>A parsed batch on its way to the writer, or the end-of-file marker.</summary>
internal readonly record struct ParsedItem(FileState File, int Sequence, int Records, EventBatch? Events, List<Reject>? Rejects, bool EndOfFile);

/// <summary>Receives side tables from a format while it frames (single-threaded per file).</summary>
internal sealed class FileSideTables(FileState file) : ISideTableSink
{
    public void Add(SideTable table)
    {
        lock (file.SideTables) file.SideTables.Add(table);
    }
}
