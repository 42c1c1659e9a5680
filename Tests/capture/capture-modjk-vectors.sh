#!/usr/bin/env bash
# Captures the packets that the REAL mod_jk (Debian libapache2-mod-jk, /usr/lib/apache2/modules/
# mod_jk.so) sends to a backend, as golden vectors for Tests/JKCoreTests/GoldenVectors.swift.
#
#   Tests/capture/capture-modjk-vectors.sh [OUT_DIR]
#
# It starts ajp-test-backend (recording every received packet as JSONL), then Debian's apache2
# (prefork, 127.0.0.1 only) with mod_jk pointed at it, sends the T28–T36 requests of the reference
# (§13.3) with curl, and writes OUT_DIR/<vector>.jsonl with the packets each request produced plus
# OUT_DIR/vectors.txt (one "name hex" line per packet) via vectors_to_text.py.
#
# To make the vectors reproducible, every environment-dependent field is pinned: Apache listens on
# a fixed port (APACHE_PORT, default 39428; 39436 for the JkEnvVar instance) and every curl uses a
# fixed client port (--local-port), so server_port, the Host header and AJP_REMOTE_PORT are known.
# Those values are recorded next to each vector in GoldenVectors.swift.
#
# Every process this script starts is stopped by its PID on exit; the temporary directory (httpd
# configs, logs, TLS keys) is removed unless KEEP_WORK is set.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${1:-$ROOT/.build/modjk-vectors}
APACHE_PORT=${APACHE_PORT:-39428}
APACHE_PORT_ENV=${APACHE_PORT_ENV:-39436}
APACHE_PORT_SSL=${APACHE_PORT_SSL:-39444}
BACKEND=${AJP_TEST_BACKEND:-$ROOT/.build/debug/ajp-test-backend}
# shellcheck source=../lib/apache.sh
source "$ROOT/Tests/lib/apache.sh"

[ -x "$BACKEND" ] || { echo "build it first: swift build --product ajp-test-backend" >&2; exit 1; }
mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/sjk-capture.XXXXXX)
chmod 755 "$WORK"
BACKEND_PID=
cleanup() {
    apache_stop "$WORK/a1" || true
    apache_stop "$WORK/a2" || true
    apache_stop "$WORK/a3" || true
    if [ -n "$BACKEND_PID" ]; then
        kill "$BACKEND_PID" 2>/dev/null || true
        wait "$BACKEND_PID" 2>/dev/null || true
    fi
    [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

# Like apache_start from Tests/lib/apache.sh, but in a session of its own: on SIGTERM the prefork
# parent signals its whole process group, which would otherwise include this script.
capture_apache_start() {
    local dir=$1 port=$2 scheme=${3:-http} i
    setsid apache2 -f "$dir/httpd.conf" -DFOREGROUND > "$dir/logs/stdout.log" 2>&1 &
    echo $! > "$dir/apache.pid"
    for ((i = 0; i < 100; i++)); do
        if curl -sk -o /dev/null --max-time 2 "$scheme://127.0.0.1:$port/static.txt"; then return 0; fi
        kill -0 "$(cat "$dir/apache.pid")" 2>/dev/null || { cat "$dir/logs/error.log" >&2; return 1; }
        sleep 0.1
    done
    echo "apache2 did not answer on port $port" >&2
    return 1
}

# The fixed client ports stay in TIME_WAIT for a minute after a previous run; wait for them.
CLIENT_PORTS=(41044 41028 41128 41228 41328 41333 41038 41029 41030 41031 41032 41033 41133 41233 41034 41036 41136)
for _ in $(seq 80); do
    busy=0
    for p in "${CLIENT_PORTS[@]}"; do
        if ss -Htan "( sport = :$p )" | grep -q .; then busy=1; break; fi
    done
    [ $busy = 0 ] && break
    sleep 1
done

RECORD=$WORK/record.jsonl
"$BACKEND" --listen 127.0.0.1:0 --port-file "$WORK/backend.port" --record "$RECORD" --name node1 \
    > "$WORK/backend.out" 2>&1 &
BACKEND_PID=$!
for _ in $(seq 100); do [ -s "$WORK/backend.port" ] && break; sleep 0.05; done
BPORT=$(cat "$WORK/backend.port")
echo "backend pid $BACKEND_PID port $BPORT" >&2

write_workers() {
    cat > "$1" <<PROPS
worker.list=lb,plain,secretw
worker.node1.type=ajp13
worker.node1.host=127.0.0.1
worker.node1.port=$BPORT
worker.node1.route=node1
worker.lb.type=lb
worker.lb.balance_workers=node1
worker.plain.type=ajp13
worker.plain.host=127.0.0.1
worker.plain.port=$BPORT
worker.secretw.type=ajp13
worker.secretw.host=127.0.0.1
worker.secretw.port=$BPORT
worker.secretw.secret=s3cr3t
worker.secretw.ping_mode=P
PROPS
}

# jk_conf DIR EXTRA_LINES...: the mod_jk part of httpd.conf.
jk_conf() {
    local dir=$1; shift
    mkdir -p "$dir"
    write_workers "$dir/workers.properties"
    {
        echo "JkWorkersFile $dir/workers.properties"
        echo "JkLogFile $dir/logs/mod_jk.log"
        echo "JkLogLevel info"
        echo "JkShmFile $dir/logs/jk.shm"
        echo "JkMount /app/* lb"
        echo "JkMount /plain/* plain"
        echo "JkMount /sec/* secretw"
        echo "JkMount /w1/* plain"
        for line in "$@"; do echo "$line"; done
    } > "$dir/jk-extra.conf"
}

# capture NAME CURL_ARGS...: runs one curl and stores the packets it caused in OUT/NAME.jsonl.
capture() {
    local name=$1; shift
    local before after
    before=$(wc -c < "$RECORD" 2>/dev/null || echo 0)
    curl -sS -o "$WORK/$name.body" --max-time 10 --path-as-is "$@"
    # The backend writes each record line before it replies, so after curl returns the lines are
    # complete; wait a moment for a trailing empty body packet or close event anyway.
    sleep 0.3
    after=$(wc -c < "$RECORD")
    tail -c +"$((before + 1))" "$RECORD" | head -c "$((after - before))" > "$OUT/$name.jsonl"
    echo "$name: $(grep -c '"hex"' "$OUT/$name.jsonl") packets" >&2
}

BASE=http://127.0.0.1:$APACHE_PORT
# curl's own headers are Host, User-Agent, Accept (in that order), then the -H headers in order.
UA=(-A curl/7.88.1)

jk_conf "$WORK/a1"
apache_write_conf "$WORK/a1" "$APACHE_PORT" prefork modjk "$WORK/a1/jk-extra.conf"
capture_apache_start "$WORK/a1" "$APACHE_PORT"

# T28: GET through the lb member node1 (route attribute, JK_LB_ACTIVATION ACT).
capture t28_get_lb --local-port 41028 "${UA[@]}" -H 'X-Custom: abc' -H 'Accept-Language: de' \
    "$BASE/app/hello?x=1&y=%20z"
# Plain (non-lb) worker: no route attribute, JK_LB_ACTIVATION ACT anyway.
capture plain_get --local-port 41128 "${UA[@]}" -H 'X-Custom: abc' -H 'Accept-Language: de' \
    "$BASE/plain/hello?x=1&y=%20z"
# T29: explicit Content-Length: 0 is kept in place (X-After follows it) and nothing is appended.
capture t29_explicit_cl0 --local-port 41029 "${UA[@]}" -H 'Content-Length: 0' -H 'X-After: 1' "$BASE/plain/cl0"
# Header name codes: every coded name in odd spellings, the Accept-* family, a long string name.
capture header_codes --local-port 41228 "${UA[@]}" -H 'accept-charset: utf-8' -H 'Accept-Encoding: gzip' \
    -H 'ACCEPT-LANGUAGE: de' -H 'authorization: Basic eDp5' -H 'CONNECTION: keep-alive' -H 'Cookie: a=1' \
    -H 'cookie2: $Version="1"' -H 'Pragma: no-cache' -H 'rEFERER: http://r/' -H 'X-Longer-Than-15: v' \
    -H 'Content-type: text/plain' "$BASE/plain/h"
# T30: POST a=1&b=2 (curl adds Content-Type and Content-Length: 7).
capture t30_post --local-port 41030 "${UA[@]}" --data-binary 'a=1&b=2' "$BASE/app/post"
# T31: chunked POST hello-chunked.
capture t31_chunked --local-port 41031 "${UA[@]}" -H 'Transfer-Encoding: chunked' \
    --data-binary 'hello-chunked' "$BASE/app/chunked"
# T32: POST with Content-Length 20000; body byte i = 'a' + i % 26. No Expect: 100-continue.
python3 -c 'import sys; sys.stdout.buffer.write(bytes(97 + i % 26 for i in range(20000)))' > "$WORK/body20000"
capture t32_cl20000 --local-port 41032 "${UA[@]}" -H 'Expect:' -H 'Content-Type: application/octet-stream' \
    --data-binary @"$WORK/body20000" "$BASE/app/large"
# T33: methods outside and inside the table.
capture t33_patch --local-port 41033 "${UA[@]}" -X PATCH "$BASE/app/p"
capture t33_propfind --local-port 41133 "${UA[@]}" -X PROPFIND "$BASE/app/pf"
capture t33_baseline_control --local-port 41233 "${UA[@]}" -X BASELINE-CONTROL "$BASE/app/bc"
# T34: secret + ping_mode=P: CPING first, then FORWARD_REQUEST with the secret attribute first.
capture t34_secret --local-port 41034 "${UA[@]}" "$BASE/sec/hello"
# A present but empty query string ("?"), and a lower-case method (not in the table: stored).
capture empty_query --local-port 41328 "${UA[@]}" "$BASE/plain/q?"
capture lowercase_method --local-port 41333 "${UA[@]}" -X get "$BASE/plain/lower"
apache_stop "$WORK/a1"

# T36: JkEnvVar in its own instance, so the other vectors carry no DEFVAR attribute.
jk_conf "$WORK/a2" "JkEnvVar MYVAR" "JkEnvVar DEFVAR dflt" "SetEnvIf Request_URI setmy MYVAR=fromenv" \
    "SetEnvIf Request_URI /w1/user JK_REMOTE_USER=alice JK_AUTH_TYPE=Basic JK_REMOTE_HOST=h.example"
apache_write_conf "$WORK/a2" "$APACHE_PORT_ENV" prefork modjk "$WORK/a2/jk-extra.conf"
capture_apache_start "$WORK/a2" "$APACHE_PORT_ENV"
capture t36_envvar_set --local-port 41036 "${UA[@]}" "http://127.0.0.1:$APACHE_PORT_ENV/w1/setmy"
capture t36_envvar_default --local-port 41136 "${UA[@]}" "http://127.0.0.1:$APACHE_PORT_ENV/w1/other"
# T38 and the remote_user/auth_type attributes, set through the JK_* environment variables.
capture t38_env_user_host --local-port 41038 "${UA[@]}" "http://127.0.0.1:$APACHE_PORT_ENV/w1/user"
apache_stop "$WORK/a2"

# SSL attributes: the whole server speaks TLS 1.2 with one fixed cipher; the client presents a
# self-signed certificate (SSLVerifyClient optional_no_ca + ExportCertData gives SSL_CLIENT_CERT).
mkdir -p "$WORK/a3"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -keyout "$WORK/a3/server.key" \
    -out "$WORK/a3/server.pem" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=sjk-client -keyout "$WORK/a3/client.key" \
    -out "$WORK/a3/client.pem" 2>/dev/null
jk_conf "$WORK/a3" \
    "LoadModule socache_shmcb_module $APACHE_MODULES/mod_socache_shmcb.so" \
    "LoadModule ssl_module $APACHE_MODULES/mod_ssl.so" \
    "SSLSessionCache shmcb:$WORK/a3/logs/ssl_scache(512000)" \
    "SSLEngine on" "SSLProtocol TLSv1.2" "SSLCipherSuite ECDHE-RSA-AES128-GCM-SHA256" \
    "SSLCertificateFile $WORK/a3/server.pem" "SSLCertificateKeyFile $WORK/a3/server.key" \
    "SSLVerifyClient optional_no_ca" "SSLOptions +StdEnvVars +ExportCertData"
apache_write_conf "$WORK/a3" "$APACHE_PORT_SSL" prefork modjk "$WORK/a3/jk-extra.conf"
capture_apache_start "$WORK/a3" "$APACHE_PORT_SSL" https
capture ssl_client_cert --local-port 41044 "${UA[@]}" -k --cert "$WORK/a3/client.pem" --key "$WORK/a3/client.key" \
    "https://127.0.0.1:$APACHE_PORT_SSL/plain/tls?z=1"
apache_stop "$WORK/a3"

cp "$WORK/a1/logs/mod_jk.log" "$OUT/mod_jk-a1.log"
cp "$WORK/a2/logs/mod_jk.log" "$OUT/mod_jk-a2.log"
python3 "$ROOT/Tests/capture/vectors_to_text.py" "$OUT" > "$OUT/vectors.txt"
{
    echo "captured $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    dpkg-query -W -f='${Package} ${Version}\n' libapache2-mod-jk apache2-bin curl
    grep -m1 -o 'mod_jk/[0-9.]*' "$OUT/mod_jk-a1.log" || true
} > "$OUT/provenance.txt"
cat "$OUT/provenance.txt" >&2
echo "vectors in $OUT/vectors.txt" >&2
