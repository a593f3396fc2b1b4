#!/bin/bash
# Runs inside `unshare --net` (called by make-droplet1.sh): a private network
# namespace where the droplet's and the visitors' addresses live on `lo`, so no
# packet ever leaves this machine.  Replays WORK/web-plan.tsv against a real
# Flask development server whose clock is set per request by libfaketime.
#   $1 = WORK dir (web-plan.tsv, raw-*.bin)   $2 = site dir (app.py; nohup.log is written here)
set -euo pipefail
WORK=$1
SITE=$2
DROPLET_IP=164.90.152.37
ip link set lo up
ip addr add $DROPLET_IP/20 dev lo
ip route add default dev lo src $DROPLET_IP
cut -f2 "$WORK/web-plan.tsv" | sort -u | grep -v '^127\.' | while read -r a; do ip addr add "$a/32" dev lo; done

TS=$WORK/faketime-now
first=$(head -1 "$WORK/web-plan.tsv" | cut -f1)
date -u -d "@$((first - 4))" '+%Y-%m-%d %H:%M:%S' > "$TS"

# The owner typed `nohup python3 app.py > nohup.log 2>&1 &` in an SSH terminal.  Run it
# under script(1) so that stdin is a terminal: nohup then writes "nohup: ignoring input"
# into nohup.log, as it does on a real droplet.  `set -m`: a background job of a
# non-interactive shell would otherwise start with SIGINT ignored and ^C would not stop it.
cat > "$WORK/start-site.sh" <<EOF
set -m
cd "$SITE"
env -i PATH=/usr/bin:/bin HOME=/home/webadmin LANG=C.UTF-8 TZ=UTC PYTHONDONTWRITEBYTECODE=1 \\
    LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 \\
    FAKETIME_TIMESTAMP_FILE="$TS" FAKETIME_NO_CACHE=1 FAKETIME_DONT_FAKE_MONOTONIC=1 \\
    nohup /usr/bin/python3 app.py > nohup.log 2>&1 &
echo \$! > "$WORK/site.pid"
EOF
SHELL=/bin/bash script -q -c "bash $WORK/start-site.sh" /dev/null > /dev/null
srv=$(cat "$WORK/site.pid")
for _ in $(seq 100); do
    nc -z $DROPLET_IP 5000 2>/dev/null && break
    sleep 0.1
done

while IFS=$'\t' read -r t ip kind arg ua; do
    date -u -d "@$t" '+%Y-%m-%d %H:%M:%S' > "$TS"
    if [ "$kind" = curl ]; then
        method=${arg%% *}; path=${arg#* }
        if [ "$ip" = 127.0.0.1 ]; then src=(); host=127.0.0.1; else src=(--interface "$ip"); host=$DROPLET_IP; fi
        if [ "$method" = POST ]; then
            curl -s -o /dev/null -m 5 "${src[@]}" -A "$ua" --data '' "http://$host:5000$path" || true
        else
            curl -s -o /dev/null -m 5 "${src[@]}" -A "$ua" "http://$host:5000$path" || true
        fi
    else
        nc -N -w 5 -s "$ip" $DROPLET_IP 5000 < "$WORK/$arg" > /dev/null || true
    fi
done < "$WORK/web-plan.tsv"

# the owner stops the site with ^C (SIGINT) at the end of the story
kill -INT "$srv"
for _ in $(seq 100); do
    kill -0 "$srv" 2>/dev/null || break
    sleep 0.1
done
