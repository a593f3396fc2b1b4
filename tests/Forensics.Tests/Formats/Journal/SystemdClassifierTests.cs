using Forensics.Pipeline.Formats.Classify;
using Forensics.Pipeline.Model;

namespace Forensics.Tests.Formats.Journal;

/// <summary>Real message texts (RHEL 9.1 / Ubuntu corpus journals, and the seed incident's dnf-makecache lines).</summary>
public class SystemdClassifierTests
{
    private static ForensicEvent Classify(string process, string message, string? unit = null)
    {
        var e = new ForensicEvent { Message = message, Process = process, Unit = unit };
        MessageClassifier.Classify(e, process, message);
        return e;
    }

    [Fact]
    public void Main_process_killed_by_signal()
    {
        var e = Classify("systemd", "dnf-makecache.service: Main process exited, code=killed, status=9/KILL", "init.scope");
        Assert.Equal(EventKinds.UnitMainProcessExited, e.Event);
        Assert.Equal("dnf-makecache.service", e.Unit);
        Assert.Equal("killed", e.Get(SystemdClassifier.ExitCode));
        Assert.Equal(9, e.Get(SystemdClassifier.ExitStatus));
        Assert.Equal("SIGKILL", e.Get(SystemdClassifier.Signal));
    }

    [Fact]
    public void Main_process_exited_with_status()
    {
        var e = Classify("systemd", "sssd-kcm.service: Main process exited, code=exited, status=70/SOFTWARE");
        Assert.Equal(EventKinds.UnitMainProcessExited, e.Event);
        Assert.Equal("exited", e.Get(SystemdClassifier.ExitCode));
        Assert.Equal(70, e.Get(SystemdClassifier.ExitStatus));
        Assert.Null(e.Get(SystemdClassifier.Signal));
    }

    [Theory]
    [InlineData("sssd-kcm.service: Failed with result 'exit-code'.", "exit-code")]
    [InlineData("dnf-makecache.service: Failed with result 'signal'.", "signal")]
    [InlineData("foo.service: Failed with result 'timeout'.", "timeout")]
    public void Failed_with_result(string message, string result)
    {
        var e = Classify("systemd", message);
        Assert.Equal(EventKinds.UnitFailed, e.Event);
        Assert.Equal(result, e.Get(SystemdClassifier.UnitResult));
        Assert.EndsWith(".service", e.Unit);
    }

    [Theory]
    [InlineData("sssd-kcm.service: Consumed 54.919s CPU time.", 54.919)]
    [InlineData("dnf-makecache.service: Consumed 1min 2.345s CPU time.", 62.345)]
    [InlineData("x.service: Consumed 1h 2min 3.5s CPU time, 1.2G memory peak.", 3723.5)]
    [InlineData("x.service: Consumed 789ms CPU time.", 0.789)]
    public void Consumed_cpu_time_as_seconds(string message, double seconds)
    {
        var e = Classify("systemd", message);
        Assert.Equal(EventKinds.UnitCpuConsumed, e.Event);
        Assert.Equal(seconds, (double)e.Get(SystemdClassifier.CpuSeconds)!, 6);
    }

    [Theory]
    [InlineData("Starting SSSD Kerberos Cache Manager...", EventKinds.UnitStarting)]
    [InlineData("Starting dnf makecache…", EventKinds.UnitStarting)]
    [InlineData("Started SSSD Kerberos Cache Manager.", EventKinds.UnitStarted)]
    [InlineData("Stopping User Manager for UID 1000...", EventKinds.UnitStopping)]
    [InlineData("Stopped GNOME Shell on X11.", EventKinds.UnitStopped)]
    [InlineData("systemd-hostnamed.service: Deactivated successfully.", EventKinds.UnitDeactivated)]
    [InlineData("Failed to start dnf makecache.", EventKinds.UnitFailedToStart)]
    [InlineData("dnf-makecache.service: Killing process 4242 (dnf) with signal SIGKILL.", EventKinds.UnitKilling)]
    [InlineData("dnf-makecache.service: State 'stop-sigterm' timed out. Killing.", EventKinds.UnitTimeout)]
    [InlineData("dnf-makecache.timer: Triggered dnf-makecache.service.", EventKinds.TimerTriggered)]
    [InlineData("Reached target Basic System.", EventKinds.LogLine)]
    [InlineData("Reloading.", EventKinds.LogLine)]
    public void Lifecycle_kinds(string message, string kind) => Assert.Equal(kind, Classify("systemd", message).Event);

    [Fact]
    public void Logind_sessions()
    {
        var n = Classify("systemd-logind", "New session 3 of user root.");
        Assert.Equal(EventKinds.LogindNewSession, n.Event);
        Assert.Equal("3", n.Get(SystemdClassifier.SessionId));
        Assert.Equal("root", n.User);
        var r = Classify("systemd-logind", "Removed session c1.");
        Assert.Equal(EventKinds.LogindSessionRemoved, r.Event);
        Assert.Equal("c1", r.Get(SystemdClassifier.SessionId));
    }

    [Fact]
    public void Other_processes_are_untouched() => Assert.Equal(EventKinds.LogLine, Classify("dnf", "Started foo.").Event);
}
