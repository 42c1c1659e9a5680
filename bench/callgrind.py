"""Instructions per request inside each connector's own code: `apache2 -X` (one process) under
`valgrind --tool=callgrind`, run as www-data, for N and for 2N requests on one keep-alive
connection; (Ir(2N) - Ir(N)) / N cancels start-up, configuration and shutdown. Instructions are
attributed per object with `callgrind_annotate --inclusive=no`."""

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import stack
from stack import harness

# Objects that are "the connector" for each target.
def connector_objects(target, build):
    if target == "swiftjk":
        return {str(build.swiftjk_so)}
    if target == "modjk":
        return {str(harness.APACHE_MODULES / "mod_jk.so")}
    if target == "modjk-aa":
        return {str(build.modjk_aa_so)}
    if target == "proxy":
        return {str(harness.APACHE_MODULES / f"mod_{m}.so")
                for m in ("proxy", "proxy_ajp", "proxy_balancer", "lbmethod_byrequests", "slotmem_shm")}
    return set()


_LINE = re.compile(r"^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*?)(?: \[([^\]]+)\])?\s*$")


def annotate(path):
    """{(function, object): self Ir} and the program total, from
    `callgrind_annotate --inclusive=no --threshold=100 --auto=no`. Lines of code inlined from
    another source file are printed as `file:function` without an object; they are given the
    object under which the same function appears elsewhere in the table."""
    out = subprocess.run(["callgrind_annotate", "--inclusive=no", "--threshold=100", "--auto=no", str(path)],
                         capture_output=True, text=True, timeout=300).stdout
    rows, total, in_table = [], 0, False
    for line in out.splitlines():
        if "file:function" in line:
            in_table = True
            continue
        m = _LINE.match(line)
        if not m:
            continue
        ir = int(m.group(1).replace(",", ""))
        name, obj = m.group(2), m.group(3) or ""
        if name == "PROGRAM TOTALS":
            total = ir
            continue
        if in_table:
            rows.append((name.split(":", 1)[1] if ":" in name else name, obj, ir))
    owner = {}
    for fn, obj, _ in rows:
        if obj:
            owner.setdefault(fn, set()).add(obj)
    funcs = {}
    for fn, obj, ir in rows:
        if not obj and len(owner.get(fn, ())) == 1:
            obj = next(iter(owner[fn]))
        funcs[(fn, obj)] = funcs.get((fn, obj), 0) + ir
    return funcs, total


def demangle(names):
    """Readable Swift names (swift-demangle --simplified), unchanged if the tool is missing."""
    tool = shutil.which("swift-demangle")
    if not tool or not names:
        return {n: n for n in names}
    try:
        out = subprocess.run([tool, "--simplified", "--compact"], input="\n".join(names) + "\n",
                             capture_output=True, text=True, timeout=60).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return {n: n for n in names}
    if len(out) != len(names):
        return {n: n for n in names}
    return dict(zip(names, out))


def sticky_cookie(i):
    """The `sticky` profile's Cookie header for request i: a session of member r1 or r2, alternating."""
    return f"JSESSIONID=bench0001.r{1 + i % 2}"


def _profile_once(work, workload, target, build, backends, requests, method, path, body, log, config=None,
                  cookie=None):
    """Runs apache2 -X under callgrind for `requests` requests; returns the callgrind.out path.
    `config`: (workers.properties, Jk directives) instead of the suite's (JK targets only);
    `cookie`: request number -> Cookie header (None: the `sticky` workload's, or none)."""
    t = stack.TARGETS[target]
    name = f"cg-{workload}-{target}-{requests}"
    if t.harness == "proxy":
        a = stack.BenchApache(work, "proxy", "event", jk_conf=stack.proxy_config(backends), name=name)
    elif t.harness == "static":
        a = stack.BenchApache(work, "static", "event", name=name)
        stack.write_static_docroot(a.dir / "htdocs")
    else:
        workers, jk = config or stack.jk_config(backends)
        a = stack.BenchApache(work, t.harness, "event", jk_conf=jk, workers=workers, name=name,
                              jk_so=build.modjk_aa_so if t.aa else None)
    subprocess.run(["chown", "-R", "www-data:www-data", str(a.dir)], check=True)
    out = a.dir / "callgrind.out"
    vglog = open(a.dir / "valgrind.log", "w")
    # Deterministic hashing: Swift seeds Set/Dictionary hashes per process, which made start-up
    # (configuration parsing) differ by tens of thousands of instructions between the N and 2N runs.
    proc = subprocess.Popen(["runuser", "-u", "www-data", "--", "env", "SWIFT_DETERMINISTIC_HASHING=1",
                             "valgrind", "--tool=callgrind",
                             f"--callgrind-out-file={out}", "apache2", "-X", "-f", str(a.conf)],
                            stdout=vglog, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        def up():
            if proc.poll() is not None:
                raise RuntimeError(f"apache2 -X under valgrind exited: {(a.dir / 'valgrind.log').read_text()[-500:]}")
            try:
                with socket.create_connection(("127.0.0.1", a.port), timeout=1):
                    return True
            except OSError:
                return False
        if not harness.wait_until(up, 120, 0.2):
            raise RuntimeError("apache2 -X under valgrind did not listen")
        conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=120)
        headers = {"Content-Type": "application/octet-stream"} if body else {}
        if cookie is None and workload == "sticky":
            cookie = sticky_cookie
        for i in range(requests):
            conn.request(method, path, body=body, headers=dict(headers, Cookie=cookie(i)) if cookie else headers)
            r = conn.getresponse()
            r.read()
            if r.status != 200:
                raise RuntimeError(f"request {i + 1} answered {r.status}")
        conn.close()   # close the client connection before stopping, or the worker waits for it
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    # callgrind writes its file at exit; give it time and wait until the size settles
    deadline = time.monotonic() + 30
    last = -1
    time.sleep(3)
    while time.monotonic() < deadline:
        size = out.stat().st_size if out.exists() else -1
        if size > 0 and size == last:
            break
        last = size
        time.sleep(0.5)
    if not out.exists():
        raise RuntimeError(f"no callgrind output ({(a.dir / 'valgrind.log').read_text()[-300:]})")
    return out


def profile_many(work, jobs, build, backends, n, log=print, parallel=None, top=12):
    """Runs every (workload name, target, (method, path, body[, config, cookie])) job for N and 2N
    requests, up to `parallel` valgrind processes at a time (instruction counts do not depend on
    it), and returns {workload: {target: result}}; see `summarize` and `_profile_once`."""
    from concurrent.futures import ThreadPoolExecutor
    parallel = parallel or max(1, os.cpu_count() or 1)
    runs = [(wl, t, load, k) for wl, t, load in jobs for k in (n, 2 * n)]

    def one(run):
        wl, t, load, k = run
        method, path, body, *extra = load
        try:
            return run, _profile_once(work, wl, t, build, backends, k, method, path, body, log, *extra), None
        except Exception as e:
            return run, None, str(e)[:300]

    files, errors = {}, {}
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        for (wl, t, _, k), f, err in pool.map(one, runs):
            if err:
                errors[(wl, t)] = err
                log(f"  callgrind {wl} {t} ({k} requests) failed: {err}")
            else:
                files[(wl, t, k)] = f
    out = {}
    for wl, t, _ in jobs:
        if (wl, t) in errors:
            r = {"failed": errors[(wl, t)]}
        else:
            r = summarize(files[(wl, t, n)], files[(wl, t, 2 * n)], n, connector_objects(t, build), top)
            log(f"  callgrind {wl} {t}: {r['module_ir']:,} Ir/request in the connector, {r['total_ir']:,} in the process")
        out.setdefault(wl, {})[t] = r
    return out


def summarize(f1, f2, n, objs, top=12):
    """Per-request instructions from the N and 2N files: {"module_ir", "total_ir", "objects",
    "top", "top_outside"}."""
    a1, t1 = annotate(f1)
    a2, t2 = annotate(f2)
    per_fn = {}
    for key in set(a1) | set(a2):
        if key[1] in objs:
            d = a2.get(key, 0) - a1.get(key, 0)
            if d:
                per_fn[key] = d / n
    module_ir = sum(per_fn.values())
    by_object = {}
    for key in set(a1) | set(a2):
        d = (a2.get(key, 0) - a1.get(key, 0)) / n
        obj = os.path.basename(key[1]) if key[1] else "(no object)"
        by_object[obj] = by_object.get(obj, 0) + d
    ranked = sorted(per_fn.items(), key=lambda kv: -kv[1])[:top]
    outside = {}
    for key in set(a1) | set(a2):
        if key[1] not in objs:
            d = a2.get(key, 0) - a1.get(key, 0)
            if d:
                outside[key] = d / n
    ranked_out = sorted(outside.items(), key=lambda kv: -kv[1])[:8]
    names = demangle([k[0] for k, _ in ranked + ranked_out])
    return {
        "requests": n,
        "module_ir": round(module_ir),
        "total_ir": round((t2 - t1) / n),
        "objects": {k: round(v) for k, v in sorted(by_object.items(), key=lambda kv: -kv[1])[:8]},
        "top": [(names[k[0]], os.path.basename(k[1]), round(v)) for k, v in ranked],
        "top_outside": [(names[k[0]], os.path.basename(k[1]) or "(inlined)", round(v)) for k, v in ranked_out],
        "files": [str(f1), str(f2)],
    }
