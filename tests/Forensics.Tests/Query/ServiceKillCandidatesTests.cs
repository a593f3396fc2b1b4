using Forensics.Pipeline.Query;
using Forensics.Tests.Support;

namespace Forensics.Tests.Query;

/// <summary>
/// service_kill_candidates on the embedded sample (dnf-makecache.service SIGKILLed at 2024-05-21 13:50:09.512887, whose
/// journal names the dnf pid 2856179), with one more evidence file per killer kind holding the lines that killer writes.
/// The lines are the real producers' texts (source cited per case); systemd cannot be run here to kill a unit.
/// </summary>
public sealed class ServiceKillCandidatesTests
{
    private static readonly string Sample = Path.Combine(RepoPaths.DataSamples, "droplet1");

    /// <summary>Ingests the sample plus <paramref name="files"/> (relative path → text) and runs the query.</summary>
    private static List<(string Candidate, string Evidence, string? File, long? Offset, long? Line)> Candidates(params (string Path, string Text)[] files) =>
        Candidates(null, files);

    private static List<(string Candidate, string Evidence, string? File, long? Offset, long? Line)> Candidates(Action<string>? prepare, params (string Path, string Text)[] files)
    {
        using var dir = new TempDir();
        var extra = dir.Combine("extra");
        Directory.CreateDirectory(extra);
        foreach (var (path, text) in files)
        {
            var full = Path.Combine(extra, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }
        prepare?.Invoke(extra);
        string[] inputs = files.Length == 0 && prepare is null ? [Sample] : [Sample, extra];
        using var run = CaseRun.Ingest(inputs, year: 2024);
        using var session = CaseSession.Open(run.CaseDir);
        var q = QueryCatalogTests.Queries.Single(x => x.Name == "service_kill_candidates");
        var r = session.Run(q.Sql, q.Bind());
        int c = Col(r, "candidate"), e = Col(r, "evidence"), f = Col(r, "source_file"), o = Col(r, "source_offset"), l = Col(r, "source_line"), u = Col(r, "unit");
        Assert.All(r.Rows, row => Assert.Equal("dnf-makecache.service", row[u]));
        return r.Rows.Select(row => ((string)row[c]!, (string)row[e]!, row[f] as string, row[o] as long?, row[l] as long?)).ToList();
    }

    private static int Col(QueryResult r, string name) => r.Columns.ToList().IndexOf(name);

    private static string Messages(params string[] lines) => string.Join("\n", lines) + "\n";

    [Fact]
    public void The_sample_logs_no_killer_and_shows_the_drop_in_that_makes_a_stop_timeout_an_abort()
    {
        var rows = Candidates();
        Assert.Contains(rows, r => r.Candidate == "none" && r.Evidence == "no killer logged" && r.File is null);
        var abort = Assert.Single(rows, r => r.Candidate == "unit_setting" && r.Evidence.StartsWith("TimeoutStopFailureMode=", StringComparison.Ordinal));
        Assert.Equal("TimeoutStopFailureMode=abort (usr/lib/systemd/system/service.d/10-timeout-abort.conf)", abort.Evidence);
        Assert.EndsWith("droplet1/usr/lib/systemd/system/service.d/10-timeout-abort.conf", abort.File, StringComparison.Ordinal);
        Assert.Equal(12, abort.Line);
        Assert.Contains(rows, r => r.Candidate == "unit_setting" && r.Evidence == "Type=oneshot (usr/lib/systemd/system/dnf-makecache.service)" && r.Line == 11);
        Assert.DoesNotContain(rows, r => r.Candidate is not ("none" or "unit_setting"));
    }

    [Fact]
    public void A_drop_in_of_the_unit_sorted_after_the_type_wide_one_wins()
    {
        // systemd.unit(5): drop-ins are applied in file-name order across directories; the last assignment wins.
        var rows = Candidates(("etc/systemd/system/dnf-makecache.service.d/override.conf", "[Service]\nTimeoutStopFailureMode=kill\nRuntimeMaxSec=1h\n"));
        Assert.Contains(rows, r => r.Candidate == "unit_setting" && r.Evidence == "TimeoutStopFailureMode=kill (etc/systemd/system/dnf-makecache.service.d/override.conf)" && r.Line == 2);
        Assert.Contains(rows, r => r.Candidate == "unit_setting" && r.Evidence == "RuntimeMaxSec=1h (etc/systemd/system/dnf-makecache.service.d/override.conf)");
        Assert.DoesNotContain(rows, r => r.Evidence.StartsWith("TimeoutStopFailureMode=abort", StringComparison.Ordinal));
    }

    // systemd src/core/service.c service_dispatch_timer(): log_unit_warning(UNIT(s), "State '%s' timed out. Killing.", ...)
    // and "%s operation timed out. Terminating." for the start job.
    [Theory]
    [InlineData("dnf-makecache.service: State 'stop-sigterm' timed out. Killing.")]
    [InlineData("dnf-makecache.service: start operation timed out. Terminating.")]
    public void Systemds_own_timeout_line_for_the_unit_is_a_candidate(string line)
    {
        var rows = Candidates(("var/log/messages", Messages($"May 21 13:50:09 droplet1 systemd[1]: {line}")));
        var hit = Assert.Single(rows, r => r.Candidate == "systemd_timeout");
        Assert.Equal(line, hit.Evidence);
        Assert.EndsWith("extra/var/log/messages", hit.File, StringComparison.Ordinal);
        Assert.Equal(0, hit.Offset);
        Assert.DoesNotContain(rows, r => r.Candidate == "none");
    }

    [Fact]
    public void Systemd_killing_the_units_process_is_a_candidate()
    {
        // systemd src/core/unit.c unit_kill_context() → log_func(... "Killing process " PID_FMT " (%s) with signal SIG%s.")
        const string first = "May 21 13:49:00 droplet1 sshd[2870000]: Connection closed by 192.0.2.1 port 40000 [preauth]";
        var rows = Candidates(("var/log/messages", Messages(
            first, "May 21 13:50:09 droplet1 systemd[1]: dnf-makecache.service: Killing process 2856179 (dnf) with signal SIGKILL.")));
        var hit = Assert.Single(rows, r => r.Candidate == "systemd_kill");
        Assert.Equal("dnf-makecache.service: Killing process 2856179 (dnf) with signal SIGKILL.", hit.Evidence);
        Assert.Equal(first.Length + 1, hit.Offset);
    }

    [Fact]
    public void The_kernel_oom_killer_naming_the_units_cgroup_and_pid_is_a_candidate()
    {
        // Linux mm/oom_kill.c dump_oom_summary(): "oom-kill:constraint=%s,nodemask=%*pbl", ",cpuset=", ",mems_allowed=",
        // ",global_oom", ",task_memcg=", ",task=%s,pid=%d,uid=%d"; __oom_kill_process(): "%s: Killed process %d (%s)
        // total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB, shmem-rss:%lukB, UID:%u pgtables:%lukB oom_score_adj:%hd".
        const string summary = "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/dnf-makecache.service,task=dnf,pid=2856179,uid=0";
        const string killed = "Out of memory: Killed process 2856179 (dnf) total-vm:1031204kB, anon-rss:612300kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:1520kB oom_score_adj:0";
        const string other = "Out of memory: Killed process 4242 (python3) total-vm:1031204kB, anon-rss:612300kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:1520kB oom_score_adj:0";
        var rows = Candidates(("var/log/messages", Messages(
            $"May 21 13:50:08 droplet1 kernel: {summary}", $"May 21 13:50:08 droplet1 kernel: {killed}", $"May 21 13:50:08 droplet1 kernel: {other}")));
        Assert.Equal([killed, summary], rows.Where(r => r.Candidate == "oom").Select(r => r.Evidence).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Systemd_oomd_killing_the_units_cgroup_is_a_candidate()
    {
        // systemd src/oom/oomd-manager.c monitor_memory_pressure_contexts_handler(): log_notice("Killed %s due to memory
        // pressure for %s being %lu.%02lu%% > %lu.%02lu%% for > %s with reclaim activity", ...)
        const string line = "Killed /system.slice/dnf-makecache.service due to memory pressure for /system.slice being 73.21% > 50.00% for > 20s with reclaim activity";
        var rows = Candidates(("var/log/messages", Messages($"May 21 13:50:07 droplet1 systemd-oomd[612]: {line}")));
        Assert.Equal(line, Assert.Single(rows, r => r.Candidate == "oom").Evidence);
    }

    [Fact]
    public void An_audited_kill_syscall_aimed_at_the_units_pid_and_the_anom_abend_record_are_candidates()
    {
        // Linux kernel/auditsc.c: SYSCALL record, audit_log_pid_context() "opid=%d oauid=%d ouid=%d oses=%d" + obj + ocomm
        // (OBJ_PID), audit_core_dumps() → audit_log_task() "auid=%u uid=%u gid=%u ses=%u" + subj + " pid=%d comm=" + exe
        // + " sig=%ld res=1" (ANOM_ABEND). 2856179 = 0x2b94f3; the kill aimed at pid 4242 is someone else's.
        var rows = Candidates(("var/log/audit/audit.log", Messages(
            "type=SYSCALL msg=audit(1716299409.100:4242): arch=c000003e syscall=62 success=yes exit=0 a0=2b94f3 a1=9 a2=0 a3=7ffd0b0e4a10 items=0 ppid=2860001 pid=2860002 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=12 comm=\"kill\" exe=\"/usr/bin/kill\" subj=unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023 key=\"killers\"",
            "type=OBJ_PID msg=audit(1716299409.100:4242): opid=2856179 oauid=-1 ouid=0 oses=-1 obj=system_u:system_r:rpm_t:s0 ocomm=\"dnf\"",
            "type=PROCTITLE msg=audit(1716299409.100:4242): proctitle=6B696C6C002D390032383536313739",
            "type=SYSCALL msg=audit(1716299409.200:4243): arch=c000003e syscall=62 success=yes exit=0 a0=1092 a1=f a2=0 a3=0 items=0 ppid=1 pid=2860003 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=12 comm=\"kill\" exe=\"/usr/bin/kill\" subj=unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023 key=\"killers\"",
            "type=ANOM_ABEND msg=audit(1716299409.300:4244): auid=4294967295 uid=0 gid=0 ses=4294967295 subj=system_u:system_r:rpm_t:s0 pid=2856179 comm=\"dnf\" exe=\"/usr/bin/python3.11\" sig=6 res=1")));
        var kill = Assert.Single(rows, r => r.Candidate == "audit_kill");
        Assert.Contains("a0=2b94f3", kill.Evidence, StringComparison.Ordinal);
        Assert.Equal(0, kill.Offset);
        Assert.Contains("sig=6", Assert.Single(rows, r => r.Candidate == "audit_anom").Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void Root_sessions_open_at_the_kill_are_candidates_and_closed_ones_are_not()
    {
        // sshd auth.c auth_log(): "Accepted %s for %s%.100s from %.200s port %d ssh2%s"; systemd src/login/logind-session.c
        // session_start(): "New session %s of user %s."; logind-session.c session_stop(): "Removed session %s."
        var rows = Candidates(("var/log/secure", Messages(
            "May 21 13:40:00 droplet1 sshd[2870001]: Accepted publickey for root from 174.72.166.246 port 52000 ssh2: ED25519 SHA256:Zm9yZW5zaWNzIHRlc3Qga2V5IGZpbmdlcnByaW50",
            "May 21 13:40:00 droplet1 systemd-logind[789]: New session 13 of user root.",
            "May 21 13:41:00 droplet1 sshd[2870050]: Accepted password for root from 203.0.113.9 port 52001 ssh2",
            "May 21 13:41:00 droplet1 systemd-logind[789]: New session 14 of user root.",
            "May 21 13:42:00 droplet1 sshd[2870050]: Disconnected from user root 203.0.113.9 port 52001",
            "May 21 13:42:00 droplet1 systemd-logind[789]: Removed session 14.")));
        Assert.Equal(
            ["Accepted publickey for root from 174.72.166.246 port 52000 ssh2: ED25519 SHA256:Zm9yZW5zaWNzIHRlc3Qga2V5IGZpbmdlcnByaW50", "New session 13 of user root."],
            rows.Where(r => r.Candidate == "root_session").Select(r => r.Evidence).Order(StringComparer.Ordinal));
    }

    [SkippableFact]
    public void A_wtmp_root_session_open_at_the_kill_is_a_candidate()
    {
        // The wtmp is written by util-linux utmpdump -r from its own text form (login.c / sshd write these records).
        var rows = Candidates(extra =>
        {
            var txt = Path.Combine(extra, "wtmp.txt");
            File.WriteAllText(txt, string.Join("\n",
                "[7] [02870100] [ts/2] [root    ] [pts/2       ] [174.72.166.246      ] [174.72.166.246 ] [2024-05-21T13:45:00,000000+00:00]",
                "[7] [02870200] [ts/3] [root    ] [pts/3       ] [203.0.113.9         ] [203.0.113.9    ] [2024-05-21T13:46:00,000000+00:00]",
                "[8] [02870200] [ts/3] [        ] [pts/3       ] [                    ] [0.0.0.0        ] [2024-05-21T13:47:00,000000+00:00]") + "\n");
            Directory.CreateDirectory(Path.Combine(extra, "var", "log"));
            Formats.Utmp.UtmpOracle.Run("utmpdump", "-r", "-o", Path.Combine(extra, "var", "log", "wtmp"), txt);
            File.Delete(txt);
        });
        var hit = Assert.Single(rows, r => r.Candidate == "root_session");
        Assert.Equal("root logged in on pts/2 from 174.72.166.246 (wtmp)", hit.Evidence);
        Assert.EndsWith("extra/var/log/wtmp", hit.File, StringComparison.Ordinal);
        Assert.Equal(0, hit.Offset);
    }

    [Fact]
    public void A_reboot_under_way_is_a_candidate()
    {
        // systemd src/login/logind-dbus.c bus_manager_log_shutdown(): "System is rebooting." (LOG_NOTICE, MESSAGE_ID shutdown)
        var rows = Candidates(("var/log/messages", Messages("May 21 13:50:05 droplet1 systemd-logind[789]: System is rebooting.")));
        Assert.Equal("System is rebooting.", Assert.Single(rows, r => r.Candidate == "shutdown").Evidence);
        Assert.DoesNotContain(rows, r => r.Candidate == "none");
    }
}
