using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Forensics.Pipeline.Evidence;
using Forensics.Pipeline.Runtime;

namespace Forensics.Pipeline.Stages;

/// <summary>
/// Discovery (folders, decompression, archive members, hashing, spooling) on a thread of its own, a few files
/// ahead of the framer: the next member of a .tar.gz is decompressed and hashed while the current one is framed
/// and parsed, instead of leaving the parse workers idle for it. Why a dedicated thread: decompression is a
/// blocking read loop, and it is one long-running job for the whole run. At most <c>capacity</c> files wait
/// (their spools are memory up to <see cref="AcquisitionLimits.InMemorySpoolBytes"/> each, else temporary files),
/// so memory stays bounded. It starts before the zone/host pre-pass, which it does not need, so the first
/// members are ready when parsing may begin.
/// </summary>
internal sealed class DiscoverStage : IAsyncDisposable
{
    private readonly Channel<EvidenceFile> _ready;
    private readonly CancellationTokenSource _stop;
    private readonly Thread _thread;
    private Exception? _error;

    /// <summary>Thread CPU time (TimeSpan ticks) spent discovering, decompressing and hashing; final once the stage ended.</summary>
    public long CpuTicks { get; private set; }

    private DiscoverStage(EvidenceDiscovery discovery, IReadOnlyList<string> inputs, int capacity, Action<string>? onDiscovered, CancellationToken cancel)
    {
        _ready = Channel.CreateBounded<EvidenceFile>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        _thread = new Thread(() => Produce(discovery, inputs, onDiscovered, _stop.Token)) { IsBackground = true, Name = "discover" };
    }

    public static DiscoverStage Start(EvidenceDiscovery discovery, IReadOnlyList<string> inputs, int capacity, Action<string>? onDiscovered, CancellationToken cancel)
    {
        var stage = new DiscoverStage(discovery, inputs, Math.Max(1, capacity), onDiscovered, cancel);
        stage._thread.Start();
        return stage;
    }

    private void Produce(EvidenceDiscovery discovery, IReadOnlyList<string> inputs, Action<string>? onDiscovered, CancellationToken cancel)
    {
        long start = ThreadCpu.Now();
        try
        {
            foreach (var file in discovery.Discover(inputs, cancel))
            {
                onDiscovered?.Invoke(file.SourcePath);
                try { _ready.Writer.WriteAsync(file, cancel).AsTask().GetAwaiter().GetResult(); }
                catch
                {
                    file.Dispose();
                    throw;
                }
            }
        }
        catch (Exception ex)
        {
            _error = ex;
        }
        finally
        {
            CpuTicks = ThreadCpu.Now() - start;
            _ready.Writer.TryComplete();
        }
    }

    /// <summary>The files in discovery order; a failure of discovery itself (our spool cannot be written, a bug) is rethrown here.</summary>
    public async IAsyncEnumerable<EvidenceFile> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancel)
    {
        await foreach (var file in _ready.Reader.ReadAllAsync(cancel).ConfigureAwait(false))
            yield return file;
        if (_error is { } error) ExceptionDispatchInfo.Throw(error);
    }

    /// <summary>Stops discovery, waits for its thread and disposes the files nobody took (their spools).</summary>
    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _thread.Join();
        while (_ready.Reader.TryRead(out var file)) file.Dispose();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }
}
