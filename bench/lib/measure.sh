# Shared by the bench/e2e-*.sh harnesses (source it). measure NAME OUT UNITS UNIT_NAME BYTES COMMAND...
# runs COMMAND under /usr/bin/time -v with stdout to OUT (use /dev/null for dump-style baselines), prints wall
# seconds, MB/s over BYTES, UNITS/s and peak RSS, and leaves them in M_SECS and M_RSS_MB for ratios.
# Wall time, not CPU time: the target is "as fast as the other tool on the same machine in the same run".
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }
measure() {
  local name="$1" out="$2" units="$3" unit_name="$4" bytes="$5"; shift 5
  local tf="$M_WORK/${name//[^A-Za-z0-9_.-]/_}.time"
  local rc=0
  /usr/bin/time -v "$@" > "$out" 2> "$tf" || rc=$?
  if (( rc != 0 )); then
    echo "$name FAILED (exit $rc); see $tf" >&2; grep -v '^[[:space:]]' "$tf" | tail -5 >&2; return 1
  fi
  M_SECS=$(grep -F 'Elapsed (wall clock)' "$tf" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  M_RSS_MB=$(grep -F 'Maximum resident set size' "$tf" | awk '{printf "%.0f", $NF/1024}')
  local cpu; cpu=$(grep -F 'Percent of CPU' "$tf" | awk '{print $NF}')
  awk -v n="$name" -v s="$M_SECS" -v b="$bytes" -v u="$units" -v un="$unit_name" -v r="$M_RSS_MB" -v c="$cpu" \
    'BEGIN { printf "%-22s %8.2f s  %8.1f MB/s  %10.0f %s/s  CPU %5s  peak RSS %6d MB\n", n, s, b/1048576/s, u/s, un, c, r }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b/a }'; } # ratio SECS_FAST SECS_SLOW -> speed of fast relative to slow

# build_tools REPO: builds the bench harness and the CLI in Release and sets $bench and $cli to their dlls.
build_tools() {
  local repo="$1"
  dotnet build -c Release "$repo/bench/Forensics.Bench" -v q --nologo >/dev/null
  dotnet build -c Release "$repo/pipeline/Forensics.Cli" -v q --nologo >/dev/null
  bench="$repo/bench/Forensics.Bench/bin/Release/net10.0/linux-x64/Forensics.Bench.dll"
  cli="$repo/pipeline/Forensics.Cli/bin/Release/net10.0/linux-x64/forensics.dll"
}
