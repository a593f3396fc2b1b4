#!/usr/bin/python3
"""Event generator for the droplet1 sample case (called by make-droplet1.sh).

Writes, into OUTDIR, the *inputs* that real programs turn into evidence files:
  journal.export    systemd journal export stream  -> systemd-journal-remote
  wtmp.txt          utmpdump text                   -> utmpdump -r  (var/log/wtmp)
  btmp.txt          utmpdump text                   -> utmpdump -r  (var/log/btmp)
  web-plan.tsv      requests that make-droplet1.sh replays with curl/nc against a
                    real Flask development server (nohup.log)
  raw-*.bin         raw byte payloads for nc (TLS ClientHello etc.)

Everything is deterministic (fixed seed, fixed ids); the story is in README.md.
"""
import base64
import calendar
import hashlib
import os
import random
import sys

SEED = 20240521
R = random.Random(SEED)

HOST = "droplet1"
MACHINE_ID = "4c5e1f0b9a2d4e7f8b1c3d5a6e7f9012"
BOOT_ID = "b7d3a9e1c5f24680a1b2c3d4e5f60718"
KERNEL = "6.8.9-100.fc38.x86_64"
DROPLET_IP = "164.90.152.37"
OWNER_IP = "174.72.166.246"
CONSOLE_IP = "162.243.190.66"
SSHD_INVOCATION = "0d6c1f2a9b8e4c3d8e7f6a5b4c3d2e1f"
LOGIND_INVOCATION = "5e4d3c2b1a0f49e8a7b6c5d4e3f2a1b0"
SUBJ_SSHD = "system_u:system_r:sshd_t:s0-s0:c0.c1023"
SUBJ_INIT = "system_u:system_r:init_t:s0"
HOSTKEY_FPS = [  # server host keys (rsa, ecdsa, ed25519) as Fedora's sshd audit patch prints them
    "SHA256:" + base64.b64encode(hashlib.sha256(("droplet1 host key %d" % i).encode()).digest()).decode().rstrip("=")
    for i in range(3)
]
OWNER_KEY_FP = "SHA256:" + base64.b64encode(hashlib.sha256(b"owner laptop id_rsa").digest()).decode().rstrip("=")


def ts(y, mo, d, h, mi, s, us=0):
    return calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0)) * 1_000_000 + us


BOOT_US = ts(2024, 5, 2, 9, 14, 26, 118_409)      # kernel start of the current boot
WINDOW_START = ts(2024, 5, 19, 0, 0, 0)
WINDOW_END = ts(2024, 5, 21, 14, 24, 0)
DNF_START = ts(2024, 5, 21, 4, 44, 20, 3_117)
DNF_KILL = ts(2024, 5, 21, 13, 50, 9, 512_887)
SPECIAL_95 = ts(2024, 5, 21, 4, 43, 10, 840_112)  # the 95.223.184.224 connection (pid 2856055)
SESSION11 = (ts(2024, 5, 19, 21, 7, 33, 204_518), ts(2024, 5, 19, 21, 26, 10, 77_301), 50688, 11)
SESSION12 = (ts(2024, 5, 21, 14, 2, 51, 651_930), ts(2024, 5, 21, 14, 19, 20, 430_226), 52124, 12)

# ---------------------------------------------------------------- pid model
# PIDs grow roughly linearly; anchored so that the 95.223.184.224 connection is
# 2856055 and dnf (May 21 04:44:20) is 2856179, as in the case notes.
PID_RATE = (2856179 - 2856055) / ((DNF_START - SPECIAL_95) / 1e6)


def pid_at(t):
    return int(round(2856055 + (t - SPECIAL_95) / 1e6 * PID_RATE))


used_pids = set()


def alloc_pid(t, width=1):
    p = pid_at(t)
    while any((p + i) in used_pids for i in range(width)):
        p += 1
    for i in range(width):
        used_pids.add(p + i)
    return p


# ---------------------------------------------------------------- journal model
entries = []   # (realtime_us, seq, dict-as-list)
_seq = [0]
audit_serial = [512_344]


def add(realtime, fields):
    _seq[0] += 1
    entries.append((realtime, _seq[0], fields))


def syslog_ts(t):
    import time
    st = time.gmtime(t // 1_000_000)
    return "%s %2d %02d:%02d:%02d " % (
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][st.tm_mon - 1],
        st.tm_mday, st.tm_hour, st.tm_min, st.tm_sec)


def sshd(t, pid, msg, prio=6, cmdline="sshd: unknown [priv]", login=None):
    f = [("PRIORITY", str(prio)), ("_UID", "0"), ("_GID", "0"), ("_SYSTEMD_SLICE", "system.slice"),
         ("_CAP_EFFECTIVE", "1ffffffffff"), ("_TRANSPORT", "syslog"), ("SYSLOG_FACILITY", "10"),
         ("SYSLOG_IDENTIFIER", "sshd"), ("SYSLOG_PID", str(pid)), ("SYSLOG_TIMESTAMP", syslog_ts(t)),
         ("MESSAGE", msg), ("_PID", str(pid)), ("_COMM", "sshd"), ("_EXE", "/usr/sbin/sshd"),
         ("_CMDLINE", '"%s"' % cmdline if " " in cmdline else cmdline),
         ("_SELINUX_CONTEXT", SUBJ_SSHD)]
    if login is not None:
        f += [("_AUDIT_SESSION", str(login)), ("_AUDIT_LOGINUID", "0")]
    f += [("_SYSTEMD_CGROUP", "/system.slice/sshd.service"), ("_SYSTEMD_UNIT", "sshd.service"),
          ("_SYSTEMD_INVOCATION_ID", SSHD_INVOCATION),
          ("_SOURCE_REALTIME_TIMESTAMP", str(t - R.randint(40, 400)))]
    add(t, f)


AUDIT_TYPES = {"USER_AUTH": 1100, "USER_ACCT": 1101, "CRED_ACQ": 1103, "CRED_DISP": 1104,
               "USER_START": 1105, "USER_END": 1106, "USER_ERR": 1109, "USER_LOGIN": 1112,
               "USER_LOGOUT": 1113, "SERVICE_START": 1130, "SERVICE_STOP": 1131,
               "LOGIN": 1006, "CRYPTO_KEY_USER": 2404, "CRYPTO_SESSION": 2407}


def _audit_user_fields(body):
    """journald's map_fields_userspace: quoted -> unquoted, hex -> decoded, AUDIT_FIELD_<UPPER>."""
    out = []
    i = 0
    while i < len(body):
        while i < len(body) and body[i] == " ":
            i += 1
        if i >= len(body):
            break
        eq = body.find("=", i)
        key = body[i:eq]
        j = eq + 1
        if j < len(body) and body[j] == '"':
            k = body.find('"', j + 1)
            val = body[j + 1:k]
            i = k + 1
        else:
            k = body.find(" ", j)
            k = len(body) if k < 0 else k
            val = body[j:k]
            i = k
            if key in ("acct", "exe", "cwd", "cmd", "comm") and val and all(c in "0123456789ABCDEF" for c in val) and len(val) % 2 == 0:
                val = bytes.fromhex(val).decode()
        out.append(("AUDIT_FIELD_" + key.upper().replace("-", "_"), val))
    return out


def audit(t, typ, pid, body, uid=0, auid=4294967295, ses=4294967295, subj=SUBJ_SSHD, kernel_extra=""):
    """An audit record as journald (_TRANSPORT=audit) stores it."""
    audit_serial[0] += 1
    src = t - R.randint(300, 3000)
    src_ms = src // 1000 * 1000
    if typ == "LOGIN":
        text = "pid=%d uid=%d subj=%s old-auid=4294967295 auid=%d tty=(none) old-ses=4294967295 ses=%d res=1" % (
            pid, uid, subj, auid, ses)
    else:
        text = "pid=%d uid=%d auid=%d ses=%d subj=%s msg='%s'" % (pid, uid, auid, ses, subj, body)
    f = [("_TRANSPORT", "audit"), ("_SOURCE_REALTIME_TIMESTAMP", str(src_ms)),
         ("_AUDIT_TYPE", str(AUDIT_TYPES[typ])), ("_AUDIT_ID", str(audit_serial[0])),
         ("SYSLOG_FACILITY", "4"), ("SYSLOG_IDENTIFIER", "audit"), ("_AUDIT_TYPE_NAME", typ),
         ("MESSAGE", typ + " " + text), ("_PID", str(pid)), ("_UID", str(uid))]
    if typ == "LOGIN":
        f += [("_SELINUX_CONTEXT", subj), ("_AUDIT_FIELD_OLD_AUID", "4294967295"),
              ("_AUDIT_LOGINUID", str(auid)), ("_TTY", "(none)"), ("_AUDIT_FIELD_OLD_SES", "4294967295"),
              ("_AUDIT_SESSION", str(ses)), ("_AUDIT_FIELD_RES", "1")]
    else:
        f += [("_AUDIT_LOGINUID", str(auid)), ("_AUDIT_SESSION", str(ses)), ("_SELINUX_CONTEXT", subj)]
        f += _audit_user_fields(body)
    add(t, f)


INVALID_HEX = "(invalid user)".encode().hex().upper()


def crypto_destroy(t, pid, ip):
    for k, fp in enumerate(HOSTKEY_FPS):
        audit(t + k * 37, "CRYPTO_KEY_USER", pid,
              'op=destroy kind=server fp=%s direction=? spid=%d suid=0  exe="/usr/sbin/sshd" hostname=? addr=%s terminal=? res=success'
              % (fp, pid, ip))


def systemd1(t, msg, unit, prio=6, extra=(), code=("src/core/job.c", "744", "job_emit_done_message"), mid=None):
    f = [("PRIORITY", str(prio)), ("SYSLOG_FACILITY", "3"), ("SYSLOG_IDENTIFIER", "systemd"), ("_UID", "0"),
         ("_GID", "0"), ("_TRANSPORT", "journal"), ("TID", "1"), ("CODE_FILE", code[0]), ("CODE_LINE", code[1]),
         ("CODE_FUNC", code[2])]
    if mid:
        f.append(("MESSAGE_ID", mid))
    f += list(extra)
    f += [("_PID", "1"), ("_COMM", "systemd"), ("_EXE", "/usr/lib/systemd/systemd"), ("_CAP_EFFECTIVE", "1ffffffffff"),
          ("_SYSTEMD_CGROUP", "/init.scope"), ("_SYSTEMD_UNIT", "init.scope"), ("_SYSTEMD_SLICE", "-.slice"),
          ("_CMDLINE", "/usr/lib/systemd/systemd --switched-root --system --deserialize=31"),
          ("_SELINUX_CONTEXT", SUBJ_INIT), ("MESSAGE", msg), ("UNIT", unit),
          ("_SOURCE_REALTIME_TIMESTAMP", str(t - R.randint(5, 90)))]
    add(t, f)


def logind(t, msg, mid=None, extra=()):
    f = [("PRIORITY", "6"), ("_UID", "0"), ("_GID", "0"), ("_SYSTEMD_SLICE", "system.slice"), ("_TRANSPORT", "journal"),
         ("SYSLOG_FACILITY", "4"), ("CODE_FILE", "src/login/logind-session.c"), ("SYSLOG_IDENTIFIER", "systemd-logind")]
    if mid:
        f.append(("MESSAGE_ID", mid))
    f += list(extra)
    f += [("MESSAGE", msg), ("_PID", "741"), ("_COMM", "systemd-logind"), ("_EXE", "/usr/lib/systemd/systemd-logind"),
          ("_CMDLINE", "/usr/lib/systemd/systemd-logind"), ("_CAP_EFFECTIVE", "24420020f"),
          ("_SELINUX_CONTEXT", "system_u:system_r:systemd_logind_t:s0"),
          ("_SYSTEMD_CGROUP", "/system.slice/systemd-logind.service"), ("_SYSTEMD_UNIT", "systemd-logind.service"),
          ("_SYSTEMD_INVOCATION_ID", LOGIND_INVOCATION), ("_SOURCE_REALTIME_TIMESTAMP", str(t - R.randint(5, 90)))]
    add(t, f)


def dnf_line(t, pid, invocation, msg):
    add(t, [("PRIORITY", "6"), ("SYSLOG_FACILITY", "3"), ("_UID", "0"), ("_GID", "0"),
            ("_SYSTEMD_SLICE", "system.slice"), ("_CAP_EFFECTIVE", "1ffffffffff"), ("_TRANSPORT", "stdout"),
            ("_SELINUX_CONTEXT", "system_u:system_r:rpm_t:s0"), ("_EXE", "/usr/bin/python3.11"),
            ("_STREAM_ID", hashlib.md5(("stream%d" % pid).encode()).hexdigest()),
            ("SYSLOG_IDENTIFIER", "dnf"), ("MESSAGE", msg), ("_PID", str(pid)), ("_COMM", "dnf"),
            ("_CMDLINE", "/usr/bin/python3 /usr/bin/dnf makecache --timer"),
            ("_SYSTEMD_CGROUP", "/system.slice/dnf-makecache.service"), ("_SYSTEMD_UNIT", "dnf-makecache.service"),
            ("_SYSTEMD_INVOCATION_ID", invocation)])


def inv_id(tag):
    return hashlib.md5(("inv-" + tag).encode()).hexdigest()


def service_audit(t, unit, typ, res):
    audit(t, typ, 1, 'unit=%s comm="systemd" exe="/usr/lib/systemd/systemd" hostname=? addr=? terminal=? res=%s'
          % (unit, res), subj=SUBJ_INIT)


REPOS = [("Fedora 38 - x86_64", "83 MB", 31), ("Fedora 38 openh264 (From Cisco) - x86_64", "2.5 kB", 1),
         ("Fedora Modular 38 - x86_64", "2.8 MB", 1), ("Fedora 38 - x86_64 - Updates", "4.6 MB", 3),
         ("Fedora Modular 38 - x86_64 - Updates", "2.1 MB", 1)]


def repo_line(name, size, secs, speed):
    return "%-48s%9s | %6s     00:%02d" % (name, speed, size, secs)


def speed_of(size, secs):
    n, unit = size.split()
    b = float(n) * {"kB": 1e3, "MB": 1e6}[unit] / (secs + R.uniform(0.1, 0.9))
    return "%.1f MB/s" % (b / 1e6) if b >= 1e6 else ("%.0f kB/s" % (b / 1e3) if b >= 1e4 else "%.1f kB/s" % (b / 1e3))


def dnf_run(t, refresh, hang=False):
    """One dnf-makecache.service activation (Type=oneshot) started by dnf-makecache.timer."""
    pid = 2856179 if hang else alloc_pid(t)
    used_pids.add(pid)
    inv = inv_id("dnf%d" % t)
    jid = str(20000 + (t // 3_600_000_000) % 10000)
    systemd1(t, "Starting dnf-makecache.service - dnf makecache...", "dnf-makecache.service",
             code=("src/core/job.c", "581", "job_emit_start_message"), mid="7d4958e842da4a758f6c1cdc7b36dcc5",
             extra=[("JOB_TYPE", "start"), ("JOB_ID", jid), ("INVOCATION_ID", inv)])
    u = t + 1_070_000
    if hang:
        lines = [(u, "Fedora 38 - x86_64                               34 kB/s |  23 kB     00:00"),
                 (u + 1_210_330, "Fedora 38 openh264 (From Cisco) - x86_64        1.4 kB/s | 989  B     00:00"),
                 (u + 2_402_112, "Fedora Modular 38 - x86_64                       52 kB/s |  24 kB     00:00"),
                 (u + 5_870_004, "Fedora 38 - x86_64 - Updates                    1.3 MB/s | 4.6 MB     00:03")]
        for (lt, m) in lines:
            dnf_line(lt, pid, inv, m)
        # ... and nothing more from this unit: it hangs until killed at 13:50:09
        k = DNF_KILL
        systemd1(k, "dnf-makecache.service: Main process exited, code=killed, status=9/KILL",
                 "dnf-makecache.service", prio=5, code=("src/core/service.c", "3403", "service_sigchld_event"),
                 mid="98e322203f7a4ed290d09fe03c09fe15",
                 extra=[("EXIT_CODE", "killed"), ("EXIT_STATUS", "9"), ("INVOCATION_ID", inv)])
        systemd1(k + 318, "dnf-makecache.service: Failed with result 'signal'.", "dnf-makecache.service", prio=4,
                 code=("src/core/unit.c", "5804", "unit_log_failure"), mid="d9b373ed55a64feb8242e02dbe79a49c",
                 extra=[("UNIT_RESULT", "signal"), ("INVOCATION_ID", inv)])
        systemd1(k + 2_051, "Failed to start dnf-makecache.service - dnf makecache.", "dnf-makecache.service",
                 prio=3, code=("src/core/job.c", "768", "job_emit_done_message"),
                 mid="39f53479d3a045ac8e11786248231fbf",
                 extra=[("JOB_TYPE", "start"), ("JOB_RESULT", "failed"), ("JOB_ID", jid), ("INVOCATION_ID", inv)])
        service_audit(k + 2_410, "dnf-makecache", "SERVICE_START", "failed")
        systemd1(k + 2_992, "dnf-makecache.service: Consumed 54.919s CPU time.", "dnf-makecache.service",
                 code=("src/core/unit.c", "2349", "unit_log_resources"), mid="ae8f7b866b0347b9af31fe1c80b127c0",
                 extra=[("CPU_USAGE_NSEC", "54919482000"), ("INVOCATION_ID", inv)])
        return
    if refresh:
        u2 = u
        for name, size, secs in REPOS:
            u2 += (secs + R.uniform(0.3, 1.2)) * 1_000_000
            speed = speed_of(size, secs)
            dnf_line(int(u2), pid, inv, repo_line(name, size, secs, speed))
        u2 += 1_900_000 + R.randint(0, 900_000)
        dnf_line(int(u2), pid, inv, "Metadata cache created.")
        cpu = R.uniform(40, 58)
    else:
        u2 = u + R.randint(200_000, 600_000)
        dnf_line(u2, pid, inv, "Metadata cache refreshed recently.")
        cpu = R.uniform(1.1, 1.9)
    e = int(u2) + R.randint(40_000, 160_000)
    systemd1(e, "dnf-makecache.service: Deactivated successfully.", "dnf-makecache.service",
             code=("src/core/unit.c", "5735", "unit_log_success"), mid="7ad2d189f7e94e70a38c781354912448",
             extra=[("INVOCATION_ID", inv)])
    systemd1(e + 190, "Finished dnf-makecache.service - dnf makecache.", "dnf-makecache.service",
             mid="39f53479d3a045ac8e11786248231fbf",
             extra=[("JOB_TYPE", "start"), ("JOB_RESULT", "done"), ("JOB_ID", jid), ("INVOCATION_ID", inv)])
    service_audit(e + 260, "dnf-makecache", "SERVICE_START", "success")
    service_audit(e + 300, "dnf-makecache", "SERVICE_STOP", "success")
    systemd1(e + 420, "dnf-makecache.service: Consumed %.3fs CPU time." % cpu, "dnf-makecache.service",
             code=("src/core/unit.c", "2349", "unit_log_resources"), mid="ae8f7b866b0347b9af31fe1c80b127c0",
             extra=[("CPU_USAGE_NSEC", str(int(cpu * 1e9))), ("INVOCATION_ID", inv)])


# ---------------------------------------------------------------- utmp model
wtmp = []   # (time_us, line)
btmp = []


def ut(typ, pid, uid, user, line, host, addr, t_us):
    s = t_us // 1_000_000
    us = t_us % 1_000_000
    import time
    st = time.gmtime(s)
    stamp = "%04d-%02d-%02dT%02d:%02d:%02d,%06d+00:00" % (st.tm_year, st.tm_mon, st.tm_mday, st.tm_hour,
                                                          st.tm_min, st.tm_sec, us)
    return "[%d] [%05d] [%-4s] [%-8s] [%-12s] [%-20s] [%-15s] [%s]\n" % (
        typ, pid, uid, user, line, host, addr, stamp)


def btmp_fail(t, pid, user, ip):
    btmp.append((t, ut(6, pid, "", user, "ssh:notty", ip, ip, t // 1_000_000 * 1_000_000)))


# ---------------------------------------------------------------- SSH bots
INVALID_USERS = ["pi", "tomcat", "node", "oracle", "www", "red5", "hive", "palworld", "gpadmin", "sol",
                 "admin", "ubuntu", "test", "user", "postgres", "ftpuser", "git", "deploy", "hadoop", "es",
                 "minecraft", "steam", "guest", "jenkins", "mysql", "dev", "nginx", "ts3", "oscar", "debian"]
MUST_USERS = ["pi", "tomcat", "node", "oracle", "www", "red5", "hive", "palworld", "gpadmin", "sol"]


def rand_ip(rr):
    while True:
        a = rr.choice([1, 2, 5, 14, 27, 36, 43, 45, 49, 58, 59, 61, 62, 77, 79, 80, 81, 85, 87, 91, 92, 94,
                       101, 103, 106, 110, 111, 112, 113, 114, 116, 117, 118, 119, 120, 121, 122, 123, 124,
                       125, 128, 134, 137, 139, 141, 143, 146, 150, 152, 154, 157, 159, 161, 165, 167, 170,
                       175, 176, 178, 180, 181, 182, 185, 186, 188, 190, 193, 194, 195, 196, 197, 200, 201,
                       202, 203, 206, 210, 211, 212, 213, 216, 218, 219, 220, 221, 222, 223])
        ip = "%d.%d.%d.%d" % (a, rr.randint(0, 255), rr.randint(0, 255), rr.randint(1, 254))
        return ip


BOT_IPS = ["95.223.184.224", "183.81.169.238"] + [rand_ip(R) for _ in range(58)]
WEB_SHARED = ["183.81.169.238", BOT_IPS[7], BOT_IPS[12]]   # IPs that also probe the web site


def conn_invalid_pw(t, ip, user):
    port = R.randint(32768, 65000)
    pid = alloc_pid(t, 3)
    sshd(t, pid, "Invalid user %s from %s port %d" % (user, ip, port))
    btmp_fail(t, pid, user, ip)
    audit(t + 411, "USER_LOGIN", pid, 'op=login acct=%s exe="/usr/sbin/sshd" hostname=? addr=%s terminal=sshd res=failed'
          % (INVALID_HEX, ip))
    t2 = t + R.randint(300_000, 900_000)
    sshd(t2, pid, "pam_unix(sshd:auth): check pass; user unknown", prio=5)
    sshd(t2 + 62, pid, "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s" % ip, prio=5)
    audit(t2 + 190, "USER_AUTH", pid, 'op=PAM:authentication grantors=? acct="?" exe="/usr/sbin/sshd" hostname=%s addr=%s terminal=ssh res=failed' % (ip, ip))
    t3 = t2 + R.randint(1_800_000, 2_600_000)
    sshd(t3, pid, "Failed password for invalid user %s from %s port %d ssh2" % (user, ip, port))
    btmp_fail(t3, pid, user, ip)
    audit(t3 + 300, "USER_LOGIN", pid, 'op=login acct=%s exe="/usr/sbin/sshd" hostname=? addr=%s terminal=sshd res=failed' % (INVALID_HEX, ip))
    t4 = t3 + R.randint(150_000, 700_000)
    sshd(t4, pid, "Received disconnect from %s port %d:11: Bye Bye [preauth]" % (ip, port))
    sshd(t4 + 55, pid, "Disconnected from invalid user %s %s port %d [preauth]" % (user, ip, port))
    crypto_destroy(t4 + 400, pid, ip)


def conn_invalid_closed(t, ip, user, port=None, pid=None):
    port = port or R.randint(32768, 65000)
    pid = pid or alloc_pid(t, 3)
    sshd(t, pid, "Invalid user %s from %s port %d" % (user, ip, port))
    btmp_fail(t, pid, user, ip)
    audit(t + 402, "USER_LOGIN", pid, 'op=login acct=%s exe="/usr/sbin/sshd" hostname=? addr=%s terminal=sshd res=failed' % (INVALID_HEX, ip))
    t2 = t + R.randint(200_000, 600_000)
    sshd(t2, pid, "Connection closed by invalid user %s %s port %d [preauth]" % (user, ip, port))
    audit(t2 + 150, "USER_ERR", pid, 'op=PAM:bad_ident grantors=? acct="?" exe="/usr/sbin/sshd" hostname=%s addr=%s terminal=ssh res=failed' % (ip, ip))
    crypto_destroy(t2 + 330, pid, ip)
    audit(t2 + 470, "USER_LOGIN", pid, 'op=login acct="(unknown)" exe="/usr/sbin/sshd" hostname=? addr=%s terminal=sshd res=failed' % ip)


def conn_password(t, ip, user, attempts):
    port = R.randint(32768, 65000)
    pid = alloc_pid(t, 3)
    cmd = "sshd: %s [priv]" % user
    t2 = t
    for a in range(attempts):
        if a == 0:
            sshd(t2, pid, "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=%s" % (ip, user), prio=5, cmdline=cmd)
        audit(t2 + 140, "USER_AUTH", pid, 'op=PAM:authentication grantors=? acct="%s" exe="/usr/sbin/sshd" hostname=%s addr=%s terminal=ssh res=failed' % (user, ip, ip))
        t2 += R.randint(1_700_000, 2_900_000)
        sshd(t2, pid, "Failed password for %s from %s port %d ssh2" % (user, ip, port), cmdline=cmd)
        btmp_fail(t2, pid, user, ip)
        audit(t2 + 260, "USER_LOGIN", pid, 'op=login acct="%s" exe="/usr/sbin/sshd" hostname=? addr=%s terminal=sshd res=failed' % (user, ip))
        t2 += R.randint(300_000, 1_400_000)
    if R.random() < 0.5:
        sshd(t2, pid, "Received disconnect from %s port %d:11: Bye Bye [preauth]" % (ip, port), cmdline=cmd)
        sshd(t2 + 51, pid, "Disconnected from authenticating user %s %s port %d [preauth]" % (user, ip, port), cmdline=cmd)
    else:
        sshd(t2, pid, "Connection closed by authenticating user %s %s port %d [preauth]" % (user, ip, port), cmdline=cmd)
    if attempts > 1:
        sshd(t2 + 230, pid, "PAM %d more authentication failure%s; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=%s"
             % (attempts - 1, "s" if attempts > 2 else "", ip, user), prio=5, cmdline=cmd)
    crypto_destroy(t2 + 500, pid, ip)


def conn_scan(t, ip):
    port = R.randint(32768, 65000)
    pid = alloc_pid(t, 2)
    k = R.random()
    if k < 0.45:
        sshd(t, pid, "error: kex_exchange_identification: Connection closed by remote host", prio=3, cmdline="sshd: [accepted]")
        sshd(t + 77, pid, "Connection closed by %s port %d" % (ip, port), cmdline="sshd: [accepted]")
    elif k < 0.65:
        sshd(t, pid, "error: kex_exchange_identification: read: Connection reset by peer", prio=3, cmdline="sshd: [accepted]")
        sshd(t + 81, pid, "Connection reset by %s port %d" % (ip, port), cmdline="sshd: [accepted]")
    elif k < 0.8:
        sshd(t, pid, "error: kex_exchange_identification: banner line contains invalid characters", prio=3, cmdline="sshd: [accepted]")
        sshd(t + 69, pid, "banner exchange: Connection from %s port %d: invalid format" % (ip, port), cmdline="sshd: [accepted]")
    else:
        t2 = t + R.randint(400_000, 2_000_000)
        sshd(t2, pid, "Connection closed by %s port %d [preauth]" % (ip, port))
        crypto_destroy(t2 + 300, pid, ip)


def owner_session(login, logout, port, sesno):
    ip = OWNER_IP
    pid = alloc_pid(login, 6)
    cmd = "sshd: root [priv]"
    t = login
    audit(t - 3_100, "CRYPTO_KEY_USER", pid, 'op=negotiate kind=auth-key fp=%s direction=? spid=%d suid=0 rport=%d laddr=%s lport=22  exe="/usr/sbin/sshd" hostname=? addr=%s terminal=? res=success' % (OWNER_KEY_FP, pid, port, DROPLET_IP, ip))
    audit(t - 1_900, "USER_AUTH", pid, 'op=pubkey_auth grantors=auth-key acct="root" exe="/usr/sbin/sshd" hostname=? addr=%s terminal=ssh res=success' % ip)
    sshd(t, pid, "Accepted publickey for root from %s port %d ssh2: RSA %s" % (ip, port, OWNER_KEY_FP), cmdline=cmd)
    audit(t + 1_300, "USER_ACCT", pid, 'op=PAM:accounting grantors=pam_unix,pam_localuser acct="root" exe="/usr/sbin/sshd" hostname=%s addr=%s terminal=ssh res=success' % (ip, ip))
    crypto_destroy(t + 1_900, pid, ip)
    audit(t + 2_700, "CRED_ACQ", pid, 'op=PAM:setcred grantors=pam_env,pam_localuser,pam_unix acct="root" exe="/usr/sbin/sshd" hostname=%s addr=%s terminal=ssh res=success' % (ip, ip))
    audit(t + 3_500, "LOGIN", pid, "", auid=0, ses=sesno)
    logind(t + 9_800, "New session %d of user root." % sesno, mid="8d45620c1a4348dbb17410da57c60c66",
           extra=[("SESSION_ID", str(sesno)), ("USER_ID", "root"), ("LEADER", str(pid))])
    systemd1(t + 14_200, "Started session-%d.scope - Session %d of User root." % (sesno, sesno),
             "session-%d.scope" % sesno, mid="39f53479d3a045ac8e11786248231fbf",
             extra=[("JOB_TYPE", "start"), ("JOB_RESULT", "done"), ("JOB_ID", str(30000 + sesno)),
                    ("INVOCATION_ID", inv_id("ses%d" % sesno))])
    sshd(t + 21_400, pid, "pam_unix(sshd:session): session opened for user root(uid=0) by (uid=0)", cmdline=cmd, login=sesno)
    audit(t + 22_100, "USER_START", pid, 'op=PAM:session_open grantors=pam_selinux,pam_loginuid,pam_selinux,pam_namespace,pam_keyinit,pam_keyinit,pam_limits,pam_systemd,pam_unix,pam_umask,pam_lastlog acct="root" exe="/usr/sbin/sshd" hostname=%s addr=%s terminal=ssh res=success' % (ip, ip), auid=0, ses=sesno)
    audit(t + 40_500, "CRYPTO_KEY_USER", pid + 2, 'op=destroy kind=server fp=%s direction=? spid=%d suid=0  exe="/usr/sbin/sshd" hostname=? addr=%s terminal=? res=success' % (HOSTKEY_FPS[0], pid + 2, ip), auid=0, ses=sesno)
    audit(t + 41_800, "CRED_ACQ", pid + 2, 'op=PAM:setcred grantors=pam_env,pam_localuser,pam_unix acct="root" exe="/usr/sbin/sshd" hostname=%s addr=%s terminal=ssh res=success' % (ip, ip), auid=0, ses=sesno)
    audit(t + 52_000, "USER_LOGIN", pid, 'op=login id=0 exe="/usr/sbin/sshd" hostname=%s addr=%s terminal=/dev/pts/0 res=success' % (ip, ip), auid=0, ses=sesno)
    audit(t + 52_600, "USER_START", pid, 'op=login id=0 exe="/usr/sbin/sshd" hostname=%s addr=%s terminal=/dev/pts/0 res=success' % (ip, ip), auid=0, ses=sesno)
    wtmp.append((t + 51_000, ut(7, pid + 4, "ts/0", "root", "pts/0", ip, ip, t + 51_000)))
    # logout
    child = pid + 2
    u = logout
    sshd(u, child, "Received disconnect from %s port %d:11: disconnected by user" % (ip, port), cmdline="sshd: root@pts/0", login=sesno)
    sshd(u + 120, child, "Disconnected from user root %s port %d" % (ip, port), cmdline="sshd: root@pts/0", login=sesno)
    wtmp.append((u + 2_100, ut(8, pid + 4, "ts/0", "", "pts/0", "", "0.0.0.0", u + 2_100)))
    sshd(u + 3_900, pid, "pam_unix(sshd:session): session closed for user root", cmdline=cmd, login=sesno)
    audit(u + 4_300, "USER_END", pid, 'op=PAM:session_close grantors=pam_selinux,pam_loginuid,pam_selinux,pam_namespace,pam_keyinit,pam_keyinit,pam_limits,pam_systemd,pam_unix,pam_umask,pam_lastlog acct="root" exe="/usr/sbin/sshd" hostname=%s addr=%s terminal=ssh res=success' % (ip, ip), auid=0, ses=sesno)
    audit(u + 4_700, "CRED_DISP", pid, 'op=PAM:setcred grantors=pam_env,pam_localuser,pam_unix acct="root" exe="/usr/sbin/sshd" hostname=%s addr=%s terminal=ssh res=success' % (ip, ip), auid=0, ses=sesno)
    audit(u + 5_100, "USER_LOGOUT", pid, 'op=login id=0 exe="/usr/sbin/sshd" hostname=%s addr=%s terminal=/dev/pts/0 res=success' % (ip, ip), auid=0, ses=sesno)
    logind(u + 7_800, "Session %d logged out. Waiting for processes to exit." % sesno,
           extra=[("SESSION_ID", str(sesno))])
    systemd1(u + 9_300, "session-%d.scope: Deactivated successfully." % sesno, "session-%d.scope" % sesno,
             code=("src/core/unit.c", "5735", "unit_log_success"), mid="7ad2d189f7e94e70a38c781354912448",
             extra=[("INVOCATION_ID", inv_id("ses%d" % sesno))])
    logind(u + 11_200, "Removed session %d." % sesno, mid="3354939424b4456d9802ca8333ed424a",
           extra=[("SESSION_ID", str(sesno)), ("USER_ID", "root")])


def build_journal():
    # owner sessions first so their pids are reserved
    owner_session(*SESSION11)
    owner_session(*SESSION12)
    # the special 95.223.184.224 connection from the case notes
    used_pids.update({2856055, 2856056, 2856057, 2856179})
    conn_invalid_closed(SPECIAL_95, "95.223.184.224", "pi", port=12868, pid=2856055)
    # hourly dnf-makecache.timer runs (OnUnitInactiveSec=1h); metadata_timer_sync=3h
    t = ts(2024, 5, 19, 0, 31, 12, 700_000)
    n = 0
    while t < DNF_START - 3_000_000_000:
        dnf_run(t, refresh=(n % 3 == 0))
        n += 1
        t += 3_600_000_000 + R.randint(20_000_000, 200_000_000)
    dnf_run(DNF_START, refresh=True, hang=True)
    # bot traffic: bursts from many IPs
    bursts = []
    rr = random.Random(SEED + 1)
    tt = WINDOW_START + rr.randint(0, 600) * 1_000_000
    while tt < WINDOW_END - 600_000_000:
        bursts.append(tt)
        tt += int(rr.expovariate(1 / 2400.0) * 1_000_000) + 60_000_000
    must = list(MUST_USERS) + ["root", "sys", "root", "sys"]
    for i, b in enumerate(bursts):
        ip = BOT_IPS[rr.randrange(len(BOT_IPS))] if i % 5 else BOT_IPS[1 + rr.randrange(len(BOT_IPS) - 1)]
        kind = rr.random()
        n_conn = rr.randint(1, 6)
        tc = b
        for c in range(n_conn):
            if must:
                user = must.pop(0)
            else:
                user = rr.choice(["root"] * 8 + ["sys"] + INVALID_USERS)
            if abs(tc - SPECIAL_95) < 120_000_000 or any(abs(tc - s[0]) < 30_000_000 for s in (SESSION11, SESSION12)):
                tc += 200_000_000
                continue
            if kind < 0.18:
                conn_scan(tc, ip)
            elif user in ("root", "sys"):
                conn_password(tc, ip, user, rr.choice([1, 1, 1, 2, 3]))
            elif kind < 0.35:
                conn_invalid_closed(tc, ip, user)
            else:
                conn_invalid_pw(tc, ip, user)
            tc += rr.randint(4_000_000, 45_000_000)
    # 183.81.169.238's root attempt from the notes (port 58460)
    t = ts(2024, 5, 20, 7, 12, 44, 381_002)
    pid = alloc_pid(t, 3)
    ip = "183.81.169.238"
    sshd(t, pid, "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=root" % ip, prio=5, cmdline="sshd: root [priv]")
    audit(t + 150, "USER_AUTH", pid, 'op=PAM:authentication grantors=? acct="root" exe="/usr/sbin/sshd" hostname=%s addr=%s terminal=ssh res=failed' % (ip, ip))
    t2 = t + 2_204_117
    sshd(t2, pid, "Failed password for root from %s port 58460 ssh2" % ip, cmdline="sshd: root [priv]")
    btmp_fail(t2, pid, "root", ip)
    audit(t2 + 280, "USER_LOGIN", pid, 'op=login acct="root" exe="/usr/sbin/sshd" hostname=? addr=%s terminal=sshd res=failed' % ip)
    t3 = t2 + 611_432
    sshd(t3, pid, "Connection closed by authenticating user root %s port 58460 [preauth]" % ip, cmdline="sshd: root [priv]")
    crypto_destroy(t3 + 400, pid, ip)
    # A dnf transaction on May 19 ran `systemctl daemon-reload` and restarted the timer: the only place an
    # info-level journal names dnf-makecache.timer (systemd logs the timer elapsing only at debug level).
    # Added last so the seeded random streams above are unchanged.
    t = ts(2024, 5, 19, 0, 5, 40, 118_204)
    systemd1(t, "dnf-makecache.timer: Deactivated successfully.", "dnf-makecache.timer",
             code=("src/core/unit.c", "5559", "unit_log_success"), mid="7ad2d189f7e94e70a38c781354912448")
    systemd1(t + 1_012, "Stopped dnf-makecache.timer - dnf makecache --timer.", "dnf-makecache.timer",
             mid="9d1aaa27d60140bd96365438aad20286")
    systemd1(t + 1_871, "Started dnf-makecache.timer - dnf makecache --timer.", "dnf-makecache.timer",
             mid="39f53479d3a045ac8e11786248231fbf")


def write_export(path):
    audit_serial[0] = 512_344
    entries.sort(key=lambda e: (e[0], e[1]))
    with open(path, "wb") as f:
        last = 0
        for rt, _, fields in entries:
            if rt <= last:
                rt = last + 1
            last = rt
            out = ["__REALTIME_TIMESTAMP=%d" % rt, "__MONOTONIC_TIMESTAMP=%d" % (rt - BOOT_US),
                   "_BOOT_ID=" + BOOT_ID, "_MACHINE_ID=" + MACHINE_ID, "_HOSTNAME=" + HOST]
            for k, v in fields:
                if k == "_AUDIT_ID":   # the kernel numbers audit events in time order
                    audit_serial[0] += 1
                    v = str(audit_serial[0])
                out.append("%s=%s" % (k, v))
            f.write(("\n".join(out) + "\n\n").encode())
    return len(entries)


def build_wtmp():
    def boot(t_boot, t_reboot_rec):
        wtmp.append((t_reboot_rec, ut(2, 0, "~~", "reboot", "~", KERNEL_OF[t_boot], "0.0.0.0", t_reboot_rec)))
        wtmp.append((t_reboot_rec + 1_402_115, ut(1, 51, "~~", "runlevel", "~", KERNEL_OF[t_boot], "0.0.0.0", t_reboot_rec + 1_402_115)))

    def shutdown(t, kern):
        wtmp.append((t, ut(1, 0, "~~", "shutdown", "~", kern, "0.0.0.0", t)))

    b1 = ts(2024, 4, 18, 16, 1, 52, 0)
    KERNEL_OF[b1] = "6.2.9-300.fc38.x86_64"
    KERNEL_OF[BOOT_US] = KERNEL
    boot(b1, b1 + 3_712_448)
    # owner sets the droplet up (key-based root login)
    for (a, b, port, pid) in [(ts(2024, 4, 18, 16, 4, 40, 90_112), ts(2024, 4, 18, 17, 31, 2, 556_010), 49912, 1163),
                              (ts(2024, 5, 2, 8, 57, 13, 420_881), None, 51220, 2079314)]:
        wtmp.append((a, ut(7, pid, "ts/0", "root", "pts/0", OWNER_IP, OWNER_IP, a)))
        if b:
            wtmp.append((b, ut(8, pid, "ts/0", "", "pts/0", "", "0.0.0.0", b)))
    # reboot after `dnf upgrade` (session on pts/0 still open: `last` shows "down")
    shutdown(ts(2024, 5, 2, 9, 14, 3, 882_140), "6.2.9-300.fc38.x86_64")
    boot(BOOT_US, BOOT_US + 4_019_775)
    # provider's web console (DigitalOcean droplet-agent) from 162.243.190.66
    a, b = ts(2024, 5, 2, 9, 18, 41, 770_245), ts(2024, 5, 2, 9, 27, 5, 13_402)
    wtmp.append((a, ut(7, 1388, "ts/1", "root", "pts/1", CONSOLE_IP, CONSOLE_IP, a)))
    wtmp.append((b, ut(8, 1388, "ts/1", "", "pts/1", "", "0.0.0.0", b)))
    a, b = ts(2024, 5, 10, 18, 22, 9, 317_540), ts(2024, 5, 10, 18, 40, 51, 2_118)
    wtmp.append((a, ut(7, 1276410, "ts/0", "root", "pts/0", OWNER_IP, OWNER_IP, a)))
    wtmp.append((b, ut(8, 1276410, "ts/0", "", "pts/0", "", "0.0.0.0", b)))


KERNEL_OF = {}


def write_utmp(path, recs):
    recs.sort(key=lambda r: r[0])
    with open(path, "w") as f:
        for _, line in recs:
            f.write(line)


# ---------------------------------------------------------------- web traffic plan
UAS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
       "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
       "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"]
SCAN_PATHS = ["/.env", "/wp-login.php", "/.git/config", "/phpmyadmin/index.php", "/admin/config.php",
              "/cgi-bin/luci/;stok=/locale", "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", "/actuator/health",
              "/xmlrpc.php", "/wp-includes/wlwmanifest.xml", "/config.json", "/owa/auth/logon.aspx", "/.aws/credentials",
              "/server-status", "/boaform/admin/formLogin", "/HNAP1/", "/solr/admin/info/system?wt=json", "/favicon.ico",
              "/robots.txt", "/sitemap.xml"]


def tls_hello(rr, sni):
    """A deterministic TLS 1.2/1.3 ClientHello like scanners send to any open port."""
    rnd = bytes(rr.getrandbits(8) for _ in range(32))
    sid = bytes(rr.getrandbits(8) for _ in range(32))
    suites = bytes.fromhex("130213031301c02cc030009fcca9cca8ccaac02bc02f009ec024c028006bc023c0270067c00ac0140039c009c0130033009d009c003d003c0035002f00ff")
    sni_b = sni.encode()
    ext_sni = b"\x00\x00" + (len(sni_b) + 5).to_bytes(2, "big") + (len(sni_b) + 3).to_bytes(2, "big") + b"\x00" + len(sni_b).to_bytes(2, "big") + sni_b
    ext_groups = bytes.fromhex("000a000c000a001d0017001e00190018")
    ext_sv = bytes.fromhex("002b0005040304030303")
    exts = ext_sni + ext_groups + ext_sv + bytes.fromhex("000d0020001e060106020603050105020503040104020403030103020303020102020203")
    body = b"\x03\x03" + rnd + bytes([len(sid)]) + sid + len(suites).to_bytes(2, "big") + suites + b"\x01\x00" + len(exts).to_bytes(2, "big") + exts
    hs = b"\x01" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + len(hs).to_bytes(2, "big") + hs


def build_web(outdir):
    rr = random.Random(SEED + 2)
    plan = []   # (t_seconds, ip, kind, arg, ua)
    start = ts(2024, 5, 19, 21, 15, 37) // 1_000_000   # owner starts the site in session 11
    stop = ts(2024, 5, 21, 14, 11, 48) // 1_000_000    # owner stops it with ^C... (SIGINT) in session 12
    plan.append((start + 4, "127.0.0.1", "curl", "GET /", "curl/7.85.0"))   # owner checks it locally
    visitors = [rand_ip(rr) for _ in range(25)]
    scanners = [rand_ip(rr) for _ in range(20)] + WEB_SHARED
    t = start + 60
    while t < stop - 300:
        k = rr.random()
        if k < 0.55:
            ip = rr.choice(visitors)
            ua = rr.choice(UAS)
            for p in rr.choice([["/"], ["/", "/about"], ["/", "/static/style.css", "/about"], ["/about"]]):
                plan.append((t, ip, "curl", "GET " + p, ua))
                t += rr.randint(0, 3)
        elif k < 0.9:
            ip = rr.choice(scanners)
            for p in rr.sample(SCAN_PATHS, rr.randint(1, 4)):
                plan.append((t, ip, "curl", rr.choice(["GET ", "GET ", "GET ", "POST "]) + p,
                             rr.choice(["Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)",
                                        "Mozilla/5.0 zgrab/0.x", "python-requests/2.31.0",
                                        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/92.0.4515.107 Safari/537.36"])))
                t += rr.randint(0, 2)
        else:
            ip = rr.choice(scanners)
            plan.append((t, ip, "raw", "tls", ""))
        t += int(rr.expovariate(1 / 1400.0)) + 20
    # the incident window
    plan += [(ts(2024, 5, 21, 13, 49, 58) // 1_000_000, "87.121.69.52", "raw", "tls", ""),
             (ts(2024, 5, 21, 13, 50, 2) // 1_000_000, "87.121.69.52", "raw", "ssh-banner", ""),
             (ts(2024, 5, 21, 13, 50, 6) // 1_000_000, "91.92.245.67", "raw", "connect-ipify", ""),
             (ts(2024, 5, 21, 13, 50, 6) // 1_000_000, "87.121.69.52", "raw", "connect-google", ""),
             (ts(2024, 5, 21, 13, 50, 7) // 1_000_000, "91.92.245.67", "raw", "absolute-get", ""),
             (ts(2024, 5, 21, 13, 50, 7) // 1_000_000, "91.92.245.67", "curl", "GET /.env", "Mozilla/5.0 zgrab/0.x"),
             # the owner, logged in again (session 12), looks at his site before stopping it
             (ts(2024, 5, 21, 14, 4, 12) // 1_000_000, OWNER_IP, "curl", "GET /", UAS[2]),
             (ts(2024, 5, 21, 14, 4, 12) // 1_000_000, OWNER_IP, "curl", "GET /static/style.css", UAS[2]),
             (ts(2024, 5, 21, 14, 4, 19) // 1_000_000, OWNER_IP, "curl", "GET /about", UAS[2])]
    plan.sort(key=lambda p: p[0])
    # raw payloads
    n = 0
    with open(os.path.join(outdir, "web-plan.tsv"), "w") as f:
        for (t, ip, kind, arg, ua) in plan:
            if kind == "raw" and arg == "tls":
                n += 1
                name = "raw-tls-%03d.bin" % n
                while True:
                    hello = tls_hello(rr, rr.choice(["www.example.com", "localhost", DROPLET_IP, "api.ipify.org"]))
                    first = hello.split(b"\n")[0].decode("latin-1")
                    if len(first.split()) >= 3:   # Werkzeug/http.server: "Bad request version"
                        break
                open(os.path.join(outdir, name), "wb").write(hello)
                arg = name
            elif kind == "raw":
                arg = "raw-%s.bin" % arg
            f.write("%d\t%s\t%s\t%s\t%s\n" % (t, ip, kind, arg, ua))
    raw = {"ssh-banner": b"SSH-2.0-Go\r\n",
           "connect-ipify": b"CONNECT api.ipify.org:443 HTTP/1.1\r\nHost: api.ipify.org:443\r\n\r\n",
           "connect-google": b"CONNECT google.com:443 HTTP/1.1\r\nHost: google.com:443\r\nUser-Agent: Go-http-client/1.1\r\n\r\n",
           "absolute-get": b"GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\nUser-Agent: Go-http-client/1.1\r\nAccept-Encoding: gzip\r\n\r\n"}
    for k, v in raw.items():
        open(os.path.join(outdir, "raw-%s.bin" % k), "wb").write(v)
    return plan


def main():
    outdir = sys.argv[1]
    build_journal()
    n = write_export(os.path.join(outdir, "journal.export"))
    build_wtmp()
    write_utmp(os.path.join(outdir, "wtmp.txt"), wtmp)
    write_utmp(os.path.join(outdir, "btmp.txt"), btmp)
    plan = build_web(outdir)
    with open(os.path.join(outdir, "machine-id"), "w") as f:
        f.write(MACHINE_ID + "\n")
    print("journal entries: %d, wtmp: %d, btmp: %d, web requests: %d" % (n, len(wtmp), len(btmp), len(plan)), file=sys.stderr)


if __name__ == "__main__":
    main()
