using System.Text;
using Forensics.Pipeline.Formats;
using Forensics.Pipeline.Formats.Journal;
using Forensics.Pipeline.Model;
using Forensics.Tests.Support;
using static Forensics.Tests.Formats.Journal.JournalTestSupport;

namespace Forensics.Tests.Formats.Journal;

/// <summary>The export, json and text forms of the corpus journals against the binary reader on the same journal.</summary>
public class JournalTextFormsTests
{
    public static TheoryData<string> Journals => [.. CorpusJournals];

    private static List<ForensicEvent> Binary(string journal) =>
        FormatHarness.RunFile(new JournalBinaryFormat(), Corpus.File(journal)).Events;

    public static TheoryData<string, string> JournalsAndStructuredForms()
    {
        var data = new TheoryData<string, string>();
        foreach (var j in CorpusJournals) { data.Add(j, "export"); data.Add(j, "json"); }
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(JournalsAndStructuredForms))]
    public void Export_and_json_forms_give_the_same_events_and_fields_as_the_binary(string journal, string form)
    {
        var bin = Binary(journal);
        ILogFormat format = form == "export" ? new JournalExportFormat() : new JournalJsonFormat();
        var result = FormatHarness.RunFile(format, Corpus.File(Oracle(journal, form)));
        Assert.Empty(result.Rejects);
        Assert.Equal(bin.Count, result.Events.Count);
        for (int i = 0; i < bin.Count; i++)
        {
            AssertSameJsonObject((string)bin[i].Get(JournalNormalizer.Fields)!, (string)result.Events[i].Get(JournalNormalizer.Fields)!, $"entry {i}");
            AssertSameSpine(bin[i], result.Events[i], i);
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Journals))]
    public void Short_iso_precise_gives_one_event_per_entry_with_the_binary_time_and_message(string journal)
    {
        var bin = Binary(journal);
        var result = FormatHarness.RunFile(new JournalTextFormat(), Corpus.File(Oracle(journal, "short-iso-precise")));
        Assert.All(result.Rejects, r => Assert.StartsWith("journalctl decoration line", r.Reason));
        Assert.Equal(bin.Count, result.Events.Count);
        for (int i = 0; i < bin.Count; i++)
        {
            // journalctl's text outputs print _SOURCE_REALTIME_TIMESTAMP when the entry has one (logs-show.c).
            Assert.Equal(SourceTime(bin[i]), result.Events[i].TsMicros);
            Assert.Equal(TsQuality.Exact, result.Events[i].TsQuality);
            Assert.Equal(bin[i].Host, result.Events[i].Host);
            Assert.Equal(bin[i].Pid, result.Events[i].Pid);
            Assert.Equal(bin[i].Event, result.Events[i].Event);
            var jf = new JournalField("MESSAGE", Encoding.UTF8.GetBytes(bin[i].Message ?? ""));
            if (jf.IsPrintable) Assert.Equal(bin[i].Message, result.Events[i].Message);
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Journals))]
    public void Short_gives_one_event_per_entry_to_the_second_with_the_year_inferred(string journal)
    {
        var bin = Binary(journal);
        var path = Corpus.File(Oracle(journal, "short"));
        int year = (int)(ForensicEvent.ToDateTime(bin[0].TsMicros)!.Value.Year);
        var result = FormatHarness.Run(new JournalTextFormat(), File.ReadAllBytes(path), Path.GetFileName(path), year: year);
        Assert.Equal(bin.Count, result.Events.Count);
        for (int i = 0; i < bin.Count; i++)
        {
            Assert.Equal(SourceTime(bin[i]) / 1_000_000, result.Events[i].TsMicros / 1_000_000);
            Assert.Equal(TsQuality.ZoneAssumed, result.Events[i].TsQuality);
            Assert.Equal(bin[i].Event, result.Events[i].Event);
        }
    }

    [SkippableFact]
    public void Every_corpus_form_is_detected_from_content()
    {
        foreach (var journal in CorpusJournals)
        {
            Check(Corpus.File(journal), "journal");
            Check(Corpus.File(Oracle(journal, "export")), "journal_export");
            Check(Corpus.File(Oracle(journal, "json")), "journal_json");
            Check(Corpus.File(Oracle(journal, "short-iso-precise")), "journal_text");
        }
        static void Check(string path, string id)
        {
            var head = File.ReadAllBytes(path).AsSpan(0, (int)Math.Min(ILogFormat.SniffBytes, new FileInfo(path).Length));
            // Renamed to a neutral name: content decides.
            Assert.Equal(id, FormatRegistry.Detect(head, "evidence.bin").Format?.Id);
        }
    }

    [Fact]
    public void Export_binary_field_with_blank_lines_stays_inside_its_entry()
    {
        var stream = JournalGeneratedTests.BuildExportStream(seed: 3, entries: 10, bigFields: true);
        var result = FormatHarness.Run(new JournalExportFormat(), stream, "x");
        Assert.Empty(result.Rejects);
        Assert.Equal(10, result.Events.Count);
        Assert.Equal("line one\nline two\n\nafter blank", result.Events[2].Message);
        Assert.Contains("\"TAG\":[\"a\",\"b\",\"c\"]", (string)result.Events[2].Get(JournalNormalizer.Fields)!);
        Assert.Equal(Pipeline.Model.EventKinds.UnitMainProcessExited, result.Events[0].Event);
        Assert.Equal("dnf-makecache.service", result.Events[0].Unit);
    }

    [Fact]
    public void Truncated_export_stream_rejects_the_cut_entry_and_keeps_the_others()
    {
        var stream = JournalGeneratedTests.BuildExportStream(seed: 3, entries: 10, bigFields: false);
        // Cut inside the binary MESSAGE of entry 3 (the second binary MESSAGE, the one with NUL bytes).
        int idx = IndexOfNth(stream, "\nMESSAGE\n"u8, 1);
        var cut = stream.AsSpan(0, idx + 12).ToArray();
        var result = FormatHarness.Run(new JournalExportFormat(), cut, "x");
        Assert.Equal(3, result.Events.Count);
        var reject = Assert.Single(result.Rejects);
        Assert.Contains("cut before its length", reject.Reason);
    }

    [Fact]
    public void Json_rejects_broken_lines_and_keeps_good_ones()
    {
        var text = "{\"__REALTIME_TIMESTAMP\":\"1\",\"MESSAGE\":\"ok\",\"B\":[1,2,3],\"R\":[\"x\",[0,255]]}\n{\"MESSAGE\":\n\u0000\u0001garbage\n";
        var result = FormatHarness.Run(new JournalJsonFormat(), Encoding.UTF8.GetBytes(text), "x");
        var e = Assert.Single(result.Events);
        Assert.Equal(1, e.TsMicros);
        Assert.Equal(2, result.Rejects.Count);
        AssertSameJsonObject("{\"__REALTIME_TIMESTAMP\":\"1\",\"MESSAGE\":\"ok\",\"B\":[1,2,3],\"R\":[\"x\",[0,255]]}", (string)e.Get(JournalNormalizer.Fields)!, "json");
    }

    [Fact]
    public void Json_lone_surrogate_escapes_are_rejects_not_exceptions()
    {
        // tests/fuzz.sh (target journal-json): the reader's GetString threw InvalidOperationException on "\ud800",
        // in a value or a field name, and the parser let it escape.
        var text = "{\"MESSAGE\":\"a\\ud800b\"}\n{\"\\udc00X\":\"v\"}\n{\"__REALTIME_TIMESTAMP\":\"5\",\"MESSAGE\":\"caf\\u00e9\"}\n";
        var result = FormatHarness.Run(new JournalJsonFormat(), Encoding.UTF8.GetBytes(text), "x");
        var e = Assert.Single(result.Events);
        Assert.Equal("café", e.Message);
        Assert.Equal(2, result.Rejects.Count);
        Assert.All(result.Rejects, r => Assert.Contains("string is not valid text", r.Reason));
        Assert.Equal([0L, 23L], result.Rejects.Select(r => r.SourceOffset));
    }

    [Fact]
    public void Text_continuation_lines_join_and_decorations_are_rejects()
    {
        var text = "-- Boot 2d3f0a --\n2023-04-10T20:56:30.138000+0000 h app[5]: first\n                                          second\n-- No entries --\n";
        var result = FormatHarness.Run(new JournalTextFormat(), Encoding.UTF8.GetBytes(text), "x");
        var e = Assert.Single(result.Events);
        Assert.Equal("first\nsecond", e.Message);
        Assert.Equal(5, e.Pid);
        Assert.Equal(2, result.Rejects.Count);
        Assert.All(result.Rejects, r => Assert.StartsWith("journalctl decoration line", r.Reason));
    }

    private static long? SourceTime(ForensicEvent e)
    {
        using var doc = System.Text.Json.JsonDocument.Parse((string)e.Get(JournalNormalizer.Fields)!);
        return doc.RootElement.TryGetProperty("_SOURCE_REALTIME_TIMESTAMP", out var s) && s.ValueKind == System.Text.Json.JsonValueKind.String
            ? long.Parse(s.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : e.TsMicros;
    }

    private static int IndexOfNth(byte[] data, ReadOnlySpan<byte> needle, int n)
    {
        int pos = -1;
        for (int k = 0; k <= n; k++) pos += 1 + data.AsSpan(pos + 1).IndexOf(needle);
        return pos;
    }

    private static void AssertSameSpine(ForensicEvent a, ForensicEvent b, int i)
    {
        Assert.True(a.TsMicros == b.TsMicros && a.Host == b.Host && a.Process == b.Process && a.Pid == b.Pid && a.Unit == b.Unit
            && a.Message == b.Message && a.Event == b.Event && a.User == b.User && a.SrcIp == b.SrcIp,
            $"entry {i}: spine differs");
        Assert.Equal(a.Get(JournalNormalizer.Seqnum) ?? b.Get(JournalNormalizer.Seqnum), b.Get(JournalNormalizer.Seqnum) ?? a.Get(JournalNormalizer.Seqnum));
        Assert.Equal(a.Get(JournalNormalizer.BootId), b.Get(JournalNormalizer.BootId));
        Assert.Equal(a.Get(JournalNormalizer.Cursor), b.Get(JournalNormalizer.Cursor));
    }
}
