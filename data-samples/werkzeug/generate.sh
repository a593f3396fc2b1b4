#!/bin/sh
# Regenerates nohup.log (OUT=...; PYTHON=... picks another Flask/Werkzeug) with Debian 12's python3-flask (Flask 2.2.2, Werkzeug 2.2.2): a real development
# server, written through nohup exactly as an operator would run it, fed with ordinary, proxy-probe,
# malformed and binary requests. Needs: python3-flask, curl. Output is in the machine's local time zone.
set -eu
cd "$(dirname "$0")"
PORT=${PORT:-5077}
PYTHON=${PYTHON:-/usr/bin/python3}
OUT=${OUT:-nohup.log}
rm -f "$OUT"
FLASK_APP=app.py nohup "$PYTHON" -m flask run --port "$PORT" > "$OUT" 2>&1 &
PID=$!
sleep 2
send() { /usr/bin/python3 - "$PORT" "$1" <<'PY'
import socket, sys, time
port, payload = int(sys.argv[1]), sys.argv[2].encode("latin-1").decode("unicode_escape").encode("latin-1")
s = socket.create_connection(("127.0.0.1", port)); s.sendall(payload); s.settimeout(2)
try:
    s.recv(65536)
except Exception:
    pass
s.close()
PY
}
curl -s -o /dev/null "http://127.0.0.1:$PORT/"
curl -s -o /dev/null "http://127.0.0.1:$PORT/missing?q=1"
curl -s -o /dev/null "http://127.0.0.1:$PORT/boom"
curl -s -o /dev/null "http://127.0.0.1:$PORT/fail"
curl -s -o /dev/null "http://127.0.0.1:$PORT/caf%C3%A9"
send 'CONNECT api.ipify.org:443 HTTP/1.1\r\nHost: api.ipify.org:443\r\n\r\n'
send 'GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n'
send 'GET http://example.com:8080/x?y=1 HTTP/1.0\r\n\r\n'
send 'GARBAGE\r\n\r\n'
send 'GET / HTTP/9.9\r\n\r\n'
send 'GET /a b c HTTP/1.1\r\n\r\n'
send '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\xc3\xa9\xff\xfe rest of a TLS hello\r\n\r\n'
send 'GET /nul\x00byte HTTP/1.1\r\n\r\n'
send 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'
sleep 1
kill "$PID"
wait "$PID" 2>/dev/null || true
