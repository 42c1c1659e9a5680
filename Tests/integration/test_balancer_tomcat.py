"""The load balancer in front of two real Tomcat 10 instances (jvmRoute = member route).

* Distribution and stickiness use the shared `tomcats` fixture (tomcat1 with AJP secret
  s3cr3t-ajp on 127.0.0.10, tomcat2 without on 127.0.0.12; route = jvmRoute = name), behind
  SwiftJK in prefork (≥ 4 children) and event (2 processes).
* The Appendix B file and everything that kills a Tomcat use a pair of this module's own
  (127.0.0.1, jvmRoute node1/node2, no secret — what Appendix B's `host=127.0.0.1` and
  `route=node1/node2` need), so the shared fixture is never disturbed.
* Failover under load and recovery run mod_jk and SwiftJK side by side against the same
  Tomcats at the same time: one SIGKILL hits both.

Run with -s to see the measured numbers (distributions, failed requests, recovery seconds)."""

import http.client
import re
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from harness import APPENDIX_B, Apache, Tomcat, make_workdir

PID_LOG = 'LogFormat "%P %U%q" sjkpid\nCustomLog logs/pid.log sjkpid\n'


# ---------------------------------------------------------------------------------------------
# helpers

def fields(text):
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def get(apache, path, cookie=None, conn=None):
    """GET on `conn` (or a new connection); returns (status, body fields, headers)."""
    own = conn is None
    if own:
        conn = http.client.HTTPConnection("127.0.0.1", apache.port, timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        return response.status, fields(body), response.getheaders()
    finally:
        if own:
            conn.close()


def route_of(apache, path="/info.jsp", cookie=None, conn=None):
    status, f, _ = get(apache, path, cookie, conn)
    return status, f.get("route")


def child_pids(apache, path_prefix):
    log = apache.dir / "logs/pid.log"
    return {line.split()[0] for line in log.read_text().splitlines()
            if len(line.split()) == 2 and line.split()[1].startswith(path_prefix)}


def lb_workers(members, lb_attrs=None, global_attrs=None, lb="lb"):
    """workers.properties for one lb; members = [(name, host, port, attrs)]."""
    lines = [f"worker.list={lb}"]
    lines += [f"worker.{k}={v}" for k, v in (global_attrs or {}).items()]
    lines += [f"worker.{lb}.type=lb", f"worker.{lb}.balance_workers={','.join(m[0] for m in members)}"]
    lines += [f"worker.{lb}.{k}={v}" for k, v in (lb_attrs or {}).items()]
    for name, host, port, attrs in members:
        lines += [f"worker.{name}.type=ajp13", f"worker.{name}.host={host}", f"worker.{name}.port={port}"]
        lines += [f"worker.{name}.{k}={v}" for k, v in attrs.items()]
    return "\n".join(lines) + "\n"


def shared_members(tomcats, factors=(1, 1)):
    t1, t2 = tomcats["tomcat1"], tomcats["tomcat2"]
    return [("tomcat1", t1.address, t1.ajp_port, {"lbfactor": factors[0], "secret": "s3cr3t-ajp"}),
            ("tomcat2", t2.address, t2.ajp_port, {"lbfactor": factors[1]})]


def concurrent_load(apache, path, clients=8, per_client=150):
    """`clients` threads, each with its own keep-alive connection, `per_client` GETs each.
    Returns (Counter of routes, Counter of statuses)."""
    routes, statuses, lock = Counter(), Counter(), threading.Lock()

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", apache.port, timeout=30)
        local_routes, local_statuses = Counter(), Counter()
        try:
            for _ in range(per_client):
                try:
                    status, route = route_of(apache, path, conn=conn)
                except (OSError, http.client.HTTPException):
                    conn.close()
                    status, route = "error", None
                local_statuses[status] += 1
                local_routes[route] += 1
        finally:
            conn.close()
            with lock:
                routes.update(local_routes)
                statuses.update(local_statuses)
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return routes, statuses


# ---------------------------------------------------------------------------------------------
# distribution and stickiness on the shared Tomcats (SwiftJK)

@pytest.fixture(scope="module", params=["prefork", "event"])
def lb_sites(request, tomcats):
    """Per MPM: a SwiftJK httpd with lbfactor 1:1 and one with 1:3 over tomcat1/tomcat2."""
    mpm = request.param
    work = make_workdir("sjk-lbtc-")
    sites = {}
    try:
        for factors in [(1, 1), (1, 3)]:
            sites[factors] = Apache(work, "swiftjk", mpm, jk_conf="JkMount /*.jsp lb\n" + PID_LOG,
                                    workers=lb_workers(shared_members(tomcats, factors)),
                                    name=f"httpd-{mpm}-{factors[0]}-{factors[1]}").start()
        yield mpm, sites
    finally:
        crashed = {name: apache.crashed_children() for name, apache in sites.items()}
        for apache in sites.values():
            apache.stop()
    # checked before stopping: a crash of a child at shutdown is test_balancer_differential's
    # test_stopping_prefork_children_with_a_balancer_does_not_crash
    assert crashed == {name: [] for name in sites}, crashed


@pytest.mark.parametrize("factors, share1, tolerance", [((1, 1), 0.50, 0.02), ((1, 3), 0.25, 0.03)],
                         ids=["1:1", "1:3"])
def test_distribution_from_8_concurrent_clients(lb_sites, factors, share1, tolerance):
    mpm, sites = lb_sites
    apache = sites[factors]
    routes, statuses = concurrent_load(apache, "/info.jsp", clients=8, per_client=150)
    total = sum(routes.values())
    share = routes["tomcat1"] / total
    pids = child_pids(apache, "/info.jsp")
    print(f"\n[distribution] SwiftJK {mpm} lbfactor {factors[0]}:{factors[1]}: {total} requests, "
          f"tomcat1 {routes['tomcat1']} ({share:.1%}), tomcat2 {routes['tomcat2']} "
          f"({routes['tomcat2'] / total:.1%}), statuses {dict(statuses)}, {len(pids)} children")
    assert statuses == Counter({200: 1200}), statuses
    assert set(routes) == {"tomcat1", "tomcat2"}, routes
    assert abs(share - share1) <= tolerance, (share, routes)
    assert len(pids) >= (4 if mpm == "prefork" else 2), pids


def create_session_on_tomcat2(apache):
    """GET /session.jsp until tomcat2 answers; returns the JSESSIONID value Tomcat set
    (<id>.tomcat2). New visitors alternate, but earlier sticky traffic may have charged tomcat2
    far ahead (method Request counts sticky requests too), so after a few tries a request for a
    session tomcat2 does not know (JSESSIONID=NEW.tomcat2) makes tomcat2 create one."""
    for attempt in range(8):
        status, f, headers = get(apache, "/session.jsp", cookie="JSESSIONID=NEW.tomcat2" if attempt >= 4 else None)
        assert status == 200
        if f.get("route") == "tomcat2":
            cookies = [v for k, v in headers if k.lower() == "set-cookie" and v.startswith("JSESSIONID=")]
            assert cookies, headers
            value = cookies[0].split(";")[0].split("=", 1)[1]
            assert value == f["session"] and value.endswith(".tomcat2"), (value, f)
            return value
    raise AssertionError("no request reached tomcat2")


def test_session_on_tomcat2_sticks_for_100_new_connections(lb_sites):
    mpm, sites = lb_sites
    apache = sites[(1, 1)]
    session = create_session_on_tomcat2(apache)
    results = Counter()
    for i in range(100):
        status, f, headers = get(apache, f"/session.jsp?n={i}", cookie=f"JSESSIONID={session}")
        # the same session (Tomcat found it, no new Set-Cookie) on the same Tomcat
        renewed = any(k.lower() == "set-cookie" for k, _ in headers)
        results[(status, f.get("route"), f.get("session") == session, renewed)] += 1
    pids = child_pids(apache, "/session.jsp?n=")
    print(f"\n[sticky] SwiftJK {mpm}: {dict(results)} from {len(pids)} children")
    assert results == Counter({(200, "tomcat2", True, False): 100}), results
    assert len(pids) >= 2, pids


def test_jsessionid_path_parameter_works_like_the_cookie(lb_sites):
    mpm, sites = lb_sites
    apache = sites[(1, 1)]
    session = create_session_on_tomcat2(apache)
    results = Counter()
    for i in range(20):
        status, f, _ = get(apache, f"/session.jsp;jsessionid={session}?n={i}")
        results[(status, f.get("route"), f.get("session"))] += 1
    assert results == Counter({(200, "tomcat2", session): 20}), results
    # the path parameter also wins over a cookie naming the other member (the route: Tomcat
    # itself prefers the cookie's id, which it does not know, so it starts a new session there)
    routes = Counter(get(apache, f"/session.jsp;jsessionid={session}", cookie="JSESSIONID=OTHER.tomcat1")[1]["route"]
                     for _ in range(5))
    assert routes == Counter({"tomcat2": 5}), routes


# ---------------------------------------------------------------------------------------------
# this module's own Tomcats (Appendix B, failover, recovery)

@pytest.fixture(scope="module")
def own_tomcats(request):
    """node1/node2 on 127.0.0.1 with jvmRoute node1/node2 and no secret. Started before the
    shared pair is waited for, so the JVMs boot in parallel."""
    base = make_workdir("sjk-own-tomcat-")
    t1 = Tomcat(base, "node1", "127.0.0.1", "node1").start()
    t2 = Tomcat(base, "node2", "127.0.0.1", "node2").start()
    try:
        request.getfixturevalue("tomcats")
        t1.wait()
        t2.wait()
        yield {"node1": t1, "node2": t2}
    finally:
        t1.stop()
        t2.stop()




def test_appendix_b_file_loads_alternates_and_sticks(own_tomcats):
    """Appendix B byte for byte, only the two ports replaced by the Tomcats' AJP ports. Both
    connectors: configtest passes (SwiftJK only warns), new visitors alternate strictly
    (method stays Request: the member-level method=Session has no effect), JSESSIONID=x.node2
    sticks, JSESSIONID=x.tomcat2 does not (the route is node2, not the worker name)."""
    text = (APPENDIX_B.replace("28009", str(own_tomcats["node1"].ajp_port))
            .replace("28010", str(own_tomcats["node2"].ajp_port)))
    assert len(text) == len(APPENDIX_B) and text.count("\n") == APPENDIX_B.count("\n")
    work = make_workdir("sjk-appb-")
    results = {}
    for connector in ["modjk", "swiftjk"]:
        apache = Apache(work, connector, "prefork", jk_conf="JkMount /*.jsp lb\n", workers=text,
                        name=f"appb-{connector}")
        rc, out = apache.configtest()
        assert rc == 0 and "Syntax OK" in out, out
        assert "error" not in out.lower(), out
        if connector == "swiftjk":
            assert "did you mean worker.lb.method?" in out, out
        apache.start()
        try:
            conns = [http.client.HTTPConnection("127.0.0.1", apache.port, timeout=30) for _ in range(3)]
            new = [route_of(apache, conn=conns[i % 3]) for i in range(10)]
            sticky = [route_of(apache, cookie="JSESSIONID=ABC.node2", conn=conns[i % 3]) for i in range(4)]
            by_name = [route_of(apache, cookie="JSESSIONID=ABC.tomcat2", conn=conns[i % 3]) for i in range(4)]
            for c in conns:
                c.close()
            assert apache.crashed_children() == []
        finally:
            apache.stop()
        results[connector] = {"new": new, "sticky": sticky, "by_name": by_name}
    print(f"\n[appendix B] {results}")
    r = results["swiftjk"]
    assert all(s == 200 for s, _ in r["new"] + r["sticky"] + r["by_name"])
    new = [route for _, route in r["new"]]
    assert all(a != b for a, b in zip(new, new[1:])) and set(new) == {"node1", "node2"}, new
    assert [route for _, route in r["sticky"]] == ["node2"] * 4
    # after the 4 sticky node2 requests node2 is charged 4 ahead: the 4 requests that only
    # carry the worker name are balanced, i.e. all go to node1
    assert [route for _, route in r["by_name"]] == ["node1"] * 4
    assert results["swiftjk"] == results["modjk"]


WRK_SCRIPT = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  n1 = 0; n2 = 0; other = 0; b1 = {}; b2 = {}
end
function response(status, headers, body)
  local t = os.time()
  if string.find(body, "route=node1", 1, true) then n1 = n1 + 1; b1[t] = (b1[t] or 0) + 1
  elseif string.find(body, "route=node2", 1, true) then n2 = n2 + 1; b2[t] = (b2[t] or 0) + 1
  else other = other + 1 end
end
function done(summary, latency, requests)
  local a, b, o = 0, 0, 0
  local s1, s2 = {}, {}
  for _, t in ipairs(threads) do
    a = a + t:get("n1"); b = b + t:get("n2"); o = o + t:get("other")
    for k, v in pairs(t:get("b1")) do s1[k] = (s1[k] or 0) + v end
    for k, v in pairs(t:get("b2")) do s2[k] = (s2[k] or 0) + v end
  end
  local e = summary.errors
  io.write(string.format("SJK requests=%d node1=%d node2=%d other=%d non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, a, b, o, e.status, e.connect, e.read, e.write, e.timeout))
  for k, v in pairs(s1) do io.write(string.format("SJKB node1 %d %d\n", k, v)) end
  for k, v in pairs(s2) do io.write(string.format("SJKB node2 %d %d\n", k, v)) end
end
"""


def parse_wrk(output):
    m = re.search(r"SJK requests=(\d+) node1=(\d+) node2=(\d+) other=(\d+) non2xx=(\d+) connect=(\d+) "
                  r"read=(\d+) write=(\d+) timeout=(\d+)", output)
    assert m, output
    keys = ["requests", "node1", "node2", "other", "non2xx", "connect", "read", "write", "timeout"]
    result = dict(zip(keys, map(int, m.groups())))
    result["failed"] = sum(result[k] for k in ["non2xx", "connect", "read", "write", "timeout"])
    result["buckets"] = {}
    for node, second, count in re.findall(r"SJKB (node\d) (\d+) (\d+)", output):
        result["buckets"].setdefault(node, {})[int(second)] = int(count)
    return result


def own_members(own):
    return [("tomcat1", "127.0.0.1", own["node1"].ajp_port, {"route": "node1"}),
            ("tomcat2", "127.0.0.1", own["node2"].ajp_port, {"route": "node2"})]


RECOVER = {"recover_time": 5}
MAINTAIN = {"maintain": 5}


def restart_in_background(tomcat, marks, delay=0.0):
    """Starts `tomcat` again after `delay` seconds; sets marks['up'] (monotonic) once it answers."""
    def run():
        time.sleep(delay)
        tomcat.start()
        tomcat.wait(120)
        marks["up"] = time.monotonic()
    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.fixture(scope="module")
def kill_run(own_tomcats):
    """wrk -t2 -c32 -d20s against mod_jk and SwiftJK at once (event MPM, same lb: routes
    node1/node2, recover_time=5, worker.maintain=5); SIGKILL to node1's Tomcat after 5 s; it is
    restarted 3 s later. (Restarted at once, Tomcat binds its AJP port again within about a
    second, before its webapp is ready; under 32 concurrent clients the member's failures then
    stay "local" — another request is always in flight on it, §9.8 — and it never reaches ERR, so
    there would be no recovery to measure. After 3 s its first error is older than
    error_escalation_time = recover_time/2 = 2 s and it is ERR in both connectors.) Failed requests = non-2xx + connect/read/write errors + timeouts
    (a connection closed without a response is a read error in wrk). wrk sends
    "Connection: close": with keep-alive, wrk also counts a read error whenever httpd closes an
    idle keep-alive connection just as wrk reuses it (measured here without any kill: 6 such
    "failures" in 8 s for either connector), which is not a failed request.

    A sticky probe for node1 (JSESSIONID=PROBE.node1, new connection) goes to each httpd every
    0.5 s from the kill until node1 answers it again (at most 90 s): while node1 is dead it must get 200 from
    node2; the seconds from node1's Tomcat being up again to the first probe it serves are the
    recovery time. Returns the report per connector (printed)."""
    t1 = own_tomcats["node1"]
    work = make_workdir("sjk-kill-")
    script = Path(work) / "routes.lua"
    script.write_text(WRK_SCRIPT)
    workers = lb_workers(own_members(own_tomcats), RECOVER, MAINTAIN)
    sites = {c: Apache(work, c, "event", jk_conf="JkMount /*.jsp lb\n", workers=workers, name=f"kill-{c}").start()
             for c in ["modjk", "swiftjk"]}
    marks, probes, wrk, warm = {}, {c: [] for c in sites}, {}, {}
    restart = None
    try:
        for c, apache in sites.items():
            warm[c] = {route_of(apache)[1] for _ in range(4)}
        procs = {c: subprocess.Popen(["wrk", "-t2", "-c32", "-d20s", "--timeout", "10s", "-H", "Connection: close",
                                      "-s", str(script), apache.url("/info.jsp")],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                 for c, apache in sites.items()}
        marks["start"] = time.monotonic()
        time.sleep(5)
        t1.kill()
        marks["kill"] = time.monotonic()
        kill_wall = int(time.time())
        restart = restart_in_background(t1, marks, delay=3)
        deadline = marks["kill"] + 90
        while time.monotonic() < deadline:
            for c, apache in sites.items():
                try:
                    status, route = route_of(apache, cookie="JSESSIONID=PROBE.node1")
                except (OSError, http.client.HTTPException) as e:
                    status, route = repr(e), None
                probes[c].append((time.monotonic(), status, route))
            if "up" in marks and all(any(r == "node1" for _, _, r in probes[c]) for c in sites):
                break
            time.sleep(0.5)
        for c, proc in procs.items():
            out, _ = proc.communicate(timeout=60)
            wrk[c] = parse_wrk(out)
    finally:
        if restart is not None:
            restart.join(120)
        if t1.proc is None:
            t1.start().wait()
        crashed = {c: apache.crashed_children() for c, apache in sites.items()}
        for apache in sites.values():
            apache.stop()
    report = {}
    for c in sites:
        w = wrk[c]
        back = next((t for t, _, r in probes[c] if r == "node1"), None)
        dead = [(s, r) for t, s, r in probes[c] if t < marks.get("up", float("inf"))]
        node1_seconds = sorted(s - kill_wall for s in w["buckets"].get("node1", {}) if s > kill_wall)
        report[c] = {"warm": warm[c], "crashed": crashed[c], "wrk": w,
                     "requests": w["requests"], "failed": w["failed"],
                     "detail": {k: w[k] for k in ["non2xx", "connect", "read", "write", "timeout"]},
                     "probes_while_dead": Counter(dead),
                     "recovery_s_after_up": None if back is None else round(max(back - marks["up"], 0.0), 1),
                     "recovery_s_after_kill": None if back is None else round(back - marks["kill"], 1),
                     "wrk_node1_again_s_after_kill": node1_seconds[0] if node1_seconds else None}
    print(f"\n[kill under load] node1 Tomcat up again {marks['up'] - marks['kill']:.1f} s after the SIGKILL "
          f"(load started {marks['kill'] - marks['start']:.1f} s before it)")
    for c, r in report.items():
        shown = {k: v for k, v in r.items() if k not in ("wrk", "warm", "crashed")}
        print(f"[kill under load] {c}: {shown}")
    return report


def test_kill_load_ran_without_crash(kill_run):
    for c, r in kill_run.items():
        assert r["warm"] == {"node1", "node2"}, (c, r["warm"])
        assert r["crashed"] == [], (c, r["crashed"])
        assert r["requests"] > 1000, (c, r["wrk"])
        # every answer came from a Tomcat or is counted as failed
        assert r["wrk"]["other"] <= r["wrk"]["non2xx"], (c, r["wrk"])


def test_kill_sticky_requests_for_dead_member_get_200_from_node2(kill_run):
    for c, r in kill_run.items():
        assert r["probes_while_dead"][(200, "node2")] >= 2, (c, r["probes_while_dead"])
        # node1 itself may answer a probe just before its HTTP connector is seen up
        assert set(r["probes_while_dead"]) <= {(200, "node2"), (200, "node1")}, (c, r["probes_while_dead"])


def test_kill_node1_serves_again_within_recover_time_plus_maintain(kill_run):
    """recover_time 5 + worker.maintain 5 + 2 s (whole-second clocks, probe interval) after its
    Tomcat is up again, for both connectors; the load itself reached node1 again too."""
    for c, r in kill_run.items():
        assert r["recovery_s_after_up"] is not None and r["recovery_s_after_up"] <= 5 + 5 + 2, (c, r)


def test_kill_failed_requests_swiftjk_not_more_than_modjk(kill_run):
    print(f"\n[kill under load] failed requests: mod_jk {kill_run['modjk']['failed']} of "
          f"{kill_run['modjk']['requests']}, SwiftJK {kill_run['swiftjk']['failed']} of "
          f"{kill_run['swiftjk']['requests']}")
    assert kill_run["swiftjk"]["failed"] <= kill_run["modjk"]["failed"], {c: r["detail"] for c, r in kill_run.items()}


def test_recovery_without_requests_and_sticky_force(own_tomcats):
    """recover_time=5, worker.maintain=5, mod_jk and SwiftJK side by side (event), each with a
    normal lb and one with sticky_session_force=true. node1's Tomcat is killed; a few requests
    put member tomcat1 into ERR (new and node1-sticky requests: 200 from node2; with
    sticky_session_force: 503 for node1 sessions). Then node1 is restarted and NO request
    reaches the balancers until recover_time + worker.maintain (+1.5 s) after the last failure.
    The first request after that silence — a node1 session — must be served by node1: SwiftJK's
    maintenance timer recovered the member meanwhile (and, like mod_jk, maintenance also runs
    before a request is balanced). Both connectors' results and the silent seconds are printed."""
    t1 = own_tomcats["node1"]
    work = make_workdir("sjk-recover-")
    members = own_members(own_tomcats)
    sites = {}
    for c in ["modjk", "swiftjk"]:
        # slow_start=0: SwiftJK balances a recovered member exactly as mod_jk does (its default
        # ramp, tested in test_health_checks.py, would give node1 a tenth of the new requests)
        own = {"slow_start": 0} if c == "swiftjk" else {}
        sites[(c, "normal")] = Apache(work, c, "event", jk_conf="JkMount /*.jsp lb\n",
                                      workers=lb_workers(members, {**RECOVER, **own}, MAINTAIN), name=f"rec-{c}").start()
        sites[(c, "force")] = Apache(work, c, "event", jk_conf="JkMount /*.jsp lb\n",
                                     workers=lb_workers(members, {**RECOVER, **own, "sticky_session_force": "true"},
                                                        MAINTAIN),
                                     name=f"force-{c}").start()
    marks, restart = {}, None
    observed = {}
    try:
        for apache in sites.values():
            assert {route_of(apache)[1] for _ in range(4)} == {"node1", "node2"}
        t1.kill()
        marks["kill"] = time.monotonic()
        for key, apache in sites.items():
            new = [route_of(apache) for _ in range(2)]
            sticky = [route_of(apache, cookie="JSESSIONID=S.node1") for _ in range(3)]
            new += [route_of(apache) for _ in range(2)]
            observed[key] = {"dead_new": new, "dead_sticky": sticky}
        marks["err"] = time.monotonic()
        restart = restart_in_background(t1, marks)
        restart.join(120)
        quiet_until = max(marks["err"] + 5 + 5 + 1.5, marks["up"] + 0.5)
        time.sleep(max(0.0, quiet_until - time.monotonic()))
        for key, apache in sites.items():
            observed[key]["first_after_silence"] = route_of(apache, cookie="JSESSIONID=S.node1")
            observed[key]["silence_s"] = round(time.monotonic() - marks["err"], 1)
        for key, apache in sites.items():
            observed[key]["then_new"] = [route_of(apache) for _ in range(4)]
    finally:
        if restart is not None:
            restart.join(120)
        if t1.proc is None:
            t1.start().wait()
        crashed = {key: apache.crashed_children() for key, apache in sites.items()}
        for apache in sites.values():
            apache.stop()
    assert crashed == {key: [] for key in sites}, crashed
    print(f"\n[recovery] node1 Tomcat up {marks['up'] - marks['kill']:.1f} s after the SIGKILL")
    for key, o in observed.items():
        print(f"[recovery] {key}: {o}")
    for c in ["modjk", "swiftjk"]:
        normal, force = observed[(c, "normal")], observed[(c, "force")]
        assert normal["dead_new"] == [(200, "node2")] * 4, (c, normal)
        assert normal["dead_sticky"] == [(200, "node2")] * 3, (c, normal)
        assert force["dead_sticky"] == [(503, None)] * 3, (c, force)
        assert force["dead_new"] == [(200, "node2")] * 4, (c, force)
    for kind in ["normal", "force"]:
        o = observed[("swiftjk", kind)]
        assert o["first_after_silence"] == (200, "node1"), o
        assert o["silence_s"] <= 5 + 5 + 1.5 + 3 or o["silence_s"] <= marks["up"] - marks["err"] + 3, o
        assert {r for _, r in o["then_new"]} == {"node1", "node2"}, o
