using System.Runtime.ExceptionServices;
using Forensics.Pipeline.Evidence;
using Forensics.Pipeline.Runtime;

namespace Forensics.Pipeline.Stages;

/// <summary>
/// Discovery (folders, decompression, archive members, hashing, spooling) on a thread of its own, ahead of the
/// framer: the next member of a .tar.gz is decompressed and hashed while the current one is framed and parsed,
/// instead of leaving the parse workers idle for it. Why a dedicated thread: decompression is a blocking read
/// loop, one long-running job for the whole run. It starts before the zone/host pre-pass (it needs neither), so
/// while the pre-pass reads an archive the other core decompresses it for the main pass.
/// How far ahead is bounded (<see cref="ReadAheadLimits"/>): files waiting, memory they hold (heads, in-memory
/// spools) and temporary-file bytes; a single file larger than a bound still passes, alone.
/// </summary>
internal sealed class DiscoverStage : IAsyncDisposable
{
    private readonly Queue<EvidenceFile> _ready = new();
    private readonly object _gate = new(); // a Monitor: the producer waits on it for the framer to take files
    private readonly ReadAheadLimits _limits;
    private readonly CancellationTokenSource _stop;
    private readonly Thread _thread;
    private readonly SemaphoreSlim _available = new(0);
    private long _memoryAhead, _diskAhead;
    private bool _done;
    private Exception? _error;

    /// <summary>Thread CPU time (TimeSpan ticks) spent discovering, decompressing and hashing; final once the stage ended.</summary>
    public long CpuTicks { get; private set; }

    private DiscoverStage(EvidenceDiscovery discovery, IReadOnlyList<string> inputs, ReadAheadLimits limits, Action<string>? onDiscovered, CancellationToken cancel)
    {
        _limits = limits;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        _thread = new Thread(() => Produce(discovery, inputs, onDiscovered, _stop.Token)) { IsBackground = true, Name = "discover" };
    }

    public static DiscoverStage Start(EvidenceDiscovery discovery, IReadOnlyList<string> inputs, ReadAheadLimits limits, Action<string>? onDiscovered, CancellationToken cancel)
    {
        var stage = new DiscoverStage(discovery, inputs, limits, onDiscovered, cancel);
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
                try { Enqueue(file, cancel); }
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
            lock (_gate) _done = true;
            _available.Release();
        }
    }

    private void Enqueue(EvidenceFile file, CancellationToken cancel)
    {
        lock (_gate)
        {
            // One file always passes; more wait while those already waiting use up a bound.
            while (_ready.Count > 0 && (_ready.Count >= _limits.Files
                       || _memoryAhead + file.HeldInMemory > _limits.MemoryBytes
                       || _diskAhead + file.SpooledOnDisk > _limits.DiskBytes))
            {
                cancel.ThrowIfCancellationRequested();
                Monitor.Wait(_gate, 50); // pulsed when the framer takes a file; the timeout re-checks cancellation
            }
            _ready.Enqueue(file);
            _memoryAhead += file.HeldInMemory;
            _diskAhead += file.SpooledOnDisk;
        }
        _available.Release();
    }

    /// <summary>The files in discovery order; a failure of discovery itself (our spool cannot be written, a bug) is rethrown here.</summary>
    public async IAsyncEnumerable<EvidenceFile> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancel)
    {
        while (true)
        {
            await _available.WaitAsync(cancel).ConfigureAwait(false);
            EvidenceFile? next = null;
            lock (_gate)
            {
                if (_ready.TryDequeue(out next))
                {
                    _memoryAhead -= next.HeldInMemory;
                    _diskAhead -= next.SpooledOnDisk;
                    Monitor.PulseAll(_gate);
                }
                else if (_done) break;
            }
            if (next is not null) yield return next;
        }
        if (_error is { } error) ExceptionDispatchInfo.Throw(error);
    }

    /// <summary>Stops discovery, waits for its thread and disposes the files nobody took (their spools).</summary>
    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _thread.Join();
        lock (_gate)
            while (_ready.TryDequeue(out var file)) file.Dispose();
        _stop.Dispose();
        _available.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>How far discovery may run ahead of the framer.</summary>
/// <param name="Files">Files waiting (each holds its 64 KiB head at least).</param>
/// <param name="MemoryBytes">Heads and in-memory spools of the waiting files.</param>
/// <param name="DiskBytes">Temporary-file spools of the waiting files, in the case folder.</param>
internal sealed record ReadAheadLimits(int Files, long MemoryBytes, long DiskBytes);
