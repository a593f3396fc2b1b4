#!/usr/bin/env bash
# End-to-end web access log benchmark (issue 5): `forensics ingest` of a generated ~1 GB Werkzeug nohup.log and a
# ~1 GB nginx combined log, each in the same run as the DuckDB SQL baseline on the same file (read_csv of whole
# lines + one regexp_extract per line into ip, time, method, target, protocol, status, size (+ referer, agent),
# COPY TO parquet; Forensics.Bench duckdb-baseline-web) and `wc -l` as the floor. Peak RSS from /usr/bin/time -v.
# Both outputs are summarised afterwards (rows, non-null columns, event kinds) so a fast wrong result shows.
# Usage: bench/e2e-web.sh [MB=1024] [workdir=/tmp/forensics-e2e-web]
set -euo pipefail
mb="${1:-1024}"; work="${2:-/tmp/forensics-e2e-web}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
M_WORK="$work"; source "$repo/bench/lib/measure.sh"
mkdir -p "$work"
build_tools "$repo"
echo "$(nproc) cores; load before: $(uptime)"
for kind in werkzeug nginx; do
  # Werkzeug's file is named as the seed incident's; ingest detects formats from content anyway.
  dir="$work/$kind-$mb"; mkdir -p "$dir"
  log="$dir/$([[ $kind == werkzeug ]] && echo nohup.log || echo access.log)"
  [[ -f "$log" ]] || dotnet "$bench" "gen-$kind" "$log" "$mb"
  bytes=$(stat -c %s "$log"); lines=$(wc -l < "$log")
  echo "== $kind: $log, $bytes bytes, $lines lines"
  measure "$kind wc -l" /dev/null "$lines" lines "$bytes" wc -l "$log"
  rm -f "$work/$kind-duck.parquet"
  measure "$kind duckdb-sql" "$work/$kind-duck.out" "$lines" lines "$bytes" dotnet "$bench" duckdb-baseline-web "$log" "$work/$kind-duck.parquet" "$kind"; t_duck=$M_SECS
  rm -rf "$work/$kind-case"
  measure "$kind forensics" "$work/$kind-ingest.out" "$lines" lines "$bytes" dotnet "$cli" ingest "$log" --out "$work/$kind-case"; t_ingest=$M_SECS; rss=$M_RSS_MB
  grep -E 'records =|UNBALANCED' "$work/$kind-ingest.out" || true
  grep -A6 '"timings"' "$work/$kind-case/manifest.json" | tr -d '\n' | tr -s ' '; echo
  echo "$kind: ingest vs DuckDB SQL: $(ratio "$t_ingest" "$t_duck")x (target >= 1.5; peak RSS ${rss} MB, target < 1024)"
  dotnet "$bench" parquet-summary "$work/$kind-duck.parquet" | cut -c1-600
  dotnet "$bench" parquet-summary "$work/$kind-case/events/*/*/*.parquet" | cut -c1-900
done
echo "load after: $(uptime)"
