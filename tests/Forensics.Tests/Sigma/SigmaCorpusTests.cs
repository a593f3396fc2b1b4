using System.Text;
using Forensics.Pipeline.Case;
using Forensics.Pipeline.Query;
using Forensics.Pipeline.Sigma;
using Forensics.Tests.Support;

namespace Forensics.Tests.Sigma;

/// <summary>SigmaHQ's linux and web rules (../shared/corpus/sigma, a fixed commit) compiled, run, and checked against the sample case.</summary>
public sealed class SigmaCorpusTests
{
    private static readonly SigmaFieldMap Map = SigmaFieldMap.Load(Path.Combine(RepoPaths.Queries, "sigma", SigmaFieldMap.FileName));

    /// <summary>Log sources the case cannot hold (Sysmon for Linux): every rule of theirs is skipped for that reason.</summary>
    private static readonly string[] SysmonFolders = ["linux/process_creation", "linux/file_event", "linux/network_connection"];

    [SkippableFact]
    public void Every_SigmaHQ_linux_and_web_rule_compiles_or_is_skipped_with_a_reason()
    {
        var root = Corpus.Dir("sigma/rules");
        var outcomes = SigmaRuleSet.Compile([Path.Combine(root, "linux"), Path.Combine(root, "web")], Map);
        Assert.Equal(Directory.EnumerateFiles(root, "*.yml", SearchOption.AllDirectories).Count(), outcomes.Count);
        Assert.True(outcomes.All(o => o.Failed is null), string.Join("\n", outcomes.Where(o => o.Failed is not null).Select(o => $"{o.Document.SourceFile}: {o.Failed}")));
        foreach (var o in outcomes.Where(o => o.Skipped is not null))
        {
            var folder = Path.GetRelativePath(root, o.Document.SourceFile).Replace('\\', '/');
            if (SysmonFolders.Any(f => folder.StartsWith(f + "/", StringComparison.Ordinal)))
                Assert.StartsWith("log source ", o.Skipped, StringComparison.Ordinal);
            else
                // Elsewhere only a field the case has no column for may skip a rule (cs-cookie, dst_ip of proxy logs):
                // never a modifier or a condition form the specification defines.
                Assert.Matches("^field [A-Za-z0-9_.-]+ has no column in the case", o.Skipped);
        }
        foreach (var f in SysmonFolders)
            Assert.All(outcomes.Where(o => o.Document.SourceFile.Contains("/" + f + "/", StringComparison.Ordinal)), o => Assert.Equal("skipped", o.Status));
        // The specification's modifiers that SigmaHQ's auditd, builtin and web rules use all compile.
        Assert.All(outcomes.Where(o => o.Document.SourceFile.Contains("/linux/auditd/", StringComparison.Ordinal) || o.Document.SourceFile.Contains("/linux/builtin/", StringComparison.Ordinal)),
            o => Assert.Equal("compiled", o.Status));
    }

    [SkippableFact]
    public void SigmaHQ_rules_over_the_sample_case_find_what_the_evidence_holds()
    {
        var root = Corpus.Dir("sigma/rules");
        var outcomes = SigmaRuleSet.Compile([Path.Combine(root, "linux"), Path.Combine(root, "web")], Map);
        var compiled = outcomes.Where(o => o.Compiled is not null).Select(o => o.Compiled!).ToList();
        using var run = CaseRun.Ingest([Path.Combine(RepoPaths.DataSamples, "droplet1")]);
        SigmaRunResult result;
        using (var session = CaseSession.Open(run.CaseDir))
            result = SigmaRunner.Run(session, compiled, write: true, "SigmaHQ linux and web");
        Assert.Empty(result.Errors);                       // every compiled rule is valid DuckDB SQL (regular expressions included)
        Assert.Empty(CaseIntegrity.Check(run.CaseDir));    // the detections part is in the manifest

        // The web scanner probed /.git/: the matches of SigmaHQ's source-code enumeration rule are the request lines
        // of the Werkzeug log that name .git/, counted in the raw file.
        var nohup = File.ReadAllLines(Path.Combine(RepoPaths.DataSamples, "droplet1", "home", "webadmin", "site", "nohup.log"), Encoding.Latin1);
        var gitProbes = nohup.Count(l => l.Contains(".git/", StringComparison.OrdinalIgnoreCase));
        Assert.True(gitProbes > 0);
        var git = Assert.Single(result.Hits, h => h.Rule.Id == "953d460b-f810-420a-97a2-cfca4c98e602");
        Assert.Equal(gitProbes, git.Matches);

        // Differential check on every plain keyword rule (no wildcards): matches equal a case-insensitive substring
        // search done here over the same log source's messages.
        using var check = CaseSession.Open(run.CaseDir);
        int compared = 0;
        foreach (var rule in compiled)
        {
            if (rule.Rule.Searches is not [{ Value: FieldMatch { Field: null, Modifiers.Count: 0 } keywords }] || rule.Rule.Conditions.Count != 1) continue;
            if (keywords.Values.Any(v => v.Text.IndexOfAny(['*', '?', '\\']) >= 0)) continue;
            var source = Map.Resolve(rule.Rule.LogSource);
            var messages = check.Run($"SELECT message FROM events WHERE {source.Where}").Rows.Select(r => (string?)r[0] ?? "");
            long expected = messages.Count(m => keywords.Values.Any(k => m.Contains(k.Text, StringComparison.OrdinalIgnoreCase)));
            Assert.True(expected == (result.Hits.Single(h => ReferenceEquals(h.Rule, rule.Rule)).Matches), rule.Rule.Title);
            compared++;
        }
        Assert.True(compared >= 10, $"only {compared} keyword rules compared");
        var table = check.Run("SELECT count(*) FROM detections").Rows[0][0];
        Assert.Equal(result.Hits.Sum(h => h.Matches), Convert.ToInt64(table, System.Globalization.CultureInfo.InvariantCulture));
    }

    [SkippableFact]
    public void SigmaHQ_auditd_rules_over_real_audit_logs_match_the_records_counted_in_the_raw_files()
    {
        var root = Corpus.Dir("sigma/rules");
        string[] logs = [Corpus.Dir("go-libaudit/auparse"), Corpus.Dir("plaso/audit"), Corpus.Dir("s4/audit")];
        var compiled = SigmaRuleSet.Runnable(SigmaRuleSet.Compile([Path.Combine(root, "linux", "auditd")], Map));
        using var run = CaseRun.Ingest(logs);
        SigmaRunResult result;
        using (var session = CaseSession.Open(run.CaseDir))
            result = SigmaRunner.Run(session, compiled, write: true, "SigmaHQ linux/auditd");
        Assert.Empty(result.Errors);

        // Independently, from the raw lines: the events (file, serial) holding a record of the kind each rule names.
        var records = logs.SelectMany(d => Directory.EnumerateFiles(d, "*.log", SearchOption.AllDirectories)
                .Concat(Directory.EnumerateFiles(d, "audit.log*", SearchOption.AllDirectories)).Distinct())
            .SelectMany(f => File.ReadLines(f).Select(l => (File: f, Line: l)))
            .Select(x => (x.File, x.Line, Match: System.Text.RegularExpressions.Regex.Match(x.Line, @"^type=(\w+) msg=audit\([0-9.]+:([0-9]+)\)")))
            .Where(x => x.Match.Success)
            .Select(x => (x.File, Type: x.Match.Groups[1].Value, Serial: x.Match.Groups[2].Value, x.Line)).ToList();
        long Events(Func<(string File, string Type, string Serial, string Line), bool> wanted) =>
            records.Where(wanted).Select(r => (r.File, r.Serial)).Distinct().Count();
        long Hits(string id) => result.Hits.SingleOrDefault(h => h.Rule.Id == id)?.Matches ?? 0;

        string[] discovery = ["hostname", "id", "last", "uname", "users", "w", "who", "whoami"];
        var expected = new Dictionary<string, long>
        {
            // Creation Of An User Account: ADD_USER, or a SYSCALL of useradd.
            ["759d0d51-bc99-4b5e-9add-8f5b2c8e7512"] = Events(r => r.Type == "ADD_USER" || (r.Type == "SYSCALL" && r.Line.Contains("/useradd\"", StringComparison.Ordinal))),
            // System Owner or User Discovery: an EXECVE whose a0 is one of the discovery tools.
            ["9a0d8ca0-2385-4020-b6c6-cb6153ca56f3"] = Events(r => r.Type == "EXECVE" && discovery.Any(t => r.Line.Contains($" a0=\"{t}\"", StringComparison.Ordinal))),
            // Linux Keylogging with Pam.d: TTY/USER_TTY records, or a PATH record of the two PAM files.
            ["49aae26c-450e-448b-911d-b3c13d178dfc"] = Events(r => r.Type is "TTY" or "USER_TTY"
                || (r.Type == "PATH" && (r.Line.Contains("name=\"/etc/pam.d/system-auth\"", StringComparison.Ordinal) || r.Line.Contains("name=\"/etc/pam.d/password-auth\"", StringComparison.Ordinal)))),
        };
        Assert.All(expected, e => Assert.True(e.Value > 0, $"{e.Key}: the corpus holds such records"));
        Assert.Equal(expected, expected.ToDictionary(e => e.Key, e => Hits(e.Key)));
    }
}
