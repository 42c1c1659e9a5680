"""Sessions that survive a dead Tomcat: the cluster recipe of conf/examples/cluster (SimpleTcpCluster,
DeltaManager with synchronous acks, static membership on loopback, JvmRouteBinderValve) with 2 and
3 real Tomcat 10 nodes behind SwiftJK and mod_jk side by side.

Each run: 16 clients per connector, each with its own session and keep-alive connection, increment
a session counter (/counter.jsp) for 10 s; node1's Tomcat is SIGKILLed 4 s in and started again
afterwards (it rejoins the cluster and receives the sessions). Every answer is checked against the
client's own count:
* **lost**: the counter starts again at 1 (the session is gone) — the recipe promises 0;
* **failed**: an error status or no answer (as in loadclient.py: a reused keep-alive connection
  closed as the request was sent is retried once);
* **skips**: the counter jumps by 2. A request was executed twice: node1 replicated its effect
  (synchronously, before answering) and died before its answer reached httpd; the connector then
  re-sent the request to another node, as mod_jk's `recovery_options=0` allows for a request that
  got no answer. `recovery_options=1` trades those replays for errors (tested below); the client
  then cannot know whether its failed request took effect, and its next answer may skip too.
* **stale**: the counter goes back (a node answered from an older copy) — expected 0 with
  synchronous acks."""

import http.client
import re
import threading
import time

import pytest

from harness import Apache, Tomcat, cluster, make_workdir, wait_until
from loadclient import serves_route

SECRET = "cluster-secret"
CLIENTS = 16


def lb_workers(tomcats, recovery_options=None):
    """The lb of conf/examples/cluster/workers.properties with these nodes' ports; recover_time and
    worker.maintain shortened so that mod_jk too has node1 back before the next run."""
    names = [f"tomcat{i}" for i in range(1, len(tomcats) + 1)]
    lines = ["worker.list=lb", "worker.maintain=5", "worker.lb.type=lb",
             f"worker.lb.balance_workers={','.join(names)}", f"worker.lb.secret={SECRET}", "worker.lb.recover_time=5"]
    for name, t in zip(names, tomcats):
        lines += [f"worker.{name}.type=ajp13", f"worker.{name}.host={t.address}", f"worker.{name}.port={t.ajp_port}",
                  f"worker.{name}.route={t.route}"]
        if recovery_options is not None:
            lines.append(f"worker.{name}.recovery_options={recovery_options}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module", params=[2, 3], ids=["2-nodes", "3-nodes"])
def nodes(request):
    base = make_workdir(f"sjk-cluster{request.param}-")
    tomcats = cluster([Tomcat(base, f"node{i}", "127.0.0.1", f"node{i}", secret=SECRET)
                       for i in range(1, request.param + 1)])
    try:
        for t in tomcats:
            t.start()
        for t in tomcats:
            t.wait(180)
        yield base, tomcats
    finally:
        for t in tomcats:
            t.stop()


class SessionClient:
    """One user: a session, a keep-alive connection, a counter it checks on every answer."""

    def __init__(self, port):
        self.port, self.conn, self.used = port, None, 0
        self.cookie, self.count = None, 0
        self.ok = self.failed = self.lost = self.skips = self.stale = self.races = 0
        self.routes = set()

    def _request(self):
        if self.conn is None:
            self.conn, self.used = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30), 0
        self.conn.request("GET", "/counter.jsp", headers={"Cookie": f"JSESSIONID={self.cookie}"} if self.cookie else {})
        response = self.conn.getresponse()
        body = response.read().decode(errors="replace")
        self.used += 1
        return response, body

    def step(self):
        for attempt in (0, 1):
            reused = self.conn is not None and self.used > 0
            try:
                response, body = self._request()
            except (OSError, http.client.HTTPException) as e:
                if self.conn:
                    self.conn.close()
                self.conn = None
                if reused and attempt == 0 and isinstance(e, (http.client.RemoteDisconnected, ConnectionResetError)):
                    self.races += 1
                    continue
                self.failed += 1
                return
            break
        if response.status != 200:
            self.failed += 1
            return
        cookie = re.search(r"JSESSIONID=([^;]+)", response.getheader("Set-Cookie") or "")
        if cookie:
            self.cookie = cookie.group(1)
        fields = dict(line.split("=", 1) for line in body.splitlines() if "=" in line)
        count = int(fields.get("count", "0"))
        self.routes.add(fields.get("route"))
        if self.count and count == 1:
            self.lost += 1
        elif count == self.count + 2:
            self.skips += 1
        elif count <= self.count and count != 1:
            self.stale += 1
        elif count != self.count + 1 and self.count:
            self.skips += 1
        self.count = count
        self.ok += 1


def run_clients(port, deadline):
    clients = [SessionClient(port) for _ in range(CLIENTS)]

    def loop(client):
        while time.monotonic() < deadline:
            client.step()
    threads = [threading.Thread(target=loop, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    total = {k: sum(getattr(c, k) for c in clients) for k in ["ok", "failed", "lost", "skips", "stale", "races"]}
    total["clients_that_moved"] = sum(1 for c in clients if len(c.routes) > 1)
    return total


def serves_node1(apache):
    return serves_route(apache.port, "node1")


def kill_run(base, tomcats, connectors, label, recovery_options=None):
    """One kill of node1 under the session load, through a fresh httpd per connector (fresh shared
    memory: an lb that has just seen a failover places new sessions by its request counts, which
    may keep them all off node1); restarts node1 and waits until it is back in the cluster."""
    victim = tomcats[0]
    sites = {c: Apache(base, c, "event", jk_conf="JkMount /*.jsp lb\n",
                       workers=lb_workers(tomcats, recovery_options), name=f"cluster-{c}").start()
             for c in connectors}
    results = {}
    try:
        deadline = time.monotonic() + 10
        threads = [threading.Thread(target=lambda c=c, a=a: results.__setitem__(c, run_clients(a.port, deadline)))
                   for c, a in sites.items()]
        for t in threads:
            t.start()
        time.sleep(4)
        victim.kill()
        for t in threads:
            t.join(90)
        for c, a in sites.items():
            results[c]["crashed"] = a.crashed_children()
    finally:
        for a in sites.values():
            a.stop()
    victim.start().wait(180)
    time.sleep(3)   # state transfer from the other nodes (DeltaManager) before the next run
    print(f"\n[cluster {label}] " + "; ".join(f"{c}: {r}" for c, r in results.items()))
    return results


def test_no_session_is_lost_when_a_tomcat_dies(nodes):
    base, tomcats = nodes
    n = len(tomcats)
    connectors = ["swiftjk", "modjk"] if n == 2 else ["swiftjk"]
    runs = [kill_run(base, tomcats, connectors, f"{n} nodes, run {i}") for i in range(3 if n == 2 else 2)]
    for c in connectors:
        print(f"[cluster {n} nodes] {c}: lost {[r[c]['lost'] for r in runs]}, failed {[r[c]['failed'] for r in runs]}, "
              f"skips {[r[c]['skips'] for r in runs]}, stale {[r[c]['stale'] for r in runs]}, "
              f"moved {[r[c]['clients_that_moved'] for r in runs]}")
    for r in runs:
        assert all(r[c]["crashed"] == [] for c in connectors), r
        s = r["swiftjk"]
        assert s["ok"] > 200, r
        assert s["clients_that_moved"] > 0, r    # the kill hit sessions that lived on node1
        assert s["lost"] == 0 and s["failed"] == 0 and s["stale"] == 0, r
        # a replay happens at most once per session that was on node1 (its one request in flight)
        assert s["skips"] <= s["clients_that_moved"], r


@pytest.mark.parametrize("nodes", [2], indirect=True, ids=["2-nodes"])
def test_recovery_options_1_trades_replays_for_errors(nodes):
    """With recovery_options=1 a request that reached node1 is not sent again: no skipped count,
    but the requests node1 had when it died get an error (mod_jk's documented trade-off)."""
    base, tomcats = nodes
    r = kill_run(base, tomcats, ["swiftjk"], "recovery_options=1", recovery_options=1)["swiftjk"]
    assert r["crashed"] == [] and r["lost"] == 0 and r["stale"] == 0, r
    assert r["clients_that_moved"] > 0, r
    # the requests node1 had in flight get an error instead of a second execution; so does a request
    # sent on a pooled connection in the few milliseconds before the dead JVM's sockets are closed
    # (measured: 16 errors for 8 sessions on node1, all 502/504) ...
    assert 0 < r["failed"] <= 3 * r["clients_that_moved"], r
    # ... and an error can hide an effect node1 had already replicated: the next answer skips
    assert r["skips"] <= r["failed"], r


def test_cluster_demo_from_the_readme():
    """`scripts/demo --cluster` (here its Python part with --check): the counter of a session goes
    on from the other Tomcat after the one holding it is SIGKILLed, and after it comes back."""
    import os
    import subprocess
    import sys
    from harness import ROOT
    p = subprocess.run([sys.executable, str(ROOT / "Tests/integration/demo.py"), "--cluster", "--check"],
                       capture_output=True, text=True, timeout=600, env={**os.environ, "SJK_NO_BUILD": "1"})
    print(p.stdout[-3000:])
    assert p.returncode == 0, p.stdout + p.stderr
    counts = [int(c) for c in re.findall(r"count=(\d+)", p.stdout)]
    assert counts == list(range(1, 9)), p.stdout
    routes = re.findall(r"count=\d+ from (\S+)", p.stdout)
    assert len(set(routes[:3])) == 1 and routes[3] != routes[0], routes

