#!/usr/bin/env bash
# End-to-end wtmp benchmark (issue 4): ingest (records, sessions, Parquet) of a generated x86_64 wtmp of
# RECORDS records (default 1 M, ~384 MB) next to util-linux `utmpdump` and `last -f` on the same file, in the
# same run. Usage: bench/e2e-wtmp.sh [RECORDS=1000000] [workdir=/tmp/forensics-e2e-wtmp]
set -euo pipefail
records="${1:-1000000}"; work="${2:-/tmp/forensics-e2e-wtmp}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
M_WORK="$work"; source "$repo/bench/lib/measure.sh"
mkdir -p "$work"
build_tools "$repo"
wtmp="$work/wtmp"
dotnet "$bench" gen-wtmp "$wtmp" "$records" >/dev/null
bytes=$(stat -c %s "$wtmp")
echo "input: $wtmp, $bytes bytes, $records records, $(nproc) cores; load $(uptime | sed 's/.*load average: //')"
export TZ=UTC
measure "utmpdump" /dev/null "$records" records "$bytes" utmpdump "$wtmp"; t_dump=$M_SECS
measure "last -F -w -f" /dev/null "$records" records "$bytes" last -F -w -f "$wtmp"; t_last=$M_SECS
rm -rf "$work/case"
measure "forensics ingest" "$work/ingest.out" "$records" records "$bytes" dotnet "$cli" ingest "$wtmp" --out "$work/case"; t_ing=$M_SECS
echo "ingest vs utmpdump: $(ratio "$t_ing" "$t_dump")x   vs last: $(ratio "$t_ing" "$t_last")x   (>1 = ingest faster; target >= 1 vs utmpdump)"
grep -o '"timings": {[^}]*}' "$work/case/manifest.json" | tr -d '\n'; echo
