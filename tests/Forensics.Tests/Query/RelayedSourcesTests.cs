using System.Globalization;
using System.Text;
using Forensics.Pipeline.Query;
using Forensics.Pipeline.Stages;
using Forensics.Tests.Formats.Journal;
using Forensics.Tests.Support;

namespace Forensics.Tests.Query;

/// <summary>
/// A Debian machine keeps sshd's lines twice: in the journal, and in auth.log written by rsyslog from the
/// journal's forward. The test writes the journal (an export stream, turned into a real .journal by
/// systemd-journal-remote when it is installed) and the auth.log rsyslog would write from it, ingests both
/// through the real pipeline, and checks the canned counts and the report against counts made by hand.
/// </summary>
public class RelayedSourcesTests
{
    private sealed record Line(DateTime Ts, int Pid, string Message, bool InJournal = true, bool InSyslog = true);

    private static readonly DateTime T0 = new(2024, 5, 21, 10, 0, 0, DateTimeKind.Utc);

    /// <summary>The story, with the hand counts in comments.</summary>
    private static List<Line> Story()
    {
        var lines = new List<Line>
        {
            // auth.log begins earlier than the journal kept: only in syslog
            new(T0.AddMinutes(-30), 900, "Failed password for root from 198.51.100.4 port 40000 ssh2", InJournal: false),
        };
        // 5 connections × 3 wrong passwords for root, half a second apart: identical lines of one sshd process,
        // which must stay 3 per source (15 failures, not 5 and not 30)
        for (int c = 0; c < 5; c++)
            for (int k = 0; k < 3; k++)
                lines.Add(new(T0.AddSeconds(c * 10).AddMilliseconds(k * 500), 1001 + c, $"Failed password for root from 203.0.113.9 port {50001 + c} ssh2"));
        lines.Add(new(T0.AddSeconds(60), 1006, "Invalid user admin from 203.0.113.9 port 50006"));
        lines.Add(new(T0.AddSeconds(61), 1006, "Failed password for invalid user admin from 203.0.113.9 port 50006 ssh2"));
        lines.Add(new(T0.AddSeconds(70), 1007, "Accepted password for root from 203.0.113.9 port 50007 ssh2"));
        // LogLevel VERBOSE: the login had a terminal, so wtmp should hold it (login_evidence_gaps expects it there)
        lines.Add(new(T0.AddSeconds(70).AddMilliseconds(20), 1007, "Starting session: shell on pts/1 for root from 203.0.113.9 port 50007 id 0"));
        // rsyslog was stopped: only in the journal
        lines.Add(new(T0.AddMinutes(30), 1008, "Failed password for root from 198.51.100.4 port 40001 ssh2", InSyslog: false));
        return lines;
    }

    private static string ExportStream(IEnumerable<Line> lines)
    {
        var sb = new StringBuilder();
        long mono = 5_000_000;
        foreach (var l in lines.Where(l => l.InJournal))
        {
            long us = (l.Ts - DateTime.UnixEpoch).Ticks / 10;
            mono += 1000;
            sb.Append(CultureInfo.InvariantCulture, $"__REALTIME_TIMESTAMP={us}\n__MONOTONIC_TIMESTAMP={mono}\n_BOOT_ID=0123456789abcdef0123456789abcdef\n");
            sb.Append(CultureInfo.InvariantCulture, $"_HOSTNAME=web1\nSYSLOG_IDENTIFIER=sshd\n_COMM=sshd\n_PID={l.Pid}\nSYSLOG_FACILITY=4\nPRIORITY=6\n_TRANSPORT=syslog\nMESSAGE={l.Message}\n\n");
        }
        return sb.ToString();
    }

    /// <summary>Debian 12 rsyslog: RFC 3339 with microseconds, stamped when it receives the forward (a little later).</summary>
    private static string AuthLogRfc3339(IEnumerable<Line> lines) => string.Concat(lines.Where(l => l.InSyslog).Select(l =>
        $"{l.Ts.AddTicks(3170).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture)}+00:00 web1 sshd[{l.Pid}]: {l.Message}\n"));

    /// <summary>Traditional rsyslog template: seconds only, no year.</summary>
    private static string AuthLogRfc3164(IEnumerable<Line> lines) => string.Concat(lines.Where(l => l.InSyslog).Select(l =>
        $"{l.Ts.AddTicks(3170).ToString("MMM dd HH:mm:ss", CultureInfo.InvariantCulture)} web1 sshd[{l.Pid}]: {l.Message}\n")); // day ≥ 10: no space padding

    /// <summary>The root login has no wtmp session: one finding, not one per log that holds the sshd line.</summary>
    [SkippableFact]
    public void Login_evidence_gaps_reports_a_relayed_login_once()
    {
        Skip.If(!File.Exists("/usr/bin/utmpdump"), "utmpdump (util-linux) is not installed");
        var story = Story();
        using var tmp = new TempDir();
        var evidence = Write(tmp, story, preciseSyslog: true, out _);
        // wtmp: a boot before the story and alice's terminal session; no session for root's login at 10:01:10
        var txt = tmp.Combine("wtmp.txt");
        File.WriteAllText(txt,
            "[2] [00000] [~~  ] [reboot  ] [~           ] [6.1.0-18-amd64      ] [0.0.0.0        ] [2024-05-21T08:00:00,000000+00:00]\n"
          + "[7] [00700] [ts/0] [alice   ] [pts/0       ] [192.0.2.10          ] [192.0.2.10     ] [2024-05-21T09:00:00,000000+00:00]\n");
        Formats.Utmp.UtmpOracle.Run("utmpdump", "-r", "-o", Path.Combine(evidence, "wtmp"), txt);
        using var run = CaseRun.Ingest([tmp.Combine("evidence")], tz: "UTC", year: 2024);
        using var session = CaseSession.Open(run.CaseDir);
        var q = QueryCatalog.Load(RepoPaths.Queries).Single(x => x.Name == "login_evidence_gaps");
        var gaps = session.Run(q.Sql, q.Bind());
        var finding = Assert.Single(gaps.Rows, r => (string?)r[0] == "sshd_login_without_wtmp");
        Assert.Equal("root", finding[gaps.Columns.ToList().IndexOf("user")]);
    }

    /// <summary>Writes the journal (a real .journal when systemd-journal-remote is installed, else the export stream) and auth.log; returns var/log.</summary>
    private static string Write(TempDir tmp, List<Line> story, bool preciseSyslog, out string journalFormat)
    {
        var evidence = tmp.Combine("evidence", "var", "log");
        Directory.CreateDirectory(Path.Combine(evidence, "journal"));
        var export = Encoding.UTF8.GetBytes(ExportStream(story));
        if (JournalTestSupport.JournalRemote is { } remote)
        {
            JournalTestSupport.Run(remote, ["--output=" + Path.Combine(evidence, "journal", "system.journal"), "-"], export);
            journalFormat = "journal";
        }
        else
        {
            File.WriteAllBytes(Path.Combine(evidence, "journal", "system.export"), export);
            journalFormat = "journal_export";
        }
        File.WriteAllText(Path.Combine(evidence, "auth.log"), preciseSyslog ? AuthLogRfc3339(story) : AuthLogRfc3164(story));
        return evidence;
    }

    /// <summary>
    /// events_once_between (a window read through a semi join on its timestamps, so DuckDB prunes row groups) is
    /// events_once with the same bounds, for windows that cut through a group of relayed copies and for the
    /// single-source form of the macro.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Events_once_between_equals_events_once_with_bounds(bool relayed)
    {
        var story = Story();
        using var tmp = new TempDir();
        Write(tmp, story, preciseSyslog: true, out _);
        if (!relayed) Directory.Delete(tmp.Combine("evidence", "var", "log", "journal"), recursive: true);
        using var run = CaseRun.Ingest([tmp.Combine("evidence")], tz: "UTC", year: 2024);
        using var session = CaseSession.Open(run.CaseDir);
        string Rows(string sql) => string.Join("\n", session.Run(sql + " ORDER BY ALL").Rows.Select(r => string.Join("|", r)));
        var windows = new[] { (T0.AddSeconds(-1), T0.AddSeconds(20.5)), (T0.AddMinutes(-31), T0.AddMinutes(31)), (T0.AddSeconds(60.5), T0.AddSeconds(70)) };
        foreach (var (from, to) in windows)
        {
            string lo = $"TIMESTAMP '{from:yyyy-MM-dd HH:mm:ss.fff}'", hi = $"TIMESTAMP '{to:yyyy-MM-dd HH:mm:ss.fff}'";
            var expected = Rows($"SELECT * FROM events_once('%', t0 := {lo}, t1 := {hi})");
            Assert.NotEmpty(expected);
            Assert.Equal(expected, Rows($"SELECT * FROM events_once_between('%', (SELECT {lo}), (SELECT {hi}))"));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Journal_and_its_rsyslog_copy_count_each_record_once(bool preciseSyslog)
    {
        var story = Story();
        using var tmp = new TempDir();
        Write(tmp, story, preciseSyslog, out string journalFormat);

        using var run = CaseRun.Ingest([tmp.Combine("evidence")], tz: "UTC", year: 2024);
        using var session = CaseSession.Open(run.CaseDir);
        // both copies stay in events for provenance
        var perFormat = session.Run("SELECT format, count(*) FROM events WHERE event LIKE 'ssh.%' GROUP BY ALL ORDER BY 1");
        Assert.Equal([$"{journalFormat} {story.Count(l => l.InJournal)}", $"syslog {story.Count(l => l.InSyslog)}"],
            perFormat.Rows.Select(r => $"{r[0]} {r[1]}").Order(StringComparer.Ordinal));

        string both = string.Join(',', new[] { journalFormat, "syslog" }.Order(StringComparer.Ordinal));
        var queries = QueryCatalog.Load(RepoPaths.Queries);
        QueryResult Run(string name) { var q = queries.Single(x => x.Name == name); return session.Run(q.Sql, q.Bind()); }
        static object? Cell(QueryResult r, object?[] row, string column) => row[r.Columns.ToList().IndexOf(column)];

        // by hand: 203.0.113.9 made 15 + 1 failed attempts and 1 invalid-user probe, got in once; 198.51.100.4 failed
        // twice (one line only in auth.log, one only in the journal).
        var byIp = Run("ssh_bruteforce_by_ip");
        Assert.Equal([$"203.0.113.9 16 1 2 1 {both}", $"198.51.100.4 2 0 1 0 {both}"],
            byIp.Rows.Select(r => $"{Cell(byIp, r, "src_ip")} {Cell(byIp, r, "failed_attempts")} {Cell(byIp, r, "invalid_user_probes")} {Cell(byIp, r, "distinct_users")} {Cell(byIp, r, "accepted_logins")} {Cell(byIp, r, "seen_by")}"));

        var then = Run("ssh_bruteforce_then_success");
        var success = Assert.Single(then.Rows);
        Assert.Equal(17L, Convert.ToInt64(Cell(then, success, "failures_before"), CultureInfo.InvariantCulture)); // 16 failed + 1 invalid user
        Assert.Equal(both, Cell(then, success, "seen_by"));

        var logins = Run("logins");
        var login = Assert.Single(logins.Rows);
        Assert.Equal(("sshd", "root", both), (Cell(logins, login, "source"), Cell(logins, login, "user"), Cell(logins, login, "seen_by")));
        Assert.Contains("/journal/system.", (string)Cell(logins, login, "source_file")!, StringComparison.Ordinal); // the precise source's row is kept

        var users = Run("ssh_usernames_tried");
        Assert.Equal(["root 17 0 1", "admin 1 1 0"],
            users.Rows.Select(r => $"{Cell(users, r, "user")} {Cell(users, r, "failed_attempts")} {Cell(users, r, "invalid_user_probes")} {Cell(users, r, "accepted_logins")}"));

        Assert.Empty(Run("login_evidence_gaps").Rows); // no wtmp in this case: no cross-check, and nothing doubled

        // the timeline around a time lists each record once, with its sources
        var aroundQuery = queries.Single(x => x.Name == "timeline_around");
        var around = session.Run(aroundQuery.Sql, aroundQuery.Bind(new Dictionary<string, string> { ["ts"] = "2024-05-21 10:00:00", ["window"] = "30s" }));
        Assert.Equal(story.Count(l => (l.Ts - T0).Duration() <= TimeSpan.FromSeconds(30)), around.Rows.Count);
        Assert.All(around.Rows, r => Assert.Equal(both, Cell(around, r, "seen_by")));

        // the report prints the same counts and names the sources
        var report = InvestigationReport.Run(session, queries).Render();
        Assert.Contains($"203.0.113.9: 16 failed + 1 invalid-user probes", report, StringComparison.Ordinal);
        Assert.Contains($"seen by {both}", report, StringComparison.Ordinal);
        Assert.Contains("after 17 failure(s)", report, StringComparison.Ordinal);
    }
}
