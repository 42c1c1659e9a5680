"""Black-box tests of ajp-test-backend over real loopback sockets.

Run: swift build --product ajp-test-backend && python3 -m pytest -q Tests/test_ajp_test_backend.py
The binary is taken from $AJP_TEST_BACKEND, else .build/debug/ajp-test-backend.
"""

import json
import os
import random
import socket
import struct
import subprocess
import threading
import time

import pytest

from ajp_client import (CPING, CPONG, EMPTY_BODY, AJPConnection, ProtocolError, body_packet,
                        fnv1a64, forward_request, packet)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.environ.get("AJP_TEST_BACKEND", os.path.join(ROOT, ".build", "debug", "ajp-test-backend"))


class Backend:
    def __init__(self, tmp_path, *args, name="node1"):
        self.record = tmp_path / ("%s-%d.jsonl" % (name, id(self)))
        port_file = tmp_path / ("%s-%d.port" % (name, id(self)))
        self.process = subprocess.Popen(
            [BINARY, "--listen", "127.0.0.1:0", "--name", name, "--record", str(self.record),
             "--port-file", str(port_file), *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline().strip()
        assert line.startswith("listening 127.0.0.1:"), line
        self.port = int(line.rsplit(":", 1)[1])
        assert int(port_file.read_text()) == self.port

    def connect(self, timeout=5.0):
        return AJPConnection(self.port, timeout=timeout)

    def lines(self):
        """Complete lines only: a line being appended right now has no newline yet."""
        if not self.record.exists():
            return []
        text = self.record.read_text()
        return [json.loads(line) for line in text.split("\n")[:-1]]

    def wait_for(self, predicate, timeout=3.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            lines = self.lines()
            if predicate(lines):
                return lines
            time.sleep(0.02)
        raise AssertionError("condition not met; record:\n" + "\n".join(map(json.dumps, self.lines())))

    def stop(self):
        self.process.kill()
        self.process.wait()

    @property
    def alive(self):
        return self.process.poll() is None


@pytest.fixture
def backend(tmp_path):
    started = []

    def start(*args, name="node1"):
        instance = Backend(tmp_path, *args, name=name)
        started.append(instance)
        return instance

    yield start
    for instance in started:
        instance.stop()


def get(uri, method="GET", headers=None, attributes=(), cl=True):
    hdrs = [("Host", "127.0.0.1:38917"), ("User-Agent", "curl/7.88.1"), ("Accept", "*/*")]
    hdrs += headers or []
    if cl and not any(name.lower() == "content-length" for name, _ in hdrs):
        hdrs.append(("content-length", "0"))
    return forward_request(method, uri, server_port=38917, headers=hdrs, attributes=attributes)


# The packet of reference Appendix A.1 (port numbers as captured).
A1 = bytes.fromhex(
    "123400fe02020008485454502f312e3100000a2f6170702f68656c6c6f0000093132372e302e302e3100ffff"
    "00093132372e302e302e31009805000006a00b000f3132372e302e302e313a333839313700a00e000b637572"
    "6c2f372e38382e3100a00100032a2f2a000008582d437573746f6d00000361626300000f4163636570742d4c"
    "616e6775616765000002646500a0080001300005000a783d3126793d2532307a000600056e6f646531000a00"
    "0f414a505f52454d4f54455f504f52540000053536393636000a000e414a505f4c4f43414c5f414444520000"
    "093132372e302e302e31000a00104a4b5f4c425f41435449564154494f4e00000341435400ff")

# Reference Appendix A.4 SEND_HEADERS for node1.
A4_HEADERS = bytes.fromhex(
    "4142002b0400c80003323030000002a001000a746578742f706c61696e000006582d4e6f64650000056e6f64653100")


def test_a1_request_gets_tomcat_like_reply_and_is_recorded(backend):
    b = backend()
    with b.connect() as c:
        assert c.cping() == CPONG
        r = c.request(A1)
        body = b"node=node1 uri=/app/hello\n"
        assert r.packets == [A4_HEADERS,
                             bytes.fromhex("4142") + struct.pack(">HBH", len(body) + 4, 3, len(body)) + body + b"\0",
                             bytes.fromhex("414200020501")]
        assert c.cping() == CPONG  # connection kept alive, CPING between requests
    lines = b.wait_for(lambda ls: any(l.get("event") == "close" for l in ls))
    assert lines[0] == {"event": "accept", "conn": 1, "peer": lines[0]["peer"]}
    packets = [l for l in lines if "type" in l]
    assert [(p["seq"], p["type"]) for p in packets] == [(1, "cping"), (2, "forward_request"), (3, "cping")]
    assert packets[0]["hex"] == "123400010a"
    fr = packets[1]
    assert fr["hex"] == A1.hex()
    assert fr["decoded"] == {
        "method": {"code": 2, "name": "GET"}, "protocol": "HTTP/1.1", "req_uri": "/app/hello",
        "remote_addr": "127.0.0.1", "remote_host": None, "server_name": "127.0.0.1",
        "server_port": 38917, "is_ssl": False,
        "headers": [["host", "127.0.0.1:38917", {"code": "A00B"}], ["user-agent", "curl/7.88.1", {"code": "A00E"}],
                    ["accept", "*/*", {"code": "A001"}], ["X-Custom", "abc"], ["Accept-Language", "de"],
                    ["content-length", "0", {"code": "A008"}]],
        "attributes": [["query_string", "x=1&y=%20z"], ["route", "node1"],
                       ["req_attribute", "AJP_REMOTE_PORT=56966"], ["req_attribute", "AJP_LOCAL_ADDR=127.0.0.1"],
                       ["req_attribute", "JK_LB_ACTIVATION=ACT"]]}
    assert lines[-1] == {"event": "close", "conn": 1, "by": "peer", "reason": "peer closed"}


def test_post_with_small_body_then_reuse(backend):
    b = backend()
    with b.connect() as c:
        fr = get("/echo", "POST", headers=[("Content-Type", "application/x-www-form-urlencoded"),
                                          ("Content-Length", "7")])
        r = c.request(fr, b"a=1&b=2")
        assert r.status == 200 and r.reason == b"200"
        assert r.body == ("len=7 fnv1a64=%s\n" % fnv1a64(b"a=1&b=2")).encode()
        assert r.body_requests == [] and r.reuse == 1
        r = c.request(get("/x"))
        assert r.body == b"node=node1 uri=/x\n"
    lines = b.wait_for(lambda ls: any(l.get("event") == "close" for l in ls))
    bodies = [l for l in lines if l.get("type") == "body"]
    assert bodies == [{"conn": 1, "seq": 2, "type": "body", "hex": "123400090007613d3126623d32",
                       "decoded": {"length": 7}}]


def test_large_post_is_pulled_with_get_body_chunk(backend):
    b = backend()
    data = bytes(random.Random(1).getrandbits(8) for _ in range(20000))
    with b.connect() as c:
        r = c.request(get("/app/echo", "POST", headers=[("Content-Length", "20000")]), data)
        assert r.body_requests == [8186, 8186]
        assert r.packets[0] == bytes.fromhex("41420003061ffa")
        assert r.body == ("len=20000 fnv1a64=%s\n" % fnv1a64(data)).encode()
    lines = b.wait_for(lambda ls: len([l for l in ls if l.get("type") == "body"]) == 3)
    assert [l["decoded"]["length"] for l in lines if l.get("type") == "body"] == [8186, 8186, 3628]


def test_normal_reply_also_reads_the_whole_body(backend):
    b = backend()
    with b.connect() as c:
        r = c.request(get("/plain", "PUT", headers=[("Content-Length", "10000")]), b"x" * 10000)
        assert r.body_requests == [8186] and r.body == b"node=node1 uri=/plain\n"
        assert c.request(get("/again")).status == 200


def test_chunked_post_is_pulled_until_empty_packet(backend):
    b = backend()
    with b.connect() as c:
        fr = get("/echo", "POST", headers=[("Transfer-Encoding", "chunked")], cl=False)
        r = c.request(fr, b"hello-chunked", chunked=True)
        assert r.body_requests == [8186, 8186]
        assert r.body == ("len=13 fnv1a64=%s\n" % fnv1a64(b"hello-chunked")).encode()
    lines = b.wait_for(lambda ls: len([l for l in ls if l.get("type") == "body"]) == 2)
    assert [l["hex"] for l in lines if l.get("type") == "body"] == [
        "1234000f000d68656c6c6f2d6368756e6b6564", "12340000"]


def test_status_scripts(backend):
    b = backend()
    with b.connect() as c:
        r = c.request(get("/w1/status/503"))
        assert (r.status, r.reason, r.body) == (503, b"503", b"node=node1 status=503\n")
        r = c.request(get("/status/200/"))
        assert (r.status, r.reason) == (200, b"")
        r = c.request(get("/app;jsessionid=X/status/500/Internal%20Oops"))
        assert (r.status, r.reason) == (500, b"Internal Oops")
        r = c.request(get("/status/204"))
        assert (r.status, r.chunks, r.reuse) == (204, [], 1)
        r = c.request(get("/empty/404"))
        assert (r.status, r.reason, r.chunks, r.headers) == (404, b"404", [], [("X-Node", "node1")])
        r = c.request(get("/status/notanumber"))
        assert r.status == 200 and r.body == b"node=node1 uri=/status/notanumber\n"
        r = c.request(get("/x", method="HEAD"))
        assert r.status == 200 and r.chunks == []


def test_size_flush_location_cookie_headers(backend):
    b = backend()
    with b.connect() as c:
        r = c.request(get("/size/20000"))
        assert [len(x) for x in r.chunks] == [8184, 8184, 3632]
        assert r.body == bytes(0x61 + i % 26 for i in range(20000))
        assert all(len(p) <= 8192 for p in r.packets)
        assert c.request(get("/size/0")).chunks == []
        r = c.request(get("/flush"))
        assert r.packets[2] == bytes.fromhex("4142000403000000")
        assert r.chunks == [b"node=node1 part=1\n", b"", b"node=node1 part=2\n"]
        r = c.request(get("/location"))
        assert r.status == 302 and r.chunks == []
        assert r.packets[0][15:17] == b"\xa0\x06"
        assert r.header("Location") == "http://127.0.0.1/redirected/node1"
        r = c.request(get("/cookie"))
        assert [v for n, v in r.headers if n == "Set-Cookie"] == ["a=1; Path=/", "b=2; Path=/"]
        assert r.packets[0].count(b"\xa0\x07") == 2
        fr = forward_request("PATCH", "/headers", headers=[("Host", "h"), ("X-A", "1"), ("content-length", "0")],
                             attributes=[(0x0C, "s3"), (0x05, "q=1"), (0x06, "node1"), (0x0B, 256),
                                         (0x0A, ("AJP_REMOTE_PORT", "5"))])
        r = c.request(fr)
        assert r.body.decode() == ("host: h\nX-A: 1\ncontent-length: 0\n@secret: s3\n@query_string: q=1\n"
                                   "@route: node1\n@ssl_key_size: 256\n@AJP_REMOTE_PORT: 5\n@stored_method: PATCH\n")
    lines = b.wait_for(lambda ls: any(l.get("event") == "close" for l in ls))
    patch = [l for l in lines if l.get("type") == "forward_request"][-1]["decoded"]
    assert patch["method"] == {"code": 255, "name": "PATCH"}
    assert patch["attributes"][3] == ["ssl_key_size", 256]
    assert patch["attributes"][-1] == ["stored_method", "PATCH"]


def test_delay_and_reuse0(backend):
    b = backend()
    with b.connect() as c:
        start = time.time()
        assert c.request(get("/delay/300")).status == 200
        assert time.time() - start >= 0.3
        r = c.request(get("/reuse0"))
        assert r.reuse == 0 and r.packets[-1] == bytes.fromhex("414200020500")
        assert c.sock.recv(1) == b""
    b.wait_for(lambda ls: {"event": "close", "conn": 1, "by": "backend", "reason": "reuse0"} in ls)


def expect_reset(c):
    with pytest.raises(ConnectionResetError):
        c.sock.recv(100)


def test_connection_faults(backend):
    b = backend()
    with b.connect() as c:
        c.send(get("/fault/reset"))
        time.sleep(0.1)
        expect_reset(c)
    with b.connect() as c:
        c.send(get("/fault/close", "POST", headers=[("Content-Length", "3")]) + body_packet(b"abc"))
        assert c.sock.recv(100) == b""
    with b.connect(timeout=0.5) as c:
        c.send(get("/fault/hang"))
        with pytest.raises(socket.timeout):
            c.sock.recv(100)
        c.send(CPING)  # recorded, not answered
        with pytest.raises(socket.timeout):
            c.sock.recv(100)
    lines = b.wait_for(lambda ls: len([l for l in ls if l.get("event") == "close"]) == 3)
    closes = [l for l in lines if l.get("event") == "close"]
    assert [(l["by"], l["reason"]) for l in closes] == [
        ("backend", "fault/reset"), ("backend", "fault/close"), ("peer", "peer closed")]
    assert [l for l in lines if l.get("conn") == 3 and "type" in l][-1]["type"] == "cping"


def read_all(c):
    data = b""
    while True:
        try:
            more = c.sock.recv(65536)
        except ConnectionResetError:
            return data
        if not more:
            return data
        data += more


def test_reply_faults(backend):
    b = backend()
    normal_body = lambda uri: b"node=node1 uri=" + uri + b"\n"

    def raw(uri, close_after=0.3):
        with b.connect() as c:
            c.send(get(uri))
            time.sleep(close_after)
            c.sock.shutdown(socket.SHUT_WR)
            return read_all(c)

    data = raw("/fault/badmagic")
    assert data[:2] == b"\x12\x34" and data[2:] == A4_HEADERS[2:] + data[len(A4_HEADERS):]
    assert data.endswith(bytes.fromhex("414200020501"))
    data = raw("/fault/oversized")
    assert data == bytes.fromhex("4142fde8") + A4_HEADERS[4:12]
    data = raw("/fault/truncated", 0)
    assert data == bytes.fromhex("41420064") + A4_HEADERS[4:14]
    data = raw("/fault/unknowntype")
    assert data.startswith(bytes.fromhex("4142000142") + A4_HEADERS)
    data = raw("/fault/badheadercode")
    assert bytes.fromhex("a0ff000178") in data[:40] and data.endswith(bytes.fromhex("414200020501"))
    data = raw("/fault/twoheaders")
    assert data.startswith(A4_HEADERS + A4_HEADERS)
    data = raw("/fault/chunktoolarge")
    assert data == A4_HEADERS + bytes.fromhex("41420007030064616263004142000205" "01")
    data = raw("/fault/midbody", 0)
    body = normal_body(b"/fault/midbody")
    assert data == A4_HEADERS + b"AB" + struct.pack(">HBH", len(body) + 4, 3, len(body)) + body + b"\0"


def test_client_protocol_errors_close_like_tomcat(backend):
    b = backend()
    with b.connect() as c:
        c.send(b"GET / HTTP/1.1\r\n\r\n")
        assert read_all(c) == b""
    with b.connect() as c:
        c.send(bytes.fromhex("1234ffff"))
        assert read_all(c) == bytes.fromhex("4142000b0401900003343030000000") + bytes.fromhex("414200020500")
    with b.connect() as c:  # method code 0
        c.send(forward_request(0, "/", headers=[("content-length", "0")]))
        data = read_all(c)
        assert data[5:7] == struct.pack(">H", 500) and data.endswith(bytes.fromhex("414200020500"))
    with b.connect() as c:  # header code A0FF
        c.send(forward_request("GET", "/", headers=[(0xA0FF, "x")]))
        assert read_all(c)[5:7] == struct.pack(">H", 500)
    with b.connect() as c:  # string without NUL terminator
        c.send(packet(bytes([2, 2, 0, 1, 0x41, 0x42])))
        assert read_all(c)[5:7] == struct.pack(">H", 500)
    with b.connect() as c:  # two content-length headers
        c.send(get("/", headers=[("Content-Length", "1"), ("Content-Length", "1")]))
        assert read_all(c)[5:7] == struct.pack(">H", 400)
    with b.connect() as c:  # SHUTDOWN between requests: closed without reply
        c.send(bytes.fromhex("1234000107"))
        assert read_all(c) == b""
    with b.connect() as c:  # truncated packet
        c.send(bytes.fromhex("1234001002"))
    lines = b.wait_for(lambda ls: len([l for l in ls if l.get("event") == "close"]) == 8)
    events = [l["event"] for l in lines if "event" in l and l["event"] not in ("accept", "close")]
    assert events == ["bad_magic", "oversized_packet", "truncated_packet"]
    errors = [l for l in lines if "error" in l]
    assert [e["type"] for e in errors] == ["forward_request", "forward_request", "forward_request", "shutdown"]
    assert b.alive


def test_garbage_never_crashes(backend):
    b = backend()
    rng = random.Random(7)
    for i in range(300):
        with b.connect(timeout=2) as c:
            kind = i % 3
            if kind == 0:
                data = bytes(rng.getrandbits(8) for _ in range(rng.randrange(1, 300)))
            else:
                payload = bytearray(get("/x" * rng.randrange(1, 20))[4:])
                for _ in range(rng.randrange(1, 6)):
                    payload[rng.randrange(len(payload))] = rng.getrandbits(8)
                if kind == 2:
                    payload = payload[:rng.randrange(len(payload))]
                data = packet(bytes(payload))
            try:
                c.send(data)
                c.sock.shutdown(socket.SHUT_WR)
                read_all(c)
            except OSError:  # reset, broken pipe, not connected, timeout
                pass
        assert b.alive
    with b.connect() as c:
        assert c.request(get("/still/ok")).status == 200
    for line in b.lines():
        assert "conn" in line
    time.sleep(0.2)
    fds = os.listdir("/proc/%d/fd" % b.process.pid)
    assert len(fds) < 10, fds  # every connection's socket was closed
    text = b.record.read_text()
    assert len(text.splitlines()) == len(text.split("\n")) - 1  # no U+0085/U+2028 inside lines


def test_many_concurrent_persistent_connections(backend):
    b = backend()
    failures = []

    def client(n):
        try:
            with b.connect() as c:
                for k in range(20):
                    if k % 5 == 0:
                        assert c.cping() == CPONG
                    r = c.request(get("/c%d/r%d" % (n, k)))
                    assert r.body == ("node=node1 uri=/c%d/r%d\n" % (n, k)).encode()
        except Exception as error:  # noqa: BLE001 - collected for the assertion below
            failures.append(repr(error))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    lines = b.wait_for(lambda ls: len([l for l in ls if l.get("event") == "close"]) == 40)
    assert len([l for l in lines if l.get("type") == "forward_request"]) == 800
    for conn in range(1, 41):
        seqs = [l["seq"] for l in lines if l.get("conn") == conn and "seq" in l]
        assert seqs == list(range(1, 25))


def test_mode_refuse(backend):
    b = backend("--mode", "refuse")
    with b.connect() as c:
        assert read_all(c) == b""
    assert b.wait_for(lambda ls: len(ls) == 2) == [
        {"event": "accept", "conn": 1, "peer": b.lines()[0]["peer"]},
        {"event": "close", "conn": 1, "by": "backend", "reason": "refused (mode refuse)"}]


def test_mode_reset(backend):
    b = backend("--mode", "reset")
    with b.connect() as c:
        c.send(CPING)
        time.sleep(0.1)
        expect_reset(c)
    with b.connect() as c:
        c.send(get("/"))
        time.sleep(0.1)
        expect_reset(c)
    lines = b.wait_for(lambda ls: len([l for l in ls if l.get("event") == "close"]) == 2)
    assert [l["type"] for l in lines if "type" in l] == ["cping", "forward_request"]


def test_mode_hang(backend):
    b = backend("--mode", "hang")
    with b.connect(timeout=0.3) as c:
        c.send(CPING)
        with pytest.raises(socket.timeout):
            c.sock.recv(10)
        c.send(get("/echo", "POST", headers=[("Content-Length", "2")]) + body_packet(b"hi"))
        with pytest.raises(socket.timeout):
            c.sock.recv(10)
    lines = b.wait_for(lambda ls: any(l.get("event") == "close" for l in ls))
    assert [l["type"] for l in lines if "type" in l] == ["cping", "forward_request", "body"]


FAST_REPLY = bytes.fromhex(
    "41420021" "0400c8" "000332303000" "0002" "a001000a746578742f706c61696e00" "a0030002313600"
    "41420014" "030010" + b"Hello from AJP!\n".hex() + "00"
    "414200020501")


def test_mode_fast(backend):
    b = backend("--mode", "fast")
    with b.connect() as c:
        for _ in range(3):
            c.send(get("/anything/status/500"))
            assert c.recv_exact(len(FAST_REPLY)) == FAST_REPLY
        assert c.cping() == CPONG
        r = c.request(get("/p", "POST", headers=[("Content-Length", "9000")]), b"z" * 9000)
        assert r.body_requests == [8186] and r.body == b"Hello from AJP!\n"
    assert len(FAST_REPLY) == 67
    time.sleep(0.1)
    assert not b.record.exists() or b.record.read_text() == ""


def test_mode_fast_body_size(backend):
    b = backend("--mode", "fast", "--fast-body-size", "20000")
    pattern = bytes(ord("a") + i % 26 for i in range(20000))
    with b.connect() as c:
        for _ in range(2):
            r = c.request(get("/fast100k/body"))
            assert (r.status, r.header("Content-Length"), r.body) == (200, "20000", pattern)
            assert [len(x) for x in r.chunks] == [8184, 8184, 3632]


def test_mode_status(backend):
    b = backend("--mode", "status:503", name="n2")
    with b.connect() as c:
        r = c.request(get("/echo"))
        assert (r.status, r.reason, r.body, r.header("X-Node")) == (503, b"503", b"node=n2 status=503\n", "n2")


def test_secret_and_packet_size(backend):
    b = backend("--secret", "s3cr3t", "--packet-size", "16384")
    with b.connect() as c:
        fr = get("/echo", "POST", headers=[("Content-Length", "40000")], attributes=[(0x0C, "s3cr3t")])
        r = c.request(fr, b"q" * 40000, chunk_size=16378)
        assert r.body_requests == [16378, 16378]
        assert r.packets[0] == bytes.fromhex("41420003063ffa")
        r = c.request(get("/size/40000", attributes=[(0x0C, "s3cr3t")]))
        assert [len(x) for x in r.chunks] == [16376, 16376, 7248]
    with b.connect() as c:
        c.send(get("/", attributes=[(0x0C, "wrong")]))
        assert read_all(c) == bytes.fromhex("4142000b0401930003343033000000") + bytes.fromhex("414200020500")


def test_cli_errors():
    for args, code in [(["--listen", "0.0.0.0:0"], 1), (["--listen", "10.0.0.1:0"], 1),
                       (["--mode", "bogus"], 2), (["--packet-size", "4096"], 2), (["--nope", "x"], 2)]:
        result = subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=5)
        assert result.returncode == code, (args, result)
        assert result.stdout == ""
