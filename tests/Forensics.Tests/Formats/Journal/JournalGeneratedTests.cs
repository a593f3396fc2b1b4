using System.Buffers.Binary;
using System.Text;
using Forensics.Pipeline.Formats.Journal;
using Forensics.Tests.Support;
using static Forensics.Tests.Formats.Journal.JournalTestSupport;

namespace Forensics.Tests.Formats.Journal;

/// <summary>
/// Journals written by Debian's systemd-journal-remote from export streams this test writes, in every mode the
/// local systemd can produce; the managed reader must equal journalctl's export of the same file.
/// </summary>
public class JournalGeneratedTests
{
    public static TheoryData<bool, bool, bool> Modes => new()
    {
        { false, false, false }, { false, true, false }, { true, false, false }, { true, true, false },
        { false, false, true }, { false, true, true }, { true, false, true }, { true, true, true },
    };

    [SkippableTheory]
    [MemberData(nameof(Modes))]
    public void Generated_journal_equals_journalctl_export(bool compact, bool keyedHash, bool bigFields)
    {
        Skip.If(JournalRemote is null || Journalctl is null, "systemd-journal-remote/journalctl not installed (listed in .ci/apt-packages)");
        using var dir = new TempDir();
        var file = dir.Combine("gen.journal");
        var env = new Dictionary<string, string>
        {
            ["SYSTEMD_JOURNAL_COMPACT"] = compact ? "1" : "0",
            ["SYSTEMD_JOURNAL_KEYED_HASH"] = keyedHash ? "1" : "0",
        };
        Run(JournalRemote!, ["--output=" + file, "-"], BuildExportStream(seed: 11, entries: 300, bigFields), env);
        var bytes = File.ReadAllBytes(file);
        uint incompat = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12));
        Assert.Equal(compact, (incompat & 16) != 0);
        Assert.Equal(keyedHash, (incompat & 4) != 0);
        if (bigFields) Assert.True((incompat & (1 | 2 | 8)) != 0, $"expected a compressed journal, flags {incompat}");

        var expected = Run(Journalctl!, ["--no-pager", "-a", "--utc", "--file", file, "-o", "export"]);
        var (items, header) = ReadAll(bytes);
        Assert.All(items, i => Assert.Null(i.Damage));
        Assert.Equal(300, items.Count);
        Assert.Equal(header.NEntries, (ulong)items.Count);
        AssertSameBytes(expected, RenderExport(items.Select(i => i.Entry!)), $"compact={compact} keyed={keyedHash} big={bigFields}");

        // The JSON rendering must equal journalctl -o json as key/value sets.
        var json = Encoding.UTF8.GetString(Run(Journalctl!, ["--no-pager", "-a", "--utc", "--file", file, "-o", "json"])).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(items.Count, json.Length);
        for (int i = 0; i < json.Length; i++) AssertSameJsonObject(json[i], JournalNormalizer.ToJson(items[i].Entry!), $"entry {i}");
    }

    /// <summary>Export stream with repeated fields, binary values (NUL, newlines, invalid UTF-8) and, optionally, values ≥ 512 bytes.</summary>
    internal static byte[] BuildExportStream(int seed, int entries, bool bigFields)
    {
        var rnd = new Random(seed);
        using var ms = new MemoryStream();
        void Text(string name, string value) => ms.Write(Encoding.UTF8.GetBytes($"{name}={value}\n"));
        void Binary(string name, byte[] value)
        {
            ms.Write(Encoding.UTF8.GetBytes(name + "\n"));
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)value.Length);
            ms.Write(len);
            ms.Write(value);
            ms.WriteByte((byte)'\n');
        }
        long t = 1_700_000_000_000_000;
        for (int i = 0; i < entries; i++)
        {
            t += rnd.Next(1, 5_000_000);
            Text("__REALTIME_TIMESTAMP", t.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Text("__MONOTONIC_TIMESTAMP", (t - 1_699_999_000_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture));
            Text("_BOOT_ID", "0123456789abcdef0123456789abcdef");
            Text("_HOSTNAME", "gen-host");
            Text("PRIORITY", (i % 8).ToString(System.Globalization.CultureInfo.InvariantCulture));
            switch (i % 5)
            {
                case 0:
                    Text("SYSLOG_IDENTIFIER", "systemd"); Text("_PID", "1"); Text("UNIT", "dnf-makecache.service");
                    Text("MESSAGE", "dnf-makecache.service: Main process exited, code=killed, status=9/KILL"); break;
                case 1:
                    Text("SYSLOG_IDENTIFIER", "sshd"); Text("_PID", (1000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture));
                    Text("MESSAGE", $"Failed password for root from 203.0.113.{i % 250} port {40000 + i} ssh2"); break;
                case 2:
                    Text("SYSLOG_IDENTIFIER", "app"); Binary("MESSAGE", Encoding.UTF8.GetBytes("line one\nline two\n\nafter blank"));
                    Text("TAG", "a"); Text("TAG", "b"); Text("TAG", "c"); break;
                case 3:
                    Text("SYSLOG_IDENTIFIER", "app"); Binary("MESSAGE", [0x66, 0x6f, 0x00, 0xff, 0xfe, 0x0a, 0x41]);
                    Binary("BLOB", [.. Enumerable.Range(0, 40).Select(k => (byte)rnd.Next(256))]); break;
                default:
                    Text("SYSLOG_IDENTIFIER", "app"); Text("MESSAGE", "ünïcödé message " + i); break;
            }
            if (bigFields && i % 3 == 0)
                Text("BIG", string.Concat(Enumerable.Repeat("abcdefghij", 60 + rnd.Next(200))) + i);
            ms.WriteByte((byte)'\n');
        }
        return ms.ToArray();
    }
}
