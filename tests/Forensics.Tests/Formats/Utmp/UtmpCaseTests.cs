using Forensics.Tests.Support;

namespace Forensics.Tests.Formats.Utmp;

/// <summary>wtmp and btmp through the real pipeline: events, rejects and the sessions table queried in DuckDB.</summary>
public class UtmpCaseTests
{
    [SkippableFact]
    public void Sessions_and_login_events_are_queryable_from_the_case()
    {
        var wtmp = Corpus.File("s4/utmp/CentOS7_x86_64/wtmp");
        var btmp = Corpus.File("s4/utmp/CentOS7_x86_64/btmp");
        using var run = CaseRun.Ingest([wtmp, btmp]);
        string sessions = $"read_parquet('{run.CaseDir}/sessions/*.parquet')";

        var expected = UtmpOracle.Parse(new Pipeline.Formats.Utmp.UtmpFormat(Pipeline.Formats.Utmp.UtmpFileKind.Wtmp), wtmp).Tables.Single();
        Assert.Equal((long)expected.Rows.Count, Convert.ToInt64(Duck.Scalar($"SELECT count(*) FROM {sessions}")));
        // A time filter through DuckDB on the file the pipeline wrote (Parquet statistics must not prune rows wrongly).
        long since2024 = expected.Rows.Count(r => (long)r[0]! >= 1_704_067_200_000_000L);
        Assert.True(since2024 > 0);
        Assert.Equal(since2024, Convert.ToInt64(Duck.Scalar($"SELECT count(*) FROM {sessions} WHERE session_start >= TIMESTAMP '2024-01-01'")));
        Assert.Equal(1L, Convert.ToInt64(Duck.Scalar($"SELECT count(*) FROM {sessions} WHERE end_reason = 'down' AND \"user\" = 'root' AND date_trunc('second', session_start) = TIMESTAMP '2024-02-17 01:08:48'")));

        Assert.Equal(3L, Convert.ToInt64(Duck.Scalar($"SELECT count(*) FROM {run.Events} WHERE event = 'login.failed' AND format = 'btmp'")));
        Assert.Equal(67L, Convert.ToInt64(Duck.Scalar($"SELECT count(*) FROM {run.Events} WHERE format = 'wtmp'")));
        Assert.Equal(0L, Convert.ToInt64(Duck.Scalar($"SELECT count(*) FROM {run.Events} WHERE host = ''")));
    }
}
