using Forensics.Pipeline.Query;
using Forensics.Pipeline.Report;
using Forensics.Pipeline.Sigma;
using Forensics.Tests.Support;

namespace Forensics.Tests.Report;

/// <summary>A case ingested by the real pipeline and its HTML report, written once for a test class.</summary>
public abstract class ReportFixture : IDisposable
{
    private readonly CaseRun _run;
    private readonly TempDir _evidence = new();
    public string CaseDir => _run.CaseDir;
    public string Html { get; }
    public string HtmlFile { get; }
    public ReportData Data { get; }

    /// <param name="inputs">the evidence to ingest, given a scratch folder to write it into</param>
    /// <param name="afterIngest">what else is done to the case before its report is written (a Sigma run)</param>
    protected ReportFixture(Func<string, string[]> inputs, int? year = null, Action<string, string>? afterIngest = null)
    {
        _run = CaseRun.Ingest(inputs(_evidence.Path), year: year);
        afterIngest?.Invoke(CaseDir, _evidence.Path);
        using var session = CaseSession.Open(CaseDir);
        Data = ReportData.Collect(session, QueryCatalog.Load(RepoPaths.Queries));
        Html = HtmlReport.Render(Data);
        HtmlFile = Path.Combine(CaseDir, "report.html");
        File.WriteAllText(HtmlFile, Html);
    }

    /// <summary>A copy of the report beside it with <paramref name="change"/> applied to its text.</summary>
    public string Variant(string name, Func<string, string> change)
    {
        var path = Path.Combine(CaseDir, name);
        File.WriteAllText(path, change(Html));
        return path;
    }

    public void Dispose()
    {
        _run.Dispose();
        _evidence.Dispose();
        GC.SuppressFinalize(this);
    }
}

public sealed class Droplet1Report() : ReportFixture(_ => [Path.Combine(RepoPaths.DataSamples, "droplet1")]);

/// <summary>
/// Evidence written by an attacker: SSH user names and requested URLs that are HTML (a script element, and an
/// attribute break-out into an image whose onerror handler runs script), in the real formats sshd and Werkzeug write.
/// </summary>
public sealed class HostileReport : ReportFixture
{
    public const string ScriptUser = "<script>document.title='PWNED'</script>";
    public const string BreakoutUser = "\"><img/src/onerror=document.title='PWNED'>";

    /// <summary>A Sigma rule whose title and author are HTML as an attacker-supplied rule file could carry.</summary>
    public const string ScriptRuleTitle = "<script>document.title='PWNED'</script> SSH activity";
    public const string BreakoutRuleAuthor = "\"><img/src/onerror=document.title='PWNED'>";
    public const string PlainRuleTitle = "Hostile test: password accepted";

    public HostileReport() : base(scratch => [Write(scratch)], year: 2024, (caseDir, scratch) => RunSigma(caseDir, scratch)) { }

    private static void RunSigma(string caseDir, string scratch)
    {
        var rules = Path.Combine(scratch, "rules");
        Directory.CreateDirectory(rules);
        File.WriteAllText(Path.Combine(rules, "hostile.yml"), $"""
            title: "{ScriptRuleTitle}"
            id: 6a1e0f7c-0000-4000-8000-000000000001
            level: critical
            author: '{BreakoutRuleAuthor.Replace("'", "''", StringComparison.Ordinal)}'
            tags: [attack.credential-access, attack.t1110]
            logsource:
                product: linux
                service: sshd
            detection:
                selection:
                    event|startswith: 'ssh.'
                condition: selection
            ---
            title: '{PlainRuleTitle}'
            id: 6a1e0f7c-0000-4000-8000-000000000002
            level: medium
            author: tests
            logsource:
                product: linux
                service: sshd
            detection:
                selection:
                    event: ssh.accepted_password
                condition: selection
            """);
        var map = SigmaFieldMap.Load(Path.Combine(RepoPaths.Queries, "sigma", SigmaFieldMap.FileName));
        var outcomes = SigmaRuleSet.Compile([Path.Combine(RepoPaths.Queries, "sigma", "rules"), rules], map);
        using var session = CaseSession.Open(caseDir);
        var result = SigmaRunner.Run(session, SigmaRuleSet.Runnable(outcomes), write: true, "tests");
        Assert.Empty(result.Errors);
        Assert.All(outcomes, o => Assert.Equal("compiled", o.Status));
    }

    private static string Write(string scratch)
    {
        var root = Path.Combine(scratch, "hostile");
        Directory.CreateDirectory(Path.Combine(root, "var", "log"));
        Directory.CreateDirectory(Path.Combine(root, "site"));
        File.WriteAllText(Path.Combine(root, "var", "log", "secure"), $"""
            Mar  1 10:00:00 web1 sshd[300]: Invalid user {ScriptUser} from 203.0.113.7 port 50001
            Mar  1 10:00:01 web1 sshd[300]: Failed password for invalid user {ScriptUser} from 203.0.113.7 port 50001 ssh2
            Mar  1 10:00:02 web1 sshd[301]: Invalid user {BreakoutUser} from 203.0.113.7 port 50002
            Mar  1 10:00:03 web1 sshd[301]: Failed password for invalid user {BreakoutUser} from 203.0.113.7 port 50002 ssh2
            Mar  1 10:00:09 web1 sshd[302]: Accepted password for root from 203.0.113.7 port 50003 ssh2

            """);
        File.WriteAllText(Path.Combine(root, "site", "nohup.log"), """
            203.0.113.7 - - [01/Mar/2024 10:01:00] "GET http://evil.example/"><img/src/onerror=document.title='PWNED'> HTTP/1.1" 404 -
            203.0.113.7 - - [01/Mar/2024 10:01:01] "GET http://evil.example/<script>document.title='PWNED'</script> HTTP/1.1" 404 -

            """);
        return root;
    }
}
