using System.Buffers.Binary;
using System.Text;
using Forensics.Pipeline.Formats.Journal;
using Forensics.Pipeline.Model;
using Forensics.Tests.Support;
using static Forensics.Tests.Formats.Journal.JournalTestSupport;

namespace Forensics.Tests.Formats.Journal;

public class JournalBinaryTests
{
    public static TheoryData<string> Journals => [.. CorpusJournals];

    [SkippableTheory]
    [MemberData(nameof(Journals))]
    public void Corpus_journal_equals_journalctl_export_oracle_byte_for_byte(string journal)
    {
        var bytes = File.ReadAllBytes(Corpus.File(journal));
        var oracle = File.ReadAllBytes(Corpus.File(Oracle(journal, "export")));
        var (items, header) = ReadAll(bytes);
        Assert.All(items, i => Assert.Null(i.Damage));
        Assert.Equal((int)header.NEntries, items.Count);
        AssertSameBytes(oracle, RenderExport(items.Select(i => i.Entry!)), journal);
    }

    [SkippableTheory]
    [MemberData(nameof(Journals))]
    public void Corpus_journal_fields_column_equals_journalctl_json_oracle(string journal)
    {
        var path = Corpus.File(journal);
        var lines = File.ReadAllLines(Corpus.File(Oracle(journal, "json")));
        var result = FormatHarness.RunFile(new JournalBinaryFormat(), path);
        Assert.Empty(result.Rejects);
        Assert.Equal(lines.Length, result.Events.Count);
        for (int i = 0; i < lines.Length; i++)
            AssertSameJsonObject(lines[i], (string)result.Events[i].Get(JournalNormalizer.Fields)!, $"{journal} entry {i}");
    }

    [SkippableTheory]
    [MemberData(nameof(Journals))]
    public void Corpus_journal_equals_live_journalctl_export(string journal)
    {
        var path = Corpus.File(journal);
        Skip.If(Journalctl is null, "journalctl not installed (apt-get install systemd; listed in .ci/apt-packages)");
        var expected = Run(Journalctl!, ["--no-pager", "-a", "--utc", "--file", path, "-o", "export"]);
        var (items, _) = ReadAll(File.ReadAllBytes(path));
        AssertSameBytes(expected, RenderExport(items.Select(i => i.Entry!)), journal);
    }

    [SkippableFact]
    public void Spine_mapping_of_a_real_entry()
    {
        var result = FormatHarness.RunFile(new JournalBinaryFormat(), Corpus.File("s4/journal/Ubuntu16/system.journal"));
        var e = result.Events[0];
        Assert.Equal(1702683843814918, e.TsMicros);
        Assert.Equal(TsQuality.Exact, e.TsQuality);
        Assert.Equal("fink", e.Host);
        Assert.Equal("rtkit-daemon", e.Process);
        Assert.Equal(1170, e.Pid);
        Assert.Equal("rtkit-daemon.service", e.Unit);
        Assert.Equal("Demoting known real-time threads.", e.Message);
        Assert.Equal(6, e.Get(JournalNormalizer.Priority));
        Assert.Equal(3, e.Get(JournalNormalizer.Facility));
        Assert.Equal("1809e3bbbb334d62937ce8827b16b5f0", e.Get(JournalNormalizer.BootId));
        Assert.Equal("6c6ab73d82464b9493892c81fc732b3a", e.Get(JournalNormalizer.MachineId));
        Assert.Equal(0x6bdL, e.Get(JournalNormalizer.Seqnum));
        Assert.Equal(13446824908L, e.Get(JournalNormalizer.MonotonicUs));
        Assert.Equal("syslog", e.Get(JournalNormalizer.Transport));
        Assert.Equal("s=301da6bc860f44808d5e36ddb58400db;i=6bd;b=1809e3bbbb334d62937ce8827b16b5f0;m=3217e43cc;t=60c94f9ace606;x=4e442f8e0c086ec5", e.Get(JournalNormalizer.Cursor));
    }

    [SkippableFact]
    public void Systemd_lifecycle_events_come_out_of_the_rhel_journal_with_their_unit()
    {
        var result = FormatHarness.RunFile(new JournalBinaryFormat(), Corpus.File("s4/journal/RHE_91_system.journal"));
        var exited = result.Events.Where(e => e.Event == EventKinds.UnitMainProcessExited && e.Unit == "sssd-kcm.service").ToList();
        Assert.NotEmpty(exited);
        Assert.All(exited, e => Assert.Equal("exited", e.Get(Pipeline.Formats.Classify.SystemdClassifier.ExitCode)));
        Assert.Contains(result.Events, e => e.Event == EventKinds.UnitFailed && (string?)e.Get(Pipeline.Formats.Classify.SystemdClassifier.UnitResult) == "exit-code");
        Assert.Contains(result.Events, e => e.Event == EventKinds.UnitCpuConsumed && e.Get(Pipeline.Formats.Classify.SystemdClassifier.CpuSeconds) is double d && d > 0);
        Assert.Contains(result.Events, e => e.Event == EventKinds.UnitStarting);
        Assert.Contains(result.Events, e => e.Event == EventKinds.UnitDeactivated);
    }

    [SkippableFact]
    public void Truncated_journal_keeps_every_entry_before_the_cut_and_rejects_the_rest()
    {
        var full = File.ReadAllBytes(Corpus.File("s4/journal/RHE_91_system.journal"));
        var (items, header) = ReadAll(full);
        var entries = items.Select(i => (i.Offset, Size: (long)BinaryPrimitives.ReadUInt64LittleEndian(full.AsSpan((int)i.Offset + 8)))).ToList();
        long lastEnd = entries.Max(e => e.Offset + e.Size);
        var rnd = new Random(20240601);
        var cuts = Enumerable.Range(0, 24).Select(_ => (long)rnd.NextInt64(300, lastEnd)).Append(lastEnd).Append(300).Append(208).Append(100);
        foreach (long cut in cuts)
        {
            var bytes = full.AsSpan(0, (int)cut).ToArray();
            var result = RunGuarded(bytes);
            var expect = entries.Where(e => e.Offset + e.Size <= cut).Select(e => e.Offset).ToHashSet();
            var got = result.Events.Select(e => e.SourceOffset).ToHashSet();
            Assert.True(expect.IsSubsetOf(got), $"cut at {cut}: lost {expect.Except(got).Count()} complete entries");
            Assert.True(got.IsSubsetOf(entries.Select(e => e.Offset).ToHashSet()), $"cut at {cut}: invented entries");
            if (expect.Count < (int)header.NEntries) Assert.NotEmpty(result.Rejects);
        }
    }

    [SkippableFact]
    public void Byte_flips_never_crash_or_hang_and_every_record_is_accounted()
    {
        var full = File.ReadAllBytes(Corpus.File("s4/journal/Ubuntu16/system.journal"));
        var rnd = new Random(7);
        for (int round = 0; round < 40; round++)
        {
            var bytes = (byte[])full.Clone();
            int flips = 1 + rnd.Next(64);
            for (int k = 0; k < flips; k++) bytes[rnd.Next(round % 2 == 0 ? 256 : bytes.Length)] ^= (byte)(1 + rnd.Next(255));
            var result = RunGuarded(bytes);
            Assert.Equal(result.Records, result.Events.Count + result.Rejects.Count);
            Assert.All(result.Rejects, r => Assert.False(string.IsNullOrEmpty(r.Reason)));
        }
    }

    [Fact]
    public void Invalid_and_tiny_files_become_one_reject()
    {
        foreach (var bytes in new[] { Encoding.ASCII.GetBytes("INVALID\n"), Array.Empty<byte>(), Encoding.ASCII.GetBytes("LPKSHHRH") })
        {
            var result = FormatHarness.Run(new JournalBinaryFormat(), bytes, "x.journal");
            Assert.Empty(result.Events);
            var reject = Assert.Single(result.Rejects);
            Assert.Contains("not a readable journal", reject.Reason);
        }
    }

    [Fact]
    public void A_header_size_past_the_end_of_the_file_is_one_reject_inside_the_file()
    {
        // tests/fuzz.sh (target journal): a header_size past the end of a cut file put the "entries lost" reject at
        // offset header_size, outside the file. Header fields per systemd JOURNAL_FILE_FORMAT.md: header_size le64 at
        // 88, n_entries le64 at 152.
        var bytes = new byte[4096];
        "LPKSHHRH"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(88), 135064);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(152), 3);

        var result = FormatHarness.Run(new JournalBinaryFormat(), bytes, "cut.journal");

        Assert.Empty(result.Events);
        var reject = Assert.Single(result.Rejects);
        Assert.InRange(reject.SourceOffset, 0, bytes.Length - 1);
        Assert.Contains("header_size 135064 is past the end of the 4096-byte file", reject.Reason);
    }

    private static FormatHarness.Result RunGuarded(byte[] bytes)
    {
        var task = Task.Run(() => FormatHarness.Run(new JournalBinaryFormat(), bytes, "damaged.journal"));
        Assert.True(task.Wait(TimeSpan.FromMinutes(2)), "reader hung (hang guard, not a timing assertion)");
        return task.Result;
    }
}
