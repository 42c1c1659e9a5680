"""SwiftJK in front of real Tomcat 10 instances: requests, bodies and responses arrive intact,
request facts are preserved, and a client that goes away leaves the child healthy.
Runs for the event and prefork MPMs, against a Tomcat with an AJP secret and one without."""

import hashlib
import http.client
import os
import socket

import pytest

from harness import Apache, make_workdir, workers_for


@pytest.fixture(scope="module", params=[("event", "tomcat1"), ("prefork", "tomcat1"), ("event", "tomcat2"),
                                        ("prefork", "tomcat2")], ids=lambda p: f"{p[0]}-{p[1]}")
def site(request, tomcats):
    """Apache + SwiftJK mounting *.jsp to one Tomcat."""
    mpm, name = request.param
    tomcat = tomcats[name]
    apache = Apache(make_workdir(), "swiftjk", mpm, jk_conf=f"JkMount /*.jsp {name}\nSetEnvIf X-Test-Secure ^1$ HTTPS=on\n",
                    workers=workers_for([tomcat])).start()
    yield apache, tomcat
    apache.stop()
    assert apache.crashed_children() == [], apache.error_log()


def request(apache, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", apache.port, timeout=60)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response, data


def fields(text):
    return dict(line.split("=", 1) for line in text.decode().splitlines() if "=" in line)


def test_get_reaches_tomcat_with_query_remote_address_and_server(site):
    apache, tomcat = site
    response, data = request(apache, "GET", "/info.jsp?x=1&y=%20z")
    assert response.status == 200
    info = fields(data)
    assert info["route"] == tomcat.route
    assert info["query"] == "x=1&y=%20z"
    assert info["remote"] == "127.0.0.1"
    assert info["server"] == f"127.0.0.1:{apache.port}"
    assert info["secure"] == "false" and info["scheme"] == "http"
    assert info["method"] == "GET"
    assert int(info["remotePort"]) > 0


def test_status_line_copies_tomcat_reason_like_mod_jk(site):
    apache, _ = site
    with socket.create_connection(("127.0.0.1", apache.port), timeout=30) as s:
        s.sendall(b"GET /info.jsp HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        head = s.recv(200)
    assert head.startswith(b"HTTP/1.1 200 200\r\n"), head


def test_https_indicator_makes_the_request_secure(site):
    apache, _ = site
    # HTTPS=on in the environment is what mod_ssl sets; JkExtractSSL (default On) forwards it.
    response, data = request(apache, "GET", "/info.jsp", headers={"X-Test-Secure": "1"})
    assert fields(data)["secure"] == "true" and fields(data)["scheme"] == "https"
    assert fields(request(apache, "GET", "/info.jsp")[1])["secure"] == "false"


def test_head_has_no_body(site):
    apache, _ = site
    response, data = request(apache, "HEAD", "/info.jsp")
    assert response.status == 200 and data == b""


def test_post_one_mebibyte_body_is_intact(site):
    apache, _ = site
    body = os.urandom(1 << 20)
    response, data = request(apache, "POST", "/echo.jsp", body=body,
                             headers={"Content-Type": "application/octet-stream"})
    assert response.status == 200
    assert fields(data) == {"length": str(len(body)), "sha256": hashlib.sha256(body).hexdigest()} or \
        data.decode().strip() == f"length={len(body)} sha256={hashlib.sha256(body).hexdigest()}"


def test_chunked_post_body_is_intact(site):
    apache, _ = site
    body = os.urandom(300_000)
    conn = http.client.HTTPConnection("127.0.0.1", apache.port, timeout=60)
    conn.request("POST", "/echo.jsp", body=iter([body[i:i + 7000] for i in range(0, len(body), 7000)]),
                 encode_chunked=True, headers={"Transfer-Encoding": "chunked"})
    response = conn.getresponse()
    data = response.read()
    assert response.status == 200
    assert data.decode().strip() == f"length={len(body)} sha256={hashlib.sha256(body).hexdigest()}"


def test_ten_mebibyte_response_is_intact(site):
    apache, _ = site
    response, data = request(apache, "GET", "/big.jsp?size=10485760")
    assert response.status == 200
    block = bytes((ord("a") + i % 26) for i in range(65536))
    assert len(data) == 10485760
    assert hashlib.sha256(data).digest() == hashlib.sha256(block * 160).digest()


def test_redirect_location_passes_through(site):
    apache, _ = site
    response, _ = request(apache, "GET", "/redirect.jsp")
    assert response.status == 302
    assert response.getheader("Location").endswith("/index.jsp?from=redirect")


def test_not_found_and_error_statuses_pass_through(site):
    apache, _ = site
    assert request(apache, "GET", "/missing.jsp")[0].status == 404
    response, _ = request(apache, "GET", "/fail.jsp")
    assert response.status == 500


def test_unmapped_url_is_served_by_httpd(site):
    apache, _ = site
    response, data = request(apache, "GET", "/static.txt")
    assert response.status == 200 and data == b"static hello file\n"


def test_client_that_disconnects_mid_response_leaves_child_healthy(site):
    apache, _ = site
    for _ in range(5):
        with socket.create_connection(("127.0.0.1", apache.port), timeout=30) as s:
            s.sendall(b"GET /big.jsp?size=10485760 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            s.recv(65536)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    response, data = request(apache, "GET", "/info.jsp")
    assert response.status == 200
    assert apache.crashed_children() == []
