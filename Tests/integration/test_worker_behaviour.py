"""ajp13 worker behaviour against the scripted backend, with Debian's mod_jk as the oracle where
the scenario allows: use_server_errors (T40), fail_on_status (T41), reply_timeout and
recovery_options (T42), the END_RESPONSE reuse flag (T43), connection reuse, CPing modes,
JkRequestLogFormat, request notes, JkStripSession and idle-connection maintenance."""

import http.client
import re
import time

import pytest

from harness import Apache, Backend, make_workdir, wait_until

JK_CONF = """JkMount /w/* w
JkMount /w500e/* w;use_server_errors=500
JkMount /fos/* fos
JkMount /rt/* rt
JkMount /rtlong/* rt;reply_timeout=5000
JkMount /rt1/* rt1
JkMount /ping/* ping
JkStripSession On
JkRequestLogFormat "%w %V %m %U%q %s %R %T"
"""


def workers(port):
    return (f"worker.list=w,fos,rt,rt1,ping\n"
            f"worker.w.host=127.0.0.1\nworker.w.port={port}\n"
            f"worker.fos.host=127.0.0.1\nworker.fos.port={port}\nworker.fos.fail_on_status=503\n"
            f"worker.rt.host=127.0.0.1\nworker.rt.port={port}\nworker.rt.reply_timeout=1000\n"
            f"worker.rt1.host=127.0.0.1\nworker.rt1.port={port}\nworker.rt1.reply_timeout=1000\n"
            f"worker.rt1.recovery_options=1\n"
            f"worker.ping.host=127.0.0.1\nworker.ping.port={port}\nworker.ping.ping_mode=A\n")


@pytest.fixture(scope="module", params=["modjk", "swiftjk"])
def site(request):
    work = make_workdir()
    backend = Backend(work, "node1")
    apache = Apache(work, request.param, "prefork", jk_conf=JK_CONF, workers=workers(backend.port)).start()
    yield request.param, apache, backend
    apache.stop()
    backend.stop()
    assert apache.crashed_children() == []


def get(apache, path, timeout=30):
    conn = http.client.HTTPConnection("127.0.0.1", apache.port, timeout=timeout)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    headers = dict(response.getheaders())
    conn.close()
    return response.status, headers, body


def forwarded(backend, fragment):
    return [p for p in backend.forward_requests() if fragment in p["decoded"]["req_uri"]]


def test_t40_use_server_errors_replaces_backend_page(site):
    _, apache, backend = site
    status, headers, body = get(apache, "/w500e/status/500")
    assert status == 500
    assert "X-Node" not in headers
    assert b"Internal Server Error" in body
    status, headers, _ = get(apache, "/w500e/status/404")
    assert status == 404 and headers.get("X-Node") == "node1"


def test_t41_fail_on_status_retries_then_503(site):
    _, apache, backend = site
    backend.clear()
    status, headers, _ = get(apache, "/fos/status/503")
    assert status == 503 and "X-Node" not in headers
    assert len(forwarded(backend, "/fos/status/503")) == 2


def test_t42_reply_timeout_retries_then_504(site):
    _, apache, backend = site
    backend.clear()
    started = time.monotonic()
    status, _, _ = get(apache, "/rt/delay/3000")
    took = time.monotonic() - started
    assert status == 504
    assert 1.9 < took < 3.5
    assert len(forwarded(backend, "/rt/delay/3000")) == 2


def test_t42_rule_extension_reply_timeout_wins(site):
    _, apache, _ = site
    assert get(apache, "/rtlong/delay/1500")[0] == 200


def test_t42_recovery_option_1_sends_once(site):
    _, apache, backend = site
    backend.clear()
    started = time.monotonic()
    assert get(apache, "/rt1/delay/2500")[0] == 504
    assert time.monotonic() - started < 1.9
    assert len(forwarded(backend, "/rt1/delay/2500")) == 1


def accepts(backend):
    return [e for e in backend.entries() if e.get("event") == "accept"]


def test_connections_are_reused_and_reuse0_closes(site):
    _, apache, backend = site
    # Warm up every prefork child (at most MaxRequestWorkers connections), then count.
    conn = http.client.HTTPConnection("127.0.0.1", apache.port, timeout=30)
    for _ in range(10):
        conn.request("GET", "/w/ok")
        conn.getresponse().read()
    before = len(accepts(backend))
    for _ in range(20):
        conn.request("GET", "/w/ok")
        assert conn.getresponse().read().startswith(b"node=node1")
    assert len(accepts(backend)) == before, "a keep-alive client on one child reuses its backend connection"
    conn.request("GET", "/w/reuse0")
    conn.getresponse().read()
    conn.request("GET", "/w/ok")
    conn.getresponse().read()
    assert len(accepts(backend)) == before + 1, "END_RESPONSE reuse=0 forces a new connection (T43)"
    conn.close()


def test_ping_mode_a_cpings_before_the_request(site):
    _, apache, backend = site
    backend.clear()
    assert get(apache, "/ping/x")[0] == 200
    types = [p["type"] for p in backend.packets()]
    assert "cping" in types and types.index("cping") < types.index("forward_request")


def test_request_log_format_line_in_jk_log(site):
    _, apache, _ = site
    get(apache, "/w/logme?a=1")
    assert wait_until(lambda: re.search(r"w 127\.0\.0\.1 GET /w/logme\?a=1 200 - \d+\.\d{6}", apache.jk_log()), 5)


def test_worker_name_note_in_access_log(site):
    _, apache, _ = site
    get(apache, "/w/noted")
    access = apache.dir / "logs/access.log"
    assert wait_until(lambda: re.search(r'"GET /w/noted HTTP/1.1" 200 \d+ w$', access.read_text(), re.M), 5)


def test_strip_session_on_unmapped_url(site):
    _, apache, _ = site
    status, _, body = get(apache, "/static.txt;jsessionid=ABC.node1")
    assert status == 200 and body == b"static hello file\n"


def test_t19_mount_to_undefined_worker_gives_500():
    work = make_workdir()
    backend = Backend(work, "node1")
    try:
        for connector in ("modjk", "swiftjk"):
            apache = Apache(work, connector, "event", jk_conf="JkMount /u/* nosuchworker\n",
                            workers=f"worker.list=w\nworker.w.host=127.0.0.1\nworker.w.port={backend.port}\n").start()
            try:
                assert get(apache, "/u/x")[0] == 500, connector
            finally:
                apache.stop()
    finally:
        backend.stop()


def test_idle_connections_closed_by_maintenance():
    """connection_pool_timeout=1 with worker.maintain=1 and JkWatchdogInterval 1: an idle pooled
    connection is closed by maintenance without any further request."""
    work = make_workdir()
    backend = Backend(work, "node1")
    apache = Apache(work, "swiftjk", "prefork", jk_conf="JkMount /w/* w\nJkWatchdogInterval 1\n",
                    workers=f"worker.list=w\nworker.maintain=1\nworker.w.host=127.0.0.1\nworker.w.port={backend.port}\n"
                            f"worker.w.connection_pool_timeout=1\nworker.w.connection_pool_minsize=0\n").start()
    try:
        assert get(apache, "/w/ok")[0] == 200
        closed = lambda: [e for e in backend.entries() if e.get("event") == "close" and e.get("by") == "peer"]
        assert wait_until(closed, 6), "maintenance closed the idle connection"
    finally:
        apache.stop()
        backend.stop()


@pytest.mark.parametrize("connector", ["modjk", "swiftjk"])
def test_auto_alias_serves_static_context_files(connector):
    """JkAutoAlias (reference §5.7): unmapped /<context>/file is served from <dir>/<context>;
    WEB-INF and META-INF are 404, a *.war first segment is 403."""
    work = make_workdir()
    apps = work / "webapps"
    (apps / "app1/WEB-INF").mkdir(parents=True)
    (apps / "app1/page.html").write_text("static page of app1\n")
    (apps / "app1/WEB-INF/web.xml").write_text("<web-app/>\n")
    for d in (apps, apps / "app1", apps / "app1/WEB-INF"):
        d.chmod(0o755)
    backend = Backend(work, "node1")
    conf = f"JkMount /w/* w\nJkAutoAlias {apps}\n<Directory {apps}>\n    Require all granted\n</Directory>\n"
    apache = Apache(work, connector, "prefork", jk_conf=conf,
                    workers=f"worker.list=w\nworker.w.host=127.0.0.1\nworker.w.port={backend.port}\n").start()
    try:
        status, _, body = get(apache, "/app1/page.html")
        assert status == 200 and body == b"static page of app1\n"
        assert get(apache, "/app1/WEB-INF/web.xml")[0] == 404
        assert get(apache, "/app1.war/page.html")[0] == 403
        assert get(apache, "/w/ok")[0] == 200
    finally:
        apache.stop()
        backend.stop()


@pytest.mark.parametrize("connector", ["modjk", "swiftjk"])
def test_t62_busy_limit_on_plain_worker_gives_503_across_children(connector):
    """busy_limit=1 counts in-flight requests across all prefork children (shared memory): of two
    concurrent slow requests served by different children, one gets 503."""
    import threading
    work = make_workdir()
    backend = Backend(work, "node1")
    apache = Apache(work, connector, "prefork", jk_conf="JkMount /w/* w\n",
                    workers=f"worker.list=w\nworker.w.host=127.0.0.1\nworker.w.port={backend.port}\n"
                            f"worker.w.busy_limit=1\n").start()
    statuses = []
    try:
        def slow():
            statuses.append(get(apache, "/w/delay/1500")[0])
        threads = [threading.Thread(target=slow) for _ in range(2)]
        for t in threads:
            t.start()
            time.sleep(0.3)
        for t in threads:
            t.join(30)
        assert sorted(statuses) == [200, 503]
        assert get(apache, "/w/ok")[0] == 200, "the count went back down"
    finally:
        apache.stop()
        backend.stop()


@pytest.mark.parametrize("connector", ["modjk", "swiftjk"])
def test_larger_max_packet_size_carries_large_headers(connector):
    """max_packet_size=16384 with a backend packetSize of 16384: a request with a 12 KB header
    fits (it would be 413 with the default 8192), and the backend pulls bodies in 16378-byte
    packets."""
    work = make_workdir()
    backend = Backend(work, "node1", packet_size=16384)
    apache = Apache(work, connector, "prefork", jk_conf="JkMount /w/* w\nJkMount /small/* small\n",
                    workers=f"worker.list=w,small\nworker.w.host=127.0.0.1\nworker.w.port={backend.port}\n"
                            f"worker.w.max_packet_size=16384\n"
                            f"worker.small.host=127.0.0.1\nworker.small.port={backend.port}\n").start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", apache.port, timeout=30)
        conn.request("GET", "/w/ok", headers={"X-Big1": "b" * 6000, "X-Big2": "c" * 6000})
        response = conn.getresponse()
        assert response.status == 200 and response.read().startswith(b"node=node1")
        conn.request("GET", "/small/ok", headers={"X-Big1": "b" * 6000, "X-Big2": "c" * 6000})
        response = conn.getresponse()
        response.read()
        assert response.status == 413
        backend.clear()
        body = bytes(range(256)) * 160
        conn = http.client.HTTPConnection("127.0.0.1", apache.port, timeout=30)
        conn.request("POST", "/w/echo", body=body)
        response = conn.getresponse()
        assert response.status == 200
        lengths = [p["decoded"]["length"] for p in backend.packets("body")]
        assert lengths[0] == 16378 and sum(lengths) == len(body)
    finally:
        apache.stop()
        backend.stop()


@pytest.mark.parametrize("mpm", ["prefork", "event"])
def test_graceful_restart_recreates_shared_memory_and_keeps_serving(mpm):
    """A graceful restart (SIGUSR1) re-reads the configuration, creates a new shared-memory
    segment for the new generation (mod_jk resets lb state the same way), removes the old one,
    and requests through a balancer keep working without a crashed child."""
    import glob
    import os
    import signal
    work = make_workdir()
    backends = [Backend(work, "node1"), Backend(work, "node2")]
    workers = ("worker.list=lb\nworker.lb.type=lb\nworker.lb.balance_workers=m1,m2\n"
               + "".join(f"worker.m{i + 1}.host=127.0.0.1\nworker.m{i + 1}.port={b.port}\n"
                         for i, b in enumerate(backends)))
    apache = Apache(work, "swiftjk", mpm, jk_conf="JkMount /lb/* lb\n", workers=workers).start()
    try:
        nodes = {get(apache, "/lb/x")[2].split()[0] for _ in range(4)}
        assert nodes == {b"node=node1", b"node=node2"}
        before = set(glob.glob(str(apache.dir / "logs/jk-runtime-status.*")))
        assert len(before) == 1
        os.kill(apache.pid, signal.SIGUSR1)
        def restarted():
            return apache.error_log().count("resuming normal operations") >= 2
        assert wait_until(restarted, 20)
        statuses = [get(apache, "/lb/x")[0] for _ in range(10)]
        assert statuses == [200] * 10
        after = set(glob.glob(str(apache.dir / "logs/jk-runtime-status.*")))
        assert len(after) == 1, after
        assert apache.crashed_children() == []
    finally:
        apache.stop()
        for b in backends:
            b.stop()


@pytest.mark.parametrize("connector,replay,attempts", [("modjk", None, 1), ("swiftjk", "false", 1),
                                                      ("swiftjk", None, 2)])
def test_whole_body_replay_after_tomcat_asked_for_the_end_of_the_body(connector, replay, attempts):
    """Tomcat asks for more body (GET_BODY_CHUNK) once it has read content-length bytes and gets the
    empty packet; the backend then dies without a reply (`/fault/bodyclose`). mod_jk marks the
    request unrecoverable at the GET_BODY_CHUNK and does not retry; SwiftJK still holds the whole
    body (it fitted in the first packet) and retries it intact (`replay_whole_body`, default true),
    so an lb can fail such a POST over to another member. `replay_whole_body=false` is mod_jk's rule."""
    work = make_workdir()
    backend = Backend(work, "node1")
    extra = f"worker.w.replay_whole_body={replay}\n" if replay else ""
    apache = Apache(work, connector, "prefork", jk_conf="JkMount /w/* w\n",
                    workers=f"worker.list=w\nworker.w.host=127.0.0.1\nworker.w.port={backend.port}\n{extra}").start()
    try:
        body = bytes(range(256)) * 8
        conn = http.client.HTTPConnection("127.0.0.1", apache.port, timeout=30)
        conn.request("POST", "/w/fault/bodyclose", body=body)
        response = conn.getresponse()
        response.read()
        assert response.status == 502
        forwards = backend.forward_requests()
        assert len(forwards) == attempts, forwards
        lengths = [p["decoded"]["length"] for p in backend.packets("body")]
        # each attempt: the whole body in the first packet, then the empty packet asked for
        assert lengths == [len(body), 0] * attempts, lengths
        assert apache.crashed_children() == []
    finally:
        apache.stop()
        backend.stop()


def test_a_client_that_goes_away_mid_response_is_logged_and_the_child_survives():
    """The client reads 1 KiB of a 4 MB response and resets its connection: the child logs mod_jk's
    line for it (info) and goes on serving."""
    import socket
    import struct
    work = make_workdir()
    backend = Backend(work, "node1")
    apache = Apache(work, "swiftjk", "event", jk_conf="JkMount /w/* w\n",
                    workers=f"worker.list=w\nworker.w.host=127.0.0.1\nworker.w.port={backend.port}\n").start()
    try:
        for _ in range(3):
            s = socket.create_connection(("127.0.0.1", apache.port), timeout=10)
            s.sendall(b"GET /w/size/4000000 HTTP/1.1\r\nHost: x\r\n\r\n")
            assert len(s.recv(1024)) > 0
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
        assert wait_until(lambda: apache.jk_log().count("ERROR sending data to client") >= 1, 10), apache.jk_log()
        assert get(apache, "/w/ok")[0] == 200
        assert apache.crashed_children() == []
    finally:
        apache.stop()
        backend.stop()


def test_response_framing_matches_mod_jk_when_the_backend_sends_no_length():
    """A reply without Content-Length from the backend: short ones get httpd's Content-Length (the
    whole response reaches httpd before its end), long ones are chunked — the same for both
    connectors, so clients and caches see the same framing after the switch."""
    import socket
    framing = {}
    work = make_workdir()
    backend = Backend(work, "node1")
    for connector in ["modjk", "swiftjk"]:
        apache = Apache(work, connector, "event", jk_conf="JkMount /w/* w\n",
                        workers=f"worker.list=w\nworker.w.host=127.0.0.1\nworker.w.port={backend.port}\n").start()
        try:
            for path in ["/w/ok", "/w/size/2000", "/w/size/100000"]:
                s = socket.create_connection(("127.0.0.1", apache.port), timeout=10)
                s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                raw = b""
                while chunk := s.recv(65536):
                    raw += chunk
                s.close()
                head = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
                framing[(connector, path)] = [h.split(b":")[0].decode() for h in head
                                              if h.startswith((b"Content-Length", b"Transfer-Encoding"))]
        finally:
            apache.stop()
    backend.stop()
    print(framing)
    for path in ["/w/ok", "/w/size/2000", "/w/size/100000"]:
        assert framing[("swiftjk", path)] == framing[("modjk", path)], framing
    assert framing[("swiftjk", "/w/ok")] == ["Content-Length"]
