#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers and container readers with afl++ through SharpFuzz (not part of the
# test suite or CI: it runs for as long as you give it).
#
#   bash tests/fuzz.sh [TARGET[,TARGET...]|all|list] [SECONDS]        default: all, 600 seconds per target
#
# Targets (tests/Forensics.Fuzz/Program.cs): syslog journal journal-export journal-json utmp audit access
# werkzeug bodyfile tar zip compressed. It installs what it lacks (Debian's afl++, the SharpFuzz.CommandLine dotnet
# tool), builds tests/Forensics.Fuzz into the output folder, instruments that copy of Forensics.Pipeline.dll
# (and of SharpCompress/ZstdSharp, which the zip and compressed targets reach), seeds each target with small
# files of ../shared/corpus (read in place; the seeds are copied into the output folder, never into the repo),
# runs afl-fuzz under nice -n 19 and prints executions, corpus count, edges, crashes and hangs per target.
#
# Environment: FUZZ_OUT (output folder, default /tmp/forensics-fuzz; one invocation at a time per folder, as each
# rebuilds its bin/), FUZZ_JOBS (targets run at once, default 1),
# FORENSICS_CORPUS (corpus folder, default ../shared/corpus). A crash is an input in
# $FUZZ_OUT/TARGET/findings/default/crashes/; replay it with
#   dotnet $FUZZ_OUT/bin/Forensics.Fuzz.dll TARGET --replay FILE
# (with the uninstrumented build, e.g. tests/Forensics.Fuzz/bin/Release/net10.0/linux-x64/Forensics.Fuzz.dll).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
targets_all=(syslog journal journal-export journal-json utmp audit access werkzeug bodyfile tar zip compressed)
which_target="${1:-all}"
seconds="${2:-600}"
out="${FUZZ_OUT:-/tmp/forensics-fuzz}"
jobs="${FUZZ_JOBS:-1}"
corpus="${FORENSICS_CORPUS:-$repo/../shared/corpus}"
sharpfuzz_version=2.3.0

if [[ "$which_target" == list ]]; then printf '%s\n' "${targets_all[@]}"; exit 0; fi
if [[ "$which_target" == all ]]; then targets=("${targets_all[@]}"); else IFS=, read -r -a targets <<< "$which_target"; fi
for t in "${targets[@]}"; do
  [[ " ${targets_all[*]} " == *" $t "* ]] || { echo "fuzz.sh: unknown target '$t' (targets: ${targets_all[*]})" >&2; exit 2; }
done
[[ -d "$corpus" ]] || { echo "fuzz.sh: corpus folder $corpus not found (set FORENSICS_CORPUS)" >&2; exit 2; }
corpus="$(cd "$corpus" && pwd)"
mkdir -p "$out"
# Each fuzzed process writes its inputs under /dev/shm/forensics-fuzz-PID (DiscoveryTarget); AFL ends them without
# a chance to clean up, so the folders of processes that are gone are removed when this script ends.
trap 'for d in /dev/shm/forensics-fuzz-*; do [[ -d "$d" && ! -d "/proc/${d##*-}" ]] && rm -rf "$d"; done; true' EXIT

# --- tools -----------------------------------------------------------------------------------------------
if ! command -v afl-fuzz >/dev/null; then
  [[ $(id -u) -eq 0 ]] || { echo "fuzz.sh: afl-fuzz missing; install Debian's afl++ (as root: apt-get install afl++)" >&2; exit 2; }
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends afl++) >&2
fi
sharpfuzz="$out/tools/sharpfuzz"
if [[ ! -x "$sharpfuzz" ]]; then
  dotnet tool install --tool-path "$out/tools" SharpFuzz.CommandLine --version "$sharpfuzz_version" >&2
fi

# --- build and instrument (a copy in $out/bin; the repo's build stays uninstrumented) --------------------
# FUZZ_REUSE_BUILD=1 keeps an instrumented $out/bin that is already there (e.g. copied from another output folder).
if [[ "${FUZZ_REUSE_BUILD:-0}" == 1 && -f "$out/bin/Forensics.Fuzz.dll" ]]; then
  echo "fuzz.sh: reusing the instrumented build in $out/bin" >&2
else
  rm -rf "$out/bin"
  nice -n 19 dotnet build "$repo/tests/Forensics.Fuzz/Forensics.Fuzz.csproj" -c Release --nologo -v q -o "$out/bin" >&2
  "$sharpfuzz" "$out/bin/Forensics.Pipeline.dll" >&2
  for lib in SharpCompress.dll ZstdSharp.dll; do
    "$sharpfuzz" "$out/bin/$lib" >&2 || echo "fuzz.sh: warning: $lib could not be instrumented; its code gives no coverage" >&2
  done
fi

# --- seeds: small corpus files per target (copies into $out, never into the repo) -------------------------
seed() { # seed TARGET FILE [MAX_BYTES]: copies FILE (or its first MAX_BYTES) into TARGET's seed folder
  local dir="$out/$1/seeds" src="$corpus/$2" max="${3:-}"
  mkdir -p "$dir"
  [[ -f "$src" ]] || { echo "fuzz.sh: note: seed $2 not in the corpus" >&2; return 0; }
  local name; name="$(echo "$2" | tr '/ ' '__')"
  if [[ -n "$max" ]]; then head -c "$max" "$src" > "$dir/$name"; else cp "$src" "$dir/$name"; fi
}
make_seeds() {
  local t="$1" tmp
  rm -rf "$out/$t/seeds"; mkdir -p "$out/$t/seeds"
  case "$t" in
    syslog)
      for f in plaso/syslog/syslog plaso/syslog/syslog_rsyslog_traditional plaso/syslog/syslog_rsyslog_SyslogProtocol23Format \
               plaso/syslog/syslog_ssh.log s4/auth/Ubuntu22/auth.log s4/auth/Debian9/auth.log s4/auth/CentOS7/secure-20230422 \
               s4/auth/FreeBSD13.1/auth.log s4/syslog/Ubuntu22/syslog; do seed syslog "$f"; done ;;
    journal)
      # A journal is mostly preallocated hash tables and zeros: the Ubuntu16 file cut after its tail object
      # (333,008 bytes), the same cut short (damaged: linear scan), and the 8-byte invalid file.
      seed journal s4/journal/invalid.journal
      seed journal s4/journal/Ubuntu16/system.journal 333008
      cp "$out/journal/seeds/s4_journal_Ubuntu16_system.journal" "$out/journal/seeds/cut" && truncate -s 120000 "$out/journal/seeds/cut" ;;
    journal-export)
      seed journal-export derived-journalctl/Ubuntu22-user/Ubuntu22-user-1000x3.journal.journalctl252.export
      seed journal-export derived-journalctl/Ubuntu16/system.journal.journalctl252.export 6000 ;;
    journal-json)
      seed journal-json derived-journalctl/Ubuntu22-user/Ubuntu22-user-1000x3.journal.journalctl252.json
      seed journal-json derived-journalctl/Ubuntu16/system.journal.journalctl252.json 6000 ;;
    utmp)
      for f in plaso/utmp/utmp_x86_64 plaso/utmp/utmp_corrupted plaso/utmp/wtmp.1 plaso/utmp/utmp_s390 s4/utmp/Debian11_aarch64/wtmp \
               s4/utmp/CentOS7_x86_64/btmp s4/utmp/OpenSUSE15/btmp "s4/utmp/edge/host-entry1_(all_0xFF).wtmp"; do seed utmp "$f"; done ;;
    audit)
      for f in go-libaudit/auparse/audit-rhel6.log go-libaudit/auparse/audit-ubuntu16.log go-libaudit/auparse/test2.log \
               s4/audit/RedHatEnterprise9/audit.log; do seed audit "$f"; done
      seed audit plaso/audit/audit_enriched.log 4000 ;;
    access)
      for f in plaso/access/apache_access.log s4/access/Debian11/apache2/access.log s4/access/RockyLinux9/nginx/access.log \
               s4/access/programs/apache/access.log; do seed access "$f"; done
      seed access s4/access/FreeBSD12.3/nginx.log.0 4000 ;;
    werkzeug)
      seed werkzeug s4/access/flask/server.log
      head -c 4000 "$repo/data-samples/werkzeug/nohup.log" > "$out/werkzeug/seeds/nohup.log"
      head -c 4000 "$repo/data-samples/werkzeug/nohup-werkzeug3.1.3.log" > "$out/werkzeug/seeds/nohup3.log" ;;
    bodyfile)
      tar -xzOf "$repo/tests/fixtures/uac/uac-uacsynth1.tar.gz" bodyfile/bodyfile.txt > "$out/bodyfile/seeds/uac-bodyfile.txt" ;;
    tar|zip|compressed)
      # Archives and compressed files are made from two small corpus files (the corpus has no tar or zip).
      tmp="$out/$t/members"; rm -rf "$tmp"; mkdir -p "$tmp/var/log"
      cp "$corpus/s4/auth/Ubuntu22/auth.log" "$tmp/var/log/auth.log"
      cp "$corpus/s4/utmp/Debian11_aarch64/wtmp" "$tmp/var/log/wtmp"
      ln -s auth.log "$tmp/var/log/auth.link"
      case "$t" in
        tar)
          for f in ustar gnu pax v7; do (cd "$tmp" && tar --format="$f" -cf "$out/tar/seeds/$f.tar" var 2>/dev/null) || true; done ;;
        zip)
          (cd "$tmp" && zip -qry "$out/zip/seeds/deflate.zip" var && zip -qry0 "$out/zip/seeds/stored.zip" var) ;;
        compressed)
          seed compressed plaso/syslog/syslog.gz
          seed compressed s4/utmp/Debian11_aarch64/wtmp.gz
          xz -c "$tmp/var/log/auth.log" > "$out/compressed/seeds/auth.log.xz"
          zstd -q -c "$tmp/var/log/auth.log" > "$out/compressed/seeds/auth.log.zst"
          bzip2 -c "$tmp/var/log/auth.log" > "$out/compressed/seeds/auth.log.bz2"
          (cd "$tmp" && tar -czf "$out/compressed/seeds/small.tar.gz" var/log/auth.log) ;;
      esac
      rm -rf "$tmp" ;;
  esac
}

# --- run -------------------------------------------------------------------------------------------------
run_target() {
  local t="$1" dir="$out/$1"
  make_seeds "$t"
  rm -rf "$dir/findings"
  # SharpFuzz runs the target in-process (persistent mode) and speaks afl's fork-server protocol itself, so the
  # dotnet host is not an instrumented binary (AFL_SKIP_BIN_CHECK). Core dumps and CPU pinning are left alone:
  # the machine is shared.
  AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
  AFL_FORKSRV_INIT_TMOUT=60000 \
    nice -n 19 afl-fuzz -i "$dir/seeds" -o "$dir/findings" -t 10000 -m none -V "$seconds" \
      -- dotnet "$out/bin/Forensics.Fuzz.dll" "$t" > "$dir/afl.log" 2>&1 || echo "fuzz.sh: afl-fuzz for $t exited with $? (see $dir/afl.log)" >&2
}

report() {
  printf '%-15s %12s %8s %8s %10s %8s %6s %8s\n' target executions execs/s corpus edges crashes hangs seconds
  for t in "${targets[@]}"; do
    local stats="$out/$t/findings/default/fuzzer_stats"
    if [[ ! -f "$stats" ]]; then printf '%-15s %s\n' "$t" "no fuzzer_stats (see $out/$t/afl.log)"; continue; fi
    awk -v t="$t" -F' *: *' '
      {v[$1]=$2}
      END {
        crashes = ("saved_crashes" in v) ? v["saved_crashes"] : v["unique_crashes"]
        hangs = ("saved_hangs" in v) ? v["saved_hangs"] : v["unique_hangs"]
        secs = v["last_update"] - v["start_time"]
        printf "%-15s %12s %8.0f %8s %10s %8s %6s %8s\n", t, v["execs_done"], v["execs_per_sec"], v["corpus_count"], v["edges_found"] "/" v["total_edges"], crashes, hangs, secs
      }' "$stats"
  done
}

running=0
for t in "${targets[@]}"; do
  echo "fuzz.sh: fuzzing $t for $seconds s (output $out/$t)" >&2
  run_target "$t" &
  running=$((running + 1))
  if (( running >= jobs )); then wait -n || true; running=$((running - 1)); fi
done
wait
report
