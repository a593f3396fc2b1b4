#!/usr/bin/env bash
# The README's test command. Installs what the differential tests need on a fresh Debian machine
# (journalctl, utmpdump/last, tzdata, xz, zstd, chromium for the report's browser tests: listed in .ci/apt-packages), runs every test, and ends with
# the plain line "N passed, N failed, N skipped" taken from the test run's own counts.
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

missing=()
while read -r pkg; do
  [[ -z "$pkg" || "$pkg" == \#* ]] && continue
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done < .ci/apt-packages
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "installing Debian packages the tests use: ${missing[*]}" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}") >&2 \
      || echo "warning: apt-get failed; tests that need these tools will be skipped" >&2
  else
    echo "warning: not root, cannot install ${missing[*]}; tests that need them will be skipped" >&2
  fi
fi

log="$(mktemp)"
dotnet test tests/Forensics.Tests/Forensics.Tests.csproj -c Release --nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# "Passed!  - Failed:     0, Passed:    58, Skipped:     0, Total:    58, ..." (one line per test assembly)
read -r passed failed skipped < <(grep -E '(Passed|Failed)! +- Failed: ' "$log" | sed -E 's/.*Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+).*/\2 \1 \3/' \
  | awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
rm -f "$log"
if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; fi   # build error or crashed runner: never report green
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
