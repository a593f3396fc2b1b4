using System.Net;
using Forensics.Pipeline.Model;
using Forensics.Pipeline.Text;
using Xunit;

namespace Forensics.Tests.Text;

/// <summary>
/// The allocation-free address check must accept exactly what <see cref="IPAddress.TryParse(string, out IPAddress?)"/>
/// accepts (it replaced it on the sshd path), and its packed IPv4 must render back to the same text.
/// </summary>
public class AddressTextTests
{
    public static TheoryData<string> Candidates() =>
    [
        "1.2.3.4", "0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4.5", "1..3.4", "1.2.3.",
        ".1.2.3", "127.1", "0x7f.0.0.1", "1.2.3.4 ", " 1.2.3.4", "10.0.0.010", "192.168.1.1a", "2001:db8::1", "::1",
        "::ffff:1.2.3.4", "fe80::1%eth0", "host.example", "", "-", "1.2.3.04", "999.999.999.999", "1.2.3.4:22",
    ];

    [Theory]
    [MemberData(nameof(Candidates))]
    public void Agrees_with_IPAddress_TryParse(string candidate)
    {
        Assert.Equal(IPAddress.TryParse(candidate, out _), AddressText.IsAddress(candidate));
    }

    [Fact]
    public void Canonical_IPv4_round_trips_and_non_canonical_forms_are_not_packed()
    {
        var random = new Random(7);
        for (int i = 0; i < 10_000; i++)
        {
            var text = $"{random.Next(256)}.{random.Next(256)}.{random.Next(256)}.{random.Next(256)}";
            Assert.True(AddressText.IsCanonicalIPv4(text, out uint value), text);
            Assert.Equal(text, AddressText.FormatIPv4(value));
            Assert.True(AddressText.IsCanonicalIPv4(System.Text.Encoding.ASCII.GetBytes(text), out uint fromBytes));
            Assert.Equal(value, fromBytes);
            Assert.Equal(IPAddress.Parse(text).GetAddressBytes(), BitConverter.GetBytes(value).Reverse().ToArray());
        }
        foreach (var text in new[] { "01.2.3.4", "1.2.3", "127.1", "1.2.3.4 ", "256.0.0.1", "0x7f.0.0.1" })
            Assert.False(AddressText.IsCanonicalIPv4(text, out _), text);
    }

    [Fact]
    public void A_src_ip_set_from_bytes_or_chars_reads_back_and_reaches_the_column()
    {
        var output = new Forensics.Pipeline.Formats.ParseOutput();
        var e = output.NewEvent(0);
        e.SetSrcIp("203.0.113.9"u8);
        Assert.True(e.HasSrcIp);
        Assert.Equal("203.0.113.9", e.SrcIp);
        e = output.NewEvent(10);
        e.SetSrcIp("2001:db8::7".AsSpan());
        e = output.NewEvent(20);
        Assert.False(e.HasSrcIp);
        Assert.Null(e.SrcIp);
        var events = output.Events;
        Assert.Equal(["203.0.113.9", "2001:db8::7", null], events.Select(x => x.SrcIp));
    }
}
