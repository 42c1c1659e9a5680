#!/usr/bin/env python3
"""Sends FORWARD_REQUESTs to a Tomcat AJP connector and prints each answer packet as

    <exchange>#<n> <length> <hex>

Usage: tomcat_responses.py ADDRESS PORT VECTOR_DIR (see capture-tomcat-responses.sh).
"""

import json
import os
import pathlib
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from ajp_client import CPING, AJPConnection, forward_request  # noqa: E402

HEADERS = [("host", "127.0.0.1:39428"), ("user-agent", "curl/7.88.1"), ("accept", "*/*")]


def get(uri, method="GET", extra=(), query=None, cl="0"):
    headers = list(HEADERS) + list(extra)
    if cl is not None:
        headers.append(("content-length", cl))
    attributes = [(0x05, query)] if query is not None else []
    attributes += [(0x0A, ("AJP_REMOTE_PORT", "41000")), (0x0A, ("AJP_LOCAL_ADDR", "127.0.0.1")),
                   (0x0A, ("JK_LB_ACTIVATION", "ACT"))]
    return forward_request(method=method, uri=uri, server_port=39428, headers=headers,
                           attributes=attributes)


def show(name, packets):
    for index, raw in enumerate(packets, 1):
        print("%s#%d %d %s" % (name, index, len(raw), raw.hex()))


def main(address, port, vector_dir):
    port = int(port)
    with AJPConnection(port, host=address, timeout=30) as conn:
        show("cpong", [conn.cping()])
        # Warm-up so the JSPs are compiled before the captured exchanges.
        for uri in ("/index.jsp", "/redirect.jsp", "/echo.jsp", "/session.jsp"):
            conn.request(get(uri))
        show("static_txt", conn.request(get("/static.txt")).packets)
        show("redirect_jsp", conn.request(get("/redirect.jsp")).packets)
        show("session_jsp", conn.request(get("/session.jsp")).packets)
        body = b"hello-chunked"
        fr = get("/echo.jsp", method="POST", cl=None,
                 extra=[("Transfer-Encoding", "chunked"), ("content-type", "text/plain")])
        show("echo_chunked", conn.request(fr, body=body, chunked=True).packets)
        show("head_static", conn.request(get("/static.txt", method="HEAD")).packets)
    t28 = pathlib.Path(vector_dir) / "t28_get_lb.jsonl"
    if t28.exists():
        record = [json.loads(line) for line in t28.read_text().splitlines()]
        packet = bytes.fromhex(next(r["hex"] for r in record if r.get("type") == "forward_request"))
        with AJPConnection(port, host=address, timeout=30) as conn:
            show("t28_replay_404", conn.request(packet).packets)


if __name__ == "__main__":
    main(*sys.argv[1:4])
