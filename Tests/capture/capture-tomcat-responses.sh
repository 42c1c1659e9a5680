#!/usr/bin/env bash
# Captures container→server packets from a REAL Tomcat 10.1 (Debian tomcat10) AJP connector, as
# response golden vectors for Tests/JKCoreTests/GoldenVectors.swift.
#
#   Tests/capture/capture-tomcat-responses.sh [OUT_DIR]
#
# Starts one Tomcat (Tests/lib/tomcat.sh: AJP on 127.0.0.29:39809, HTTP on 39880, jvmRoute node1,
# no secret) with the test webapp, then tomcat_responses.py sends FORWARD_REQUESTs with the
# independent Python client Tests/ajp_client.py — including the exact T28 packet captured from
# mod_jk, if OUT_DIR/t28_get_lb.jsonl exists — and writes every packet Tomcat answered to
# OUT_DIR/tomcat-responses.txt. Tomcat is stopped by PID on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${1:-$ROOT/.build/modjk-vectors}
ADDRESS=127.0.0.29
AJP_PORT=${AJP_PORT:-39809}
HTTP_PORT=${HTTP_PORT:-39880}
# shellcheck source=../lib/tomcat.sh
source "$ROOT/Tests/lib/tomcat.sh"

mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/sjk-tomcat-capture.XXXXXX)
trap 'tomcat_stop t1 "$WORK"; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT
tomcat_start t1 "$ADDRESS" "$AJP_PORT" "$HTTP_PORT" node1 "" "$WORK"
tomcat_wait "$ADDRESS" "$HTTP_PORT" 180
python3 "$ROOT/Tests/capture/tomcat_responses.py" "$ADDRESS" "$AJP_PORT" "$OUT" > "$OUT/tomcat-responses.txt"
{
    echo "captured $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    dpkg-query -W -f='${Package} ${Version}\n' tomcat10 libtomcat10-java
} > "$OUT/tomcat-provenance.txt"
cat "$OUT/tomcat-provenance.txt" >&2
