using Forensics.Pipeline.Formats;
using Forensics.Pipeline.Framing;
using Forensics.Pipeline.Model;

namespace Forensics.Tests.Support;

/// <summary>Runs one format's Frame + Parse over bytes or a file, without the pipeline, and checks accounting.</summary>
public static class FormatHarness
{
    public sealed record Result(List<ForensicEvent> Events, List<Reject> Rejects, int Records);

    public static Result Run(ILogFormat format, byte[] content, string fileName = "input", DateTime? referenceTime = null, TimeZoneInfo? zone = null, int? year = null)
    {
        using var stream = new MemoryStream(content, writable: false);
        return Run(format, stream, fileName, referenceTime, zone, year);
    }

    public static Result RunFile(ILogFormat format, string path, DateTime? referenceTime = null, TimeZoneInfo? zone = null)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return Run(format, stream, Path.GetFileName(path), referenceTime ?? System.IO.File.GetLastWriteTimeUtc(path), zone);
    }

    public static Result Run(ILogFormat format, Stream stream, string fileName, DateTime? referenceTime = null, TimeZoneInfo? zone = null, int? year = null)
    {
        var ctx = new FileContext
        {
            SourceFile = fileName, SourceSha256 = new string('0', 64), FileName = fileName,
            ReferenceTimeUtc = referenceTime, Zone = zone ?? TimeZoneInfo.Utc, ZoneSource = "test", ForcedYear = year,
            Length = stream.Length, OpenContent = Reopener(stream),
        };
        var events = new List<ForensicEvent>();
        var rejects = new List<Reject>();
        int records = 0;
        foreach (var batch in format.Frame(stream, ctx, CancellationToken.None))
        {
            var output = new ParseOutput();
            format.Parse(batch, ctx, output);
            var parsed = output.Seal();
            format.InOrder(parsed, ctx); // in file order, as the write stage calls it
            var batchEvents = parsed.ToEvents();
            Assert.Equal(batch.Count, batchEvents.Count + output.Rejects.Count);
            records += batch.Count;
            events.AddRange(batchEvents);
            rejects.AddRange(output.Rejects);
            batch.Release();
        }
        ctx.DisposeResources();
        return new Result(events, rejects, records);
    }

    /// <summary>A second, independent open of the same content, as the pipeline gives parse workers.</summary>
    private static Func<Stream> Reopener(Stream stream)
    {
        if (stream is FileStream fs) return () => new FileStream(fs.Name, FileMode.Open, FileAccess.Read, FileShare.Read);
        long position = stream.Position;
        var copy = new MemoryStream();
        stream.Position = 0;
        stream.CopyTo(copy);
        stream.Position = position;
        var bytes = copy.ToArray();
        return () => new MemoryStream(bytes, writable: false);
    }
}
