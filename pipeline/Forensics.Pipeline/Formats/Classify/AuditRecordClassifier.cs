using System.Buffers;
using System.Text;
using Forensics.Pipeline.Formats.Audit;
using Forensics.Pipeline.Model;

namespace Forensics.Pipeline.Formats.Classify;

/// <summary>
/// Maps Linux audit records to events and columns, whether they come from audit.log (Formats/Audit) or ride
/// in the journal / syslog (<c>audit[pid]: USER_LOGIN pid=... msg='...'</c>): one parser, one mapping.
/// </summary>
public static class AuditRecordClassifier
{
    public static readonly ExtraColumn Type = new("audit_type", ColumnType.String, "Record type(s): USER_LOGIN, or the types of a grouped event joined by ',' (SYSCALL,EXECVE,PROCTITLE)");
    public static readonly ExtraColumn Serial = new("audit_serial", ColumnType.Int64, "Event serial of msg=audit(time:SERIAL); records of one event share it");
    public static readonly ExtraColumn Result = new("audit_result", ColumnType.String, "success / failed, from res= (success|yes|1 / failed|no|0) or SYSCALL success=");
    public static readonly ExtraColumn Exe = new("audit_exe", ColumnType.String, "exe= (hex-decoded when encoded)");
    public static readonly ExtraColumn Terminal = new("audit_terminal", ColumnType.String, "terminal= (ssh, /dev/pts/0, cron, ...); null for '?'");
    public static readonly ExtraColumn Hostname = new("audit_hostname", ColumnType.String, "hostname= of user-space records (the remote peer name); null for '?'");
    public static readonly ExtraColumn Op = new("audit_op", ColumnType.String, "op= (login, PAM:authentication, add-user, ...)");
    public static readonly ExtraColumn Fields = new("audit_fields", ColumnType.String, "JSON object of every key=value (inner msg, decoded hex, enriched UPPER-CASE fields); later records of a grouped event under _records");

    public static readonly ExtraColumn Key = new("audit_key", ColumnType.String, "key= of the audit rules that matched (auditctl -k); several keys joined by ','");

    public static IReadOnlyList<ExtraColumn> Columns { get; } = [Type, Serial, Result, Exe, Terminal, Hostname, Op, Key, Fields];

    /// <summary>Classifies the text of an audit record carried by journal or syslog; leaves the event alone if it is not one.</summary>
    public static void Classify(ForensicEvent e, ReadOnlySpan<char> message)
    {
        int max = Encoding.UTF8.GetMaxByteCount(message.Length);
        byte[] rented = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            int n = Encoding.UTF8.GetBytes(message, rented);
            var record = new AuditRecord();
            if (!AuditRecordParser.TryParseCarried(rented.AsSpan(0, n), record)) return;
            Apply(e, [record], setProcessAndHost: false);
        }
        finally { ArrayPool<byte>.Shared.Return(rented); }
    }

    /// <summary>Fills the event from the records of one audit event (one record, or a same-serial group).</summary>
    public static void Apply(ForensicEvent e, IReadOnlyList<AuditRecord> records, bool setProcessAndHost, IReadOnlyDictionary<long, string>? userNames = null)
    {
        var first = records[0];
        e.Event = KindOf(first.Type);
        if (e.Event == EventKinds.AuditOther)
            foreach (var r in records)
                if (r.Type == "SYSCALL") { e.Event = EventKinds.AuditSyscall; break; }

        e.Set(Type, records.Count == 1 ? first.Type : string.Join(',', records.Select(r => r.Type)));
        if (first.Serial is { } serial) e.Set(Serial, serial);
        // A carried record keeps its carrier's time (journal/syslog fill ts and ts_quality; the audit stamp is
        // usually the same instant); audit.log has no other time.
        if (setProcessAndHost && first.TsMicros is { } ts) { e.TsMicros = ts; e.TsQuality = TsQuality.Exact; }

        string? acct = Find(records, "acct"), addr = Find(records, "addr"), exe = Find(records, "exe");
        string? res = Find(records, "res") ?? Find(records, "success");
        e.User = Known(acct) ?? UserFromId(records, userNames);
        e.SrcIp = Known(addr);
        e.Set(Exe, Known(exe));
        e.Set(Terminal, Known(Find(records, "terminal")));
        e.Set(Hostname, Known(Find(records, "hostname")));
        e.Set(Op, Known(Find(records, "op")));
        e.Set(Key, Keys(records));
        e.Set(Result, res switch
        {
            "success" or "yes" or "1" => "success",
            "failed" or "no" or "0" => "failed",
            _ => Known(res),
        });
        if (e.Pid is null && long.TryParse(Find(records, "pid"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long pid)) e.Pid = pid;
        if (setProcessAndHost)
        {
            var comm = Known(Find(records, "comm"));
            e.Process = comm ?? (exe is null ? null : Known(Path.GetFileName(exe)));
            if (first.Node is not null) e.Host = first.Node;
        }
        e.Set(Fields, AuditRecordParser.FieldsJson(records));
    }

    /// <summary>
    /// The account of a record that names it by uid only: sshd's successful USER_LOGIN carries <c>id=UID</c> and no
    /// acct= (openssh audit-linux.c calls audit_log_acct_message with the uid when the login succeeded). The
    /// enriched log translates it (<c>ID="root"</c>); otherwise the evidence's passwd names it, uid 0 is root
    /// everywhere, and an unresolved uid is kept as its digits.
    /// </summary>
    private static string? UserFromId(IReadOnlyList<AuditRecord> records, IReadOnlyDictionary<long, string>? userNames)
    {
        // id= is a uid only in user-space login/credential records (in ADD_GROUP it is a gid).
        var user = records.FirstOrDefault(r => r.Type.StartsWith("USER_", StringComparison.Ordinal) || r.Type.StartsWith("CRED_", StringComparison.Ordinal));
        if (user is null) return null;
        if (Known(user.Get("ID")) is { } translated && !translated.StartsWith("unknown(", StringComparison.Ordinal)) return translated;
        var id = user.Get("id");
        if (!long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long uid) || uid == uint.MaxValue) return null;
        if (userNames is not null && userNames.TryGetValue(uid, out var name)) return name;
        return uid == 0 ? "root" : id;
    }

    /// <summary>Every key= of the event (a record may hold several, see AuditRecordParser), joined by ','; null for none or "(null)".</summary>
    private static string? Keys(IReadOnlyList<AuditRecord> records)
    {
        string? single = null;
        List<string>? all = null;
        foreach (var r in records)
            foreach (var kv in r.Fields)
            {
                if (!(kv.Key == "key" || kv.Key.StartsWith("key_", StringComparison.Ordinal)) || Known(kv.Value) is not { } k) continue;
                if (single is null) { single = k; continue; }
                if (k == single || (all?.Contains(k) ?? false)) continue;
                (all ??= [single]).Add(k);
            }
        return all is null ? single : string.Join(',', all);
    }

    private static string? Find(IReadOnlyList<AuditRecord> records, string key)
    {
        foreach (var r in records)
            if (r.Get(key) is { } v) return v;
        return null;
    }

    // auditd writes "?" for unknown, "(unknown)" / "(invalid user)" for names it could not resolve; the raw
    // text stays in audit_fields.
    private static string? Known(string? v) =>
        v is null or "" or "?" or "(unknown)" or "(invalid user)" or "(none)" or "(null)" ? null : v;

    public static string KindOf(string type) => type switch
    {
        "USER_LOGIN" => EventKinds.AuditUserLogin,
        "USER_AUTH" => EventKinds.AuditUserAuth,
        "USER_ACCT" => EventKinds.AuditUserAcct,
        "USER_ERR" => EventKinds.AuditUserErr,
        "CRED_ACQ" => EventKinds.AuditCredAcq,
        "CRED_DISP" => EventKinds.AuditCredDisp,
        "CRED_REFR" => EventKinds.AuditCredRefr,
        "USER_START" => EventKinds.AuditUserStart,
        "USER_END" => EventKinds.AuditUserEnd,
        "CRYPTO_KEY_USER" => EventKinds.AuditCryptoKeyUser,
        "CRYPTO_SESSION" => EventKinds.AuditCryptoSession,
        "SERVICE_START" => EventKinds.AuditServiceStart,
        "SERVICE_STOP" => EventKinds.AuditServiceStop,
        "ANOM_ABEND" => EventKinds.AuditAnomAbend,
        "SYSCALL" => EventKinds.AuditSyscall,
        _ => EventKinds.AuditOther,
    };
}
