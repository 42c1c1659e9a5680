"""Helpers of the health-check tests: an lb of a `live` and a `flaky` member, its state as the status
worker shows it, and which member answered."""

import http.client
import time

from harness import Apache, Backend


def lb_workers(live, flaky, extra=(), flaky_attrs=()):
    """lb (`flaky` first, then `live`) and jkstatus; `extra` lb lines, `flaky_attrs` member lines."""
    return "\n".join([
        "worker.list=lb,jkstatus",
        "worker.live.host=127.0.0.1", f"worker.live.port={live}", "worker.live.route=live",
        "worker.flaky.host=127.0.0.1", f"worker.flaky.port={flaky}", "worker.flaky.route=flaky", *flaky_attrs,
        "worker.lb.type=lb", "worker.lb.balance_workers=flaky,live", *extra,
        "worker.jkstatus.type=status", ""])


def state(apache):
    """The shared state of member `flaky` (status worker, prop format)."""
    conn = http.client.HTTPConnection("127.0.0.1", apache.port, timeout=10)
    conn.request("GET", "/jkstatus?mime=prop&cmd=show&w=lb&sw=flaky")
    body = conn.getresponse().read().decode()
    conn.close()
    return next(line.split("=", 1)[1] for line in body.splitlines() if line.startswith("worker.flaky.state="))


def get(apache, path):
    """(status, X-Node) of one GET on a new connection."""
    conn = http.client.HTTPConnection("127.0.0.1", apache.port, timeout=30)
    conn.request("GET", path)
    r = conn.getresponse()
    r.read()
    conn.close()
    return r.status, r.getheader("X-Node")


def wait_for(predicate, timeout):
    """Polls `predicate` every 0.2 s for at most `timeout` seconds; returns its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def site_with_dead_flaky(work, extra, mpm="prefork", name=None):
    """live + flaky backends behind the lb (prefork); flaky is stopped and driven into ERR by 4
    requests. Returns (apache, live backend, flaky's port)."""
    live, flaky = Backend(work, "live"), Backend(work, "flaky")
    port = flaky.port
    apache = Apache(work, "swiftjk", mpm, workers=lb_workers(live.port, port, extra), name=name,
                    jk_conf="JkMount /app/* lb\nJkMount /jkstatus* jkstatus\n").start()
    flaky.stop()
    assert [get(apache, "/app/x") for _ in range(4)] == [(200, "live")] * 4
    assert state(apache) == "ERR"
    return apache, live, port
