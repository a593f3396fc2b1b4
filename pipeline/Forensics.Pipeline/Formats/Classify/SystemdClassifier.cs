using System.Globalization;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats.Classify;

/// <summary>
/// systemd (PID 1 and user managers) unit lifecycle messages and systemd-logind sessions, as systemd v239–v255
/// word them (src/core/unit.c unit_status_log_starting_stopping_reloading / unit_log_success / unit_log_failure /
/// unit_log_process_exit / unit_log_resources, src/core/job.c job_done status messages, src/login/logind-session.c).
/// Newer systemd writes "…" instead of "..." after Starting/Stopping; both are accepted.
/// Signals are stored with their SIG prefix (status=9/KILL → SIGKILL) so main-process exits and "Killing
/// process" lines share one vocabulary.
/// </summary>
public static class SystemdClassifier
{
    public static readonly ExtraColumn UnitResult = new("unit_result", ColumnType.String, "systemd unit result: signal, timeout, exit-code, core-dump, watchdog, resources, …");
    public static readonly ExtraColumn ExitCode = new("exit_code", ColumnType.String, "main process exit kind: exited, killed, dumped");
    public static readonly ExtraColumn ExitStatus = new("exit_status", ColumnType.Int32, "exit status number (code=exited) or signal number (code=killed/dumped)");
    public static readonly ExtraColumn Signal = new("signal", ColumnType.String, "signal name with SIG prefix (SIGKILL)");
    public static readonly ExtraColumn CpuSeconds = new("cpu_seconds", ColumnType.Double, "CPU time a unit consumed, seconds");
    public static readonly ExtraColumn SessionId = new("session_id", ColumnType.String, "logind session id");

    public static IReadOnlyList<ExtraColumn> Columns { get; } = [UnitResult, ExitCode, ExitStatus, Signal, CpuSeconds, SessionId];

    public static void Classify(ForensicEvent e, ReadOnlySpan<char> process, ReadOnlySpan<char> message)
    {
        if (process.SequenceEqual("systemd-logind")) { ClassifyLogind(e, message); return; }

        if (Strip(message, "Starting ", out var rest) && (TrimEllipsis(rest, out _))) { e.Event = EventKinds.UnitStarting; return; }
        if (Strip(message, "Stopping ", out rest) && TrimEllipsis(rest, out _)) { e.Event = EventKinds.UnitStopping; return; }
        if (Strip(message, "Started ", out rest) && rest.EndsWith('.')) { e.Event = EventKinds.UnitStarted; return; }
        // systemd ≥ 246 reports a completed start job of a Type=oneshot unit as "Finished X." instead of "Started X."
        if (Strip(message, "Finished ", out rest) && rest.EndsWith('.')) { e.Event = EventKinds.UnitStarted; return; }
        if (Strip(message, "Stopped ", out rest) && rest.EndsWith('.') && !rest.StartsWith("target ")) { e.Event = EventKinds.UnitStopped; return; }
        if (Strip(message, "Failed to start ", out rest)) { e.Event = EventKinds.UnitFailedToStart; return; }

        // "<unit>: <text>": unit names have a type suffix and no spaces.
        int colon = message.IndexOf(": ");
        if (colon <= 0) return;
        var unit = message[..colon];
        if (unit.Contains(' ') || unit.LastIndexOf('.') <= 0) return;
        var text = message[(colon + 2)..];

        if (text.SequenceEqual("Deactivated successfully.")) { SetUnit(e, unit, EventKinds.UnitDeactivated); return; }
        if (Strip(text, "Failed with result '", out rest))
        {
            int q = rest.IndexOf('\'');
            if (q > 0)
            {
                SetUnit(e, unit, EventKinds.UnitFailed);
                e.Set(UnitResult, rest[..q].ToString());
            }
            return;
        }
        if (Strip(text, "Main process exited, code=", out rest))
        {
            // "code=killed, status=9/KILL" | "code=exited, status=1/FAILURE" | "code=dumped, status=11/SEGV"
            int comma = rest.IndexOf(", status=");
            if (comma <= 0) return;
            SetUnit(e, unit, EventKinds.UnitMainProcessExited);
            var code = rest[..comma];
            e.Set(ExitCode, code.ToString());
            var status = rest[(comma + ", status=".Length)..];
            int slash = status.IndexOf('/');
            var num = slash < 0 ? status : status[..slash];
            if (int.TryParse(num, NumberStyles.None, CultureInfo.InvariantCulture, out int n)) e.Set(ExitStatus, n);
            if (slash >= 0 && !code.SequenceEqual("exited"))
            {
                var name = status[(slash + 1)..].TrimEnd('.');
                e.Set(Signal, name.StartsWith("SIG") ? name.ToString() : "SIG" + name.ToString());
            }
            return;
        }
        if (Strip(text, "Consumed ", out rest))
        {
            int cpu = rest.IndexOf(" CPU time");
            if (cpu > 0 && TryTimespanSeconds(rest[..cpu], out double secs))
            {
                SetUnit(e, unit, EventKinds.UnitCpuConsumed);
                e.Set(CpuSeconds, secs);
            }
            return;
        }
        if (Strip(text, "Killing process ", out rest))
        {
            int with = rest.IndexOf(" with signal ");
            SetUnit(e, unit, EventKinds.UnitKilling);
            if (with > 0)
            {
                var sig = rest[(with + " with signal ".Length)..].TrimEnd('.');
                e.Set(Signal, sig.ToString());
            }
            return;
        }
        if (text.Contains("timed out", StringComparison.Ordinal)) { SetUnit(e, unit, EventKinds.UnitTimeout); e.Set(UnitResult, "timeout"); return; }
        if (unit.EndsWith(".timer") && (text.StartsWith("Triggered") || text.StartsWith("Timer elapsed"))) { SetUnit(e, unit, EventKinds.TimerTriggered); return; }
    }

    private static void ClassifyLogind(ForensicEvent e, ReadOnlySpan<char> message)
    {
        // "New session 3 of user root." / "New session c1 of user gdm." / "Removed session 3."
        if (Strip(message, "New session ", out var rest))
        {
            int of = rest.IndexOf(" of user ");
            if (of <= 0) return;
            e.Event = EventKinds.LogindNewSession;
            e.Set(SessionId, rest[..of].ToString());
            e.User = rest[(of + " of user ".Length)..].TrimEnd('.').ToString();
            return;
        }
        if (Strip(message, "Removed session ", out rest))
        {
            e.Event = EventKinds.LogindSessionRemoved;
            e.Set(SessionId, rest.TrimEnd('.').ToString());
        }
    }

    private static void SetUnit(ForensicEvent e, ReadOnlySpan<char> unit, string kind)
    {
        e.Event = kind;
        if (e.Unit is null || !unit.SequenceEqual(e.Unit)) e.Unit = unit.ToString();
    }

    private static bool Strip(ReadOnlySpan<char> s, string prefix, out ReadOnlySpan<char> rest)
    {
        if (s.StartsWith(prefix, StringComparison.Ordinal)) { rest = s[prefix.Length..]; return true; }
        rest = default;
        return false;
    }

    private static bool TrimEllipsis(ReadOnlySpan<char> s, out ReadOnlySpan<char> name)
    {
        if (s.EndsWith("...")) { name = s[..^3]; return name.Length > 0; }
        if (s.EndsWith("…")) { name = s[..^1]; return name.Length > 0; }
        name = default;
        return false;
    }

    /// <summary>
    /// Parses systemd's format_timespan output ("54.919s", "1min 2.345s", "1h 3min 2.001s", "789ms", "12us")
    /// (src/basic/time-util.c) into seconds.
    /// </summary>
    public static bool TryTimespanSeconds(ReadOnlySpan<char> s, out double seconds)
    {
        seconds = 0;
        bool any = false;
        foreach (var range in s.Split(' '))
        {
            var part = s[range];
            if (part.IsEmpty) continue;
            int i = 0;
            while (i < part.Length && (char.IsAsciiDigit(part[i]) || part[i] == '.')) i++;
            if (i == 0 || !double.TryParse(part[..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double v)) return false;
            double unit = part[i..] switch
            {
                "y" => 31557600, "month" => 2629800, "w" => 604800, "d" => 86400, "h" => 3600,
                "min" => 60, "s" => 1, "ms" => 1e-3, "us" or "µs" => 1e-6, "ns" => 1e-9,
                _ => double.NaN,
            };
            if (double.IsNaN(unit)) return false;
            seconds += v * unit;
            any = true;
        }
        seconds = Math.Round(seconds, 6);
        return any;
    }
}
