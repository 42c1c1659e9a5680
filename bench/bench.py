"""SwiftJK benchmark suite: SwiftJK vs mod_jk 1.2.48 vs mod_proxy_ajp in the same run, on the same
httpd and the same backends. Run it with bench/run (see bench/README.md)."""

import argparse
import fnmatch
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field, asdict
from pathlib import Path

import stack
from stack import harness, TARGETS
import measure
import callgrind
import report
import scale
import tail

SESSION_COOKIES = ["JSESSIONID=bench0001.tomcat1", "JSESSIONID=bench0002.tomcat2"]


@dataclass(frozen=True)
class Workload:
    key: str
    backend: str            # "tomcat" or "fast"
    title: str
    path: str = ""          # through the connectors ("" = from the fast backend's size)
    fast_size: int = 0
    expect: int = 0         # body bytes of a good answer
    post: int = 0           # POST body bytes (0 = GET)
    cookies: tuple = ()
    static_path: str = ""   # httpd static ceiling ("" = none)
    direct_path: str = ""   # Tomcat HTTP ceiling ("" = none)


WORKLOADS = {
    ("tomcat", "jsp17"): Workload("jsp17", "tomcat", "17-byte JSP, no session", "/hello.jsp", expect=17,
                                  static_path="/hello.txt", direct_path="/hello.jsp"),
    ("tomcat", "static78"): Workload("static78", "tomcat", "78-byte static file", "/static78.txt", expect=78,
                                     static_path="/static78.txt", direct_path="/static78.txt"),
    ("tomcat", "big100k"): Workload("big100k", "tomcat", "100 KiB response (JSP)", "/big100k.jsp", expect=stack.BIG,
                                    static_path="/big100k.txt", direct_path="/big100k.jsp"),
    ("tomcat", "post64k"): Workload("post64k", "tomcat", "64 KiB POST (sink JSP)", "/sink.jsp", expect=11,
                                    post=65536, direct_path="/sink.jsp"),
    ("tomcat", "sticky"): Workload("sticky", "tomcat", "17-byte JSP, sticky sessions (JSESSIONID=x.tomcat1 / x.tomcat2)",
                                   "/hello.jsp", expect=17, cookies=tuple(SESSION_COOKIES)),
    ("fast", "small"): Workload("small", "fast", "16-byte fixed reply", fast_size=16, expect=16,
                                static_path="/fast16.txt"),
    ("fast", "big100k"): Workload("big100k", "fast", "100 KiB reply", fast_size=stack.BIG, expect=stack.BIG,
                                  static_path="/big100k.txt"),
    ("fast", "post64k"): Workload("post64k", "fast", "64 KiB POST, 16-byte reply", fast_size=16, expect=16,
                                  post=65536),
}


@dataclass
class Case:
    mpm: str
    backend: str
    workload: str
    conns: int
    keepalive: bool
    aa: bool = True
    ceilings: bool = True

    @property
    def id(self):
        return f"{self.mpm}/{self.backend}/{self.workload}/c{self.conns}/{'ka' if self.keepalive else 'close'}"


def _c(mpm, backend, workload, conns=32, ka=True, aa=True, ceilings=True):
    return Case(mpm, backend, workload, conns, ka, aa, ceilings)


PROFILES = {
    "full": dict(
        rounds=3, duration=3, warmup=1, budget=14 * 60, callgrind_n=100, extras=["scale", "tail"],
        callgrind_workloads=["small", "post64k", "big100k", "sticky"],
        callgrind_targets=["swiftjk", "modjk", "proxy"],
        cases=[
            _c("event", "tomcat", "jsp17"), _c("event", "tomcat", "static78"), _c("event", "tomcat", "big100k"),
            _c("event", "tomcat", "post64k"), _c("event", "tomcat", "sticky"),
            _c("event", "tomcat", "jsp17", conns=256, ceilings=False),
            _c("event", "tomcat", "jsp17", ka=False, ceilings=False),
            _c("event", "fast", "small"), _c("event", "fast", "small", conns=256, ceilings=False),
            _c("event", "fast", "small", ka=False, ceilings=False),
            _c("event", "fast", "post64k"), _c("event", "fast", "big100k"),
            _c("prefork", "tomcat", "jsp17", aa=False, ceilings=False),
            _c("prefork", "fast", "small", aa=False, ceilings=False),
        ]),
    "quick": dict(
        rounds=3, duration=3, warmup=1, budget=170, callgrind_n=100,
        callgrind_workloads=["small"], callgrind_targets=["swiftjk", "modjk", "proxy"],
        cases=[_c("event", "tomcat", "jsp17", aa=False), _c("event", "fast", "small", aa=False)]),
    "smoke": dict(
        rounds=1, duration=1, warmup=0, budget=60, callgrind_n=5, max_redos=0,
        callgrind_workloads=["small"], callgrind_targets=["swiftjk"],
        cases=[_c("event", "fast", "small"), _c("event", "fast", "post64k"),
               _c("event", "tomcat", "jsp17"), _c("event", "tomcat", "sticky")]),
}

BASE_ORDER = ["modjk", "swiftjk", "modjk-aa", "proxy", "httpd-static", "tomcat-direct"]


class Runner:
    def __init__(self, args, profile):
        self.args, self.p = args, profile
        self.t0 = time.monotonic()
        self.run_dir = Path(args.run_dir) if args.run_dir else harness.make_workdir("sjk-bench-")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.run_dir, 0o755)
        (self.run_dir / "wrk").mkdir(exist_ok=True)
        self.build = None
        self.backends = None
        self.apaches = {}
        self.start_failures = {}
        self.results = {"cases": [], "callgrind": {}, "notes": []}
        self.remaining_measurements = 0   # planned, for the time budget
        self.measured = 0
        self.measure_time = 0.0
        self.max_redos = args.max_redos if args.max_redos is not None else profile.get("max_redos", 2)
        # scale curves and open-loop tail latency (bench/scale.py, bench/tail.py)
        # --callgrind-only means only the instruction counts: no extras unless --extras names them.
        self.extras = args.extras if args.extras is not None else \
            (["scale", "tail"] if args.extras_only else [] if args.callgrind_only else profile.get("extras", []))

    def log(self, msg):
        el = time.monotonic() - self.t0
        print(f"[{int(el) // 60:02d}:{int(el) % 60:02d}] {msg}", flush=True)

    # --- targets -----------------------------------------------------------------------------
    def url(self, target, w):
        t = TARGETS[target]
        if target == "tomcat-direct":
            t1 = self.backends.tomcats["tomcat1"]
            return f"http://{t1.address}:{t1.http_port}{w.direct_path}"
        a = self.apaches[target]
        if target == "httpd-static":
            return f"http://127.0.0.1:{a.port}{w.static_path}"
        path = w.path or self.backends.fast_paths[w.fast_size]
        return f"http://127.0.0.1:{a.port}{path}"

    def targets_for(self, case, w):
        out = []
        for name in BASE_ORDER:
            if name not in self.args.connectors:
                continue
            t = TARGETS[name]
            if t.aa and not case.aa:
                continue
            if name == "httpd-static" and not (case.ceilings and w.static_path):
                continue
            if name == "tomcat-direct" and not (case.ceilings and w.direct_path and case.backend == "tomcat"):
                continue
            out.append(name)
        return out

    def probe(self, target, case, w):
        """One request before measuring: right status and body size (and, for sticky traffic,
        the route the session asks for). Returns None or the failure text."""
        if target in self.start_failures:
            return self.start_failures[target]
        if target not in self.apaches and target != "tomcat-direct":
            return "httpd not running"
        url = self.url(target, w)
        try:
            data = b"a" * w.post if w.post else None
            headers = {"Content-Type": "application/octet-stream"} if w.post else {}
            if w.cookies:
                headers["Cookie"] = w.cookies[0]
            req = urllib.request.Request(url, data=data, headers=headers, method="POST" if w.post else "GET")
            with urllib.request.urlopen(req, timeout=20) as r:
                body = r.read()
            if len(body) != w.expect:
                return f"answer has {len(body)} bytes, expected {w.expect}"
            if w.cookies and target != "tomcat-direct":
                base = url.rsplit("/", 1)[0]
                for cookie in w.cookies:
                    want = cookie.rsplit(".", 1)[1]
                    req = urllib.request.Request(base + "/info.jsp", headers={"Cookie": cookie})
                    with urllib.request.urlopen(req, timeout=20) as r:
                        info = r.read().decode(errors="replace")
                    if f"route={want}" not in info:
                        got = [l for l in info.splitlines() if l.startswith("route=")]
                        return f"not sticky: {cookie} reached {got[0][6:] if got else '?'}"
        except urllib.error.HTTPError as e:
            return f"HTTP {e.code} on probe"
        except Exception as e:
            return f"probe: {str(e)[:150]}"
        return None

    def other_pids(self, target):
        pids = list(self.backends.pids()) if self.backends else []
        for name, a in self.apaches.items():
            if name != target:
                pids += a.pids()
        return pids

    def measure(self, target, case, w, duration, tag):
        a = self.apaches.get(target)
        log_file = self.run_dir / "wrk" / f"{case.id.replace('/', '_')}-{target}-{tag}.txt"
        return measure.measure(a.pids if a else None, a.pid if a else None, self.other_pids(target),
                               self.backends.endpoints(case.backend) if TARGETS[target].harness not in ("", "static") else [],
                               self.url(target, w), duration, case.conns, case.keepalive, w.post, list(w.cookies),
                               log_file=log_file)

    # --- one case ----------------------------------------------------------------------------
    def run_case(self, case):
        w = WORKLOADS[(case.backend, case.workload)]
        rec = {"id": case.id, "case": asdict(case), "title": w.title, "failed": {}, "rounds": [], "targets": []}
        self.results["cases"].append(rec)
        targets = self.targets_for(case, w)
        ok = []
        for t in targets:
            why = self.probe(t, case, w)
            if why:
                rec["failed"][t] = why
                self.log(f"  {t}: failed: {why}")
            else:
                ok.append(t)
        rec["targets"] = targets
        dur = self.args.duration or self.p["duration"]
        t_case = time.monotonic()
        if self.p["warmup"]:
            for t in ok:
                measure.run_wrk(self.url(t, w), self.p["warmup"], case.conns, case.keepalive, w.post, list(w.cookies))
        rounds = self.args.rounds or self.p["rounds"]
        r = kept = redos = 0
        while kept < rounds:
            order = ok[r % len(ok):] + ok[:r % len(ok)] if ok else []
            rnd = {"order": order, "m": {}}
            for t in order:
                if t in rec["failed"]:
                    continue
                m = self.measure(t, case, w, dur, f"r{r}")
                rnd["m"][t] = m
                if "failed" in m and not m.get("requests"):
                    rec["failed"][t] = m["failed"]
            if r < rounds:
                self.remaining_measurements -= len(targets)
            self.measured += len(order)
            self.measure_time += time.monotonic() - t_case
            t_case = time.monotonic()
            noisy = [f"{t} {m['foreign_pct']}% foreign/{m['steal_pct']}% steal" for t, m in rnd["m"].items()
                     if m["foreign_pct"] > self.args.noise_limit or m["steal_pct"] > self.args.noise_limit]
            line = "  ".join(f"{t} {m.get('rps', 0):.0f}" + ("!" if "failed" in m else "")
                             for t, m in rnd["m"].items())
            self.log(f"  round {r + 1}: {line}" + (f"  NOISY: {'; '.join(noisy)}" if noisy else ""))
            r += 1
            if noisy and redos < self.max_redos and self.time_left_for_redo(len(order) * (dur + 0.6)):
                rnd["discarded"] = "foreign load: " + "; ".join(noisy)
                rec["rounds"].append(rnd)
                redos += 1
                continue
            if noisy:
                rnd["noisy"] = "; ".join(noisy)
            rec["rounds"].append(rnd)
            kept += 1

    def time_left_for_redo(self, cost):
        """True when redoing a round (cost seconds) still lets the run end within the profile's
        budget: what is left is estimated from the measurements so far (warm-up included)."""
        elapsed = time.monotonic() - self.t0
        per = (self.measure_time / self.measured) if self.measured else (self.args.duration or self.p["duration"]) + 1.5
        left = self.remaining_measurements * per + self.callgrind_estimate()
        return elapsed + cost + left < self.p["budget"]

    def callgrind_estimate(self):
        if not self.do_callgrind():
            return 0
        runs = 2 * len(self.p["callgrind_workloads"]) * len(self.p["callgrind_targets"])
        return 12 * runs / max(1, os.cpu_count() or 1) + 5

    # --- whole run ---------------------------------------------------------------------------
    def run(self, cases):
        a = self.args
        self.build = stack.copy_build(self.run_dir, a.swiftjk_so, a.backend_bin)
        self.log(f"run directory {self.run_dir}")
        self.log(f"measuring {self.build.describe()}")
        want_tomcat = any(c.backend == "tomcat" for c in cases)
        want_tomcat = want_tomcat or ("tail" in self.extras and a.backend != "fast")
        want_fast = any(c.backend == "fast" for c in cases) or self.do_callgrind() or bool(self.extras)
        self.results["meta"] = report.machine_info()
        self.results["meta"].update({
            "command": a.command, "profile": a.profile, "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "build": self.build.describe(), "head": self.build.head, "module_size": self.build.so_size,
            "rounds": a.rounds or self.p["rounds"], "duration": a.duration or self.p["duration"],
            "warmup": self.p["warmup"], "noise_limit": a.noise_limit, "run_dir": str(self.run_dir),
            "mpm_settings": stack.MPM_SETTINGS, "fast_sizes_option": self.build.fast_sizes})
        self.log(f"starting backends: {'Tomcat x2 ' if want_tomcat else ''}{'fast AJP' if want_fast else ''}")
        self.backends = stack.start_backends(self.run_dir, self.build, want_tomcat, want_fast, log=self.log)
        if not self.build.fast_sizes and want_fast:
            self.results["notes"].append(
                f"ajp-test-backend has no {stack.FAST_SIZE_OPTION}: the fast 100 KiB case ran the backend in normal "
                f"mode without --record (URI /fast100k/size/{stack.BIG}), which builds the reply per request.")
        self.remaining_measurements = sum(len(self.targets_for(c, WORKLOADS[(c.backend, c.workload)]))
                                          for c in cases) * (a.rounds or self.p["rounds"])
        try:
            for mpm in ["event", "prefork"]:
                group = [c for c in cases if c.mpm == mpm]
                if not group:
                    continue
                names = set()
                for c in group:
                    names.update(self.targets_for(c, WORKLOADS[(c.backend, c.workload)]))
                self.log(f"== {mpm} MPM: starting httpd for {', '.join(sorted(n for n in names if TARGETS[n].harness))}")
                self.apaches, self.start_failures = stack.start_httpds(self.run_dir, self.build, self.backends, mpm,
                                                                       sorted(names), log=self.log)
                try:
                    for c in group:
                        self.log(f"case {c.id}")
                        self.run_case(c)
                finally:
                    for ap in self.apaches.values():
                        crashed = ap.crashed_children()
                        if crashed:
                            self.results["notes"].append(f"{ap.dir.name}: {len(crashed)} child crash(es): {crashed[0]}")
                        ap.stop()
                    self.apaches = {}
            if self.do_callgrind():
                self.run_callgrind()
            if "scale" in self.extras:
                self.results["scale"] = scale.run(self.run_dir, self.build, self.backends,
                                                  a.callgrind_requests or self.p["callgrind_n"], self.log)
            if "tail" in self.extras:
                self.results["tail"] = tail.run(self.run_dir, self.build, self.backends, WORKLOADS, self.log,
                                                duration=a.tail_seconds, rounds=a.tail_rounds,
                                                connectors=[t for t in tail.CONNECTORS if t in a.connectors],
                                                case_filter=self.tail_case_filter)
        finally:
            self.backends.stop()
        self.results["meta"]["elapsed_s"] = round(time.monotonic() - self.t0)
        return self.results

    def tail_case_filter(self, case):
        """--mpm and --cases select open-loop cases too (their ids end in the rate, e.g.
        prefork/tomcat/jsp17/c32/2000rps)."""
        return selected_by_mpm_and_id(self.args, case)

    def do_callgrind(self):
        return not self.args.no_callgrind and not self.args.extras_only and bool(self.p["callgrind_workloads"])

    def run_callgrind(self):
        if not shutil.which("valgrind"):
            self.results["notes"].append("valgrind is not installed: no instruction counts")
            return
        n = self.args.callgrind_requests or self.p["callgrind_n"]
        work = self.run_dir / "callgrind"
        work.mkdir(exist_ok=True)
        os.chmod(work, 0o755)
        loads = {"small": ("GET", self.backends.fast_paths[16], None),
                 "post64k": ("POST", self.backends.fast_paths[16], b"a" * 65536),
                 "big100k": ("GET", self.backends.fast_paths[stack.BIG], None),
                 "sticky": ("GET", f"/{stack.FAST_LB_PREFIX}/hello", None)}
        targets = [t for t in self.p["callgrind_targets"] if t in self.args.connectors]
        jobs = [(wl, t, loads[wl]) for wl in self.p["callgrind_workloads"]
                if not self.args.workload or wl in self.args.workload for t in targets]
        if "small" in (wl for wl, _, _ in jobs) and "httpd-static" in self.args.connectors:
            # the same 16 bytes as a static file: the whole-process baseline of the connector overhead
            jobs.append(("small", "httpd-static", ("GET", "/fast16.txt", None)))
        self.log(f"callgrind: {len(jobs)} profiles ({', '.join(sorted({j[0] for j in jobs}))} × "
                 f"{', '.join(targets)}), apache2 -X for {n} and {2 * n} requests each, "
                 f"{os.cpu_count()} at a time")
        self.results["callgrind"] = callgrind.profile_many(work, jobs, self.build, self.backends, n, log=self.log)


def selected_by_mpm_and_id(args, case):
    """--mpm and the --cases glob, for wrk and open-loop cases alike."""
    return (not args.mpm or case.mpm in args.mpm) and (not args.cases or fnmatch.fnmatch(case.id, args.cases))


def main(argv=None):
    ap = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--full", dest="profile", action="store_const", const="full", help="the full run (default, ≤ 15 min)")
    g.add_argument("--quick", dest="profile", action="store_const", const="quick", help="quick profile (≤ 3 min)")
    g.add_argument("--smoke", dest="profile", action="store_const", const="smoke",
                   help="smoke run for CI (< 1 min, fast backend only unless --backend says otherwise)")
    ap.add_argument("--backend", choices=["fast", "tomcat", "both"], help="which backends' cases to run")
    ap.add_argument("--workload", type=lambda s: s.split(","),
                    help="comma list of: jsp17,static78,big100k,post64k,sticky (Tomcat), small,big100k,post64k (fast)")
    ap.add_argument("--conns", type=lambda s: [int(x) for x in s.split(",")], help="only cases with these client connections")
    ap.add_argument("--keepalive", choices=["on", "off"], help="only keep-alive (on) or Connection: close (off) cases")
    ap.add_argument("--mpm", type=lambda s: s.split(","), help="event,prefork")
    ap.add_argument("--cases", help="glob over case ids such as event/tomcat/jsp17/c32/ka")
    ap.add_argument("--connectors", type=lambda s: s.split(","), default=list(TARGETS),
                    help=f"subset of {','.join(TARGETS)}")
    ap.add_argument("--rounds", type=int, help="rounds per case (profile default 3)")
    ap.add_argument("--duration", type=int, help="seconds per measurement (whole seconds: wrk)")
    ap.add_argument("--noise-limit", type=float, default=10.0,
                    help="foreign CPU load or steal (%% of all CPUs) above which a round is redone (default 10)")
    ap.add_argument("--max-redos", type=int, help="redone rounds allowed per case (default 2, smoke 0)")
    ap.add_argument("--no-callgrind", action="store_true", help="skip the instruction counts")
    ap.add_argument("--callgrind-only", action="store_true", help="only the instruction counts (no wrk cases)")
    ap.add_argument("--callgrind-requests", type=int, help="N for the N/2N callgrind runs")
    ap.add_argument("--extras", type=lambda s: [x for x in s.split(",") if x],
                    help="comma list of: scale (balancer sizes, lock under 1,024 threads), tail (open-loop fixed "
                         "rate latency and connector overhead); default: both in the full profile, none otherwise")
    ap.add_argument("--extras-only", action="store_true", help="only the --extras parts (no wrk cases, no callgrind)")
    ap.add_argument("--tail-seconds", type=int, default=20, help="seconds per open-loop measurement (default 20)")
    ap.add_argument("--tail-rounds", type=int, default=3,
                    help="open-loop rounds per connector and case (default 3: with 2, one noisy round moved the "
                         "median p99 by up to 5x)")
    ap.add_argument("--output", help="markdown report to write (default: BENCHMARKS.md for a whole --full run, none otherwise)")
    ap.add_argument("--run-dir", help="work directory (default: a new /tmp/sjk-bench-*)")
    ap.add_argument("--swiftjk-so", help="module to measure (default apxs/out/mod_swiftjk.so)")
    ap.add_argument("--backend-bin", help="ajp-test-backend to use (default .build/release, else .build/debug)")
    ap.add_argument("--list", action="store_true", help="print the selected cases and exit")
    args = ap.parse_args(argv)
    args.profile = args.profile or "full"
    args.command = " ".join(["bench/run"] + list(sys.argv[1:] if argv is None else argv))
    p = PROFILES[args.profile]
    backend = args.backend or ("fast" if args.profile == "smoke" else "both")
    cases = [c for c in p["cases"]
             if (backend == "both" or c.backend == backend)
             and (not args.workload or c.workload in args.workload)
             and (not args.conns or c.conns in args.conns)
             and (not args.keepalive or c.keepalive == (args.keepalive == "on"))
             and selected_by_mpm_and_id(args, c)]
    if args.list and (args.callgrind_only or args.extras_only):
        print("no wrk cases: only", "instruction counts" if args.callgrind_only else "extras")
        return 0
    if args.callgrind_only or args.extras_only:
        cases = []
    elif args.list or not cases:
        for c in cases:
            print(c.id, "(A/A)" if c.aa else "", "(ceilings)" if c.ceilings else "")
        if not cases:
            print("no case matches the filters", file=sys.stderr)
            return 2
        return 0
    for tool in ["wrk", "ss", "apache2"]:
        if not shutil.which(tool):
            print(f"{tool} is missing (bench/run installs the packages)", file=sys.stderr)
            return 2
    runner = Runner(args, p)
    results = runner.run(cases)
    (runner.run_dir / "results.json").write_text(json.dumps(results, indent=1, default=str))
    text = report.render(results)
    (runner.run_dir / "report.md").write_text(text)
    # A partial run (only instruction counts or only extras) never replaces BENCHMARKS.md by default.
    partial = args.callgrind_only or args.extras_only
    out = args.output or (str(stack.ROOT / "BENCHMARKS.md") if args.profile == "full" and not partial else None)
    if out:
        report.write_preserving_notes(Path(out), text)
    print(report.summary(results))
    runner.log(f"results: {runner.run_dir / 'results.json'}, report: {out or runner.run_dir / 'report.md'}")
    # No thresholds, but a run in which nothing could be measured means the suite itself is broken.
    measured = args.callgrind_only or args.extras_only or any("rps" in m and "failed" not in m
                                          for c in results["cases"] for r in c["rounds"] for m in r["m"].values())
    profiled = any("module_ir" in r for per in results["callgrind"].values() for r in per.values())
    if not measured or (runner.do_callgrind() and results["callgrind"] and not profiled):
        print("nothing was measured" if not measured else "no callgrind profile succeeded", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
