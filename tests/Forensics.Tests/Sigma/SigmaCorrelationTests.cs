using Forensics.Pipeline.Query;
using Forensics.Pipeline.Sigma;
using Forensics.Tests.Support;

namespace Forensics.Tests.Sigma;

/// <summary>Correlation rules (event_count, value_count, temporal, temporal_ordered) as window queries.</summary>
public sealed class SigmaCorrelationTests
{
    private static readonly SigmaFieldMap Map = SigmaFieldMap.Load(Path.Combine(RepoPaths.Queries, "sigma", SigmaFieldMap.FileName));

    // 192.0.2.1 fails three times then gets in; 192.0.2.2 gets in then fails; 192.0.2.3 fails and gets in 90 minutes later.
    private static readonly string[] AuthLog =
    [
        "May 21 10:00:00 h sshd[1]: Failed password for root from 192.0.2.1 port 1 ssh2",
        "May 21 10:00:05 h sshd[1]: Failed password for root from 192.0.2.1 port 1 ssh2",
        "May 21 10:00:10 h sshd[1]: Failed password for root from 192.0.2.1 port 1 ssh2",
        "May 21 10:00:20 h sshd[2]: Accepted password for root from 192.0.2.1 port 2 ssh2",
        "May 21 10:01:00 h sshd[3]: Accepted password for bob from 192.0.2.2 port 3 ssh2",
        "May 21 10:01:30 h sshd[3]: Failed password for bob from 192.0.2.2 port 3 ssh2",
        "May 21 12:00:00 h sshd[4]: Failed password for eve from 192.0.2.3 port 4 ssh2",
        "May 21 13:30:00 h sshd[5]: Accepted password for eve from 192.0.2.3 port 5 ssh2",
    ];

    private const string BaseRules = """
        title: failed
        name: failed
        logsource:
            product: linux
            service: sshd
        detection:
            selection:
                event: ssh.failed_password
            condition: selection
        ---
        title: accepted
        name: accepted
        logsource:
            product: linux
            service: sshd
        detection:
            selection:
                event|startswith: ssh.accepted
            condition: selection
        ---
        title: any
        name: any
        logsource:
            product: linux
            service: sshd
        detection:
            selection:
                event|startswith: ssh.
            condition: selection
        """;

    [Theory]
    [InlineData("event_count", "[failed]", "[src_ip]", "1m", "gte: 3", "10:00:10")]
    [InlineData("event_count", "[failed]", "[src_ip]", "1m", "gte: 4", "")]
    [InlineData("value_count", "[any]", "[host]", "1m", "field: src_ip\n        gte: 2", "10:01:00")]
    [InlineData("temporal", "[failed, accepted]", "[src_ip]", "1h", null, "10:00:20,10:01:30")]
    [InlineData("temporal_ordered", "[failed, accepted]", "[src_ip]", "1h", null, "10:00:20")]
    [InlineData("temporal_ordered", "[failed, accepted]", "[src_ip]", "2h", null, "10:00:20,13:30:00")]
    public void Correlations_match_where_the_specification_says(string type, string rules, string groupBy, string timespan, string? condition, string expected)
    {
        using var evidence = new TempDir();
        File.WriteAllLines(evidence.Combine("auth.log"), AuthLog);
        using var run = CaseRun.Ingest([evidence.Path], tz: "UTC", year: 2024);
        var correlation = $"title: corr\nid: c0\nlevel: high\ncorrelation:\n    type: {type}\n    rules: {rules}\n    group-by: {groupBy}\n    timespan: {timespan}\n"
            + (condition is null ? "" : $"    condition:\n        {condition}\n") + "---\n" + BaseRules;
        File.WriteAllText(evidence.Combine("rules.yml"), correlation);
        var outcomes = SigmaRuleSet.Compile([evidence.Combine("rules.yml")], Map);
        Assert.All(outcomes, o => Assert.Equal("compiled", o.Status));
        var runnable = SigmaRuleSet.Runnable(outcomes);
        // The rules the correlation refers to are not run on their own (no generate: true); "any" is not referred to by all.
        Assert.Contains(runnable, r => r.Rule.Title == "corr");
        Assert.DoesNotContain(runnable, r => r.Rule.Name is { } n && rules.Contains(n, StringComparison.Ordinal));
        var corr = runnable.Single(r => r.Rule.Title == "corr");
        using var session = CaseSession.Open(run.CaseDir);
        var times = session.Run(corr.Sql, corr.Parameters).Rows.Select(r => DateTime.UnixEpoch.AddTicks((long)r[0]! * 10).ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expected, string.Join(",", times));
    }

    [Fact]
    public void A_correlation_naming_an_unknown_rule_fails_and_aliases_are_skipped()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("a.yml"), "title: c\ncorrelation:\n    type: event_count\n    rules: [nowhere]\n    group-by: [src_ip]\n    timespan: 5m\n    condition:\n        gte: 2\n");
        File.WriteAllText(dir.Combine("b.yml"), "title: c\ncorrelation:\n    type: temporal\n    rules: [x, y]\n    group-by: [ip]\n    timespan: 5m\n    aliases:\n        ip:\n            x: src_ip\n            y: src_ip\n");
        File.WriteAllText(dir.Combine("c.yml"), "title: c\ncorrelation:\n    type: value_sum\n    rules: [x]\n    group-by: [src_ip]\n    timespan: 5m\n    condition:\n        field: http_bytes\n        gt: 5\n");
        var outcomes = SigmaRuleSet.Compile([dir.Path], Map);
        Assert.Equal(["failed", "skipped", "skipped"], outcomes.Select(o => o.Status));
        Assert.Contains("nowhere", outcomes[0].Failed, StringComparison.Ordinal);
        Assert.Contains("aliases", outcomes[1].Skipped, StringComparison.Ordinal);
        Assert.Contains("value_sum", outcomes[2].Skipped, StringComparison.Ordinal);
    }

    [Fact]
    public void The_bundled_brute_force_rule_matches_a_sliding_count_done_here_over_the_sample()
    {
        var outcomes = SigmaRuleSet.Compile([Path.Combine(RepoPaths.Queries, "sigma", "rules")], Map);
        Assert.All(outcomes, o => Assert.Equal("compiled", o.Status));
        var brute = SigmaRuleSet.Runnable(outcomes).Single(r => r.Rule.Id == "5b0b2c61-6f0e-4a43-9a55-2f1d1c7e8a01");
        using var run = CaseRun.Ingest([Path.Combine(RepoPaths.DataSamples, "droplet1")]);
        using var session = CaseSession.Open(run.CaseDir);
        long matched = session.Run(brute.Sql, brute.Parameters).Rows.Count;

        // Independently: per source address, the failures whose preceding ten minutes (inclusive) hold at least ten.
        var failures = session.Run("""
            SELECT src_ip, epoch_us(ts) FROM events
            WHERE process IN ('sshd', 'sshd-session', 'sshd-auth') AND src_ip IS NOT NULL
              AND event IN ('ssh.failed_password', 'ssh.failed_publickey', 'ssh.failed_auth', 'ssh.invalid_user')
            """).Rows.GroupBy(r => (string)r[0]!, r => (long)r[1]!);
        long expected = 0;
        foreach (var ip in failures)
        {
            var ts = ip.Order().ToArray();
            for (int i = 0; i < ts.Length; i++)
                if (ts.Count(t => t <= ts[i] && t >= ts[i] - 600_000_000L) >= 10) expected++;
        }
        Assert.True(expected > 0, "the sample holds a brute force");
        Assert.Equal(expected, matched);
    }
}
