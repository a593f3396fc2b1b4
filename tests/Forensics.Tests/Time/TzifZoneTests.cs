using System.Buffers.Binary;
using System.Text;
using Forensics.Pipeline.Time;
using Xunit.Abstractions;

namespace Forensics.Tests.Time;

/// <summary>
/// The TZif reader and POSIX TZ evaluator against .NET's own reading of this machine's tzdata
/// (TimeZoneInfo.FindSystemTimeZoneById), on every transition edge and a spread of instants, and on TZif files
/// the tests write: a "slim" copy whose bytes differ (few transitions, the footer does the rest) and footer-only files.
/// </summary>
public class TzifZoneTests(ITestOutputHelper output)
{
    private const string ZoneInfo = "/usr/share/zoneinfo";

    // Northern and southern DST, DST abolished, half-hour and 45-minute offsets, negative DST (Dublin), DST
    // rules with v3 times beyond 24 h or negative (Jerusalem, Nuuk), Morocco's Ramadan changes, Lord Howe's 30-min DST.
    public static TheoryData<string> Zones() => new(
        "Europe/Berlin", "America/New_York", "Australia/Sydney", "America/Sao_Paulo", "Asia/Kolkata", "Asia/Kathmandu",
        "Europe/Dublin", "Asia/Jerusalem", "America/Nuuk", "Africa/Casablanca", "Australia/Lord_Howe", "Pacific/Chatham",
        "America/Santiago", "Europe/Moscow", "Pacific/Apia", "Asia/Tehran", "America/St_Johns", "Antarctica/Troll");

    private static byte[] Bytes(string zone) => File.ReadAllBytes(Path.Combine(ZoneInfo, zone));

    private static long Ticks(DateTime utc) => utc.Ticks;

    [SkippableTheory]
    [MemberData(nameof(Zones))]
    public void Offsets_and_local_conversions_equal_dotnet_on_this_machines_tzdata(string name)
    {
        Skip.IfNot(File.Exists(Path.Combine(ZoneInfo, name)), $"{name} is not in this machine's tzdata");
        var system = TimeZoneInfo.FindSystemTimeZoneById(name);
        var ours = TzifZone.TryRead(Bytes(name), name, out var error);
        Assert.True(ours is not null, error);
        // From 1970: before it .NET rounds local mean time to whole minutes (TimeZoneInfo offsets are minutes) and
        // misreads some war-time rules (Berlin's 1945 double summer time, New York's 1945 War → Peace time rename).
        // .NET misplaces footer rules whose time is negative or past 24 h (RFC 8536 v3: Jerusalem's M3.4.4/26,
        // Santiago's M4.1.6/24, Nuuk's M3.5.0/-1 land a day or hours off from 2038, where this machine's files hand
        // over to the footer): there the footer test below checks those rules by hand.
        bool extendedTimes = System.Text.RegularExpressions.Regex.IsMatch(ours!.FooterText ?? "", @"/(-|2[4-9]|[3-9][0-9]|1[0-9][0-9])");
        int toYear = extendedTimes ? 2038 : 2100;
        int compared = CompareWithSystem(ours!, system, DateTime.UnixEpoch, new DateTime(toYear, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        output.WriteLine($"{name}: v{ours!.Version}, {ours.Transitions.Count} transitions, footer '{ours.FooterText}', {compared} comparisons");
    }

    /// <summary>
    /// A copy of a zone whose bytes differ from every file here, as another distribution's tzdata would: the
    /// transitions after 2011 are dropped (zic -b slim keeps only what the footer cannot produce), so 2012 on
    /// comes from the POSIX TZ footer alone.
    /// </summary>
    [SkippableTheory]
    [InlineData("Europe/Berlin")]
    [InlineData("America/New_York")]
    [InlineData("Australia/Sydney")]
    [InlineData("America/St_Johns")]
    public void Slim_copy_with_different_bytes_converts_like_the_system_zone(string name)
    {
        Skip.IfNot(File.Exists(Path.Combine(ZoneInfo, name)), $"{name} is not in this machine's tzdata");
        var fat = TzifZone.TryRead(Bytes(name), name, out var error)!;
        Assert.NotNull(fat);
        // 2012: after the last rule change of these zones (St John's moved its 00:01 transitions to 02:00 in 2011),
        // so the footer agrees with the last kept transition, as RFC 8536 requires of a writer.
        long cut = new DateTimeOffset(2012, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();
        var kept = fat.Transitions.Select((t, i) => (t, i)).Where(x => x.t < cut).ToList();
        var types = fat.Types.ToList();
        var typeIndexes = kept.Select(x => (byte)types.IndexOf(TypeAt(fat, x.t))).ToList();
        var slim = WriteTzif(kept.Select(x => x.t).ToList(), typeIndexes, types, fat.FooterText!);
        Assert.NotEqual(Bytes(name), slim);
        var ours = TzifZone.TryRead(slim, "slim " + name, out error);
        Assert.True(ours is not null, error);
        Assert.True(ours!.Transitions.Count < fat.Transitions.Count);
        CompareWithSystem(ours, TimeZoneInfo.FindSystemTimeZoneById(name), new DateTime(1990, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2080, 1, 1, 0, 0, 0, DateTimeKind.Utc));
    }

    [Fact]
    public void Footer_only_files_follow_posix_rules()
    {
        // Central Europe: last Sunday of March 01:00 UTC to last Sunday of October 01:00 UTC
        var cet = Read(WriteTzif([], [], [new(3600, false, "CET")], "CET-1CEST,M3.5.0,M10.5.0/3"));
        Assert.Equal(3600, cet.At(Unix(2030, 3, 31, 0, 59, 59)).OffsetSeconds);
        Assert.Equal(7200, cet.At(Unix(2030, 3, 31, 1, 0, 0)).OffsetSeconds);
        Assert.Equal(7200, cet.At(Unix(2030, 10, 27, 0, 59, 59)).OffsetSeconds);
        Assert.Equal(3600, cet.At(Unix(2030, 10, 27, 1, 0, 0)).OffsetSeconds);
        // local → UTC: the skipped hour takes the offset before the jump, the repeated hour is standard time
        Assert.Equal(Local(2030, 7, 1, 12, 0, 0) - 2 * TimeSpan.TicksPerHour, cet.ToUtcTicks(Local(2030, 7, 1, 12, 0, 0)));
        Assert.Equal(Local(2030, 3, 31, 2, 30, 0) - TimeSpan.TicksPerHour, cet.ToUtcTicks(Local(2030, 3, 31, 2, 30, 0)));
        Assert.Equal(Local(2030, 10, 27, 2, 30, 0) - TimeSpan.TicksPerHour, cet.ToUtcTicks(Local(2030, 10, 27, 2, 30, 0)));

        // southern hemisphere, DST across the new year: AEST-10AEDT,M10.1.0,M4.1.0/3
        var syd = Read(WriteTzif([], [], [new(36000, false, "AEST")], "AEST-10AEDT,M10.1.0,M4.1.0/3"));
        Assert.Equal(39600, syd.At(Unix(2031, 1, 15, 0, 0, 0)).OffsetSeconds);
        Assert.Equal(36000, syd.At(Unix(2031, 6, 15, 0, 0, 0)).OffsetSeconds);
        // no DST, quoted numeric names, minutes: <+0545>-5:45
        var ktm = Read(WriteTzif([], [], [new(20700, false, "+0545")], "<+0545>-5:45"));
        Assert.Equal(20700, ktm.At(Unix(2040, 1, 1, 0, 0, 0)).OffsetSeconds);
        // RFC 8536 v3: times past 24 h (Jerusalem: Friday before the last Sunday of March at 02:00 = M3.4.4/26)
        var isr = Read(WriteTzif([], [], [new(7200, false, "IST")], "IST-2IDT,M3.4.4/26,M10.5.0", version: '3'));
        Assert.Equal(7200, isr.At(Unix(2030, 3, 28, 23, 59, 59)).OffsetSeconds); // Fri 29 Mar 02:00 local = Thu 28 Mar 24:00 UTC
        Assert.Equal(10800, isr.At(Unix(2030, 3, 29, 0, 0, 0)).OffsetSeconds);
        // negative time: Nuuk <-02>2<-01>,M3.5.0/-1,M10.5.0/0 starts DST on Saturday 23:00 local = Sunday 01:00 UTC
        var nuuk = Read(WriteTzif([], [], [new(-7200, false, "-02")], "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", version: '3'));
        Assert.Equal(-7200, nuuk.At(Unix(2038, 3, 28, 0, 59, 59)).OffsetSeconds);
        Assert.Equal(-3600, nuuk.At(Unix(2038, 3, 28, 1, 0, 0)).OffsetSeconds);
        // 24:00: Santiago <-04>4<-03>,M9.1.6/24,M4.1.6/24 ends DST at the end of the first Saturday of April (-03)
        var scl = Read(WriteTzif([], [], [new(-14400, false, "-04")], "<-04>4<-03>,M9.1.6/24,M4.1.6/24", version: '3'));
        Assert.Equal(-10800, scl.At(Unix(2038, 4, 4, 2, 59, 59)).OffsetSeconds);
        Assert.Equal(-14400, scl.At(Unix(2038, 4, 4, 3, 0, 0)).OffsetSeconds);
        // all-year DST written as J-dates: EST5EDT,0/0,J365/25 is daylight time all year
        var always = Read(WriteTzif([], [], [new(-18000, false, "EST")], "EST5EDT,0/0,J365/25", version: '3'));
        Assert.All(new[] { Unix(2030, 1, 1, 5, 0, 0), Unix(2030, 6, 1, 0, 0, 0), Unix(2030, 12, 31, 23, 0, 0) }, t => Assert.Equal((-14400, true), always.At(t)));
    }

    [Fact]
    public void Damaged_or_foreign_bytes_are_refused_with_a_reason()
    {
        var good = WriteTzif([0], [0], [new(3600, false, "CET")], "CET-1");
        Assert.NotNull(TzifZone.TryRead(good, "x", out _));
        foreach (var (bytes, why) in new (byte[], string)[]
                 {
                     ("Europe/Berlin\n"u8.ToArray(), "TZif"),
                     (good[..100], "cut short"),
                     (good[..^1], "footer"),
                     (WriteTzif([0], [3], [new(3600, false, "CET")], "CET-1"), "type"),
                     (WriteTzif([10, 5], [0, 0], [new(3600, false, "CET")], "CET-1"), "not after"),
                     (WriteTzif([], [], [new(3600, false, "CET")], "CET-1CEST,M13.5.0,M10.5.0"), "footer"),
                 })
        {
            Assert.Null(TzifZone.TryRead(bytes, "x", out var error));
            Assert.Contains(why, error, StringComparison.Ordinal);
        }
        var rng = new Random(12);
        for (int i = 0; i < 2000; i++)
        {
            var copy = (byte[])good.Clone();
            copy[rng.Next(copy.Length)] = (byte)rng.Next(256);
            var z = TzifZone.TryRead(copy.AsSpan(0, rng.Next(copy.Length + 1)), "fuzz", out _);
            if (z is not null) _ = z.ToUtcTicks(Local(2024, 1, 1, 0, 0, 0));
        }
    }

    // ---- helpers ----

    private static TzifZone.TimeType TypeAt(TzifZone z, long t)
    {
        var (offset, dst) = z.At(t);
        return z.Types.First(x => x.UtcOffsetSeconds == offset && x.IsDst == dst);
    }

    private static TzifZone Read(byte[] bytes) => TzifZone.TryRead(bytes, "test", out var error) ?? throw new Xunit.Sdk.XunitException(error);

    private static long UnixSeconds(long ticks) => (ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerSecond;
    private static long Unix(int y, int mo, int d, int h, int mi, int s) => new DateTimeOffset(y, mo, d, h, mi, s, TimeSpan.Zero).ToUnixTimeSeconds();
    private static long Local(int y, int mo, int d, int h, int mi, int s) => new DateTime(y, mo, d, h, mi, s, DateTimeKind.Unspecified).Ticks;

    /// <summary>Compares offsets at UTC instants and local → UTC conversions with .NET's reading of the same zone.</summary>
    private static int CompareWithSystem(TzifZone ours, TimeZoneInfo system, DateTime from, DateTime to)
    {
        var instants = new List<DateTime>();
        foreach (long t in ours.Transitions)
        {
            var at = DateTime.UnixEpoch.AddSeconds(t);
            if (at < from || at > to) continue;
            instants.AddRange([at.AddSeconds(-1), at, at.AddSeconds(1), at.AddHours(-1), at.AddHours(1)]);
        }
        for (var t = from; t < to; t = t.AddHours(23).AddMinutes(13)) instants.Add(t);
        // the footer's years (this machine's files hand over to it in 2038): every 3 h for ten years
        for (var t = new DateTime(2038, 1, 1, 0, 0, 0, DateTimeKind.Utc); t < new DateTime(2048, 1, 1, 0, 0, 0, DateTimeKind.Utc) && t < to; t = t.AddHours(3))
            instants.Add(t);
        int n = 0;
        foreach (var utc in instants)
        {
            var want = system.GetUtcOffset(utc).Ticks;
            Assert.True(want == ours.OffsetAtUtcTicks(utc.Ticks), $"{system.Id} at {utc:O} UTC: .NET {TimeSpan.FromTicks(want)}, ours {TimeSpan.FromTicks(ours.OffsetAtUtcTicks(utc.Ticks))}");
            // the same instant's wall-clock time, converted back
            var local = DateTime.SpecifyKind(utc + TimeSpan.FromTicks(want), DateTimeKind.Unspecified);
            foreach (var l in new[] { local, local.AddMinutes(-30), local.AddMinutes(30) })
            {
                if (system.IsInvalidTime(l)) continue;
                // Skipped by a change of standard offset (Lord Howe 1981: +10 → +10:30): .NET does not mark those
                // invalid and reads them with the new offset; here they take the offset before the jump.
                long got = ours.ToUtcTicks(l.Ticks);
                if (got + ours.OffsetAtUtcTicks(got) != l.Ticks) continue;
                long expected = system.IsAmbiguousTime(l) ? l.Ticks - system.GetUtcOffset(l).Ticks : TimeZoneInfo.ConvertTimeToUtc(l, system).Ticks;
                n++;
                if (expected == got) continue;
                // .NET answers some local times with an instant whose own local time is another (its rules around
                // base-offset changes and the 2038 hand-over): not an oracle there.
                if (expected + system.GetUtcOffset(new DateTime(expected, DateTimeKind.Utc)).Ticks != l.Ticks) continue;
                // Both instants show this wall-clock time: the time is ambiguous, and standard time is read first.
                Assert.True(expected + ours.OffsetAtUtcTicks(expected) == l.Ticks, $"{system.Id} local {l:O}: .NET {new DateTime(expected):O}, ours {new DateTime(got):O}");
                Assert.True(!ours.At(UnixSeconds(got)).IsDst || ours.At(UnixSeconds(expected)).IsDst, $"{system.Id} ambiguous local {l:O}: ours {new DateTime(got):O} is daylight time, {new DateTime(expected):O} is not");
            }
        }
        return n;
    }

    /// <summary>Writes a TZif file: an empty v1 block (allowed for v2+ readers), the v2 block, and the footer.</summary>
    internal static byte[] WriteTzif(IReadOnlyList<long> transitions, IReadOnlyList<byte> transitionTypes, IReadOnlyList<TzifZone.TimeType> types, string footer, char version = '2')
    {
        var chars = new List<byte>();
        var desig = new List<int>();
        foreach (var t in types) { desig.Add(chars.Count); chars.AddRange(Encoding.ASCII.GetBytes(t.Designation)); chars.Add(0); }
        var ms = new MemoryStream();
        var b = new byte[8];
        void Header(int timecnt, int typecnt, int charcnt)
        {
            ms.Write("TZif"u8);
            ms.WriteByte((byte)version);
            ms.Write(new byte[15]);
            foreach (int c in new[] { 0, 0, 0, timecnt, typecnt, charcnt }) { BinaryPrimitives.WriteInt32BigEndian(b, c); ms.Write(b, 0, 4); }
        }
        // v1 block: no transitions, one type, one designation byte
        Header(0, 1, 1);
        ms.Write(new byte[6]);
        ms.WriteByte(0);
        Header(transitions.Count, types.Count, chars.Count);
        foreach (long t in transitions) { BinaryPrimitives.WriteInt64BigEndian(b, t); ms.Write(b, 0, 8); }
        foreach (byte i in transitionTypes) ms.WriteByte(i);
        for (int i = 0; i < types.Count; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(b, types[i].UtcOffsetSeconds);
            ms.Write(b, 0, 4);
            ms.WriteByte(types[i].IsDst ? (byte)1 : (byte)0);
            ms.WriteByte((byte)desig[i]);
        }
        ms.Write(chars.ToArray());
        ms.Write(Encoding.ASCII.GetBytes("\n" + footer + "\n"));
        return ms.ToArray();
    }
}
