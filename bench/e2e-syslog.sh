#!/usr/bin/env bash
# End-to-end syslog benchmark (issue 2): ingest of a generated ~1 GB auth log, in the same run as two
# baselines on the same file: `wc -l`, and DuckDB doing the same normalization in SQL through DuckDB.NET.
# Peak RSS from /usr/bin/time -v. Usage: bench/e2e-syslog.sh [MB=1024] [workdir=/tmp/forensics-e2e]
set -euo pipefail
mb="${1:-1024}"; work="${2:-/tmp/forensics-e2e}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$repo/bench/lib/measure.sh"   # build_tools
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }
mkdir -p "$work"
build_tools "$repo"
log="$work/auth.log"
[[ -f "$log" ]] || dotnet "$bench" gen-auth "$log" "$mb"
bytes=$(stat -c %s "$log"); lines=$(wc -l < "$log")
measure() { # name, command...
  local name="$1"; shift
  /usr/bin/time -v "$@" > "$work/$name.out" 2> "$work/$name.time"
  local secs rss
  secs=$(grep -F 'Elapsed (wall clock)' "$work/$name.time" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(grep -F 'Maximum resident set size' "$work/$name.time" | awk '{print $NF}')
  awk -v n="$name" -v s="$secs" -v b="$bytes" -v l="$lines" -v r="$rss" 'BEGIN { printf "%-16s %8.2f s  %8.1f MB/s  %10.0f lines/s  peak RSS %6.0f MB\n", n, s, b/1048576/s, l/s, r/1024 }'
}
echo "input: $log, $bytes bytes, $lines lines, $(nproc) cores"
measure "wc -l" wc -l "$log"
rm -rf "$work/duck.parquet"; measure "duckdb-sql" dotnet "$bench" duckdb-baseline "$log" "$work/duck.parquet"
rm -rf "$work/case"; measure "forensics" dotnet "$cli" ingest "$log" --out "$work/case"
tail -3 "$work/forensics.out"
