#!/usr/bin/env bash
# Publishes forensics as one self-contained linux-x64 executable (DuckDB's, ParquetSharp's and SkiaSharp's native
# libraries inside it, extracted on first run under $DOTNET_BUNDLE_EXTRACT_BASE_DIR, default ~/.net) and checks
# that the binary alone, copied to an empty folder, runs `investigate` on the sample and writes the HTML report.
# Not part of tests/run-tests.sh: publishing takes 2-5 minutes on a 2-core machine.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

dotnet publish pipeline/Forensics.Cli -p:PublishProfile=linux-x64-single-file --nologo
binary="$repo/artifacts/forensics-linux-x64/forensics"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$binary" "$work/forensics"
cd "$work"   # no queries/ folder, no repository around it: everything must come from the binary
./forensics investigate "$repo/data-samples/droplet1" --out "$work/case" > "$work/stdout.txt" 2> "$work/stderr.txt" || {
  echo "single-binary: investigate failed (exit $?)" >&2; tail -20 "$work/stderr.txt" >&2; exit 1; }
grep -q "^report: $work/case/report.html$" "$work/stdout.txt" || { echo "single-binary: investigate did not name its report" >&2; exit 1; }
grep -q "dnf-makecache.service on droplet1: signal SIGKILL" "$work/stdout.txt" || { echo "single-binary: the findings lack the service kill" >&2; exit 1; }
charts=$(grep -o '<figure id="chart-[a-z0-9-]*"><svg' "$work/case/report.html" | wc -l)
[[ "$charts" -ge 4 ]] || { echo "single-binary: the report has $charts charts, expected 4" >&2; exit 1; }
size=$(stat -c %s "$binary")
echo "single-binary: ok: $binary ($((size / 1024 / 1024)) MB) ran investigate on data-samples/droplet1; report with $charts charts"
