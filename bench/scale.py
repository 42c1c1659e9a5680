"""Scale: does a request cost more as the balancer grows, and is the shared lock ever the
bottleneck? SwiftJK and mod_jk side by side (mod_proxy_ajp has no such lock).

1. Instructions per request in the connector's own code (callgrind, as in callgrind.py) through
   balancers of 2, 8, 32 and 64 members, for sticky requests spread over every member's route
   and for requests without a session (each one a choice among all members).
2. Under contention: the event MPM with 1,024 threads (4 × 256), wrk with 1,024 keep-alive
   connections through balancers of 2 and 64 members, with bench/locktime.so preloaded into
   httpd: how often a request takes the cross-process lock, how long it waits for it and holds
   it, and what share of acquisitions had to wait; with throughput and httpd CPU per request.

Every member of a scale balancer is the same fast AJP test backend (its own worker and
connection pool in both connectors), so the backend's cost does not change with the member count."""

import os
import subprocess
import time
from pathlib import Path

import callgrind
import measure
import stack

MEMBERS = (2, 8, 32, 64)
CONTENTION_MEMBERS = (2, 64)
KINDS = ("sticky", "new")
TARGETS = ("swiftjk", "modjk")
CONTENTION_SECONDS = 10
CONTENTION_CONNECTIONS = 1024
LOCKTIME_SOURCE = stack.BENCH / "locktime.c"
THREADS_1024 = ["StartServers 4", "ServerLimit 4", "ThreadsPerChild 256", "ThreadLimit 256",
                "MaxRequestWorkers 1024", "MinSpareThreads 1024", "MaxSpareThreads 1024"]


def lb_config(backend, members):
    """(workers.properties, Jk directives) of a balancer `scalelb` of `members` members m1..mN
    (route = name), all on `backend`, mounted at /fastlb/*."""
    names = [f"m{i}" for i in range(1, members + 1)]
    lines = ["worker.list=scalelb"]
    for n in names:
        lines += [f"worker.{n}.type=ajp13", f"worker.{n}.host={backend.address}", f"worker.{n}.port={backend.port}"]
    lines += ["worker.scalelb.type=lb", f"worker.scalelb.balance_workers={','.join(names)}"]
    return "\n".join(lines) + "\n", f"JkMount /{stack.FAST_LB_PREFIX}/* scalelb\n"


def session_cookies(members):
    """One session cookie per member, so sticky requests spread over every route."""
    return [f"JSESSIONID=scale{i:04d}.m{i}" for i in range(1, members + 1)]


def curve(work, build, backends, n, log):
    """{kind: {members: {target: module Ir per request}}} from callgrind."""
    be = backends.fast[len(stack.FAST_BODY)]
    jobs = []
    for members in MEMBERS:
        config = lb_config(be, members)
        cookies = session_cookies(members)
        for kind in KINDS:
            cookie = (lambda i, c=cookies: c[i % len(c)]) if kind == "sticky" else None
            for t in TARGETS:
                jobs.append((f"scale-{kind}-m{members}", t, ("GET", f"/{stack.FAST_LB_PREFIX}/hello", None, config,
                                                              cookie)))
    log(f"scale: {len(jobs)} callgrind profiles (members {', '.join(map(str, MEMBERS))} × {', '.join(KINDS)} × "
        f"{', '.join(TARGETS)}), {n} and {2 * n} requests each")
    raw = callgrind.profile_many(work, jobs, build, backends, n, log=log, top=6)
    out = {}
    for wl, per in raw.items():
        _, kind, m = wl.split("-")
        for t, r in per.items():
            out.setdefault(kind, {}).setdefault(int(m[1:]), {})[t] = r.get("module_ir", r.get("failed"))
    return out


class ThreadsApache(stack.BenchApache):
    """BenchApache with 1,024 event MPM threads."""

    def _config(self, jk_conf, has_workers):
        text = super()._config(jk_conf, has_workers)
        lines = [line for line in text.splitlines() if not line.startswith(stack._MPM_KEYS)]
        return "\n".join(lines + THREADS_1024) + "\n"


def build_locktime(work):
    """Compiles bench/locktime.c into the run directory; returns the .so path."""
    so = Path(work) / "locktime.so"
    subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", str(so), str(LOCKTIME_SOURCE), "-ldl"], check=True,
                   capture_output=True, text=True)
    os.chmod(so, 0o755)
    return so


def read_locktime(directory):
    """Sums the per-process lines locktime.so wrote: (acquisitions, contended, wait ns, hold ns)."""
    total = [0, 0, 0, 0]
    for p in Path(directory).glob("locktime.*"):
        fields = p.read_text().split()
        if len(fields) == 4:
            total = [a + int(b) for a, b in zip(total, fields)]
    return total


def contention_once(work, so, backends, target, members, kind, log):
    """One wrk run through a `members`-member balancer under 1,024 threads, locktime.so preloaded."""
    be = backends.fast[len(stack.FAST_BODY)]
    workers, jk = lb_config(be, members)
    name = f"scale-{target}-m{members}-{kind}"
    lock_dir = Path(work) / f"{name}-locktime"
    lock_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(lock_dir, 0o1777)
    a = ThreadsApache(work, stack.TARGETS[target].harness, "event", jk_conf=jk, workers=workers, name=name)
    saved = {k: os.environ.get(k) for k in ("LD_PRELOAD", "LOCKTIME_DIR")}
    os.environ["LD_PRELOAD"], os.environ["LOCKTIME_DIR"] = str(so), str(lock_dir)
    try:
        a.start()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    try:
        url = a.url(f"/{stack.FAST_LB_PREFIX}/hello")
        cookies = session_cookies(members) if kind == "sticky" else None
        # warm-up: every thread's connections and every member's pool
        warm, _ = measure.run_wrk(url, 2, CONTENTION_CONNECTIONS, True, cookies=cookies)
        r = measure.measure(a.pids, a.pid, backends.pids(), backends.endpoints("fast"), url, CONTENTION_SECONDS,
                            CONTENTION_CONNECTIONS, True, cookies=cookies,
                            log_file=Path(work) / f"{name}.wrk.txt")
    finally:
        a.stop()
    time.sleep(0.5)
    acq, contended, wait_ns, hold_ns = read_locktime(lock_dir)
    # locktime's totals (written when the children exit) include the warm-up, so per-request
    # figures divide by every request the children served: both wrk runs.
    served = r.get("requests", 0) + (warm or {}).get("requests", 0)
    if "failed" not in r and served:
        r.update({"lock_per_req": round(acq / served, 2), "lock_wait_ns_per_req": round(wait_ns / served),
                  "lock_hold_ns_per_req": round(hold_ns / served),
                  "lock_contended_pct": round(contended / acq * 100, 2) if acq else 0.0})
    log(f"  contention {target} {members} members {kind}: {r.get('rps', 0):,.0f} req/s, "
        f"lock {r.get('lock_per_req', '?')}/req, wait {r.get('lock_wait_ns_per_req', '?')} ns, "
        f"hold {r.get('lock_hold_ns_per_req', '?')} ns{', ' + r['failed'] if 'failed' in r else ''}")
    return r


def contention(work, backends, log):
    """{kind: {members: {target: measure() result with the lock figures}}}."""
    so = build_locktime(work)
    out = {}
    for kind in KINDS:
        for members in CONTENTION_MEMBERS:
            for t in TARGETS:
                out.setdefault(kind, {}).setdefault(members, {})[t] = contention_once(work, so, backends, t, members,
                                                                                      kind, log)
    return out


def run(work, build, backends, n, log):
    """Both parts; the result goes to results["scale"]."""
    work = Path(work) / "scale"
    work.mkdir(exist_ok=True)
    os.chmod(work, 0o755)
    return {"members": list(MEMBERS), "curve": curve(work, build, backends, n, log),
            "contention": contention(work, backends, log), "contention_seconds": CONTENTION_SECONDS,
            "contention_connections": CONTENTION_CONNECTIONS, "threads": 1024}


def _fmt(x, nd=0):
    return "n/a" if not isinstance(x, (int, float)) else f"{x:,.{nd}f}"


def render(s):
    """Markdown for results["scale"]."""
    o = ["## Scale: balancer members and 1,024 threads\n",
         "Every member of these balancers is the same fast AJP backend (each member its own worker and pool), "
         "so only the connector's work changes with the member count. *sticky*: requests spread over every "
         "member's session route; *new*: no session, each request a choice among all members.\n",
         "### Instructions per request in the connector's own code (callgrind)\n",
         "| requests | " + " | ".join(f"{m} members" for m in s["members"]) + " | added per member (2 → 64) |",
         "|---|" + "---|" * (len(s["members"]) + 1)]
    for kind, per in s["curve"].items():
        for t in TARGETS:
            # results.json turns the member counts into strings
            vals = [(per.get(m) or per.get(str(m)) or {}).get(t) for m in s["members"]]
            first, last = vals[0], vals[-1]
            slope = (last - first) / (s["members"][-1] - s["members"][0]) \
                if isinstance(first, (int, float)) and isinstance(last, (int, float)) else None
            label = "SwiftJK" if t == "swiftjk" else "mod_jk"
            o.append(f"| {kind}, {label} | " + " | ".join(_fmt(v) for v in vals) + f" | {_fmt(slope, 1)} |")
    o.append("")
    o.append(f"### The shared lock under {s['threads']:,} event MPM threads\n")
    o.append(f"wrk, {s['contention_connections']:,} keep-alive connections, {s['contention_seconds']} s after a 2 s "
             "warm-up; `bench/locktime.so` preloaded into httpd times every acquisition of the cross-process lock "
             "(SwiftJK: the segment's process-shared mutex; mod_jk: the fcntl lock of `jk_shm_lock()`, not "
             "counting its process-local mutex taken first). *Waited* = share of acquisitions whose lock call "
             "took more than 2 µs.\n")
    o.append("| requests | members | connector | req/s | httpd CPU µs/req | p99 ms | locks/req | wait ns/req | "
             "hold ns/req | waited % | steal % |")
    o.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for kind, per in s["contention"].items():
        for m, by in per.items():
            for t, r in by.items():
                label = "SwiftJK" if t == "swiftjk" else "mod_jk"
                if "failed" in r:
                    o.append(f"| {kind} | {m} | {label} | failed: {r['failed']} ||||||||")
                    continue
                o.append(f"| {kind} | {m} | {label} | {_fmt(r.get('rps'))} | {_fmt(r.get('httpd_cpu_us_per_req'), 1)} | "
                         f"{_fmt(r.get('p99_us', 0) / 1000, 1)} | {_fmt(r.get('lock_per_req'), 2)} | "
                         f"{_fmt(r.get('lock_wait_ns_per_req'))} | {_fmt(r.get('lock_hold_ns_per_req'))} | "
                         f"{_fmt(r.get('lock_contended_pct'), 2)} | {_fmt(r.get('steal_pct'))} |")
    o.append("")
    return "\n".join(o) + "\n"
