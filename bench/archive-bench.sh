#!/usr/bin/env bash
# Ingest of a ~1 GB .tar.gz of syslog auth lines next to `tar -xzf X -O > /dev/null` of the same file, in
# one run. Data: a seeded generator (same bytes every run) into bench/data/ (git-ignored).
# Usage: bench/archive-bench.sh [MB=1024]
set -euo pipefail
MB=${1:-1024}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA="$ROOT/bench/data/archive"
mkdir -p "$DATA/src/var/log"
if [ ! -f "$DATA/logs-$MB.tar.gz" ]; then
  python3 - "$DATA/src/var/log" "$MB" <<'PY'
import random, sys, os
out, mb = sys.argv[1], int(sys.argv[2])
rnd = random.Random(42)
users = ["root", "admin", "ubuntu", "test", "oracle", "postgres", "git", "user"]
months = ["Jan","Feb","Mar","Apr","May","Jun","Jul","Aug","Sep","Oct","Nov","Dec"]
per_file = 64 << 20
files = max(1, (mb << 20) // per_file)
for f in range(files):
    name = "auth.log" if f == 0 else f"auth.log.{f}"
    with open(os.path.join(out, name), "w") as fh:
        size, m = 0, months[(11 - f) % 12]
        while size < per_file:
            d, h, mi, s = rnd.randint(1, 28), rnd.randint(0, 23), rnd.randint(0, 59), rnd.randint(0, 59)
            ip = f"{rnd.randint(1,223)}.{rnd.randint(0,255)}.{rnd.randint(0,255)}.{rnd.randint(1,254)}"
            k = rnd.random()
            if k < 0.5: msg = f"Failed password for {rnd.choice(users)} from {ip} port {rnd.randint(1024,65535)} ssh2"
            elif k < 0.7: msg = f"Invalid user {rnd.choice(users)}{rnd.randint(0,99)} from {ip} port {rnd.randint(1024,65535)}"
            elif k < 0.85: msg = f"Connection closed by authenticating user {rnd.choice(users)} {ip} port {rnd.randint(1024,65535)} [preauth]"
            else: msg = f"pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost={ip}  user={rnd.choice(users)}"
            line = f"{m} {d:2d} {h:02d}:{mi:02d}:{s:02d} web1 sshd[{rnd.randint(1000,99999)}]: {msg}\n"
            fh.write(line); size += len(line)
PY
  tar -czf "$DATA/logs-$MB.tar.gz" -C "$DATA/src" .
  rm -rf "$DATA/src"
fi
ls -l "$DATA/logs-$MB.tar.gz"
dotnet build -c Release "$ROOT/pipeline/Forensics.Cli" -v q -nologo >/dev/null
CLI="$ROOT/pipeline/Forensics.Cli/bin/Release/net10.0/linux-x64/forensics"
echo "== tar -xzf -O > /dev/null"
/usr/bin/time -v tar -xzf "$DATA/logs-$MB.tar.gz" -O > /dev/null 2> "$DATA/tar.time" || true
grep -E "Elapsed|Maximum resident|User time|System time" "$DATA/tar.time"
echo "== forensics ingest"
rm -rf "$DATA/case"
/usr/bin/time -v "$CLI" ingest "$DATA/logs-$MB.tar.gz" --out "$DATA/case" > "$DATA/ingest.out" 2> "$DATA/ingest.time" || true
tail -4 "$DATA/ingest.out"
grep -E "Elapsed|Maximum resident|User time|System time" "$DATA/ingest.time"
