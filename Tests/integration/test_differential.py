"""Differential tests (reference T28–T38): the same requests through Debian's real mod_jk 1.2.48 and
through SwiftJK reach the recording AJP backend as the same packets.

Fields that legitimately differ between the two httpd instances are named and normalised before
comparing: the server port (each httpd listens on its own port), the Host header value (it
carries that port) and AJP_REMOTE_PORT (the client's ephemeral port). Everything else — method
code, protocol, URI, addresses, header order and coding, synthesised content-length, attribute
order, body packets — must be identical byte for byte."""

import re
import socket

import pytest

from harness import Apache, Backend, make_workdir

JK_CONF = """JkMount /app/* w1
JkMount /w1/* w1
JkMount /sec/* w2
JkEnvVar MYVAR
JkEnvVar DEFVAR dflt
SetEnvIf Request_URI setmy MYVAR=fromenv
SetEnvIf Request_URI /rh JK_REMOTE_HOST=h.example
"""


def workers(backend_port, packet_size=8192):
    return (f"worker.list=w1,w2\n"
            f"worker.w1.type=ajp13\nworker.w1.host=127.0.0.1\nworker.w1.port={backend_port}\n"
            f"worker.w2.type=ajp13\nworker.w2.host=127.0.0.1\nworker.w2.port={backend_port}\n"
            f"worker.w2.secret=s3cr3t\nworker.w2.ping_mode=P\n")


@pytest.fixture(scope="module", params=["ForwardURIProxy", "ForwardURICompatUnparsed"])
def pair(request):
    """mod_jk and SwiftJK, prefork, each with its own recording backend, same configuration."""
    work = make_workdir()
    sites = {}
    for connector in ("modjk", "swiftjk"):
        backend = Backend(work, connector)
        apache = Apache(work, connector, "prefork", jk_conf=JK_CONF + f"JkOptions +{request.param}\n",
                        workers=workers(backend.port)).start()
        sites[connector] = (apache, backend)
    yield sites
    for apache, backend in sites.values():
        apache.stop()
        backend.stop()
        assert apache.crashed_children() == []


def send(apache, raw):
    """Sends raw request bytes (with {port} substituted) and returns the whole response."""
    with socket.create_connection(("127.0.0.1", apache.port), timeout=30) as s:
        s.sendall(raw.replace(b"{port}", str(apache.port).encode()))
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return data


def normalised(packet, apache):
    """A recorded packet with the port-dependent fields replaced by placeholders."""
    entry = {"type": packet["type"]}
    decoded = packet.get("decoded")
    if packet["type"] != "forward_request" or not decoded:
        entry["hex"] = packet["hex"]
        return entry
    d = dict(decoded)
    if d["server_port"] == apache.port:
        d["server_port"] = "<server port>"
    d["headers"] = [[h[0], h[1].replace(str(apache.port), "<port>")] + h[2:] for h in d["headers"]]
    d["attributes"] = [[a[0], re.sub(r"^AJP_REMOTE_PORT=\d+$", "AJP_REMOTE_PORT=<client port>", a[1])
                        if isinstance(a[1], str) else a[1]] for a in d["attributes"]]
    entry["decoded"] = d
    # The packet length depends on the port digits only; both ports have 5 digits here.
    entry["length"] = len(packet["hex"]) // 2
    return entry


def exchange(pair, raw):
    """Runs one request through both connectors; returns {connector: (response, packets)}."""
    result = {}
    for connector, (apache, backend) in pair.items():
        backend.clear()
        response = send(apache, raw)
        packets = [normalised(p, apache) for p in backend.packets()]
        result[connector] = (response, packets)
    return result


def assert_same(result):
    modjk, swiftjk = result["modjk"][1], result["swiftjk"][1]
    assert swiftjk == modjk
    return modjk


REQUESTS = {
    "T28-get-with-query-and-headers":
        b"GET /app/hello?x=1&y=%20z HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: curl/7.88.1\r\n"
        b"Accept: */*\r\nX-Custom: abc\r\nAccept-Language: de\r\nConnection: close\r\n\r\n",
    "T29-explicit-content-length-0":
        b"GET /app/cl0 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    "T30-small-post":
        b"POST /app/post HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        b"Accept-Encoding: gzip\r\nContent-Length: 7\r\nConnection: close\r\n\r\na=1&b=2",
    "T31-chunked-post":
        b"POST /app/echo HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\nd\r\nhello-chunked\r\n0\r\n\r\n",
    "T32-large-post":
        b"POST /app/echo HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 20000\r\nConnection: close\r\n\r\n"
        + bytes((i * 7) % 251 for i in range(20000)),
    "T33-patch-stored-method":
        b"PATCH /app/p HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n",
    "T33-propfind": b"PROPFIND /app/p HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n",
    "T33-baseline-control": b"BASELINE-CONTROL /app/p HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n",
    "T34-secret-and-prepost-cping": b"GET /sec/x HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n",
    "T36-jkenvvar-set": b"GET /w1/setmy HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n",
    "T36-jkenvvar-default-only": b"GET /w1/other HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n",
    "T37-forward-uri-forms":
        b"GET /w1/a%20b/../c;jsessionid=Z?q=%41 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n",
    "T37-encoded-space": b"GET /app/a%20b HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n",
    "T38-remote-host-null": b"GET /w1/x HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n",
    "T38-remote-host-from-env": b"GET /w1/rh HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n",
    "duplicate-headers-and-cookies":
        b"GET /app/c HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: a=1\r\nCookie: b=2\r\nX-Dup: 1\r\nX-Dup: 2\r\n"
        b"Referer: http://r/\r\nPragma: no-cache\r\nAuthorization: Basic Zm9vOmJhcg==\r\nConnection: close\r\n\r\n",
    "head": b"HEAD /app/h HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n",
    "http10-no-host": b"GET /app/old HTTP/1.0\r\n\r\n",
}


@pytest.mark.parametrize("name", list(REQUESTS))
def test_same_packets_as_mod_jk(pair, name):
    result = exchange(pair, REQUESTS[name])
    packets = assert_same(result)
    assert packets, "the backend received nothing"
    assert result["swiftjk"][0].split(b"\r\n")[0] == result["modjk"][0].split(b"\r\n")[0]


def test_t28_packet_matches_appendix_a1_shape(pair):
    packets = exchange(pair, REQUESTS["T28-get-with-query-and-headers"])["swiftjk"][1]
    request = packets[0]["decoded"]
    assert request["method"] == {"code": 2, "name": "GET"}
    assert request["remote_host"] is None
    names = [h[0] for h in request["headers"]]
    assert names == ["host", "user-agent", "accept", "X-Custom", "Accept-Language", "connection", "content-length"]
    assert request["headers"][-1][1] == "0"
    assert [a[0] for a in request["attributes"]][:1] == ["query_string"]


def test_t31_chunked_body_packets(pair):
    packets = exchange(pair, REQUESTS["T31-chunked-post"])["swiftjk"][1]
    bodies = [p["hex"] for p in packets if p["type"] == "body"]
    assert bodies == ["1234000f000d68656c6c6f2d6368756e6b6564", "12340000"]


def test_t34_cping_precedes_request_with_secret(pair):
    packets = exchange(pair, REQUESTS["T34-secret-and-prepost-cping"])["swiftjk"][1]
    assert packets[0]["type"] == "cping" and packets[0]["hex"] == "123400010a"
    assert packets[1]["decoded"]["attributes"][0] == ["secret", "s3cr3t"]


def test_t35_oversized_request_gives_413_and_sends_nothing(pair):
    big = b"x" * 4500
    raw = (b"GET /app/big HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-A: " + big + b"\r\nX-B: " + big +
           b"\r\nConnection: close\r\n\r\n")
    result = exchange(pair, raw)
    for connector in ("modjk", "swiftjk"):
        response, packets = result[connector]
        assert response.startswith(b"HTTP/1.1 413"), (connector, response[:100])
        assert [p for p in packets if p["type"] == "forward_request"] == []


def response_header(response, name):
    """The value of the first response header `name` (case-insensitive), or None."""
    head = response.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    for line in head.split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return None


def test_content_type_is_lower_cased_up_to_the_parameters_as_mod_jk(pair):
    """mod_jk lower-cases the Content-Type it gets from the backend up to the first ';' and leaves
    the parameters and every other header as they came."""
    raw = b"GET /app/ctype HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    result = exchange(pair, raw)
    seen = {}
    for connector in ("modjk", "swiftjk"):
        response = result[connector][0]
        assert response.startswith(b"HTTP/1.1 200"), (connector, response[:100])
        seen[connector] = (response_header(response, "Content-Type"), response_header(response, "X-Mixed"))
    assert seen["modjk"] == ("text/html;Charset=UTF-8", "Keep-This-Case")
    assert seen["swiftjk"] == seen["modjk"]
