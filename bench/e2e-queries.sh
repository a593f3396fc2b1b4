#!/usr/bin/env bash
# Query and timeline benchmark on a case written by the real ingest (issue 14). Generates an evidence folder
# (HOSTS machines with MB_PER_HOST of sshd bot traffic each, plus an nginx log), ingests it with forensics, then
# per canned query prints its scan floor (DuckDB reading the columns it touches, same process, warm), its time,
# the ratio and the process's peak RSS; then timeline exports per format with rows/s and peak RSS.
# Usage: bench/e2e-queries.sh [HOSTS=5] [MB_PER_HOST=1024] [workdir=/tmp/forensics-queries] [WEB_MB=1024]
# 5 × 1024 MB + 1024 MB of nginx gives ~56 M events.
set -euo pipefail
hosts="${1:-5}"; mb="${2:-1024}"; work="${3:-/tmp/forensics-queries}"; web="${4:-1024}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
M_WORK="$work"; source "$repo/bench/lib/measure.sh"
mkdir -p "$work"
build_tools "$repo"
ev="$work/evidence-$hosts-$mb"
[[ -f "$ev.done" ]] || { rm -rf "$ev"; dotnet "$bench" gen-case-evidence "$ev" "$hosts" "$mb" "$web"; touch "$ev.done"; }
bytes=$(du -sb "$ev" | cut -f1)
case="$work/case-$hosts-$mb"
if [[ ! -f "$case/manifest.json" ]]; then
  measure "ingest" "$work/ingest.out" 0 rows "$bytes" dotnet "$cli" ingest "$ev" --out "$case" --replace
fi
rows=$(dotnet "$cli" sql --case "$case" "SELECT count(*) FROM events" --format csv | tail -1)
echo "case: $case, $rows events, $(du -sh "$case" | cut -f1)"
printf '%-28s %7s %7s %8s %6s %8s %8s\n' query open_s floor_s query_s ratio rows rss_MB
for q in $(ls "$repo/queries" | sed -n "s/\.sql$//p"); do
  line=$(/usr/bin/time -f '%M' -o "$work/q.rss" dotnet "$bench" query-floor "$case" "$q") || { echo "$q FAILED"; continue; }
  IFS=$'\t' read -r name open floor secs ratio n <<< "$line"
  printf '%-28s %7s %7s %8s %6s %8s %8d\n' "$name" "$open" "$floor" "$secs" "$ratio" "$n" $(( $(cat "$work/q.rss") / 1024 ))
done
for fmt in csv jsonl arrow timesketch l2tcsv; do
  rm -f "$work/timeline.$fmt"
  measure "timeline $fmt" /dev/null "$rows" rows "$(du -sb "$case/events" | cut -f1)" dotnet "$cli" timeline --case "$case" --format "$fmt" --output "$work/timeline.$fmt"
done
