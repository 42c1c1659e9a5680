"""Tail latency at a fixed request rate below saturation, and the connector's overhead.

A closed-loop generator such as wrk sends the next request only when an answer came back, so at
saturation a slow answer also delays the requests behind it and they are never measured late
(coordinated omission); its p99 there mostly shows queueing. bench/openloop.c sends at a fixed
rate instead and measures every request from the moment it was due. Each case runs every
connector (and httpd serving the same bytes as a static file, where the workload has one) at the
same rate, in rotated order, for `rounds` rounds of `duration` seconds after a warm-up.

The same runs give the connector's overhead: httpd CPU per request through the connector minus
httpd CPU per request for the static file, at the same rate on the same machine."""

import json
import os
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import measure
import stack

OPENLOOP_SOURCE = stack.BENCH / "openloop.c"
CONNECTORS = ("swiftjk", "modjk", "proxy")


@dataclass(frozen=True)
class TailCase:
    mpm: str
    backend: str
    workload: str
    conns: int
    rate: int

    @property
    def id(self):
        return f"{self.mpm}/{self.backend}/{self.workload}/c{self.conns}/{self.rate}rps"


# Rates at about a third of mod_jk's saturation throughput in BENCHMARKS.md's wrk cases.
CASES = [
    TailCase("event", "fast", "small", 32, 3000),
    TailCase("event", "tomcat", "jsp17", 32, 2000),
    TailCase("event", "tomcat", "sticky", 32, 2000),
    TailCase("event", "tomcat", "big100k", 32, 1000),
    TailCase("prefork", "tomcat", "jsp17", 32, 2000),
]


def build_openloop(work):
    """Compiles bench/openloop.c into the run directory; returns the binary's path."""
    binary = Path(work) / "openloop"
    subprocess.run(["cc", "-O2", "-std=gnu11", "-o", str(binary), str(OPENLOOP_SOURCE), "-lm"], check=True,
                   capture_output=True, text=True)
    return binary


def run_openloop(binary, url, rate, seconds, conns, warmup, post=0, cookie=None, log_file=None):
    """One open-loop run; returns openloop's JSON summary or {"failed": ...}."""
    cmd = [str(binary), "-u", url, "-r", str(rate), "-d", str(seconds), "-c", str(conns), "-w", str(warmup)]
    if post:
        cmd += ["-b", str(post)]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + warmup + 60)
    except subprocess.TimeoutExpired:
        return {"failed": "openloop did not finish"}
    if log_file:
        Path(log_file).write_text(" ".join(cmd) + "\n" + p.stdout + p.stderr)
    for line in reversed(p.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return {"failed": f"openloop exit {p.returncode}: {(p.stderr or p.stdout).strip()[:200]}"}


def measure_one(binary, apache, other_pids, url, case, w, duration, warmup, log_file):
    """One open-loop run with httpd's CPU around it."""
    s0 = measure.CPUSnapshot(apache.pids(), other_pids)
    r = run_openloop(binary, url, case.rate, duration, case.conns, warmup, w.post,
                     w.cookies[0] if w.cookies else None, log_file)
    s1 = measure.CPUSnapshot(apache.pids(), other_pids)
    ticks, _, _, foreign, steal = measure.cpu_between(s0, s1, {apache.pid})
    if "failed" in r:
        return r
    # the CPU window spans the warm-up too, whose requests openloop does not count
    served = r.get("sent", 0) + case.rate * warmup
    r["httpd_cpu_us_per_req"] = round(ticks / measure.HZ * 1e6 / served, 1) if served else None
    r["foreign_pct"], r["steal_pct"] = round(foreign, 1), round(steal, 1)
    bad = r.get("errors", 0) + r.get("errors_status", 0)
    if r.get("completed", 0) == 0 or bad > max(5, r.get("completed", 0) // 100):
        r["failed"] = f"{bad} errors in {r.get('sent', 0)} requests"
    return r


def run(run_dir, build, backends, workloads, log, duration=20, rounds=2, warmup=3, connectors=CONNECTORS,
        case_filter=None):
    """Every case whose backend runs (and that `case_filter` accepts); returns results["tail"]."""
    work = Path(run_dir) / "tail"
    work.mkdir(exist_ok=True)
    os.chmod(work, 0o755)
    binary = build_openloop(work)
    out = {"duration": duration, "rounds": rounds, "warmup": warmup, "cases": []}
    for mpm in ("event", "prefork"):
        cases = [c for c in CASES if c.mpm == mpm and (c.backend == "fast" or backends.tomcats)
                 and (case_filter is None or case_filter(c))]
        if not cases:
            continue
        names = list(connectors) + ["httpd-static"]
        apaches, failed = stack.start_httpds(work, build, backends, mpm, names, log=log)
        try:
            for case in cases:
                w = workloads[(case.backend, case.workload)]
                targets = [t for t in names if t != "httpd-static" or w.static_path]
                per = {t: [] for t in targets}
                for rnd in range(rounds):
                    order = targets[rnd % len(targets):] + targets[:rnd % len(targets)]
                    for t in order:
                        if t in failed or t not in apaches:
                            per[t].append({"failed": failed.get(t, "httpd not running")})
                            continue
                        a = apaches[t]
                        path = w.static_path if t == "httpd-static" else (w.path or backends.fast_paths[w.fast_size])
                        others = list(backends.pids()) + [p for n, x in apaches.items() if n != t for p in x.pids()]
                        r = measure_one(binary, a, others, a.url(path), case, w, duration, warmup,
                                        work / f"{case.id.replace('/', '_')}-{t}-{rnd}.txt")
                        per[t].append(r)
                        log(f"  tail {case.id} {t} round {rnd + 1}: " + (
                            r["failed"] if "failed" in r else
                            f"p50 {r['p50_us'] / 1000:.2f} ms, p99 {r['p99_us'] / 1000:.2f} ms, "
                            f"p99.9 {r['p999_us'] / 1000:.2f} ms, httpd {r['httpd_cpu_us_per_req']} µs/req"))
                out["cases"].append({"id": case.id, "case": case.__dict__, "title": w.title, "runs": per})
        finally:
            for a in apaches.values():
                a.stop()
    return out


# A round during which foreign load or the hypervisor's steal took more than this share of all
# CPUs is left out of the medians when a cleaner round of the same target exists.
NOISE_LIMIT_PCT = 10.0


def _clean(runs):
    """The rounds that measured something, without the noisy ones unless every round was noisy."""
    ok = [r for r in runs if "failed" not in r]
    quiet = [r for r in ok if max(r.get("steal_pct", 0), r.get("foreign_pct", 0)) <= NOISE_LIMIT_PCT]
    return quiet or ok


def _median(runs, key):
    xs = [r[key] for r in _clean(runs) if isinstance(r.get(key), (int, float))]
    return statistics.median(xs) if xs else None


def _ms(x):
    return "n/a" if x is None else f"{x / 1000:.2f}"


def _us(x):
    return "n/a" if x is None else f"{x:.1f}"


def overhead(case):
    """{connector: median httpd CPU µs per request minus the static file's}, or {} without one."""
    static = _median(case["runs"].get("httpd-static", []), "httpd_cpu_us_per_req")
    if static is None:
        return {}
    return {t: _median(runs, "httpd_cpu_us_per_req") - static for t, runs in case["runs"].items()
            if t != "httpd-static" and _median(runs, "httpd_cpu_us_per_req") is not None}


def render(tail):
    """Markdown for results["tail"]."""
    labels = {"swiftjk": "SwiftJK", "modjk": "mod_jk", "proxy": "mod_proxy_ajp", "httpd-static": "static file"}
    o = ["## Tail latency at a fixed rate, and connector overhead\n",
         f"`bench/openloop` (open loop: requests sent at a fixed rate, latency counted from when each was "
         f"due, so a stall delays every request behind it and is counted), {tail['rounds']} rounds of "
         f"{tail['duration']} s per connector after {tail['warmup']} s of warm-up, connector order rotated; "
         f"medians over the rounds (min–max of p99 in brackets). httpd CPU per request from /proc over the "
         f"same runs. A round with more than {NOISE_LIMIT_PCT:.0f} % of all CPUs stolen by the hypervisor or "
         "used by foreign processes is left out when the same connector has a quieter round (*kept* "
         "counts the rounds used; *steal* is the largest share seen).\n",
         "| case | connector | p50 ms | p99 ms | p99.9 ms | max ms | p99 ×mod_jk | httpd CPU µs/req | kept | steal % |",
         "|---|---|---|---|---|---|---|---|---|---|"]
    for c in tail["cases"]:
        base = _median(c["runs"].get("modjk", []), "p99_us")
        for t, runs in c["runs"].items():
            ok = _clean(runs)
            if not ok:
                o.append(f"| `{c['id']}` | {labels[t]} | failed: {runs[0].get('failed') if runs else '?'} ||||||||")
                continue
            p99 = _median(runs, "p99_us")
            spread = f" ({_ms(min(r['p99_us'] for r in ok))}–{_ms(max(r['p99_us'] for r in ok))})" if len(ok) > 1 else ""
            ratio = f"{p99 / base:.2f}" if base and p99 is not None and t != "modjk" else ""
            steal = max(r.get("steal_pct", 0) for r in runs if "failed" not in r)
            o.append(f"| `{c['id']}` | {labels[t]} | {_ms(_median(runs, 'p50_us'))} | {_ms(p99)}{spread} | "
                     f"{_ms(_median(runs, 'p999_us'))} | {_ms(_median(runs, 'max_us'))} | {ratio} | "
                     f"{_us(_median(runs, 'httpd_cpu_us_per_req'))} | {len(ok)} of {len(runs)} | {steal:.0f} |")
    o.append("")
    rows = [(c, overhead(c)) for c in tail["cases"]]
    rows = [(c, ov) for c, ov in rows if ov]
    if rows:
        o.append("### Connector overhead: httpd CPU per request minus the static file's\n")
        o.append("| case | SwiftJK µs | mod_jk µs | mod_proxy_ajp µs | SwiftJK ×mod_jk |")
        o.append("|---|---|---|---|---|")
        for c, ov in rows:
            s, m, p = ov.get("swiftjk"), ov.get("modjk"), ov.get("proxy")
            ratio = f"{s / m:.2f}" if s is not None and m else "n/a"
            f = lambda x: "n/a" if x is None else f"{x:.1f}"
            o.append(f"| `{c['id']}` | {f(s)} | {f(m)} | {f(p)} | {ratio} |")
        o.append("")
    return "\n".join(o) + "\n"
