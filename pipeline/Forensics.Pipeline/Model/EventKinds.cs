namespace Forensics.Pipeline.Model;

/// <summary>
/// The catalogue of <c>event</c> values. Names are dotted, family first, and are a contract for queries.
/// Each constant's comment says which records produce it. README's "Event catalogue" lists the same.
/// </summary>
public static class EventKinds
{
    // Generic
    /// <summary>A record of a known format that no classifier recognised; its text is kept in message.</summary>
    public const string LogLine = "log.line";

    // sshd / sshd-session (OpenSSH); classifier: Formats/Classify/SshdClassifier.cs
    public const string SshInvalidUser = "ssh.invalid_user";                 // Invalid user X from IP port P
    public const string SshFailedPassword = "ssh.failed_password";           // Failed password for [invalid user] X from IP port P ssh2
    public const string SshFailedPublickey = "ssh.failed_publickey";         // Failed publickey for ...
    public const string SshFailedOther = "ssh.failed_auth";                  // Failed keyboard-interactive/pam, none, hostbased ...
    public const string SshAcceptedPassword = "ssh.accepted_password";       // Accepted password for X from IP port P ssh2
    public const string SshAcceptedPublickey = "ssh.accepted_publickey";     // Accepted publickey for X from IP port P ssh2: RSA SHA256:...
    public const string SshAcceptedOther = "ssh.accepted_other";             // Accepted keyboard-interactive/pam, gssapi ...
    public const string SshConnectionClosed = "ssh.connection_closed";       // Connection closed by [invalid|authenticating user X] IP port P [preauth]
    public const string SshDisconnected = "ssh.disconnected";                // Disconnected from [invalid|authenticating user X|user X] IP port P
    public const string SshReceivedDisconnect = "ssh.received_disconnect";   // Received disconnect from IP port P:11: ... [preauth]
    public const string SshTooManyFailures = "ssh.too_many_auth_failures";   // Disconnecting ...: Too many authentication failures / maximum authentication attempts exceeded
    public const string SshNegotiationFailed = "ssh.negotiation_failed";     // Unable to negotiate with IP port P: no matching ...
    public const string SshKexError = "ssh.kex_error";                       // error: kex_exchange_identification: ... / banner exchange / kex_protocol_error
    public const string SshNoIdentification = "ssh.no_identification";      // Did not receive identification string from IP port P
    public const string SshConnectionReset = "ssh.connection_reset";         // Connection reset by [...] IP port P [preauth]
    public const string SshBadProtocol = "ssh.bad_protocol";                 // Bad protocol version identification ... / invalid format
    public const string SshMaxStartups = "ssh.max_startups";                 // drop connection #N from [...]: past MaxStartups / beginning MaxStartups throttling
    public const string SshReverseMappingFailed = "ssh.reverse_mapping";     // reverse mapping checking getaddrinfo ... POSSIBLE BREAK-IN ATTEMPT / Address X maps to ...
    public const string SshUserNotAllowed = "ssh.user_not_allowed";         // User X from IP not allowed because ...
    public const string SshConnection = "ssh.connection";                    // Connection from IP port P on IP port 22 (LogLevel VERBOSE)
    public const string SshAuthTimeout = "ssh.auth_timeout";                 // fatal: Timeout before authentication for IP port P
    public const string SshSessionStarted = "ssh.session_started";           // Starting session: shell on pts/0 for X from IP port P id 0 (VERBOSE) / subsystem request for sftp by user X
    public const string SshConnectionInfo = "ssh.connection_info";           // SSH: Server;Ltype: Version|Kex|Authname;Remote: IP-PORT;... (vendor sshd builds)
    public const string SshConnectionRefused = "ssh.connection_refused";     // refused connect from NAME (IP) (TCP wrappers)
    public const string SshServerListening = "ssh.server_listening";         // Server listening on 0.0.0.0 port 22.
    public const string SshServerTerminating = "ssh.server_terminating";     // Received signal 15; terminating.
    public const string PamSessionOpened = "pam.session_opened";             // pam_unix(sshd:session): session opened for user X(uid=0) by (uid=0)
    public const string PamSessionClosed = "pam.session_closed";             // pam_unix(sshd:session): session closed for user X
    public const string PamAuthFailure = "pam.auth_failure";                 // pam_unix(sshd:auth): authentication failure; ... rhost=IP user=X
    public const string PamCheckPassUnknownUser = "pam.unknown_user";        // pam_unix(sshd:auth): check pass; user unknown
    public const string PamMoreFailures = "pam.more_failures";               // PAM N more authentication failures; ... rhost=IP user=X
    public const string LogindNewSession = "logind.new_session";             // systemd-logind: New session N of user X.
    public const string LogindSessionRemoved = "logind.session_removed";     // systemd-logind: Removed session N.
    public const string SudoCommand = "sudo.command";                        // sudo: X : TTY=... ; PWD=... ; USER=root ; COMMAND=...
    public const string SuSession = "su.session";                            // su: (to root) X on pts/0

    // systemd unit lifecycle (journal and syslog); classifier: Formats/Classify/SystemdClassifier.cs
    public const string UnitStarting = "systemd.unit_starting";              // Starting X...
    public const string UnitStarted = "systemd.unit_started";                // Started X.
    public const string UnitStopping = "systemd.unit_stopping";              // Stopping X...
    public const string UnitStopped = "systemd.unit_stopped";                // Stopped X.
    public const string UnitDeactivated = "systemd.unit_deactivated";        // X: Deactivated successfully.
    public const string UnitFailed = "systemd.unit_failed";                  // X: Failed with result 'signal'.
    public const string UnitMainProcessExited = "systemd.main_process_exited"; // X: Main process exited, code=killed, status=9/KILL
    public const string UnitFailedToStart = "systemd.failed_to_start";       // Failed to start X.
    public const string UnitCpuConsumed = "systemd.cpu_consumed";            // X: Consumed 54.919s CPU time.
    public const string UnitTimeout = "systemd.unit_timeout";                // X: State 'stop-sigterm' timed out. Killing. / start operation timed out
    public const string UnitKilling = "systemd.unit_killing";                // X: Killing process N (dnf) with signal SIGKILL.
    public const string TimerTriggered = "systemd.timer_triggered";          // X.timer: Triggered ... / dnf-makecache.timer started the service
    public const string SystemBoot = "system.boot";                          // journal/kernel boot marker, wtmp reboot record
    public const string SystemShutdown = "system.shutdown";                  // wtmp shutdown record, systemd "Reached target Shutdown"

    // Linux audit (audit.log, or audit records carried in journal/syslog); parser: Formats/Audit
    public const string AuditUserLogin = "audit.user_login";
    public const string AuditUserAuth = "audit.user_auth";
    public const string AuditUserAcct = "audit.user_acct";
    public const string AuditUserErr = "audit.user_err";
    public const string AuditCredAcq = "audit.cred_acq";
    public const string AuditCredDisp = "audit.cred_disp";
    public const string AuditCredRefr = "audit.cred_refr";
    public const string AuditUserStart = "audit.user_start";
    public const string AuditUserEnd = "audit.user_end";
    public const string AuditCryptoKeyUser = "audit.crypto_key_user";
    public const string AuditCryptoSession = "audit.crypto_session";
    public const string AuditServiceStart = "audit.service_start";
    public const string AuditServiceStop = "audit.service_stop";
    public const string AuditAnomAbend = "audit.anom_abend";
    public const string AuditSyscall = "audit.syscall";                      // SYSCALL (+EXECVE/PROCTITLE/PATH/CWD of the same serial)
    public const string AuditOther = "audit.other";                          // any other record type; type kept in audit_type

    // wtmp / btmp / utmp / lastlog; parser: Formats/Utmp
    public const string LoginSessionStart = "login.session_start";          // USER_PROCESS
    public const string LoginSessionEnd = "login.session_end";              // DEAD_PROCESS
    public const string LoginFailed = "login.failed";                       // btmp record
    public const string LoginRunLevel = "login.run_level";                  // RUN_LVL
    public const string LoginClockChange = "login.clock_change";            // NEW_TIME / OLD_TIME
    public const string LoginProcess = "login.login_process";               // LOGIN_PROCESS / INIT_PROCESS in wtmp/utmp
    public const string LoginAccounting = "login.accounting";               // ACCOUNTING
    public const string LastLogin = "login.lastlog";                        // lastlog slot

    // Web access logs; parser: Formats/Web
    public const string HttpRequest = "http.request";
    public const string HttpProxyConnect = "http.proxy_connect";             // CONNECT host:port
    public const string HttpProxyAbsolute = "http.proxy_absolute";           // GET http://host/ ...
    public const string HttpBadRequest = "http.bad_request";                 // malformed request line / Werkzeug "code 400"
    public const string HttpServerError = "http.server_error";               // 5xx, tracebacks
    public const string HttpServerBanner = "http.server_banner";             // Werkzeug start-up banner lines
    public const string HttpServerLog = "http.server_log";                   // other non-request lines of a server log

    // Web server error logs; parser: Formats/Web/WebErrorLogFormat
    public const string HttpAuthFailure = "http.auth_failure";               // basic auth: wrong password, unknown user, no credentials, wrong scheme
    public const string HttpAccessDenied = "http.access_denied";             // Apache "client denied by server configuration", nginx "access forbidden by rule"
    public const string HttpNotFound = "http.not_found";                     // Apache "File does not exist", nginx open() ... (2: No such file or directory)

    // File-system timeline (bodyfile / mactime format); parser: Formats/Bodyfile. The kinds are generated, one per
    // combination of the MACB letters that share a time (fs.m, fs.mc, …, fs.macb) and fs.no_time: see Macb.
}
