using System.Text;
using Forensics.Pipeline.Formats;
using Forensics.Pipeline.Formats.Journal;
using Forensics.Pipeline.Formats.Syslog;
using Forensics.Tests.Support;

namespace Forensics.Tests.Formats.Journal;

/// <summary>
/// journalctl's year-less short forms look like syslog files; they are read as journal text when they show
/// journalctl's marks, so multi-line messages lose the continuation indentation, "unknown" is no process, and
/// a tag with a space keeps its process.
/// </summary>
public sealed class JournalShortFormsTests
{
    // As journalctl -o short-precise prints a two-line MESSAGE: the second line indented to the message column.
    private const string ShortPrecise =
        "Mar 01 10:00:00.123456 web1 systemd[1]: Started session-5.scope - Session 5 of User root.\n" +
        "Mar 01 10:00:01.500000 web1 app[77]: Traceback (most recent call last):\n" +
        "                                     File \"app.py\", line 1\n" +
        "Mar 01 10:00:02.000001 web1 unknown[78]: no identifier\n" +
        "Mar 01 10:00:03.000000 web1 syslogd 1.4.1: restart.\n";

    private const string Short =
        "Mar 01 10:00:00 web1 systemd[1]: Started session-5.scope - Session 5 of User root.\n" +
        "Mar 01 10:00:01 web1 app[77]: Traceback (most recent call last):\n" +
        "                              File \"app.py\", line 1\n" +
        "Mar 01 10:00:02 web1 unknown: no identifier\n";

    private const string ShortWithBoots =
        "Mar 01 10:00:00 web1 systemd[1]: Started session-5.scope - Session 5 of User root.\n" +
        "-- Boot 0123456789abcdef0123456789abcdef --\n" +
        "Mar 01 10:05:00 web1 kernel: Linux version 6.1.0\n";

    // Nothing but journalctl's zero-padded day (strftime %d; syslog daemons pad with a space).
    private const string ShortZeroPaddedDay =
        "Mar 01 10:00:00 web1 systemd[1]: Started session-5.scope - Session 5 of User root.\n" +
        "Mar 01 10:00:02 web1 unknown: no identifier\n";

    [Theory]
    [InlineData(ShortPrecise)]
    [InlineData(Short)]
    [InlineData(ShortWithBoots)]
    [InlineData(ShortZeroPaddedDay)]
    public void Short_forms_with_journalctl_marks_are_journal_text_not_syslog(string text)
    {
        Assert.Equal("journal_text", FormatRegistry.Detect(Encoding.UTF8.GetBytes(text), "messages").Format?.Id);
    }

    [Fact]
    public void A_plain_syslog_file_stays_syslog()
    {
        var text = "Mar  1 10:00:00 web1 sshd[1]: Accepted publickey for root from 192.0.2.1 port 5 ssh2\nMar  1 10:00:01 web1 CRON[2]: (root) CMD (true)\n";
        Assert.Equal("syslog", FormatRegistry.Detect(Encoding.UTF8.GetBytes(text), "auth.log").Format?.Id);
    }

    [Theory]
    [InlineData(ShortPrecise)]
    [InlineData(Short)]
    public void Continuations_lose_the_indentation_unknown_is_no_process_and_a_spaced_tag_is_kept(string text)
    {
        var r = FormatHarness.Run(new JournalTextFormat(), Encoding.UTF8.GetBytes(text), "messages", year: 2024);
        Assert.Empty(r.Rejects);
        Assert.Equal("Traceback (most recent call last):\nFile \"app.py\", line 1", r.Events[1].Message);
        Assert.Null(r.Events[2].Process);
        Assert.Equal("no identifier", r.Events[2].Message);
        if (r.Events.Count > 3) Assert.Equal("syslogd 1.4.1", r.Events[3].Process);
    }

    [Fact]
    public void Sysklogd_version_tag_keeps_its_process_in_a_syslog_file_too()
    {
        var r = FormatHarness.Run(new SyslogFormat(), "Mar  1 10:00:03 web1 syslogd 1.4.1: restart.\nMar  1 10:00:04 web1 Job `cron.daily' terminated\n"u8.ToArray(), "messages", year: 2024);
        Assert.Equal("syslogd 1.4.1", r.Events[0].Process);
        Assert.Equal("restart.", r.Events[0].Message);
        Assert.Null(r.Events[1].Process);
    }
}
