namespace Forensics.Pipeline.Model;

/// <summary>
/// What the time of each event kind means, for timelines: plaso's <c>timestamp_desc</c> (Timesketch's column, the
/// l2tcsv <c>type</c>). A log line's time is when it was written, so the description names what happened then
/// ("Login", "Failed login", "Service killed"); plaso uses the same wording for its syslog/utmp parsers
/// (definitions.TIME_DESCRIPTION_*: "Start Time", "Event Recorded", …) where one fits. A test checks that every
/// kind of <see cref="EventKinds"/> has one.
/// </summary>
public static class EventDescriptions
{
    /// <summary>For kinds not in the table (a future kind, a hand-made case): plaso's generic description.</summary>
    public const string Fallback = "Event Recorded";

    public static IReadOnlyDictionary<string, string> TimestampDesc { get; } = WithFileSystemKinds(new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [EventKinds.LogLine] = "Event Recorded",

        [EventKinds.SshInvalidUser] = "Invalid user",
        [EventKinds.SshFailedPassword] = "Failed login",
        [EventKinds.SshFailedPublickey] = "Failed login",
        [EventKinds.SshFailedOther] = "Failed login",
        [EventKinds.SshAcceptedPassword] = "Login",
        [EventKinds.SshAcceptedPublickey] = "Login",
        [EventKinds.SshAcceptedOther] = "Login",
        [EventKinds.SshConnectionClosed] = "Connection closed",
        [EventKinds.SshDisconnected] = "Disconnected",
        [EventKinds.SshReceivedDisconnect] = "Disconnected",
        [EventKinds.SshTooManyFailures] = "Failed login",
        [EventKinds.SshNegotiationFailed] = "Connection refused",
        [EventKinds.SshKexError] = "Connection refused",
        [EventKinds.SshNoIdentification] = "Connection refused",
        [EventKinds.SshConnectionReset] = "Connection closed",
        [EventKinds.SshBadProtocol] = "Connection refused",
        [EventKinds.SshMaxStartups] = "Connection refused",
        [EventKinds.SshReverseMappingFailed] = "Connection",
        [EventKinds.SshUserNotAllowed] = "Failed login",
        [EventKinds.SshConnection] = "Connection",
        [EventKinds.SshAuthTimeout] = "Failed login",
        [EventKinds.SshSessionStarted] = "Session start",
        [EventKinds.SshConnectionInfo] = "Connection",
        [EventKinds.SshConnectionRefused] = "Connection refused",
        [EventKinds.SshServerListening] = "Service start",
        [EventKinds.SshServerTerminating] = "Service stop",
        [EventKinds.PamSessionOpened] = "Session start",
        [EventKinds.PamSessionClosed] = "Session end",
        [EventKinds.PamAuthFailure] = "Failed login",
        [EventKinds.PamCheckPassUnknownUser] = "Invalid user",
        [EventKinds.PamMoreFailures] = "Failed login",
        [EventKinds.LogindNewSession] = "Session start",
        [EventKinds.LogindSessionRemoved] = "Session end",
        [EventKinds.SudoCommand] = "Command run",
        [EventKinds.SuSession] = "User switch",

        [EventKinds.UnitStarting] = "Service starting",
        [EventKinds.UnitStarted] = "Service start",
        [EventKinds.UnitStopping] = "Service stopping",
        [EventKinds.UnitStopped] = "Service stop",
        [EventKinds.UnitDeactivated] = "Service stop",
        [EventKinds.UnitFailed] = "Service failed",
        [EventKinds.UnitMainProcessExited] = "Service process exited",
        [EventKinds.UnitFailedToStart] = "Service failed",
        [EventKinds.UnitCpuConsumed] = "Service stop",
        [EventKinds.UnitTimeout] = "Service timed out",
        [EventKinds.UnitKilling] = "Service killed",
        [EventKinds.TimerTriggered] = "Timer triggered",
        [EventKinds.SystemBoot] = "System boot",
        [EventKinds.SystemShutdown] = "System shutdown",

        [EventKinds.AuditUserLogin] = "Login",
        [EventKinds.AuditUserAuth] = "Authentication",
        [EventKinds.AuditUserAcct] = "Account check",
        [EventKinds.AuditUserErr] = "Failed login",
        [EventKinds.AuditCredAcq] = "Credentials acquired",
        [EventKinds.AuditCredDisp] = "Credentials disposed",
        [EventKinds.AuditCredRefr] = "Credentials refreshed",
        [EventKinds.AuditUserStart] = "Session start",
        [EventKinds.AuditUserEnd] = "Session end",
        [EventKinds.AuditCryptoKeyUser] = "Crypto key",
        [EventKinds.AuditCryptoSession] = "Crypto session",
        [EventKinds.AuditServiceStart] = "Service start",
        [EventKinds.AuditServiceStop] = "Service stop",
        [EventKinds.AuditAnomAbend] = "Process crashed",
        [EventKinds.AuditSyscall] = "System call",
        [EventKinds.AuditOther] = "Event Recorded",

        [EventKinds.LoginSessionStart] = "Login",
        [EventKinds.LoginSessionEnd] = "Logout",
        [EventKinds.LoginFailed] = "Failed login",
        [EventKinds.LoginRunLevel] = "Run level change",
        [EventKinds.LoginClockChange] = "Clock change",
        [EventKinds.LoginProcess] = "Login process start",
        [EventKinds.LoginAccounting] = "Accounting",
        [EventKinds.LastLogin] = "Last Login Time",

        [EventKinds.HttpRequest] = "HTTP request",
        [EventKinds.HttpProxyConnect] = "HTTP request",
        [EventKinds.HttpProxyAbsolute] = "HTTP request",
        [EventKinds.HttpBadRequest] = "HTTP request",
        [EventKinds.HttpServerError] = "HTTP server error",
        [EventKinds.HttpServerBanner] = "Service start",
        [EventKinds.HttpServerLog] = "Event Recorded",
        [EventKinds.HttpAuthFailure] = "Failed login",
        [EventKinds.HttpAccessDenied] = "HTTP access denied",
        [EventKinds.HttpNotFound] = "HTTP request",
    });

    private static Dictionary<string, string> WithFileSystemKinds(Dictionary<string, string> table)
    {
        foreach (var (kind, description) in Macb.AllKinds()) table.Add(kind, description);
        return table;
    }

    /// <summary>The event kinds of <see cref="EventKinds"/> (its public string constants) and the generated fs.* kinds of <see cref="Macb"/>.</summary>
    public static IEnumerable<string> AllKinds() =>
        typeof(EventKinds).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string)).Select(f => (string)f.GetRawConstantValue()!)
            .Concat(Macb.AllKinds().Select(k => k.Kind));
}
