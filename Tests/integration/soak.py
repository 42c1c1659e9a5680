"""The soak (issue 10): mixed traffic through the Appendix B balancer (two real Tomcats, sticky
routes) for a bounded time, with a graceful restart of httpd (`apache2 -k graceful`) every 30 s and
a graceful restart of one Tomcat (alternating) every 2 minutes. It reports failed requests by
kind, crashed children, the parent's resident memory, file descriptors and shared mappings after
every generation, and the children's resident memory per generation, as JSON and a summary.

    python3 Tests/integration/soak.py --minutes 30 [--mpm event|prefork] [--connector swiftjk|modjk]

(scripts/soak wraps it; Tests/integration/test_soak.py runs a 3-minute version in CI.)"""

import argparse
import hashlib
import json
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import ROOT, Apache, Tomcat, apache_env, make_workdir, wait_until   # noqa: E402
from loadclient import BackgroundLoad   # noqa: E402

BODY = bytes(range(256)) * 32   # 8 KiB
BODY_LINE = f"length={len(BODY)} sha256={hashlib.sha256(BODY).hexdigest()}"
BIG = 100 * 1024


def workers(t1, t2):
    """Appendix B: one lb, two members with routes, sticky sessions, rolling-restart settings."""
    return "\n".join([
        "worker.list=lb,jkstatus", "worker.maintain=2", "worker.lb.type=lb",
        "worker.lb.balance_workers=tomcat1,tomcat2", "worker.lb.sticky_session=true", "worker.lb.recover_time=2",
        "worker.jkstatus.type=status",
        "worker.tomcat1.type=ajp13", "worker.tomcat1.host=127.0.0.1", f"worker.tomcat1.port={t1.ajp_port}",
        "worker.tomcat1.route=node1", "worker.tomcat1.fail_on_status=503",
        "worker.tomcat2.type=ajp13", "worker.tomcat2.host=127.0.0.1", f"worker.tomcat2.port={t2.ajp_port}",
        "worker.tomcat2.route=node2", "worker.tomcat2.fail_on_status=503", ""])


def request_for(client, n):
    """The mix: small GETs, 100 KiB GETs, 8 KiB POSTs (digest checked), 200 ms responses, and
    sticky requests (a session cookie with a route; see headers_for)."""
    kind = n % 8
    if kind == 4:
        return "GET", f"/big.jsp?size={BIG}", None, None
    if kind == 5:
        return "POST", "/echo.jsp", BODY, BODY_LINE
    if kind == 6:
        return "GET", "/slow.jsp?ms=200", None, "slept=200"
    if kind == 7:
        return "GET", "/info.jsp?sticky=1", None, None
    return "GET", "/info.jsp", None, None


def headers_for(client, n):
    """Every eighth request carries the session cookie of route node1 or node2 (by client)."""
    if n % 8 == 7:
        return {"Cookie": f"JSESSIONID=SOAK{client:04d}.node{client % 2 + 1}"}
    return {}


def proc_kib(pid, field):
    """A `VmRSS:`-style field of /proc/<pid>/status in KiB (0 when the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid):
    """PIDs whose parent is `pid`."""
    out = subprocess.run(["ps", "--ppid", str(pid), "-o", "pid="], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def shared_mappings(pid):
    """Shared anonymous mappings (SwiftJK's segment, httpd's scoreboard) of process `pid`."""
    try:
        return sum(1 for line in Path(f"/proc/{pid}/maps").read_text().splitlines()
                   if " rw-s " in line and "/dev/zero" in line)
    except OSError:
        return -1


def sample(apache):
    """One look at httpd: parent RSS/fds/mappings, children's RSS, JkShmFile markers."""
    kids = children(apache.pid)
    rss = [proc_kib(k, "VmRSS") for k in kids]
    rss = [r for r in rss if r]
    try:
        fds = len(list(Path(f"/proc/{apache.pid}/fd").iterdir()))
    except OSError:
        fds = -1
    return {"t": time.monotonic(), "parent_rss_kib": proc_kib(apache.pid, "VmRSS"), "parent_fds": fds,
            "parent_shared_mappings": shared_mappings(apache.pid), "children": len(rss),
            "child_rss_kib_median": statistics.median(rss) if rss else 0, "child_rss_kib_max": max(rss, default=0),
            "shm_markers": len(list((apache.dir / "logs").glob("jk-runtime-status*")))}


def slope_per_hour(points):
    """Least-squares slope of (seconds, value) points, per hour."""
    if len(points) < 3:
        return 0.0
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return 0.0 if den == 0 else sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den * 3600


def soak(minutes, mpm="event", connector="swiftjk", clients=16, graceful_every=30, tomcat_every=120, out=None):
    """Runs the soak and returns its report (a dict)."""
    base = make_workdir("sjk-soak-")
    t1 = Tomcat(base, "node1", "127.0.0.1", "node1").start()
    t2 = Tomcat(base, "node2", "127.0.0.1", "node2").start()
    t1.wait()
    t2.wait()
    apache = Apache(base, connector, mpm, jk_conf="JkMount /*.jsp lb\nJkMount /jkstatus jkstatus\n",
                    workers=workers(t1, t2)).start()
    duration = minutes * 60
    events, samples, generations, restarters = [], [], [], []
    try:
        started = time.monotonic()
        load = BackgroundLoad(apache.port, None, clients, duration, headers_for=headers_for,
                              requests=request_for).start()
        next_graceful, next_tomcat, restarts = graceful_every, tomcat_every, 0
        generation = {"start": 0.0, "samples": []}
        while time.monotonic() - started < duration:
            time.sleep(5)
            now = time.monotonic() - started
            s = sample(apache)
            s["t"] = round(now, 1)
            samples.append(s)
            generation["samples"].append(s)
            if now >= next_graceful and now < duration - 5:
                generations.append(generation)
                subprocess.run(["apache2", "-f", str(apache.conf), "-k", "graceful"], check=True,
                               capture_output=True, env=apache_env())
                events.append((round(now, 1), "graceful"))
                generation = {"start": now, "samples": []}
                next_graceful += graceful_every
            if now >= next_tomcat and now < duration - 30:
                tomcat = (t1, t2)[restarts % 2]
                restarts += 1
                events.append((round(now, 1), f"restart {tomcat.name}"))
                restart = threading.Thread(target=lambda t=tomcat: (t.stop(), t.start().wait(120)), daemon=True)
                restart.start()
                restarters.append(restart)
                next_tomcat += tomcat_every
        generations.append(generation)
        report = load.join(duration + 120)
        wait_until(lambda: t1.proc is not None and t2.proc is not None, 150)
        crashed = apache.crashed_children()
        after_first = [s for s in samples if s["t"] >= graceful_every + 5] or samples
        result = {
            "connector": connector, "mpm": mpm, "minutes": minutes, "clients": clients,
            "requests": report.requests, "ok": report.ok, "failed": report.failed,
            "failures": dict(report.summary()["failures"]),
            "failure_samples": [f[1:] for f in report.failures[:10]],
            "keepalive_races": report.keepalive_races, "routes": dict(report.routes),
            "gracefuls": sum(1 for _, e in events if e == "graceful"), "tomcat_restarts": restarts,
            "crashed_children": crashed,
            "parent_rss_kib_first_last": [after_first[0]["parent_rss_kib"], samples[-1]["parent_rss_kib"]],
            "parent_rss_kib_per_hour": round(slope_per_hour([(s["t"], s["parent_rss_kib"]) for s in after_first])),
            "parent_fds": sorted({s["parent_fds"] for s in after_first}),
            "parent_shared_mappings": sorted({s["parent_shared_mappings"] for s in after_first}),
            "shm_markers": sorted({s["shm_markers"] for s in samples}),
            # The children's resident memory at the end of each generation (children live one
            # generation): flat across generations means nothing accumulates per request or per restart.
            "child_rss_kib_end_of_generation": [g["samples"][-1]["child_rss_kib_median"]
                                                for g in generations if g["samples"]],
            "child_rss_kib_per_hour_within_generations": round(statistics.median(
                [slope_per_hour([(s["t"], s["child_rss_kib_median"]) for s in g["samples"]])
                 for g in generations if len(g["samples"]) >= 3] or [0])),
            "events": events, "samples": samples,
        }
        result["child_rss_kib_per_hour_across_generations"] = round(slope_per_hour(
            [(g["start"], g["samples"][-1]["child_rss_kib_median"]) for g in generations[1:] if g["samples"]]))
    finally:
        for restart in restarters:
            restart.join(150)   # a restart still under way would start a JVM after the stops below
        apache.stop()
        t1.stop()
        t2.stop()
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(json.dumps(result, indent=1, default=str))
    return result


def summary(r):
    """The report without the samples, one line per figure."""
    keys = [k for k in r if k not in ("samples", "events")]
    return "\n".join(f"{k}: {r[k]}" for k in keys)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--mpm", default="event", choices=["event", "prefork"])
    parser.add_argument("--connector", default="swiftjk", choices=["swiftjk", "modjk"])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--out", default=str(ROOT / "Tests/out/soak.json"))
    a = parser.parse_args()
    r = soak(a.minutes, a.mpm, a.connector, a.clients, out=a.out)
    print(summary(r))
    print(f"(full report: {a.out})")
    return 0 if r["failed"] == 0 and not r["crashed_children"] else 1


if __name__ == "__main__":
    sys.exit(main())
