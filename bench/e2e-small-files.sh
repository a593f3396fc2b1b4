#!/usr/bin/env bash
# Many small files (a collection's shape): ingest of FILES auth logs of LINES lines each, in 100 folders, with
# wall time and peak RSS (target < 1 GB at 100 k files). Per-file costs that no single-file benchmark shows
# (buffers sized for big files, per-file tables, per-file LOH allocations) show here first.
# Usage: bench/e2e-small-files.sh [FILES=100000] [LINES=10] [workdir=/tmp/forensics-e2e-small]
set -euo pipefail
files="${1:-100000}"; lines="${2:-10}"; work="${3:-/tmp/forensics-e2e-small}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
M_WORK="$work"; mkdir -p "$work"; source "$repo/bench/lib/measure.sh"
build_tools "$repo"
data="$work/files-$files-$lines"
if [[ ! -d "$data" ]]; then
  python3 - "$data" "$files" "$lines" <<'PY'
import os, sys
out, n, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(n):
    d = os.path.join(out, "d%04d" % (i * 100 // n))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"auth.log.{i}"), "w") as fh:
        fh.write("".join(f"2024-05-21T03:{j % 60:02d}:00.000000+00:00 h{i} sshd[{j}]: Failed password for root from 10.0.{i % 250}.{j % 250} port {1000 + j} ssh2\n" for j in range(k)))
PY
fi
bytes=$(du -sb "$data" | cut -f1)
echo "input: $files files x $lines lines in $data ($bytes bytes), $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$work/case"
measure "forensics ingest" /dev/null "$((files * lines))" lines "$bytes" dotnet "$cli" ingest "$data" --out "$work/case"
echo "peak RSS ${M_RSS_MB} MB (target < 1024 MB)"
