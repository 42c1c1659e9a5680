"""What the active health checks ask (lb `health_check_uri`, `health_check_status`,
`health_check_healthy`) and black-hole backends (a port that accepts and never answers; a port whose
accept queue is full, so connects time out).

* With `health_check_uri` a member in error rejoins only when a GET of that path (over AJP, after
  the CPing) answers `health_check_status`: Tomcat answers CPing as soon as its AJP port is open,
  before the application is deployed.
* With `health_check_healthy=true` members in service are probed too: one that accepts connections
  but never answers (a hung JVM) goes to ERR after `health_check_passes` failed probes, before any
  user request is sent to it.
* A member whose connects time out (`socket_connect_timeout`) is in error for every child after the
  first timeout (`connect_errors_global`), and requests go on to the live member."""

import socket
import threading
import time

from harness import Apache, Backend, make_workdir
from health_support import get, lb_workers, site_with_dead_flaky, state, wait_for

CHECKS = ["worker.lb.health_check_interval=1", "worker.lb.health_check_passes=2"]


def test_uri_probe_keeps_a_member_out_until_the_uri_answers_the_expected_status():
    work = make_workdir("sjk-probe-uri-")
    # the backend answers /app/status/503 with 503: CPing passes, the URI does not
    apache, live, port = site_with_dead_flaky(work, CHECKS + ["worker.lb.health_check_uri=/app/status/503"])
    flaky = Backend(work, "flaky", port=port)
    try:
        time.sleep(5)
        assert state(apache) == "ERR", "a member whose URI answers 503 stays out"
        probes = [p["decoded"] for p in flaky.forward_requests()]
        assert len(probes) >= 2 and {p["req_uri"] for p in probes} == {"/app/status/503"}, probes
        agents = {h[1] for p in probes for h in p["headers"] if h[0] in ("User-Agent", "user-agent")}
        assert agents == {"SwiftJK-health-check"}, probes[0]["headers"]
    finally:
        apache.stop()
        flaky.stop()
    # the same member with a URI that answers 200 rejoins within a few seconds
    live.stop()
    apache, live, port = site_with_dead_flaky(work, CHECKS + ["worker.lb.health_check_uri=/app/hc"], name="probe-ok")
    try:
        flaky = Backend(work, "flaky", port=port)
        back = time.monotonic()
        flaky.clear()   # the record file is shared with the first phase's backend of that name
        assert wait_for(lambda: state(apache) in ("OK", "OK/IDLE"), 8)
        print(f"uri probe: rejoined {time.monotonic() - back:.1f} s after the backend came back")
        assert {p["decoded"]["req_uri"] for p in flaky.forward_requests()} == {"/app/hc"}
        assert "back in rotation" in apache.jk_log()
    finally:
        apache.stop()
        live.stop()
        flaky.stop()
    assert not apache.crashed_children()


class BlackHole:
    """A loopback port that accepts connections and never sends a byte (a hung JVM)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.accepted = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self):
        self.sock.close()
        for c in self.accepted:
            c.close()


def test_a_hung_member_in_service_is_taken_out_by_the_health_check_before_any_request():
    work = make_workdir("sjk-probe-hung-")
    live, hole = Backend(work, "live"), BlackHole()
    apache = Apache(work, "swiftjk", "event",
                    workers=lb_workers(live.port, hole.port, CHECKS + ["worker.lb.health_check_healthy=true"],
                                    ["worker.flaky.ping_timeout=500"]),
                    jk_conf="JkMount /app/* lb\nJkMount /jkstatus* jkstatus\n").start()
    try:
        started = time.monotonic()
        assert wait_for(lambda: state(apache) == "ERR", 10), "the hung member was never taken out"
        took = time.monotonic() - started
        print(f"hung member in ERR {took:.1f} s after start, without a user request")
        assert hole.accepted, "the probes connected"
        assert "failed 2 health check(s) in a row" in apache.jk_log()
        assert [get(apache, "/app/x") for _ in range(4)] == [(200, "live")] * 4
        assert live.forward_requests() and len(live.forward_requests()) == 4
    finally:
        apache.stop()
        live.stop()
        hole.close()
    assert not apache.crashed_children()


def test_healthy_members_are_not_probed_by_default():
    work = make_workdir("sjk-probe-default-")
    live, hole = Backend(work, "live"), BlackHole()
    apache = Apache(work, "swiftjk", "prefork", workers=lb_workers(live.port, hole.port, CHECKS),
                    jk_conf="JkMount /app/* lb\nJkMount /jkstatus* jkstatus\n").start()
    try:
        time.sleep(3)
        assert state(apache) in ("OK", "OK/IDLE")
        assert hole.accepted == []
    finally:
        apache.stop()
        live.stop()
        hole.close()


def test_connect_timeout_to_a_black_hole_is_a_global_error_at_once():
    """A listening socket whose accept queue is full and never drained: the kernel drops further
    SYNs, so connects time out (socket_connect_timeout=300 ms). The first request pays one timeout
    and is served by the live member; every later one goes there directly."""
    work = make_workdir("sjk-probe-syn-")
    live = Backend(work, "live")
    full = socket.socket()
    full.bind(("127.0.0.1", 0))
    full.listen(0)
    port = full.getsockname()[1]
    fillers = []
    for _ in range(4):   # fill the accept queue (backlog 0 admits one; extra ones are dropped)
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        fillers.append(s)
    time.sleep(0.3)
    apache = Apache(work, "swiftjk", "prefork",
                    workers=lb_workers(live.port, port, ["worker.lb.health_check_interval=0"],
                                    ["worker.flaky.socket_connect_timeout=300"]),
                    jk_conf="JkMount /app/* lb\nJkMount /jkstatus* jkstatus\n").start()
    try:
        times = []
        for _ in range(6):
            t = time.monotonic()
            assert get(apache, "/app/x") == (200, "live")
            times.append(time.monotonic() - t)
        print("request times after a black-holed connect: " + ", ".join(f"{x * 1000:.0f} ms" for x in times))
        assert state(apache) == "ERR"
        assert sum(1 for x in times if x >= 0.25) <= 1, times     # one connect timeout at most
        assert "connecting failed" in apache.jk_log()
    finally:
        apache.stop()
        live.stop()
        for s in fillers:
            s.close()
        full.close()
    assert not apache.crashed_children()
