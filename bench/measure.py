"""One measurement: wrk against a URL, with httpd CPU (from /proc/<pid>/stat), httpd PSS (from
/proc/<pid>/smaps_rollup), backend connections opened (4-tuples from `ss`), and the CPU load of
processes that are not ours (from /proc/stat) during the same window."""

import json
import os
import resource
import subprocess
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
LUA = BENCH / "wrk/bench.lua"
HZ = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count() or 1


def proc_times(pid):
    """(utime, stime, cutime, cstime) of a process in clock ticks, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # fields[0] is field 3 (state): utime is field 14 -> index 11
    return int(fields[11]), int(fields[12]), int(fields[13]), int(fields[14])


def system_times():
    """(busy ticks excluding irq/softirq, steal ticks, all ticks) from /proc/stat's cpu line."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (v + [0] * 8)[:8]
    return user + nice + system, steal, sum(v[:8])


def pss_kib(pids):
    """PSS summed over processes, in KiB."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


class CPUSnapshot:
    """CPU ticks of our processes and of the whole machine at one moment."""

    def __init__(self, httpd_pids, other_pids):
        self.t = time.monotonic()
        self.httpd = {pid: proc_times(pid) for pid in httpd_pids}
        self.other = {pid: proc_times(pid) for pid in other_pids}
        self.self_ticks = sum(os.times()[:2]) * HZ
        self.children = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.busy, self.steal, self.total = system_times()


def _delta(before, after, parents):
    """(all, system) ticks used between two snapshots by a set of processes. A child that exited in
    between is counted through its parent's cutime/cstime (the parent reaps it), a new child in
    full."""
    ticks = system = 0
    for pid, a in after.items():
        if a is None:
            continue
        b = before.get(pid) or (0, 0, 0, 0)
        ticks += (a[0] - b[0]) + (a[1] - b[1])
        system += a[1] - b[1]
        if pid in parents:
            ticks += (a[2] - b[2]) + (a[3] - b[3])
            system += a[3] - b[3]
    return ticks, system


def cpu_between(s0, s1, httpd_parents):
    """httpd ticks, httpd system (kernel) ticks, our ticks, foreign load (% of all CPUs), steal (%
    of all CPUs)."""
    httpd, httpd_system = _delta(s0.httpd, s1.httpd, httpd_parents)
    others, _ = _delta(s0.other, s1.other, set())
    rus = (s1.children.ru_utime + s1.children.ru_stime - s0.children.ru_utime - s0.children.ru_stime) * HZ
    ours = httpd + others + rus + (s1.self_ticks - s0.self_ticks)
    capacity = max(1.0, (s1.t - s0.t) * HZ * NCPU)
    foreign = max(0.0, (s1.busy - s0.busy) - ours) / capacity * 100
    steal = (s1.steal - s0.steal) / capacity * 100
    return httpd, httpd_system, ours, foreign, steal


def backend_tuples(endpoints):
    """{(httpd address:port, backend address:port): state} of every TCP socket (any state,
    TIME_WAIT included) that has a backend listener at one end."""
    if not endpoints:
        return {}
    terms = []
    for addr, port in endpoints:
        terms += [f"dst {addr}:{port}", f"src {addr}:{port}"]
    cmd = ["ss", "-tanH", "state", "all", "( " + " or ".join(terms) + " )"]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    eps = {f"{a}:{p}" for a, p in endpoints}
    tuples = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 5:
            continue
        state, local, peer = parts[0], parts[3], parts[4]
        if local in eps and peer not in eps:
            key = (peer, local)
        elif peer in eps:
            key = (local, peer)
        else:
            continue  # the listening socket
        if state != "LISTEN":
            tuples[key] = state if key not in tuples or state == "ESTAB" else tuples[key]
    return tuples


def held_by(pids, endpoints):
    """Established connections to a backend listener owned by one of `pids`."""
    if not endpoints:
        return 0
    terms = " or ".join(f"dst {a}:{p}" for a, p in endpoints)
    try:
        out = subprocess.run(["ss", "-tnpH", "state", "established", f"( {terms} )"], capture_output=True,
                             text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return 0
    want = {f"pid={p}," for p in pids}
    return sum(1 for line in out.splitlines() if any(w in line for w in want))


def run_wrk(url, duration, connections, keepalive, post_bytes=0, cookies=None, threads=2, log_file=None,
            timeout_s=5):
    """Runs wrk; returns (summary dict from bench.lua or None, error text or None)."""
    cmd = ["wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{duration}s", f"--timeout",
           f"{timeout_s}s", "--latency", "-s", str(LUA)]
    if not keepalive:
        cmd += ["-H", "Connection: close"]
    cmd.append(url)
    env = dict(os.environ)
    env.pop("BENCH_POST_BYTES", None)
    env.pop("BENCH_COOKIES", None)
    if post_bytes:
        env["BENCH_POST_BYTES"] = str(post_bytes)
    if cookies:
        env["BENCH_COOKIES"] = ",".join(cookies)
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=duration + 30)
    except subprocess.TimeoutExpired:
        return None, "wrk did not finish"
    if log_file:
        Path(log_file).write_text(" ".join(cmd) + "\n" + p.stdout + p.stderr)
    summary = None
    for line in p.stdout.splitlines():
        if line.startswith('{"requests"'):
            summary = json.loads(line)
    if p.returncode != 0 or summary is None:
        return None, f"wrk exit {p.returncode}: {(p.stderr or p.stdout).strip()[:200]}"
    return summary, None


def measure(target_pids, httpd_parent, other_pids, endpoints, url, duration, connections, keepalive,
            post_bytes=0, cookies=None, log_file=None):
    """One wrk run with every figure around it. target_pids: a function giving the httpd processes
    of the measured instance (None for Tomcat direct); other_pids: every other process of ours."""
    pids = target_pids() if target_pids else []
    tuples0 = backend_tuples(endpoints)
    s0 = CPUSnapshot(pids, other_pids)
    summary, error = run_wrk(url, duration, connections, keepalive, post_bytes, cookies, log_file=log_file)
    # children of the measured httpd that appeared during the run count too
    pids = target_pids() if target_pids else []
    s1 = CPUSnapshot(pids, other_pids)
    httpd_ticks, httpd_system, ours, foreign, steal = cpu_between(s0, s1, {httpd_parent} if httpd_parent else set())
    tuples1 = backend_tuples(endpoints)
    opened = len(set(tuples1) - set(tuples0))
    result = {"foreign_pct": round(foreign, 1), "steal_pct": round(steal, 1),
              "window_s": round(s1.t - s0.t, 2)}
    if error:
        result["failed"] = error
        return result
    reqs = summary["requests"]
    errs = summary["errors"]
    bad = errs["status"] + errs["connect"] + errs["read"] + errs["write"] + errs["timeout"]
    secs = summary["duration_us"] / 1e6
    result.update({
        "requests": reqs, "rps": round(reqs / secs, 1) if secs else 0.0,
        "p50_us": summary["latency_us"]["p50"], "p99_us": summary["latency_us"]["p99"],
        "p999_us": summary["latency_us"].get("p999"),
        "errors": errs, "bytes": summary["bytes"],
        "backend_conns_opened": opened if endpoints else None,
    })
    if pids:
        result["httpd_cpu_us_per_req"] = round(httpd_ticks / HZ * 1e6 / reqs, 1) if reqs else None
        result["httpd_kernel_pct"] = round(httpd_system / httpd_ticks * 100, 1) if httpd_ticks else None
        result["httpd_pss_kib"] = pss_kib(pids)
        result["httpd_processes"] = len(pids)
        if endpoints:
            result["backend_conns_held"] = held_by(pids, endpoints)
    socket_errors = errs["connect"] + errs["read"] + errs["write"] + errs["timeout"]
    result["error_pct"] = round(bad / reqs * 100, 2) if reqs else None
    if reqs == 0:
        result["failed"] = "no request completed"
    elif errs["status"] > max(10, reqs // 100) or socket_errors > max(10, reqs // 10):
        kinds = ", ".join(f"{k} {v}" for k, v in errs.items() if v)
        result["failed"] = f"{bad} errors in {reqs} requests ({kinds})"
    return result
