using Forensics.Pipeline.Formats;
using Forensics.Pipeline.Formats.Utmp;
using Forensics.Tests.Support;

namespace Forensics.Tests.Formats.Utmp;

/// <summary>
/// wtmp files whose records are out of step with the file start (a byte inserted, NULs prepended): the junk is
/// one reject, every other record is read as utmpdump reads the undamaged file, and no record is invented.
/// </summary>
public class UtmpResyncTests
{
    private static readonly UtmpFormat Wtmp = new(UtmpFileKind.Wtmp);
    private const string CentOs = "s4/utmp/CentOS7_x86_64/wtmp"; // 67 x 384-byte records

    public static TheoryData<int, int> Insertions => new()
    {
        { 10 * 384, 1 },        // one byte before record 10: nothing of the file is lost
        { 10 * 384 + 100, 1 },  // one byte inside record 10 (in ut_host): that record is the reject
        { 0, 7 },               // 7 NUL bytes prepended
        { 40 * 384 + 300, 5 },  // five bytes inside record 40, past the 64-record detection window's start
    };

    [SkippableTheory]
    [MemberData(nameof(Insertions))]
    public void Inserted_bytes_are_one_reject_and_the_records_after_them_equal_utmpdump_of_the_undamaged_file(int at, int count)
    {
        var path = Corpus.File(CentOs);
        var original = File.ReadAllBytes(path);
        var expected = UtmpOracle.Lines(UtmpOracle.Run("utmpdump", path));
        var damaged = Insert(original, at, count);

        Assert.Equal("wtmp", FormatRegistry.Detect(damaged.AsSpan(0, Math.Min(damaged.Length, ILogFormat.SniffBytes)), "wtmp").Format?.Id);
        var r = UtmpOracle.Parse(Wtmp, damaged, "wtmp");

        // Each event, mapped back to its offset in the undamaged file, is utmpdump's line for that record.
        var covered = new HashSet<long>();
        foreach (var e in r.Events)
        {
            long originalOffset = e.SourceOffset >= at + count ? e.SourceOffset - count : e.SourceOffset;
            Assert.Equal(0, originalOffset % 384);
            Assert.Equal(expected[originalOffset / 384], UtmpOracle.UtmpdumpLine(e));
            covered.Add(originalOffset / 384);
        }
        var outOfStep = Assert.Single(r.Rejects, j => j.Reason.Contains("out of step", StringComparison.Ordinal));
        Assert.True(outOfStep.SourceOffset <= at && at + count <= outOfStep.SourceOffset + outOfStep.Raw.Length, "the reject holds the inserted bytes");
        // Records lost: only the one the bytes were inserted into (none when they sit on a boundary).
        int damagedRecord = at % 384 == 0 ? -1 : at / 384;
        var parsedOriginal = UtmpOracle.Parse(Wtmp, original, "wtmp");
        var expectedRecords = parsedOriginal.Events.Select(e => e.SourceOffset / 384).Where(i => i != damagedRecord).ToHashSet();
        Assert.Equal(expectedRecords.Order(), covered.Order());
        Assert.Equal(at % 384 == 0 ? count : 384 + count, outOfStep.Raw.Length);
        // Every byte is accounted for: events and rejects tile the file.
        long bytes = r.Events.Count * 384L + r.Rejects.Sum(j => (long)j.Raw.Length);
        Assert.Equal(damaged.Length, bytes);
    }

    /// <summary>utmpdump reads in fixed steps from the start: on the shifted file it prints the later records wrong. We never print a record utmpdump would not print for the undamaged file, and recover more.</summary>
    [SkippableFact]
    public void On_a_shifted_file_we_recover_more_records_than_utmpdump_and_invent_none()
    {
        var path = Corpus.File(CentOs);
        var expected = UtmpOracle.Lines(UtmpOracle.Run("utmpdump", path)).ToHashSet();
        var damaged = Insert(File.ReadAllBytes(path), 5 * 384 + 10, 1);
        using var dir = new TempDir();
        var copy = dir.Combine("wtmp");
        File.WriteAllBytes(copy, damaged);
        int theirs = UtmpOracle.Lines(UtmpOracle.Run("utmpdump", copy)).Count(expected.Contains);

        var ours = UtmpOracle.Parse(Wtmp, damaged, "wtmp").Events.Select(UtmpOracle.UtmpdumpLine).ToList();

        Assert.All(ours, line => Assert.Contains(line, expected));
        Assert.True(ours.Count > theirs, $"ours {ours.Count}, utmpdump's correct lines {theirs}");
    }

    /// <summary>
    /// Seeded damage (bytes inserted or deleted anywhere, random or NUL): never a record utmpdump would not print
    /// for the undamaged file, and every byte accounted for. One limit, masked here: bytes inserted into a
    /// record's ut_addr_v6 (the last field before the 20 reserved bytes) cannot be told from bytes after the
    /// record, so that record keeps its place with the address bytes as found.
    /// </summary>
    [SkippableFact]
    public void Random_insertions_and_deletions_never_invent_a_record()
    {
        var path = Corpus.File(CentOs);
        var original = File.ReadAllBytes(path);
        var expected = UtmpOracle.Lines(UtmpOracle.Run("utmpdump", path)).Select(MaskAddress).ToHashSet();
        var random = new Random(20261207);
        for (int round = 0; round < 200; round++)
        {
            int at = random.Next(original.Length), count = random.Next(1, 40);
            byte[] damaged;
            if (round % 3 == 2)
            {
                count = Math.Min(count, original.Length - at);
                damaged = [.. original.AsSpan(0, at), .. original.AsSpan(at + count)];
            }
            else
            {
                var junk = new byte[count];
                if (round % 3 == 1) random.NextBytes(junk);
                damaged = [.. original.AsSpan(0, at), .. junk, .. original.AsSpan(at)];
            }
            var r = UtmpOracle.Parse(Wtmp, damaged, "wtmp");
            foreach (var e in r.Events) Assert.True(expected.Contains(MaskAddress(UtmpOracle.UtmpdumpLine(e))), $"round {round} ({count} bytes at {at}, {(round % 3 == 2 ? "deleted" : "inserted")}): invented {UtmpOracle.UtmpdumpLine(e)} at {e.SourceOffset}");
            Assert.Equal(damaged.Length, r.Events.Count * 384L + r.Rejects.Sum(j => (long)j.Raw.Length));
            Assert.True(r.Events.Count >= 67 - 3 - count / 384 * 2, $"round {round}: {r.Events.Count} events after {count} bytes at {at}");
        }
    }

    [SkippableFact]
    public void A_damaged_record_in_step_is_still_one_whole_reject_with_its_reason()
    {
        // plaso's utmp_corrupted: records 1 and 2 have ut_type 99 but the records stay in step.
        var r = UtmpOracle.Parse(Wtmp, Corpus.File("plaso/utmp/utmp_corrupted"));
        Assert.DoesNotContain(r.Rejects, j => j.Reason.Contains("out of step", StringComparison.Ordinal));
        Assert.Equal(2, r.Events.Count);
    }

    /// <summary>utmpdump's line with the address column (the 7th bracketed field) replaced by *.</summary>
    private static string MaskAddress(string line)
    {
        var fields = line.Split("] [");
        Assert.Equal(8, fields.Length);
        fields[6] = "*";
        return string.Join("] [", fields);
    }

    private static byte[] Insert(byte[] original, int at, int count)
    {
        var damaged = new byte[original.Length + count];
        original.AsSpan(0, at).CopyTo(damaged);
        // 0x41 inside a record (a visible stray byte), NULs at the start (the prepended-NUL case).
        damaged.AsSpan(at, count).Fill(at == 0 ? (byte)0 : (byte)0x41);
        original.AsSpan(at).CopyTo(damaged.AsSpan(at + count));
        return damaged;
    }
}
