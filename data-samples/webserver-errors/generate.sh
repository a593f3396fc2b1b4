#!/bin/sh
# Regenerates apache2-error.log and nginx-error.log with Debian 12's apache2 (2.4) and nginx (1.22): each server
# runs in the foreground from a throw-away config bound to 127.0.0.1 only, with HTTP basic auth on /private/
# and a denied /denied/, and is fed ordinary, missing-file, missing-credential, wrong-password, unknown-user,
# wrong-scheme, denied and malformed requests with curl. Needs: apache2, apache2-utils (htpasswd), nginx, curl.
# Timestamps are the generating machine's local time (UTC here), as both servers write them.
set -eu
cd "$(dirname "$0")"
OUT=$(pwd)
APORT=${APORT:-18080}
NPORT=${NPORT:-18081}
work=$(mktemp -d)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/htdocs/private" "$work/htdocs/denied" "$work/run"
echo hello > "$work/htdocs/index.html"
echo secret > "$work/htdocs/private/index.html"
echo no > "$work/htdocs/denied/index.html"
htpasswd -bc "$work/htpasswd" alice correct-horse 2>/dev/null
chmod 644 "$work/htpasswd"

requests() {
  base=$1
  curl -s -o /dev/null "$base/"
  curl -s -o /dev/null "$base/missing.php?id=1"
  curl -s -o /dev/null "$base/private/"                                     # no credentials
  curl -s -o /dev/null -u alice:wrong "$base/private/"                      # wrong password
  curl -s -o /dev/null -u mallory:guess "$base/private/"                    # unknown user
  curl -s -o /dev/null -u alice:correct-horse "$base/private/"              # accepted
  curl -s -o /dev/null -H 'Authorization: Digest username="alice"' "$base/private/"  # wrong scheme
  curl -s -o /dev/null -H 'Authorization: Basic !!!notbase64' "$base/private/"       # undecodable
  curl -s -o /dev/null -H 'Referer: http://example.com/' -u root:toor "$base/private/"
  curl -s -o /dev/null "$base/denied/"
  curl -s -o /dev/null "$base/../../etc/passwd" --path-as-is
  printf 'GARBAGE\r\n\r\n' | curl -s -o /dev/null "telnet://${base#http://}" --max-time 2 || true
}

# --- apache2 ---
cat > "$work/apache2.conf" <<CONF
ServerRoot "$work"
ServerName localhost
Listen 127.0.0.1:$APORT
PidFile $work/run/apache2.pid
Mutex file:$work/run default
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authn_core_module /usr/lib/apache2/modules/mod_authn_core.so
LoadModule authn_file_module /usr/lib/apache2/modules/mod_authn_file.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule authz_user_module /usr/lib/apache2/modules/mod_authz_user.so
LoadModule authz_host_module /usr/lib/apache2/modules/mod_authz_host.so
LoadModule auth_basic_module /usr/lib/apache2/modules/mod_auth_basic.so
LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
User nobody
Group nogroup
TypesConfig /etc/mime.types
DocumentRoot "$work/htdocs"
ErrorLog "$OUT/apache2-error.log"
LogLevel info
<Directory "$work/htdocs">
  Require all granted
</Directory>
<Directory "$work/htdocs/private">
  AuthType Basic
  AuthName "private"
  AuthUserFile "$work/htpasswd"
  Require valid-user
</Directory>
<Directory "$work/htdocs/denied">
  Require all denied
</Directory>
CONF
rm -f apache2-error.log
/usr/sbin/apache2 -f "$work/apache2.conf" -DFOREGROUND &
APID=$!
sleep 2
requests "http://127.0.0.1:$APORT"
sleep 1
kill -TERM "$APID" || true; wait "$APID" || true

# --- nginx ---
cat > "$work/nginx.conf" <<CONF
user nobody nogroup;
worker_processes 1;
pid $work/run/nginx.pid;
error_log $OUT/nginx-error.log info;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $work/run/body;
  proxy_temp_path $work/run/proxy;
  fastcgi_temp_path $work/run/fastcgi;
  uwsgi_temp_path $work/run/uwsgi;
  scgi_temp_path $work/run/scgi;
  server {
    listen 127.0.0.1:$NPORT;
    server_name localhost;
    root $work/htdocs;
    location /private/ { auth_basic "private"; auth_basic_user_file $work/htpasswd; }
    location /denied/ { deny all; }
  }
}
CONF
rm -f nginx-error.log
/usr/sbin/nginx -p "$work" -c "$work/nginx.conf" -g 'daemon off;' &
NPID=$!
sleep 2
requests "http://127.0.0.1:$NPORT"
sleep 1
kill -QUIT "$NPID" || true; wait "$NPID" || true
