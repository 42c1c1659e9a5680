"""The processes a benchmark run measures: a private copy of the build, the backends (two Tomcat 10
instances behind a balancer, the fast AJP test backend) and one httpd per connector, all from
Tests/integration/harness.py (imported, not copied) with benchmark-specific MPM settings."""

import hashlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "Tests/integration"))
import harness  # noqa: E402  (Tests/integration/harness.py)

WEBAPP_EXTRA = BENCH / "webapp-extra"
SECRET = "bench-s3cr3t"
TOMCAT_ADDRESSES = {"tomcat1": "127.0.0.10", "tomcat2": "127.0.0.12"}
FAST_ADDRESS = "127.0.0.20"
FAST_BODY = b"Hello from AJP!\n"           # what `ajp-test-backend --mode fast` answers (16 bytes)
JSP_BODY = b"Hello from JSP!!\n"           # bench/webapp-extra/hello.jsp (17 bytes)
BIG = 102400                               # the 100 KiB responses
# The option the suite asks ajp-test-backend for to serve other fixed sizes in fast mode; when the
# backend does not have it, the 100 KiB fast case uses normal mode without --record (/size/N).
FAST_SIZE_OPTION = "--fast-body-size"
# URI prefix of the balancer over the fast backend (callgrind's "sticky" profile).
FAST_LB_PREFIX = "fastlb"


def pattern(n):
    """n bytes, byte i = 'a' + i % 26 (big100k.jsp, ajp-test-backend /size/<n>)."""
    block = bytes(ord("a") + i % 26 for i in range(26))
    return (block * (n // 26 + 1))[:n]


# MPM settings used instead of the harness's (which are sized for tests): a fixed number of
# processes, so PSS and CPU are compared between equal process trees and no child is started or
# stopped in the middle of a measurement; event has a worker for each of the 256 client
# connections of the largest case (with fewer, it closes idle keep-alive connections under load
# and the case measures reconnects instead of the connector).
MPM_SETTINGS = {
    "event": ["StartServers 4", "ServerLimit 4", "ThreadsPerChild 64", "ThreadLimit 64",
              "MaxRequestWorkers 256", "MinSpareThreads 64", "MaxSpareThreads 256"],
    "prefork": ["StartServers 40", "ServerLimit 48", "MinSpareServers 40", "MaxSpareServers 48",
                "MaxRequestWorkers 48"],
}
_MPM_KEYS = ("StartServers", "ServerLimit", "ThreadsPerChild", "ThreadLimit", "MaxRequestWorkers",
             "MinSpareThreads", "MaxSpareThreads", "MinSpareServers", "MaxSpareServers")


def run_text(cmd, **kw):
    """stdout of a command, stripped; '' when it fails."""
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60, **kw).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


@dataclass
class Build:
    """The private copy of the artifacts one run measures."""
    dir: Path
    swiftjk_so: Path
    backend_bin: Path
    modjk_aa_so: Path
    source_so: Path
    source_backend: Path
    head: str
    dirty: list = field(default_factory=list)
    so_size: int = 0
    so_sha: str = ""
    so_mtime: str = ""
    backend_kind: str = ""
    fast_sizes: bool = False

    def describe(self):
        dirty = f" + uncommitted changes in {', '.join(self.dirty)}" if self.dirty else ""
        return (f"HEAD {self.head}{dirty}; mod_swiftjk.so {self.so_size:,} bytes "
                f"(sha256 {self.so_sha[:12]}, built {self.so_mtime}); backend {self.backend_kind}")


def _wait_stable(path, quiet=2.0, timeout=600):
    """Waits until `path` exists and has not changed for `quiet` seconds (a build may be writing it)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            st = path.stat()
            sig = (st.st_size, st.st_mtime_ns)
            if sig == last and time.time() - st.st_mtime > quiet:
                return
            last = sig
        except FileNotFoundError:
            last = None
        time.sleep(quiet / 2)
    raise RuntimeError(f"{path} did not settle (a build still writing it?)")


def copy_build(run_dir, swiftjk_so=None, backend_bin=None):
    """Copies mod_swiftjk.so, ajp-test-backend and mod_jk.so (as mod_jk_aa.so, for the A/A
    control) into <run_dir>/build, so rebuilds in the work tree cannot change what is measured,
    and points the harness at the copies."""
    d = Path(run_dir) / "build"
    d.mkdir(parents=True, exist_ok=True)
    os.chmod(d, 0o755)
    src_so = Path(swiftjk_so or os.environ.get("SWIFTJK_SO") or ROOT / "apxs/out/mod_swiftjk.so")
    if backend_bin or os.environ.get("AJP_TEST_BACKEND"):
        src_be = Path(backend_bin or os.environ["AJP_TEST_BACKEND"])
    else:
        release, debug = ROOT / ".build/release/ajp-test-backend", ROOT / ".build/debug/ajp-test-backend"
        src_be = release if release.exists() else debug
    for p in (src_so, src_be):
        if not p.exists():
            raise RuntimeError(f"{p} is missing: build it first (make -C apxs; swift build --product ajp-test-backend)")
        _wait_stable(p)
    so, be, aa = d / "mod_swiftjk.so", d / "ajp-test-backend", d / "mod_jk_aa.so"
    shutil.copy2(src_so, so)
    shutil.copy2(src_be, be)
    shutil.copy2(harness.APACHE_MODULES / "mod_jk.so", aa)
    for p in (so, aa):
        os.chmod(p, 0o644)
    os.chmod(be, 0o755)
    harness.SWIFTJK_SO = so
    harness.BACKEND_BIN = be
    head = run_text(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]) or "unknown"
    porcelain = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "Sources", "CShim", "apxs",
                                "Package.swift"], capture_output=True, text=True).stdout
    dirty = sorted({"/".join(line[3:].split("/")[:2]) for line in porcelain.splitlines() if len(line) > 3})
    st = so.stat()
    kind = "release" if "/release/" in str(src_be.resolve()) else ("debug" if "/debug/" in str(src_be.resolve()) else "given")
    usage = run_text([str(be), "--help"])
    b = Build(dir=d, swiftjk_so=so, backend_bin=be, modjk_aa_so=aa, source_so=src_so, source_backend=src_be,
              head=head, dirty=dirty, so_size=st.st_size, so_sha=hashlib.sha256(so.read_bytes()).hexdigest(),
              so_mtime=time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(src_so.stat().st_mtime)),
              backend_kind=f"{kind} build ({src_be})", fast_sizes=FAST_SIZE_OPTION in usage)
    return b


class BenchApache(harness.Apache):
    """harness.Apache with the benchmark MPM settings, no access log, and optionally another file
    for `LoadModule jk_module` (the A/A copy of mod_jk). connector "static" loads no connector."""

    def __init__(self, workdir, connector, mpm, jk_conf="", workers=None, name=None, jk_so=None, port=None):
        self.jk_so = jk_so
        super().__init__(workdir, connector=connector, mpm=mpm, jk_conf=jk_conf, workers=workers, name=name, port=port)

    def _config(self, jk_conf, has_workers):
        text = super()._config(jk_conf, has_workers)
        lines = [line for line in text.splitlines()
                 if not line.startswith(_MPM_KEYS) and not line.startswith("CustomLog")]
        if self.jk_so:
            lines = [f"LoadModule jk_module {self.jk_so}" if line.startswith("LoadModule jk_module") else line
                     for line in lines]
        lines += MPM_SETTINGS[self.mpm]
        return "\n".join(lines) + "\n"

    def pids(self):
        """The parent and its children (prefork/event children are direct children)."""
        if not self.pid:
            return []
        kids = [pid for pid, ppid in _ppids().items() if ppid == self.pid]
        return [self.pid] + kids


def _ppids():
    out = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    out[int(name)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    return out


class AJPBackend:
    """ajp-test-backend started with extra arguments and without --record (harness.Backend always
    records, which costs time outside fast mode)."""

    def __init__(self, workdir, name, address, args):
        self.name, self.address = name, address
        port_file = Path(workdir) / f"backend-{name}.port"
        cmd = [str(harness.BACKEND_BIN), "--listen", f"{address}:0", "--name", name, "--port-file", str(port_file)] + args
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                     stderr=open(Path(workdir) / f"backend-{name}.err", "w"))
        if not harness.wait_until(lambda: port_file.exists() and port_file.read_text().strip(), 10):
            raise RuntimeError(f"ajp-test-backend {name} did not start: {' '.join(cmd)}")
        self.port = int(port_file.read_text().strip())

    def stop(self):
        harness.stop_pid(self.proc.pid)


@dataclass
class Backends:
    """What the connectors forward to."""
    tomcats: dict = field(default_factory=dict)        # name -> harness.Tomcat
    fast: dict = field(default_factory=dict)           # body size -> backend with .address, .port, .proc
    fast_paths: dict = field(default_factory=dict)     # body size -> URI served through the connectors

    def pids(self):
        pids = [t.proc.pid for t in self.tomcats.values() if t.proc]
        pids += [b.proc.pid for b in self.fast.values()]
        return pids

    def endpoints(self, kind="both"):
        """(address, port) of the AJP listeners of "tomcat", "fast" or "both"."""
        eps = [(t.address, t.ajp_port) for t in self.tomcats.values()] if kind in ("tomcat", "both") else []
        eps += [(b.address, b.port) for b in self.fast.values()] if kind in ("fast", "both") else []
        return eps

    def stop(self):
        for b in self.fast.values():
            b.stop()
        for t in self.tomcats.values():
            t.stop()


def start_backends(run_dir, build, want_tomcat, want_fast, log=print):
    """Starts the selected backends; Tomcat gets bench/webapp-extra copied into webapps/ROOT."""
    b = Backends()
    if want_fast:
        b.fast[len(FAST_BODY)] = harness.Backend(run_dir, name="fast16", address=FAST_ADDRESS, mode="fast")
        b.fast_paths[len(FAST_BODY)] = "/fast/hello"
        if build.fast_sizes:
            b.fast[BIG] = AJPBackend(run_dir, "fast100k", FAST_ADDRESS, ["--mode", "fast", FAST_SIZE_OPTION, str(BIG)])
            b.fast_paths[BIG] = "/fast100k/body"
        else:
            b.fast[BIG] = AJPBackend(run_dir, "fast100k", FAST_ADDRESS, ["--mode", "normal"])
            b.fast_paths[BIG] = f"/fast100k/size/{BIG}"
            log(f"note: ajp-test-backend has no {FAST_SIZE_OPTION}; the 100 KiB fast case uses normal mode "
                f"without --record (/size/{BIG})")
    if want_tomcat:
        for name, address in TOMCAT_ADDRESSES.items():
            t = harness.Tomcat(run_dir, name, address, name, secret=SECRET)
            root = t.base / "webapps/ROOT"
            root.mkdir(parents=True, exist_ok=True)
            shutil.copytree(WEBAPP_EXTRA, root, dirs_exist_ok=True)
            b.tomcats[name] = t.start()
        for t in b.tomcats.values():
            t.wait()
    return b


def jk_config(backends):
    """(workers.properties, Jk directives) for mod_jk, its A/A copy and SwiftJK."""
    names, lines, mounts = [], [], []
    if backends.tomcats:
        for t in backends.tomcats.values():
            lines += [f"worker.{t.name}.type=ajp13", f"worker.{t.name}.host={t.address}",
                      f"worker.{t.name}.port={t.ajp_port}", f"worker.{t.name}.secret={SECRET}"]
        lines += ["worker.lb.type=lb", f"worker.lb.balance_workers={','.join(backends.tomcats)}"]
        names.append("lb")
        mounts += ["JkMount /*.jsp lb", "JkMount /static78.txt lb"]
    for size, be in backends.fast.items():
        w = f"fast{size}"
        names.append(w)
        lines += [f"worker.{w}.type=ajp13", f"worker.{w}.host={be.address}", f"worker.{w}.port={be.port}"]
        prefix = backends.fast_paths[size].split("/")[1]
        mounts.append(f"JkMount /{prefix}/* {w}")
    if len(FAST_BODY) in backends.fast:
        # A balancer over the 16-byte fast backend (two members, routes r1/r2) for the callgrind
        # profile of the lb path: the Tomcat cases need a JVM, which valgrind runs would wait on.
        be = backends.fast[len(FAST_BODY)]
        for m in ("r1", "r2"):
            lines += [f"worker.{m}.type=ajp13", f"worker.{m}.host={be.address}", f"worker.{m}.port={be.port}"]
        lines += ["worker.fastlb.type=lb", "worker.fastlb.balance_workers=r1,r2"]
        names.append("fastlb")
        mounts.append(f"JkMount /{FAST_LB_PREFIX}/* fastlb")
    workers = "\n".join([f"worker.list={','.join(names)}"] + lines) + "\n"
    return workers, "\n".join(mounts) + "\n"


def proxy_config(backends):
    """mod_proxy_ajp (+ mod_proxy_balancer) directives for the same mapping."""
    lines = []
    for size, be in backends.fast.items():
        prefix = backends.fast_paths[size].split("/")[1]
        lines.append(f"ProxyPass /{prefix}/ ajp://{be.address}:{be.port}/{prefix}/")
    if len(FAST_BODY) in backends.fast:
        be = backends.fast[len(FAST_BODY)]
        lines.append("<Proxy balancer://fastlb>")
        for m in ("r1", "r2"):
            lines.append(f"    BalancerMember ajp://{be.address}:{be.port} route={m}")
        lines += ["    ProxySet stickysession=JSESSIONID|jsessionid", "</Proxy>",
                  f"ProxyPass /{FAST_LB_PREFIX}/ balancer://fastlb/{FAST_LB_PREFIX}/"]
    if backends.tomcats:
        lines.append("<Proxy balancer://tomcats>")
        for t in backends.tomcats.values():
            lines.append(f"    BalancerMember ajp://{t.address}:{t.ajp_port} route={t.route} secret={SECRET}")
        lines += ["    ProxySet stickysession=JSESSIONID|jsessionid", "</Proxy>",
                  'ProxyPassMatch "^(/.*\\.jsp)$" "balancer://tomcats$1"',
                  "ProxyPass /static78.txt balancer://tomcats/static78.txt"]
    return "\n".join(lines) + "\n"


def write_static_docroot(htdocs):
    """The bytes the backends serve, as static files for the httpd ceiling."""
    (htdocs / "hello.txt").write_bytes(JSP_BODY)
    shutil.copy(WEBAPP_EXTRA / "static78.txt", htdocs / "static78.txt")
    (htdocs / "big100k.txt").write_bytes(pattern(BIG))
    (htdocs / "fast16.txt").write_bytes(FAST_BODY)
    for p in htdocs.iterdir():
        os.chmod(p, 0o644)


# The measured things. "harness" is the connector name harness.Apache knows.
@dataclass(frozen=True)
class Target:
    name: str
    label: str
    harness: str = ""          # "" = not an httpd (Tomcat direct)
    ceiling: bool = False
    aa: bool = False


TARGETS = {
    "swiftjk": Target("swiftjk", "SwiftJK", "swiftjk"),
    "modjk": Target("modjk", "mod_jk 1.2.48", "modjk"),
    "proxy": Target("proxy", "mod_proxy_ajp", "proxy"),
    "modjk-aa": Target("modjk-aa", "mod_jk copy (A/A)", "modjk", aa=True),
    "httpd-static": Target("httpd-static", "httpd static file (ceiling)", "static", ceiling=True),
    "tomcat-direct": Target("tomcat-direct", "Tomcat HTTP direct (ceiling)", "", ceiling=True),
}


def start_httpds(run_dir, build, backends, mpm, targets, log=print):
    """One httpd per httpd target, all with the same MPM settings; returns (name -> Apache,
    name -> failure text)."""
    workers, jk = jk_config(backends)
    proxy = proxy_config(backends)
    apaches, failed = {}, {}
    for name in targets:
        t = TARGETS[name]
        if not t.harness:
            continue
        try:
            if t.harness == "proxy":
                a = BenchApache(run_dir, "proxy", mpm, jk_conf=proxy, name=f"httpd-{name}-{mpm}")
            elif t.harness == "static":
                a = BenchApache(run_dir, "static", mpm, name=f"httpd-{name}-{mpm}")
                write_static_docroot(a.dir / "htdocs")
            else:
                a = BenchApache(run_dir, t.harness, mpm, jk_conf=jk, workers=workers, name=f"httpd-{name}-{mpm}",
                                jk_so=build.modjk_aa_so if t.aa else None)
            rc, out = a.configtest()
            if rc != 0:
                raise RuntimeError("configtest: " + " ".join(out.split())[:300])
            apaches[name] = a.start()
        except Exception as e:  # a connector that cannot start fails its cases, the run goes on
            failed[name] = f"httpd did not start: {e}"
            log(f"  {name}: {failed[name]}")
    return apaches, failed
