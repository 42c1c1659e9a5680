"""Operating SwiftJK beyond mod_jk: Prometheus metrics (scraped by a real Prometheus server and
checked by promtool), the JSON API with its status codes, a drain with its done signal during
bounded load, and the swiftjk-ctl command-line tool with its exit codes."""

import json
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request

import pytest

from harness import ROOT, free_port, make_workdir, stop_pid, wait_until
from test_status_worker import Site, spread

CTL = ROOT / "scripts/swiftjk-ctl"
VERSION = __import__("re").search(r'#define SJK_VERSION "([^"]+)"',
                                  (ROOT / "Sources/CJKCore/include/sjk_abi.h").read_text()).group(1)


@pytest.fixture(scope="module")
def site():
    work = make_workdir("sjk-ops-")
    s = Site(work, "swiftjk", "prefork")
    yield s
    s.stop()
    assert not s.apache.crashed_children()


def api(site, query, method="GET", headers=None, path="/jkstatus"):
    """(HTTP status, JSON document) of a JSON API call."""
    status, _, body = site.get(f"{path}?mime=json&{query}", method=method, headers=headers, body=b"" if method == "POST" else None)
    return status, json.loads(body)


def member(document, name):
    return next(m for lb in document["balancers"] for m in lb["members"] if m["name"] == name)


# ---------------------------------------------------------------------------------------------
# Prometheus

def metrics(site):
    status, headers, body = site.get("/jkstatus?mime=prometheus")
    assert status == 200 and headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return body


def sample(body, name, **labels):
    """The value of the sample `name` whose labels include `labels`."""
    for line in body.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        head, _, value = line.rpartition(" ")
        if all(f'{k}="{v}"' in head for k, v in labels.items()):
            return float(value)
    return None


def test_metrics_count_what_was_sent_and_pass_promtool(site):
    before = sample(metrics(site), "swiftjk_member_requests_total", member="tomcat1") or 0
    spread(site, "/app/m", 10)
    spread(site, "/app/m;jsessionid=S.tomcat2", 4)
    body = metrics(site)
    requests = sum(sample(body, "swiftjk_member_requests_total", member=m) for m in ("tomcat1", "tomcat2"))
    assert requests >= 14
    assert sample(body, "swiftjk_member_requests_total", member="tomcat1") - before >= 5
    assert sample(body, "swiftjk_member_responses_total", member="tomcat2", code="2xx") >= 7
    assert sample(body, "swiftjk_balancer_sticky_total", outcome="route_found") >= 4
    assert sample(body, "swiftjk_member_response_seconds_count", member="tomcat2") >= 7
    assert sample(body, "swiftjk_member_state", member="tomcat1", state="OK") == 1
    assert sample(body, "swiftjk_build_info", version=VERSION) == 1
    assert "jsessionid" not in body and "/app/" not in body, "no URI or session id in labels"
    promtool = shutil.which("promtool")
    if not promtool:
        pytest.skip("promtool is not installed (Debian's prometheus package)")
    result = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


class Prometheus:
    """A real Prometheus server (Debian's package) on loopback scraping the status worker every second."""

    def __init__(self, work, target_port):
        binary = shutil.which("prometheus")
        if not binary:
            pytest.skip("prometheus is not installed (Debian's prometheus package)")
        self.port = free_port()
        config = work / "prometheus.yml"
        config.write_text(f"""global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: swiftjk
    metrics_path: /jkstatus
    params:
      mime: [prometheus]
    static_configs:
      - targets: ['127.0.0.1:{target_port}']
""")
        (work / "tsdb").mkdir()
        self.proc = subprocess.Popen([binary, f"--config.file={config}", f"--storage.tsdb.path={work / 'tsdb'}",
                                      f"--web.listen-address=127.0.0.1:{self.port}"],
                                     stdout=open(work / "prometheus.log", "w"), stderr=subprocess.STDOUT)

    def query(self, promql):
        url = f"http://127.0.0.1:{self.port}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                result = json.loads(r.read())["data"]["result"]
        except OSError:
            return None
        return float(result[0]["value"][1]) if result else None

    def stop(self):
        stop_pid(self.proc.pid)


def test_a_real_prometheus_sees_requests_and_a_killed_tomcat():
    """Two real Tomcat 10 behind the lb; Prometheus scrapes every second; PromQL sees the requests
    sent and, after tomcat1 is SIGKILLed, its member in ERR."""
    from harness import Apache, Tomcat
    from test_status_worker import jk_conf
    work = make_workdir("sjk-prom-")
    tomcats = [Tomcat(work, "tomcat1", "127.0.0.10", "tomcat1"), Tomcat(work, "tomcat2", "127.0.0.12", "tomcat2")]
    apache = prometheus = None
    try:
        for t in tomcats:
            t.start()
        for t in tomcats:
            t.wait()
        workers = "\n".join(["worker.list=lb,jkstatus"] + [
            line for t in tomcats for line in (f"worker.{t.name}.type=ajp13", f"worker.{t.name}.host={t.address}",
                                               f"worker.{t.name}.port={t.ajp_port}", f"worker.{t.name}.route={t.route}")
        ] + ["worker.lb.type=lb", "worker.lb.balance_workers=tomcat1,tomcat2", "worker.jkstatus.type=status", ""])
        d = work / "httpd"
        d.mkdir()
        apache = Apache(d, "swiftjk", "event", jk_conf=jk_conf(d) + "JkMount /*.jsp lb\n", workers=workers).start()
        prometheus = Prometheus(work, apache.port)
        assert wait_until(lambda: prometheus.query('up{job="swiftjk"}') == 1, 60, 0.5), "target never up"
        for _ in range(20):
            with urllib.request.urlopen(apache.url("/info.jsp"), timeout=30) as r:
                assert r.status == 200
        assert wait_until(lambda: prometheus.query("sum(swiftjk_member_requests_total)") == 20, 30, 0.5)
        assert prometheus.query('swiftjk_member_requests_total{member="tomcat1"}') == 10
        assert prometheus.query('sum(swiftjk_member_responses_total{code="2xx"})') == 20
        assert prometheus.query('swiftjk_member_state{member="tomcat1",state="ERR"}') == 0
        tomcats[0].kill()
        for _ in range(4):
            with urllib.request.urlopen(apache.url("/info.jsp"), timeout=30) as r:
                assert r.status == 200, "tomcat2 answers while tomcat1 is dead"
        assert wait_until(lambda: prometheus.query(
            'swiftjk_member_state{member="tomcat1",state="ERR"}') == 1, 30, 0.5)
        assert prometheus.query('swiftjk_member_failures_total{member="tomcat1",kind="connect_refused"}') >= 1
        assert prometheus.query('swiftjk_balancer_members{rating="bad"}') == 1
        assert prometheus.query('swiftjk_member_last_state_change_timestamp_seconds{member="tomcat1"}') > 0
    finally:
        if prometheus:
            prometheus.stop()
        if apache:
            apache.stop()
        for t in tomcats:
            t.stop()


# ---------------------------------------------------------------------------------------------
# JSON API

def test_json_state_and_every_error_status(site):
    status, doc = api(site, "cmd=list")
    assert status == 200 and [m["name"] for m in doc["balancers"][0]["members"]] == ["tomcat1", "tomcat2"]
    assert doc["balancers"][0]["members"][0]["state_name"] == "ready"
    assert doc["workers"][0]["name"] == "ajp1"
    assert api(site, "cmd=bogus")[0] == 400
    assert api(site, "cmd=show")[0] == 400
    assert api(site, "cmd=show&w=nosuch")[0] == 404
    assert api(site, "cmd=show&w=lb&sw=nosuch")[0] == 404
    assert api(site, "cmd=update&w=lb&sw=tomcat1&state=drain")[0] == 405
    assert api(site, "cmd=update&w=lb&sw=tomcat1&state=drain", method="POST", path="/jkro")[0] == 403
    assert api(site, "cmd=update&w=lb&sw=tomcat1&state=drain", method="POST",
               headers={"Origin": "http://evil.example"})[0] == 403
    status, doc = api(site, "cmd=update&w=lb&sw=tomcat1&vwf=0&vwd=x", method="POST")
    assert status == 422 and "vwf=0" in doc["result"]["message"] and "vwd=x" in doc["result"]["message"]
    assert api(site, "cmd=update&w=lb&sw=tomcat1&state=sleepy", method="POST")[0] == 422
    assert api(site, "cmd=update&w=lb&vwf=2", method="POST")[0] == 422, "member keys on the lb itself"
    assert api(site, "cmd=recover&w=lb&sw=tomcat2", method="POST")[0] == 409
    status, doc = api(site, "cmd=update&w=lb&sw=tomcat2&weight=3", method="POST")
    assert status == 200 and member(doc, "tomcat2")["lbfactor"] == 3 and member(doc, "tomcat2")["weight_percent"] == 75
    status, doc = api(site, "cmd=update&w=lb&sw=tomcat2&weight=1&state=maint", method="POST")
    assert status == 200 and member(doc, "tomcat2")["activation"] == "STP"
    status, doc = api(site, "cmd=update&w=lb&sw=tomcat2&state=ready", method="POST")
    assert member(doc, "tomcat2")["state_name"] == "ready"


# ---------------------------------------------------------------------------------------------
# drain with a done signal, and the CLI

def ctl(site, *args, timeout=60):
    url = f"http://127.0.0.1:{site.apache.port}/jkstatus"
    return subprocess.run(["python3", str(CTL), "--url", url, *args], capture_output=True, text=True, timeout=timeout)


def test_drain_finishes_only_after_the_last_sticky_client_and_loses_nothing(site):
    failures = []
    stop_sticky = threading.Event()
    stop_new = threading.Event()
    served = {"sticky": [], "new": []}

    def sticky_client():
        while not stop_sticky.is_set():
            node = site.node("/app/d;jsessionid=D.tomcat1")
            served["sticky"].append(node)
            if node not in ("tomcat1", "tomcat2"):
                failures.append(node)
            time.sleep(0.1)

    def new_clients():
        deadline = time.monotonic() + 30
        while not stop_new.is_set() and time.monotonic() < deadline:
            node = site.node("/app/n")
            served["new"].append(node)
            if node not in ("tomcat1", "tomcat2"):
                failures.append(node)
            time.sleep(0.05)

    threads = [threading.Thread(target=sticky_client), threading.Thread(target=new_clients)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.5)
        start = time.monotonic()
        waiter = subprocess.Popen(["python3", str(CTL), "--url", f"http://127.0.0.1:{site.apache.port}/jkstatus",
                                   "drain", "lb", "tomcat1", "--wait", "--quiet", "2", "--timeout", "30"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(2.5)
        assert waiter.poll() is None, "the drain must not be done while its sticky client still runs"
        new_before = len(served["new"])
        stop_sticky.set()
        sticky_stopped = time.monotonic()
        out, err = waiter.communicate(timeout=40)
        done = time.monotonic()
        assert waiter.returncode == 0, out + err
        assert "drain done" in out
        # Done only after the quiet time counted from the last sticky request (2 s), and soon after it.
        # (times are kept in whole seconds, and the tool polls once a second)
        assert 0.5 <= done - sticky_stopped <= 6.0, (start, sticky_stopped, done)
        new_after_drain = served["new"][new_before:]
        assert new_after_drain and set(new_after_drain) == {"tomcat2"}, "no new session goes to a draining member"
        assert set(served["sticky"]) == {"tomcat1"}, "its sticky sessions are still served while draining"
        print(f"drain timeline: started 0.0 s, sticky client stopped {sticky_stopped - start:.1f} s, "
              f"done {done - start:.1f} s ({done - sticky_stopped:.1f} s after the last sticky client)")
    finally:
        stop_sticky.set()
        stop_new.set()
        for t in threads:
            t.join(timeout=40)
        ctl(site, "enable", "lb", "tomcat1")
    assert failures == []


def test_cli_commands_and_exit_codes(site):
    result = ctl(site, "list")
    assert result.returncode == 0 and "tomcat1" in result.stdout and "weight=" in result.stdout
    assert ctl(site, "weight", "lb", "tomcat1", "2").returncode == 0
    assert api(site, "cmd=show&w=lb&sw=tomcat1")[1]["balancers"][0]["members"][0]["lbfactor"] == 2
    assert ctl(site, "weight", "lb", "tomcat1", "1").returncode == 0
    assert ctl(site, "stop", "lb", "nosuch").returncode == 1
    assert ctl(site, "weight", "lb", "tomcat1", "0").returncode == 1
    assert ctl(site, "wait", "lb", "tomcat1").returncode == 1, "not draining"
    # A sticky request right before the wait keeps it from finishing within one second.
    assert ctl(site, "drain", "lb", "tomcat1").returncode == 0
    site.node("/app/w;jsessionid=W.tomcat1")
    assert ctl(site, "wait", "lb", "tomcat1", "--timeout", "1", "--quiet", "5").returncode == 3
    assert ctl(site, "enable", "lb", "tomcat1").returncode == 0
    unreachable = subprocess.run(["python3", str(CTL), "--url", f"http://127.0.0.1:{free_port()}/jkstatus", "list"],
                                 capture_output=True, text=True, timeout=30)
    assert unreachable.returncode == 4
    assert subprocess.run(["python3", str(CTL)], capture_output=True, text=True).returncode == 2


# ---------------------------------------------------------------------------------------------
# persisted runtime edits

def test_edits_survive_graceful_restart_and_stop_start_and_the_file_wins_a_conflict():
    import os
    import signal
    from harness import Apache, Backend
    from test_status_worker import jk_conf, workers_text
    work = make_workdir("sjk-persist-")
    backends = {name: Backend(work, name) for name in ["tomcat1", "tomcat2", "ajp1"]}
    ports = {name: b.port for name, b in backends.items()}
    state = work / "state"
    state.mkdir()
    os.chmod(state, 0o777)   # the children (www-data) write the file
    persist = state / "jkstatus.state"
    base = workers_text(ports) + f"worker.jkstatus.persist_file={persist}\n"

    class Persisting(Site):
        def __init__(self, name, workers):
            self.mpm = "prefork"
            self.backends = backends
            d = work / name
            d.mkdir()
            self.apache = Apache(d, "swiftjk", "prefork", jk_conf=jk_conf(d), workers=workers).start()

        def stop(self):
            self.apache.stop()

    def post(site, query):
        return api(site, query, method="POST")

    first = Persisting("first", base)
    try:
        assert post(first, "cmd=update&w=lb&sw=tomcat1&state=drain")[0] == 200
        assert post(first, "cmd=update&w=lb&sw=tomcat2&weight=3")[0] == 200
        assert post(first, "cmd=update&w=lb&vlm=Busyness")[0] == 200
        assert post(first, "cmd=update&w=ajp1&vart=4000")[0] == 200
        saved = persist.read_text()
        assert "member\tlb/tomcat1\tactivation\tACT\tDIS" in saved and "worker\tajp1\treply_timeout\t0\t4000" in saved
        doc = api(first, "cmd=list")[1]
        assert {(c["worker"], c["field"]) for c in doc["runtime_changes"]} >= {("lb/tomcat1", "activation"),
                                                                             ("lb/tomcat2", "lbfactor")}
        # Graceful restart: a new generation of children and a new shared segment.
        os.kill(first.apache.pid, signal.SIGUSR1)
        assert wait_until(lambda: "resuming normal operations" in first.apache.error_log().split("SIGUSR1")[-1], 30)
        time.sleep(1)
        after = api(first, "cmd=list")[1]
        assert member(after, "tomcat1")["activation"] == "DIS" and member(after, "tomcat2")["lbfactor"] == 3
        assert after["balancers"][0]["method"] == "Busyness"
        assert "restored 4 runtime edit(s)" in first.apache.error_log()
        assert spread(first, "/app/g", 6) == {"tomcat2": 6}, "tomcat1 still drained after the restart"
    finally:
        first.stop()
    second = Persisting("second", base)
    try:
        doc = api(second, "cmd=show&w=ajp1")[1]
        assert doc["workers"][0]["reply_timeout"] == 4000, "edits survive a full stop and start"
    finally:
        second.stop()
    # workers.properties changes tomcat2's lbfactor after the edit was saved: the file wins.
    third = Persisting("third", base.replace("worker.tomcat2.route=tomcat2",
                                             "worker.tomcat2.route=tomcat2\nworker.tomcat2.lbfactor=5"))
    try:
        assert member(api(third, "cmd=list")[1], "tomcat2")["lbfactor"] == 5
        log = third.apache.error_log()
        assert "lb/tomcat2 lbfactor: workers.properties now says '5' (it said '1' when the runtime value '3'" in log
        assert member(api(third, "cmd=list")[1], "tomcat1")["activation"] == "DIS", "the other edits still apply"
    finally:
        third.stop()
        for b in backends.values():
            b.stop()
