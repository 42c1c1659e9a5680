"""Fault injection against the real module (issue 10): backends that trickle, stall, flood headers,
close inside a body packet or answer CPing with garbage; clients that go away while their body is
read or while the response streams. Each case runs through Debian's mod_jk and through SwiftJK
(event MPM) in front of the same scripted backend: the client must get the status mod_jk gives (or
a closed connection), the child must survive, and the worker must serve the next request cleanly.
The files SwiftJK writes (JkLogFile, JkShmFile) and its shared lock are in test_file_faults.py."""

import http.client
import socket
import time

import pytest

from harness import Apache, Backend, make_workdir

CONNECTORS = ["modjk", "swiftjk"]


@pytest.fixture(scope="module")
def sites():
    """Both connectors (event MPM) in front of one scripted backend (`w`, reply_timeout 1 s) and
    one that answers every CPing with garbage (`g`, ping_mode A)."""
    work = make_workdir()
    backend = Backend(work, "node1")
    garbage = Backend(work, "garbage", mode="cpinggarbage")
    workers = (f"worker.list=w,g\n"
               f"worker.w.host=127.0.0.1\nworker.w.port={backend.port}\nworker.w.reply_timeout=1000\n"
               f"worker.g.host=127.0.0.1\nworker.g.port={garbage.port}\nworker.g.ping_mode=A\n"
               f"worker.g.ping_timeout=1000\n")
    apaches = {}
    try:
        for c in CONNECTORS:
            apaches[c] = Apache(work, c, "event", jk_conf="JkMount /w/* w\nJkMount /g/* g\n", workers=workers)
            apaches[c].start()
        yield apaches, backend
    finally:
        for apache in apaches.values():
            apache.stop()
        backend.stop()
        garbage.stop()


def fetch(apache, path, timeout=30):
    """(status, headers, body) of one GET on a new connection."""
    conn = http.client.HTTPConnection("127.0.0.1", apache.port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def raw_exchange(apache, request, timeout=30):
    """Everything the server sends for `request` until it closes the connection."""
    with socket.create_connection(("127.0.0.1", apache.port), timeout=timeout) as s:
        s.sendall(request)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data
            data += chunk


def pattern(count):
    """The backend's /size/<n> body."""
    return bytes(ord("a") + i % 26 for i in range(count))


def still_serves(apache):
    """The worker answers a normal request and a 100 KB one correctly, and no child crashed."""
    status, _, body = fetch(apache, "/w/ok")
    assert (status, body) == (200, b"node=node1 uri=/w/ok\n")
    status, _, body = fetch(apache, "/w/size/100000")
    assert status == 200 and body == pattern(100000)
    assert apache.crashed_children() == []


@pytest.mark.parametrize("connector", CONNECTORS)
def test_reply_trickled_one_byte_at_a_time_arrives_whole(sites, connector):
    apaches, _ = sites
    status, _, body = fetch(apaches[connector], "/w/fault/trickle")
    assert status == 200
    assert body == b"node=node1 uri=/w/fault/trickle\n" * 3
    still_serves(apaches[connector])


def test_reply_stalled_inside_a_packet_ends_with_504_where_mod_jk_waits_forever(sites):
    """reply_timeout bounds every packet read in SwiftJK, a packet that has begun too; mod_jk
    applies it only before a packet starts and then waits (socket_timeout 0 = forever). Both
    wait forever with reply_timeout=0 (README, "Where SwiftJK knowingly differs")."""
    apaches, _ = sites
    started = time.monotonic()
    status, _, _ = fetch(apaches["swiftjk"], "/w/fault/stall")
    assert status == 504
    assert time.monotonic() - started < 10, "reply_timeout (1 s) per attempt must end the wait"
    still_serves(apaches["swiftjk"])
    with pytest.raises(TimeoutError):
        fetch(apaches["modjk"], "/w/fault/stall", timeout=5)
    still_serves(apaches["modjk"])


def raw_headers(apache, path):
    """(status line, header lines) of one GET, read from the socket (http.client stops at 100 headers)."""
    data = raw_exchange(apache, f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    head = data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    return head[0], head[1:]


def test_five_hundred_response_headers_pass_through_like_mod_jk(sites):
    apaches, _ = sites
    counts = {}
    for connector in CONNECTORS:
        status_line, headers = raw_headers(apaches[connector], "/w/fault/manyheaders")
        counts[connector] = (status_line, sum(1 for h in headers if h.startswith(b"X-H")))
        still_serves(apaches[connector])
    assert counts["swiftjk"] == counts["modjk"], counts
    assert counts["swiftjk"][1] == 500


def test_header_count_beyond_the_packet_is_refused_like_mod_jk(sites):
    apaches, _ = sites
    statuses = {}
    for connector in CONNECTORS:
        statuses[connector] = fetch(apaches[connector], "/w/fault/headercount")[0]
        still_serves(apaches[connector])
    assert statuses["swiftjk"] == statuses["modjk"], statuses
    assert statuses["swiftjk"] >= 500


def test_backend_closing_inside_a_body_packet_ends_the_reply_like_mod_jk(sites):
    apaches, _ = sites
    heads = {}
    for connector in CONNECTORS:
        data = raw_exchange(apaches[connector], b"GET /w/fault/midchunk HTTP/1.1\r\nHost: x\r\n\r\n")
        heads[connector] = data.split(b"\r\n", 1)[0]
        assert not data.endswith(b"0\r\n\r\n"), "a broken reply must not end like a complete chunked one"
        still_serves(apaches[connector])
    assert heads["swiftjk"] == heads["modjk"], heads


def test_garbage_answer_to_cping_gives_same_status_as_mod_jk(sites):
    apaches, _ = sites
    statuses = {}
    for connector in CONNECTORS:
        statuses[connector] = [fetch(apaches[connector], "/g/x")[0] for _ in range(3)]
        assert apaches[connector].crashed_children() == []
    assert statuses["swiftjk"] == statuses["modjk"], statuses
    assert all(s >= 500 for s in statuses["swiftjk"])


@pytest.mark.parametrize("connector", CONNECTORS)
def test_client_leaving_while_its_body_is_read(sites, connector):
    """A client announces 1 MB, sends 200 KB and closes; five times. The backend connection that
    carried the half body must not be reused in that state."""
    apaches, _ = sites
    apache = apaches[connector]
    for _ in range(5):
        with socket.create_connection(("127.0.0.1", apache.port), timeout=30) as s:
            s.sendall(b"POST /w/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n")
            s.sendall(b"x" * 200_000)
            time.sleep(0.05)
        time.sleep(0.1)
    conn = http.client.HTTPConnection("127.0.0.1", apache.port, timeout=30)
    body = b"y" * 50_000
    conn.request("POST", "/w/echo", body=body)
    response = conn.getresponse()
    assert response.status == 200
    assert response.read().startswith(b"len=50000 ")
    conn.close()
    still_serves(apache)


@pytest.mark.parametrize("connector", CONNECTORS)
def test_client_leaving_while_the_response_streams(sites, connector):
    """A client asks for 50 MB, reads 256 KB and closes; five times. The next replies on the same
    worker are complete and correct (no leftover body chunks on a reused backend connection)."""
    apaches, _ = sites
    apache = apaches[connector]
    for _ in range(5):
        with socket.create_connection(("127.0.0.1", apache.port), timeout=30) as s:
            s.sendall(b"GET /w/size/50000000 HTTP/1.1\r\nHost: x\r\n\r\n")
            received = 0
            while received < 256 * 1024:
                chunk = s.recv(65536)
                if not chunk:
                    break
                received += len(chunk)
            assert received >= 256 * 1024
    for _ in range(3):
        still_serves(apache)
