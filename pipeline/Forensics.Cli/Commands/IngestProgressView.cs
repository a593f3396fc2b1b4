using System.Globalization;
using Forensics.Pipeline.Stages;
using Forensics.Pipeline.Text;

namespace Forensics.Cli.Commands;

/// <summary>
/// Turns ingest progress into text: on a terminal one status line (the file being read: bytes of its size, rate,
/// ETA; the run's totals), in logs and pipes a line per completed file with that file's own counts, and a line
/// every <c>interval</c> while a large file is read. The clock is given so the lines can be tested without waiting.
/// </summary>
internal sealed class IngestProgressView(Func<TimeSpan> clock, TimeSpan interval)
{
    /// <summary>Seconds between plain lines about the same file still being read.</summary>
    public static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(10);

    private sealed class FileClock(TimeSpan start, long startBytes)
    {
        public TimeSpan Start { get; } = start;
        public long StartBytes { get; } = startBytes;
        public TimeSpan LastLine { get; set; } = start;
    }

    private readonly Dictionary<string, FileClock> _files = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>The terminal status line for a step.</summary>
    public string Status(IngestProgress p)
    {
        lock (_lock)
        {
            var totals = $"{p.FilesDone:N0} files done, {p.EventsWritten:N0} events, {p.Rejects:N0} rejects";
            if (p.FileDone) { _files.Remove(p.CurrentFile); return totals; }
            return $"{Shorten(p.RelativePath)}: {Reading(p, Track(p))} · {totals}";
        }
    }

    /// <summary>The plain line for a step, or null when it prints nothing.</summary>
    public string? PlainLine(IngestProgress p)
    {
        lock (_lock)
        {
            var now = clock();
            if (p.FileDone)
            {
                var took = _files.Remove(p.CurrentFile, out var f) ? now - f.Start : (TimeSpan?)null;
                return $"ingest: {p.RelativePath}: {p.FileEvents:N0} events, {p.FileRejects:N0} rejects, {Bytes(p.FileBytes)}"
                       + (took is { } t ? $" in {Seconds(t)}" : "") + $" ({p.FilesDone:N0} files done)";
            }
            var file = Track(p);
            if (now - file.LastLine < interval) return null;
            file.LastLine = now;
            return $"ingest: {p.RelativePath}: {Reading(p, file)}";
        }
    }

    private FileClock Track(IngestProgress p)
    {
        if (!_files.TryGetValue(p.CurrentFile, out var f)) _files[p.CurrentFile] = f = new FileClock(clock(), p.BytesDone);
        return f;
    }

    /// <summary>"120.0 MB of 300.0 MB (40 %), 15.0 MB/s, ETA 12 s": the rate from this file's own reading.</summary>
    private string Reading(IngestProgress p, FileClock f)
    {
        var text = p.FileBytes > 0
            ? $"{Bytes(p.BytesDone)} of {Bytes(p.FileBytes)} ({Math.Min(100, 100.0 * p.BytesDone / p.FileBytes).ToString("0", CultureInfo.InvariantCulture)} %)"
            : Bytes(p.BytesDone);
        var elapsed = clock() - f.Start;
        long read = p.BytesDone - f.StartBytes;
        if (elapsed.TotalSeconds < 0.5 || read <= 0) return text;
        double rate = read / elapsed.TotalSeconds;
        text += $", {Bytes((long)rate)}/s";
        if (p.FileBytes > p.BytesDone) text += $", ETA {Seconds(TimeSpan.FromSeconds((p.FileBytes - p.BytesDone) / rate))}";
        return text;
    }

    public static string Bytes(long n) => n switch
    {
        < 1024 => $"{n} B",
        < 1024 * 1024 => (n / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KB",
        < 1024L * 1024 * 1024 => (n / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
        _ => (n / (1024.0 * 1024 * 1024)).ToString("0.00", CultureInfo.InvariantCulture) + " GB",
    };

    private static string Seconds(TimeSpan t) => t.TotalSeconds < 10
        ? t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"
        : t.TotalMinutes < 2 ? t.TotalSeconds.ToString("0", CultureInfo.InvariantCulture) + " s" : $"{(int)t.TotalMinutes} min {t.Seconds} s";

    private static string Shorten(string path) => TerminalText.Escape(path.Length <= 50 ? path : "…" + path[^49..]);
}
