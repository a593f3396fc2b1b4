#!/bin/bash
# Rebuilds data-samples/droplet1/ and data-samples/droplet1.tar.gz with real programs:
#   systemd-journal-remote  -> var/log/journal/<machine-id>/system.journal + system@….journal
#   utmpdump -r             -> var/log/wtmp, var/log/btmp
#   Flask dev server (python3-flask) + curl + nc, under libfaketime, in a private
#   network namespace       -> home/webadmin/site/nohup.log
# droplet1-gen.py writes the inputs (export stream, utmpdump text, request plan).
# Needs root (unshare --mount/--net). Debian 12. See README.md.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/droplet1
TARBALL=$HERE/droplet1.tar.gz
# tmpfs size for journal-remote's output directory: journal-remote derives the
# file-size limit (10% / 8) and thereby the data hash table size from the size of
# the file system it writes to, and rotates when the table is 75% full.  With
# this size its own rotation falls at 2024-05-20 23:59 (see README.md).
JOURNAL_TMPFS_KIB=500000

# ---------------------------------------------------------------- 1. tools
PKGS="systemd-journal-remote systemd faketime python3-flask curl netcat-openbsd util-linux tzdata iproute2 bsdutils tar gzip"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y $missing
fi

WORK=$(mktemp -d /tmp/droplet1.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# ---------------------------------------------------------------- 2. inputs
/usr/bin/python3 "$HERE/droplet1-gen.py" "$WORK"
MID=$(cat "$WORK/machine-id")

rm -rf "$OUT"
mkdir -p "$OUT/etc/ssh/sshd_config.d" "$OUT/var/log/journal/$MID" "$OUT/home/webadmin/site"

# ---------------------------------------------------------------- 3. /etc
cp "$HERE/droplet1-etc/"* "$OUT/etc/" 2>/dev/null || true
cp -r "$HERE/droplet1-etc/ssh" "$OUT/etc/"
echo "$MID" > "$OUT/etc/machine-id"
cp /usr/share/zoneinfo/UTC "$OUT/etc/localtime"     # Debian tzdata's UTC, copied (not a symlink)
# dnf-makecache's unit and timer (dnf 4's etc/systemd/ texts) and Fedora's type-wide drop-in (systemd package)
mkdir -p "$OUT/usr"
cp -r "$HERE/droplet1-usr/lib" "$OUT/usr/"

# ---------------------------------------------------------------- 4. journal
mkdir -p "$WORK/jr"
unshare --mount bash -euc '
    mount -t tmpfs -o size='"$JOURNAL_TMPFS_KIB"'k tmpfs "$1/jr"
    mount --bind "$1/machine-id" /etc/machine-id        # journal-remote stamps the header with it
    /lib/systemd/systemd-journal-remote --output="$1/jr/system.journal" - < "$1/journal.export"
    cp --preserve=mode "$1"/jr/*.journal "$2/"
' _ "$WORK" "$OUT/var/log/journal/$MID"

# ---------------------------------------------------------------- 5. wtmp / btmp
utmpdump -r < "$WORK/wtmp.txt" > "$OUT/var/log/wtmp"
utmpdump -r < "$WORK/btmp.txt" > "$OUT/var/log/btmp"
chmod 664 "$OUT/var/log/wtmp"; chmod 600 "$OUT/var/log/btmp"

# ---------------------------------------------------------------- 6. nohup.log
cp "$HERE/droplet1-app/app.py" "$OUT/home/webadmin/site/"
cp -r "$HERE/droplet1-app/static" "$OUT/home/webadmin/site/"
unshare --net bash "$HERE/droplet1-web.sh" "$WORK" "$OUT/home/webadmin/site"

# ---------------------------------------------------------------- 7. tarball
tar --sort=name --mtime='2024-05-21 14:30:00Z' --owner=0 --group=0 --numeric-owner \
    -C "$OUT" -cf - . | gzip -n -9 > "$TARBALL"

# ---------------------------------------------------------------- 8. checks
for f in "$OUT/var/log/journal/$MID"/*.journal; do
    journalctl --file "$f" --verify
done
echo "sshd lines: $(journalctl -D "$OUT/var/log/journal/$MID" | grep -c sshd)"
echo "wtmp records: $(utmpdump "$OUT/var/log/wtmp" 2>/dev/null | wc -l), btmp records: $(utmpdump "$OUT/var/log/btmp" 2>/dev/null | wc -l)"
echo "nohup.log lines: $(wc -l < "$OUT/home/webadmin/site/nohup.log")"
du -sh "$OUT" "$TARBALL"
