using Forensics.Cli.Commands;
using Forensics.Pipeline.Stages;

namespace Forensics.Tests.Cli;

/// <summary>The ingest progress lines, driven by a clock the test sets (no waiting, no timing asserted).</summary>
public sealed class IngestProgressViewTests
{
    private const long MB = 1024 * 1024;
    private TimeSpan _now;
    private IngestProgressView View() => new(() => _now, TimeSpan.FromSeconds(10));

    private static IngestProgress Reading(string file, long done, long size) =>
        new(file, 0, done, 0, 0) { RelativePath = "var/log/" + Path.GetFileName(file), FileBytes = size };

    private static IngestProgress Done(string file, int filesDone, long events, long rejects, long totalEvents, long totalRejects, long size) =>
        new(file, filesDone, size, totalEvents, totalRejects, FileDone: true) { RelativePath = "var/log/" + Path.GetFileName(file), FileBytes = size, FileEvents = events, FileRejects = rejects };

    [Fact]
    public void A_large_file_gets_a_plain_line_every_interval_with_bytes_rate_and_eta()
    {
        var view = View();
        _now = TimeSpan.FromSeconds(1);
        Assert.Null(view.PlainLine(Reading("/e/var/log/big.log", 1 * MB, 301 * MB)));
        _now = TimeSpan.FromSeconds(6);
        Assert.Null(view.PlainLine(Reading("/e/var/log/big.log", 51 * MB, 301 * MB)));
        _now = TimeSpan.FromSeconds(11);
        Assert.Equal("ingest: var/log/big.log: 101.0 MB of 301.0 MB (34 %), 10.0 MB/s, ETA 20 s", view.PlainLine(Reading("/e/var/log/big.log", 101 * MB, 301 * MB)));
        _now = TimeSpan.FromSeconds(15);
        Assert.Null(view.PlainLine(Reading("/e/var/log/big.log", 141 * MB, 301 * MB)));
        _now = TimeSpan.FromSeconds(21);
        Assert.StartsWith("ingest: var/log/big.log: 201.0 MB of 301.0 MB (67 %)", view.PlainLine(Reading("/e/var/log/big.log", 201 * MB, 301 * MB)), StringComparison.Ordinal);
    }

    [Fact]
    public void Each_completed_file_gets_one_plain_line_with_its_own_counts_not_the_running_totals()
    {
        var view = View();
        _now = TimeSpan.Zero;
        view.PlainLine(Reading("/e/var/log/a.log", 0, 2048));
        _now = TimeSpan.FromSeconds(2);
        Assert.Equal("ingest: var/log/a.log: 100 events, 2 rejects, 2.0 KB in 2.0 s (1 files done)", view.PlainLine(Done("/e/var/log/a.log", 1, 100, 2, 100, 2, 2048)));
        view.PlainLine(Reading("/e/var/log/b.log", 0, 1000));
        _now = TimeSpan.FromSeconds(3);
        Assert.Equal("ingest: var/log/b.log: 7 events, 0 rejects, 1000 B in 1.0 s (2 files done)", view.PlainLine(Done("/e/var/log/b.log", 2, 7, 0, 107, 2, 1000)));
    }

    [Fact]
    public void The_terminal_status_names_the_file_its_progress_and_the_run_totals()
    {
        var view = View();
        _now = TimeSpan.Zero;
        view.Status(Reading("/e/var/log/big.log", 0, 300 * MB));
        _now = TimeSpan.FromSeconds(4);
        Assert.Equal("var/log/big.log: 60.0 MB of 300.0 MB (20 %), 15.0 MB/s, ETA 16 s · 0 files done, 0 events, 0 rejects",
            view.Status(Reading("/e/var/log/big.log", 60 * MB, 300 * MB)));
    }
}
