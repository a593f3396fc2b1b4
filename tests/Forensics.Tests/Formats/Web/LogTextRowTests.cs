using Forensics.Pipeline.Formats;
using Forensics.Pipeline.Formats.Web;
using Xunit;

namespace Forensics.Tests.Formats.Web;

/// <summary>
/// The access-log fields are set into the row as UTF-8 without strings (<see cref="LogText.SetUnescaped"/>,
/// <see cref="LogText.SetLossless"/>, <see cref="LogText.SetMessage"/>); what lands in the column must be exactly
/// what the string helpers give, for clean text, escapes, invalid UTF-8 and control bytes alike.
/// </summary>
public class LogTextRowTests
{
    public static TheoryData<byte[]> Fields() =>
    [
        "Mozilla/5.0 (X11; Linux x86_64)"u8.ToArray(),
        "/index.php?q=\\\"x\\\"&a=\\\\b"u8.ToArray(),
        "\\x16\\x03\\x01\\x00"u8.ToArray(),           // a TLS handshake as nginx logs it: stays escaped
        "/caf\\xC3\\xA9"u8.ToArray(),                 // escaped valid UTF-8: unescaped
        "/caf\\xC3"u8.ToArray(),                      // escaped invalid UTF-8: stays escaped
        [0x2f, 0xff, 0xfe, 0x41],                     // raw invalid UTF-8: \xHH
        [0x2f, 0x00, 0x1b, 0x5b, 0x41],               // NUL and ESC in raw bytes
        "trailing backslash \\"u8.ToArray(),
        "ümlaut ✓"u8.ToArray(),
        [],
    ];

    [Theory]
    [MemberData(nameof(Fields))]
    public void Row_setters_store_what_the_string_helpers_return(byte[] field)
    {
        var output = new ParseOutput();
        var e = output.NewEvent(0);
        LogText.SetUnescaped(e, HttpColumns.Target, field);
        LogText.SetLossless(e, HttpColumns.UserAgent, field);
        LogText.SetMessage(e, field);
        var stored = output.Events.Single();
        Assert.Equal(LogText.Unescape(field), stored.Get(HttpColumns.Target));
        Assert.Equal(LogText.Lossless(field), stored.Get(HttpColumns.UserAgent));
        Assert.Equal(LogText.Lossless(field), stored.Message);

        // The parsers validate a line once and pass knownValid for its fields: same values for valid input.
        if (!System.Text.Unicode.Utf8.IsValid(field)) return;
        var again = new ParseOutput();
        var row = again.NewEvent(0);
        LogText.SetUnescaped(row, HttpColumns.Target, field, knownValid: true);
        LogText.SetLossless(row, HttpColumns.UserAgent, field, knownValid: true);
        LogText.SetMessage(row, field, knownValid: true);
        var known = again.Events.Single();
        Assert.Equal(stored.Get(HttpColumns.Target), known.Get(HttpColumns.Target));
        Assert.Equal(stored.Get(HttpColumns.UserAgent), known.Get(HttpColumns.UserAgent));
        Assert.Equal(stored.Message, known.Message);
    }

    [Fact]
    public void A_dash_is_null_and_other_fields_are_unescaped()
    {
        var output = new ParseOutput();
        var e = output.NewEvent(0);
        ClfFields.SetDashIsNull(e, HttpColumns.Referer, "-"u8);
        ClfFields.SetDashIsNull(e, HttpColumns.UserAgent, "a\\\"b"u8);
        var stored = output.Events.Single();
        Assert.Null(stored.Get(HttpColumns.Referer));
        Assert.Equal("a\"b", stored.Get(HttpColumns.UserAgent));
        Assert.Equal(ClfFields.DashIsNull("a\\\"b"u8), stored.Get(HttpColumns.UserAgent));
    }
}
