"""Turns a run's results (results.json) into the markdown of BENCHMARKS.md."""

import os
import platform
import re
import statistics
import subprocess
from pathlib import Path

import scale
import tail
from stack import TARGETS, run_text

NOTES_BEGIN, NOTES_END = "<!-- notes:begin -->", "<!-- notes:end -->"
CONNECTORS = ["swiftjk", "modjk", "proxy", "modjk-aa"]


def machine_info():
    def pkg(name):
        return run_text(["dpkg-query", "-W", "-f", "${Version}", name]) or "not installed"
    cpu = ""
    flags = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name") and not cpu:
                cpu = line.split(":", 1)[1].strip()
            if line.startswith("flags") and not flags:
                flags = line
    mem = ""
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
    return {
        "nproc": os.cpu_count(), "cpu": cpu, "memory": mem, "kernel": platform.release(),
        "virtualized": "hypervisor" in flags.split(),
        "os": run_text(["sh", "-c", ". /etc/os-release; echo $PRETTY_NAME"]),
        "httpd": run_text(["apache2", "-v"]).splitlines()[0].split(":", 1)[-1].strip() if run_text(["apache2", "-v"]) else "?",
        "mod_jk": pkg("libapache2-mod-jk"), "tomcat": pkg("tomcat10"), "java": java[0] if java else "?",
        "swift": (run_text(["swift", "--version"]).splitlines() or ["not on PATH"])[0],
        "wrk": pkg("wrk"), "valgrind": pkg("valgrind"),
    }


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def kept_rounds(case):
    return [r for r in case["rounds"] if not r.get("discarded")]


def values(case, target, key):
    return [r["m"][target].get(key) for r in kept_rounds(case)
            if target in r["m"] and "failed" not in r["m"][target] and r["m"][target].get(key) is not None]


def ratios(case, target, key, base="modjk"):
    """Per-round target/base ratios (same round, so the same machine state)."""
    out = []
    for r in kept_rounds(case):
        a, b = r["m"].get(target, {}), r["m"].get(base, {})
        if "failed" in a or "failed" in b:
            continue
        if a.get(key) and b.get(key):
            out.append(a[key] / b[key])
    return out


def fmt_n(x, nd=0):
    if x is None:
        return "–"
    return f"{x:,.{nd}f}"


def fmt_ratio(rs):
    if not rs:
        return "–"
    m = statistics.median(rs)
    if len(rs) == 1:
        return f"{m:.2f}"
    return f"**{m:.2f}** ({min(rs):.2f}–{max(rs):.2f})"


def fmt_range(xs, nd=0, scale=1.0):
    xs = [x * scale for x in xs]
    if not xs:
        return "–"
    m = statistics.median(xs)
    if len(xs) == 1:
        return fmt_n(m, nd)
    return f"**{fmt_n(m, nd)}** ({fmt_n(min(xs), nd)}–{fmt_n(max(xs), nd)})"


def failure(case, target):
    if target in case["failed"]:
        return case["failed"][target]
    fails = [r["m"][target]["failed"] for r in kept_rounds(case) if target in r["m"] and "failed" in r["m"][target]]
    if fails and not values(case, target, "rps"):
        return fails[0]
    return None


def case_table(case):
    rows = ["| | req/s | ×mod_jk | p50 ms | p99 ms | p99 ×mod_jk | httpd CPU µs/req | CPU ×mod_jk | in kernel % "
            "| httpd PSS MiB | backend conns opened / held | errors % | foreign CPU % |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for t in case["targets"]:
        label = TARGETS[t].label
        why = failure(case, t)
        if why:
            rows.append(f"| {label} | failed: {why.replace('|', '/')} |" + " |" * 11)
            continue
        rps = values(case, t, "rps")
        base = t in CONNECTORS and t != "modjk"
        foreign = values(case, t, "foreign_pct")
        opened, held = values(case, t, "backend_conns_opened"), values(case, t, "backend_conns_held")
        conns = "–" if not opened and not held else f"{fmt_n(med(opened))} / {fmt_n(med(held))}"
        partial = [r["m"][t]["failed"] for r in kept_rounds(case) if t in r["m"] and "failed" in r["m"][t]]
        note = f" ⚠ {len(partial)} round(s) failed: {partial[0]}" if partial else ""
        rows.append(" | ".join([
            f"| {label}{note}", fmt_range(rps), fmt_ratio(ratios(case, t, "rps")) if base else "",
            fmt_range(values(case, t, "p50_us"), 2, 1e-3), fmt_range(values(case, t, "p99_us"), 2, 1e-3),
            fmt_ratio(ratios(case, t, "p99_us")) if base else "",
            fmt_range(values(case, t, "httpd_cpu_us_per_req"), 1),
            fmt_ratio(ratios(case, t, "httpd_cpu_us_per_req")) if base else "",
            fmt_n(med(values(case, t, "httpd_kernel_pct")), 0),
            fmt_range(values(case, t, "httpd_pss_kib"), 1, 1 / 1024), conns,
            fmt_n(med(values(case, t, "error_pct")), 2),
            f"{max(foreign):.1f}" if foreign else "–"]) + " |")
    return "\n".join(rows)


def headline(results):
    rows = ["| case | SwiftJK req/s ×mod_jk | mod_proxy_ajp ×mod_jk | A/A ×mod_jk | SwiftJK CPU/req ×mod_jk "
            "| SwiftJK p99 ×mod_jk | SwiftJK PSS ×mod_jk | mod_jk req/s |",
            "|---|---|---|---|---|---|---|---|"]
    for c in results["cases"]:
        def cell(t, key):
            if t not in c["targets"]:
                return "n/a"
            why = failure(c, t)
            if why:
                return "failed"
            return fmt_ratio(ratios(c, t, key))
        rows.append(f"| `{c['id']}` | {cell('swiftjk', 'rps')} | {cell('proxy', 'rps')} | {cell('modjk-aa', 'rps')} "
                    f"| {cell('swiftjk', 'httpd_cpu_us_per_req')} | {cell('swiftjk', 'p99_us')} "
                    f"| {cell('swiftjk', 'httpd_pss_kib')} | {fmt_n(med(values(c, 'modjk', 'rps')))} |")
    return "\n".join(rows)


def targets_check(results):
    """The issue's targets against this run's medians."""
    lines = []

    def check(name, goal, items):
        items = [(cid, v) for cid, v in items if v is not None]
        if not items:
            lines.append(f"| {name} | {goal} | no data |")
            return
        met = [cid for cid, ok in items if ok[0]]
        worst = min(items, key=lambda kv: kv[1][1])
        lines.append(f"| {name} | {goal} | {len(met)} of {len(items)} | {worst[1][2]} (`{worst[0]}`) |")

    def med_ratio(c, t, key, base="modjk"):
        rs = ratios(c, t, key, base)
        return statistics.median(rs) if rs else None

    tomcat = [c for c in results["cases"] if c["case"]["backend"] == "tomcat"]
    fast = [c for c in results["cases"] if c["case"]["backend"] == "fast"]
    conn = [c for c in results["cases"]]

    def margin(r, goal, higher=True):
        if r is None:
            return None
        return (r >= goal if higher else r <= goal), ((r - goal) if higher else (goal - r)), f"{r:.2f}"

    def swift_failed(c):
        return "swiftjk" in c["targets"] and failure(c, "swiftjk")

    def items(cases, fn):
        out = []
        for c in cases:
            if "swiftjk" not in c["targets"] or "modjk" not in c["targets"]:
                continue
            if swift_failed(c):
                out.append((c["id"], (False, -99, "failed")))
            else:
                out.append((c["id"], fn(c)))
        return out

    check("throughput vs mod_jk, Tomcat", "≥ 1.15", items(tomcat, lambda c: margin(med_ratio(c, "swiftjk", "rps"), 1.15)))
    check("throughput vs mod_proxy_ajp, Tomcat", "≥ 1.00",
          items([c for c in tomcat if "proxy" in c["targets"] and not failure(c, "proxy")],
                lambda c: margin(med_ratio(c, "swiftjk", "rps", "proxy"), 1.0)))
    check("throughput vs mod_jk, fast backend", "≥ 1.30", items(fast, lambda c: margin(med_ratio(c, "swiftjk", "rps"), 1.3)))
    check("httpd CPU per request vs mod_jk", "≤ 0.80",
          items(conn, lambda c: margin(med_ratio(c, "swiftjk", "httpd_cpu_us_per_req"), 0.8, False)))
    check("p99 latency vs mod_jk", "≤ 1.00", items(conn, lambda c: margin(med_ratio(c, "swiftjk", "p99_us"), 1.0, False)))
    check("PSS vs mod_jk", "≤ 1.15", items(conn, lambda c: margin(med_ratio(c, "swiftjk", "httpd_pss_kib"), 1.15, False)))
    cg = []
    for wl, per in results.get("callgrind", {}).items():
        s, m = per.get("swiftjk", {}), per.get("modjk", {})
        if s.get("module_ir") and m.get("module_ir"):
            cg.append((f"callgrind/{wl}", margin(s["module_ir"] / m["module_ir"], 0.6, False)))
        elif "failed" in s:
            cg.append((f"callgrind/{wl}", (False, -99, "failed")))
    check("connector instructions per request vs mod_jk (own objects)", "≤ 0.60", cg)
    cgt = []
    for wl, per in results.get("callgrind", {}).items():
        s, m = per.get("swiftjk", {}), per.get("modjk", {})
        if s.get("total_ir") and m.get("total_ir"):
            cgt.append((f"callgrind/{wl}", margin(s["total_ir"] / m["total_ir"], 0.6, False)))
    check("instructions per request vs mod_jk (whole httpd process)", "≤ 0.60", cgt)
    head = ["| target (issue 4) | goal (SwiftJK / other, medians) | met in | worst case |", "|---|---|---|---|"]
    return "\n".join(head + lines)


def aa_floor(results):
    rs, per_case = [], []
    for c in results["cases"]:
        r = ratios(c, "modjk-aa", "rps")
        if r:
            rs += r
            per_case.append(statistics.median(r))
    if not rs:
        return None
    return {"rounds": rs, "cases": per_case, "floor": max(abs(1 - x) for x in per_case),
            "round_floor": max(abs(1 - x) for x in rs)}


def callgrind_section(results):
    cg = results.get("callgrind") or {}
    if not cg:
        return "No callgrind profile in this run.\n"
    out = []
    for wl, per in cg.items():
        out.append(f"#### {wl}\n")
        out.append("| connector | Ir/request in the connector's own objects | ×mod_jk | Ir/request, whole httpd process | ×mod_jk |")
        out.append("|---|---|---|---|---|")
        base = per.get("modjk", {})
        for t, r in per.items():
            if "failed" in r:
                out.append(f"| {TARGETS[t].label} | failed: {r['failed']} | | | |")
                continue
            if t == "httpd-static":
                out.append(f"| {TARGETS[t].label} | — | | {r['total_ir']:,} | |")
                continue
            rm = f"{r['module_ir'] / base['module_ir']:.2f}" if base.get("module_ir") and t != "modjk" else ""
            rt = f"{r['total_ir'] / base['total_ir']:.2f}" if base.get("total_ir") and t != "modjk" else ""
            out.append(f"| {TARGETS[t].label} | {r['module_ir']:,} | {rm} | {r['total_ir']:,} | {rt} |")
        out.append("")
        static = per.get("httpd-static", {}).get("total_ir")
        if static:
            over = {t: r["total_ir"] - static for t, r in per.items() if t != "httpd-static" and "total_ir" in r}
            m = over.get("modjk")
            out.append("Connector overhead in instructions (whole process through the connector minus httpd serving "
                       "the same 16 bytes as a static file): " + ", ".join(
                           f"{TARGETS[t].label} {v:,}" + (f" ({v / m:.2f} × mod_jk)" if m and t != "modjk" else "")
                           for t, v in over.items()) + ". User space only; the kernel's share is in the tail "
                       "section's CPU figures.\n")
        for t, r in per.items():
            if "failed" in r or t == "httpd-static":
                continue
            objs = ", ".join(f"{k} {v:,}" for k, v in list(r["objects"].items())[:6])
            out.append(f"<details><summary>{TARGETS[t].label}: top functions (self Ir per request); "
                       f"whole process by object: {objs}</summary>\n")
            out.append("| Ir/request | function | object |\n|---|---|---|")
            for fn, obj, ir in r["top"]:
                fn = fn if len(fn) < 140 else fn[:137] + "…"
                out.append(f"| {ir:,} | `{fn.replace('|', '/')}` | {obj} |")
            if r.get("top_outside"):
                out.append("\nOutside the connector's objects (httpd, APR, libc, …), the same requests:\n")
                out.append("| Ir/request | function | object |\n|---|---|---|")
                for fn, obj, ir in r["top_outside"]:
                    fn = fn if len(fn) < 140 else fn[:137] + "…"
                    out.append(f"| {ir:,} | `{fn.replace('|', '/')}` | {obj} |")
            out.append("\n</details>\n")
    return "\n".join(out)


def render(results):
    m = results["meta"]
    aa = aa_floor(results)
    o = []
    o.append("# SwiftJK benchmarks\n")
    o.append("Generated by the benchmark suite in `bench/` (how it works: [bench/README.md](bench/README.md)). "
             "Ratios are SwiftJK (or another connector) divided by mod_jk 1.2.48, computed per round and "
             "given as median (min–max over rounds); other figures are medians (min–max) over the kept rounds.\n")
    o.append(f"- Command: `{m['command']}` (profile `{m['profile']}`), started {m['started']}, took "
             f"{m.get('elapsed_s', 0) // 60} min {m.get('elapsed_s', 0) % 60} s")
    o.append(f"- Build measured: {m['build']}")
    o.append(f"- Method: {m['rounds']} kept rounds per case, {m['duration']} s per measurement (wrk, 2 threads), "
             f"{m['warmup']} s warm-up per connector and case, connector order rotated every round; a round with "
             f"foreign CPU load or steal above {m['noise_limit']} % of all CPUs is redone (at most twice)")
    o.append(f"- httpd MPM settings: event `{'; '.join(m['mpm_settings']['event'])}`; prefork "
             f"`{'; '.join(m['mpm_settings']['prefork'])}`\n")
    o.append("## Machine\n")
    o.append(f"- {m['nproc']} CPUs: {m['cpu']}{' (virtual machine)' if m['virtualized'] else ''}; {m['memory']} RAM; "
             f"kernel {m['kernel']}; {m['os']}")
    o.append(f"- httpd {m['httpd']}; mod_jk (libapache2-mod-jk) {m['mod_jk']}; Tomcat (tomcat10) {m['tomcat']} on "
             f"{m['java']}; {m['swift']}; wrk {m['wrk']}; valgrind {m['valgrind']}")
    o.append("- Everything (wrk, httpd, Tomcat, the fast backend) shares these CPUs over loopback; absolute "
             "figures drift between runs, ratios within a run are what to compare.\n")
    o.append("## Summary\n")
    o.append(headline(results) + "\n")
    if aa:
        o.append(f"**A/A noise floor** (mod_jk against a copy of itself under another file name, in "
                 f"{len(aa['cases'])} cases): per-case median ratios "
                 f"{min(aa['cases']):.2f}–{max(aa['cases']):.2f}, single rounds {min(aa['rounds']):.2f}–"
                 f"{max(aa['rounds']):.2f}. A throughput ratio is a difference only when it is further from 1 than "
                 f"±{aa['floor']:.2f} (case medians) / ±{aa['round_floor']:.2f} (single rounds).\n")
    o.append("### Targets from issue 4\n")
    o.append(targets_check(results) + "\n")
    o.append(NOTES_BEGIN + "\n" + NOTES_END + "\n")
    o.append("## Every figure\n")
    o.append("Backend connections: *opened* = TCP connections to a backend AJP port that appeared during the "
             "measurement (4-tuples from `ss`, TIME_WAIT included); *held* = established connections owned by "
             "the measured httpd's processes at the end. Foreign CPU % = busy CPU time of processes that are "
             "not part of the benchmark, as % of all CPUs (the maximum over the kept rounds). Errors % = wrk's socket "
             "errors and non-2xx answers per request (median); with 256 connections the event MPM closes idle "
             "keep-alive connections when its workers are busy, which wrk counts as read errors.\n")
    for c in results["cases"]:
        cs = c["case"]
        o.append(f"### `{c['id']}` — {c['title']}, {cs['conns']} connections, "
                 f"keep-alive {'on' if cs['keepalive'] else 'off (Connection: close)'}, {cs['mpm']} MPM\n")
        o.append(case_table(c) + "\n")
        disc = [r for r in c["rounds"] if r.get("discarded")]
        noisy = [r for r in c["rounds"] if r.get("noisy")]
        if disc:
            o.append(f"Discarded {len(disc)} round(s): " + "; ".join(r["discarded"] for r in disc) + "\n")
        if noisy:
            o.append(f"Kept although noisy (no time left to redo): " + "; ".join(r["noisy"] for r in noisy) + "\n")
    o.append("## Where the time goes: instructions per request (callgrind)\n")
    o.append("`apache2 -X` (event MPM, one process) under `valgrind --tool=callgrind` as www-data, fast backend, "
             "N and 2N requests on one keep-alive connection; (Ir(2N) − Ir(N)) / N cancels start-up and "
             "shutdown. Workloads: *small* (16-byte reply), *post64k*, *big100k* on a plain worker (ProxyPass), "
             "*sticky* through a load balancer of two members over the same fast backend (JSESSIONID=…r1 / …r2 "
             "alternating; mod_proxy_balancer with stickysession). *The connector's own objects*: mod_swiftjk.so (the Swift runtime is linked into it), "
             "mod_jk.so, or mod_proxy.so + mod_proxy_ajp.so + mod_proxy_balancer.so + mod_lbmethod_byrequests.so + "
             "mod_slotmem_shm.so. *Whole process* adds what the connector makes httpd, APR, libc and the "
             "dynamic loader do (kernel time is not counted). Debian's mod_jk.so is stripped: its static functions "
             "show as addresses.\n")
    o.append(callgrind_section(results))
    if results.get("scale"):
        o.append(scale.render(results["scale"]))
    if results.get("tail"):
        o.append(tail.render(results["tail"]))
    if results.get("notes"):
        o.append("## Run notes\n")
        o += [f"- {n}" for n in results["notes"]]
        o.append("")
    return "\n".join(o) + "\n"


def write_preserving_notes(path, text):
    """Writes the report; a hand-written block between the notes markers of the existing file is kept."""
    if path.exists():
        old = path.read_text()
        mo = re.search(re.escape(NOTES_BEGIN) + r".*?" + re.escape(NOTES_END), old, re.S)
        if mo:
            text = text.replace(NOTES_BEGIN + "\n" + NOTES_END, mo.group(0), 1)
    path.write_text(text)


def summary(results):
    """A few lines for the terminal."""
    out = []
    for c in results["cases"]:
        parts = []
        for t in c["targets"]:
            why = failure(c, t)
            if why:
                parts.append(f"{t} failed")
                continue
            rps = med(values(c, t, "rps"))
            rs = ratios(c, t, "rps")
            parts.append(f"{t} {fmt_n(rps)}" + (f" ({statistics.median(rs):.2f}x)" if rs and t != "modjk" else ""))
        out.append(f"{c['id']}: " + ", ".join(parts))
    for wl, per in (results.get("callgrind") or {}).items():
        out.append(f"callgrind {wl}: " + ", ".join(
            (f"{t} {r['total_ir']:,} Ir/req (whole process)" if t == "httpd-static" else f"{t} {r['module_ir']:,} Ir/req")
            if "module_ir" in r else f"{t} failed" for t, r in per.items()))
    return "\n".join(out)
