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
# The same logs as a plain folder, extracted once: the target is the .tar.gz within 1.2x of the folder's wall time.
if [ ! -d "$DATA/folder-$MB" ]; then mkdir -p "$DATA/folder-$MB" && tar -xzf "$DATA/logs-$MB.tar.gz" -C "$DATA/folder-$MB"; fi
M_WORK="$DATA"; source "$ROOT/bench/lib/measure.sh"
build_tools "$ROOT"
bytes=$(stat -c %s "$DATA/logs-$MB.tar.gz"); lines=$(cat "$DATA"/folder-$MB/var/log/* | wc -l)
echo "input: $DATA/logs-$MB.tar.gz, $bytes bytes compressed, $lines lines, $(nproc) cores; $(uptime)"
measure "tar -xzf -O" /dev/null "$lines" lines "$bytes" tar -xzf "$DATA/logs-$MB.tar.gz" -O; tar_s=$M_SECS
rm -rf "$DATA/case-folder"; measure "ingest folder" "$DATA/ingest-folder.out" "$lines" lines "$bytes" dotnet "$cli" ingest "$DATA/folder-$MB" --out "$DATA/case-folder"; folder_s=$M_SECS
rm -rf "$DATA/case"; measure "ingest .tar.gz" "$DATA/ingest.out" "$lines" lines "$bytes" dotnet "$cli" ingest "$DATA/logs-$MB.tar.gz" --out "$DATA/case"; tgz_s=$M_SECS
tail -3 "$DATA/ingest.out"
grep -o '"timings": {[^}]*}' "$DATA/case/manifest.json" | tr -d '\n'; echo
echo ".tar.gz vs folder: $(awk -v a="$tgz_s" -v b="$folder_s" 'BEGIN { printf "%.2f", a/b }')x the folder's wall time (target <= 1.2)"
