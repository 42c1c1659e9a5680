"""A misbehaving backend gives the client a proper 5xx, exactly as mod_jk would, and never
crashes an httpd child. Every case runs through Debian's mod_jk and through SwiftJK against the
same scripted backend, and both must answer the same status."""

import http.client
import socket

import pytest

from harness import Apache, Backend, free_port, make_workdir

# (path, status the client gets) — the backend script is chosen by the path (ajp-test-backend).
BEFORE_HEADERS = [
    ("/w/fault/reset", 504),   # observed with mod_jk 1.2.48: a reset before the reply is 504
    ("/w/fault/close", 502),
    ("/w/fault/badmagic", 502),
    ("/w/fault/oversized", 502),
    ("/w/fault/truncated", 502),
    ("/w/fault/unknowntype", 500),
    ("/w/fault/badheadercode", 500),
    ("/w/fault/hang", 504),
]


@pytest.fixture(scope="module", params=["modjk", "swiftjk"])
def site(request):
    """httpd (prefork, 3+ children) with connector `param` in front of the scripted backend and a
    worker whose port has no listener."""
    work = make_workdir()
    backend = Backend(work, "node1")
    dead_port = free_port()
    workers = (f"worker.list=w,dead\n"
               f"worker.w.host=127.0.0.1\nworker.w.port={backend.port}\nworker.w.reply_timeout=1000\n"
               f"worker.dead.host=127.0.0.1\nworker.dead.port={dead_port}\n")
    apache = Apache(work, request.param, "prefork", jk_conf="JkMount /w/* w\nJkMount /dead/* dead\n",
                    workers=workers).start()
    yield apache, backend
    apache.stop()
    backend.stop()


def get(apache, path, timeout=30):
    conn = http.client.HTTPConnection("127.0.0.1", apache.port, timeout=timeout)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


@pytest.mark.parametrize("path,status", BEFORE_HEADERS, ids=[p for p, _ in BEFORE_HEADERS])
def test_backend_fault_before_headers_gives_same_status_as_mod_jk(site, path, status):
    apache, _ = site
    assert get(apache, path)[0] == status
    assert get(apache, "/w/ok")[0] == 200, "the worker must still serve after the fault"
    assert apache.crashed_children() == []


def test_unreachable_backend_gives_503(site):
    apache, _ = site
    assert get(apache, "/dead/x")[0] == 503
    assert apache.crashed_children() == []


def test_fail_midbody_closes_client_connection_without_crash(site):
    apache, _ = site
    with socket.create_connection(("127.0.0.1", apache.port), timeout=30) as s:
        s.sendall(b"GET /w/fault/midbody HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    # The headers and the first chunk were still buffered in httpd when the backend closed, so
    # both connectors answer with a clean 502 page (nothing half-sent).
    assert data.startswith(b"HTTP/1.1 502"), data[:200]
    assert not data.endswith(b"0\r\n\r\n"), "no chunked tail after an error page"
    assert get(apache, "/w/ok")[0] == 200
    assert apache.crashed_children() == []


def test_backend_statuses_and_reason_phrases_pass_through(site):
    apache, _ = site
    with socket.create_connection(("127.0.0.1", apache.port), timeout=30) as s:
        s.sendall(b"GET /w/status/500/Internal%20Oops HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        head = s.recv(100)
    assert head.startswith(b"HTTP/1.1 500 Internal Oops\r\n"), head
    with socket.create_connection(("127.0.0.1", apache.port), timeout=30) as s:
        s.sendall(b"GET /w/status/200/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        head = s.recv(100)
    assert head.startswith(b"HTTP/1.1 200 OK\r\n"), head


def test_empty_404_passes_through_with_zero_length(site):
    apache, _ = site
    conn = http.client.HTTPConnection("127.0.0.1", apache.port, timeout=30)
    conn.request("GET", "/w/empty/404")
    response = conn.getresponse()
    assert response.status == 404 and response.read() == b""


@pytest.mark.parametrize("connector", ["modjk", "swiftjk"])
def test_response_header_with_cr_lf_or_nul_never_splits_the_response(connector):
    """Tomcat's side is untrusted: header values with CR LF, LF or NUL (`/crlf`) must not reach the
    client as extra header lines. Measured for both connectors: the values arrive with each CR, LF
    and NUL turned into a space (`X-Split: a  Set-Cookie: split=1`), so no header line is added;
    the child survives."""
    import socket
    work = make_workdir()
    backend = Backend(work, "node1")
    apache = Apache(work, connector, "event", jk_conf="JkMount /w/* w\n",
                    workers=f"worker.list=w\nworker.w.host=127.0.0.1\nworker.w.port={backend.port}\n").start()
    try:
        s = socket.create_connection(("127.0.0.1", apache.port), timeout=10)
        s.sendall(b"GET /w/crlf HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        raw = b""
        while chunk := s.recv(65536):
            raw += chunk
        s.close()
        head = raw.split(b"\r\n\r\n", 1)[0]
        lines = head.split(b"\r\n")
        assert not any(line.lower().startswith((b"set-cookie: split", b"x-injected")) for line in lines), head
        assert b"\n" not in b"".join(lines) and b"\x00" not in head, head
        print(f"{connector}: {lines[0].decode()}")
        assert apache.crashed_children() == []
    finally:
        apache.stop()
        backend.stop()
