"""Processes the integration tests run for real: Apache httpd (Debian's apache2 binary with a
generated configuration), Tomcat 10 instances (one CATALINA_BASE each), and the Swift recording
AJP backend. Everything binds to 127.0.0.x only; every process is started here and stopped here
by PID."""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APACHE_MODULES = Path("/usr/lib/apache2/modules")
TOMCAT_HOME = Path("/usr/share/tomcat10")
# SJK_SANITIZE=address|thread: the suite runs against the sanitizer build of the module
# (`make -C apxs sanitize`, see scripts/sanitize); every httpd gets the sanitizer runtime preloaded
# and writes its reports to SANITIZER_LOG_DIR, which conftest checks after each test.
SANITIZE = os.environ.get("SJK_SANITIZE", "")
SWIFTJK_SO = Path(os.environ.get("SWIFTJK_SO", ROOT / (f"apxs/out-sanitize/{SANITIZE}/mod_swiftjk.so" if SANITIZE
                                                      else "apxs/out/mod_swiftjk.so")))
SANITIZER_LOG_DIR = Path(os.environ.get("SJK_SANITIZER_LOG_DIR", ROOT / "Tests/out/sanitizer"))
# Longest wait for an event MPM httpd's threads to go idle before its SIGTERM (see Apache.stop).
QUIESCE_SECONDS = 0.5
BACKEND_BIN = Path(os.environ.get("AJP_TEST_BACKEND", ROOT / ".build/debug/ajp-test-backend"))
WEBAPP = ROOT / "Tests/webapp"
CLUSTER_EXAMPLE = ROOT / "conf/examples/cluster"


def sanitizer_runtime():
    """The sanitizer runtime library the sanitizer build of the module needs preloaded."""
    resource = subprocess.run([str(Path(shutil.which("swift")).resolve().parent / "clang"), "-print-resource-dir"],
                              capture_output=True, text=True, check=True).stdout.strip()
    arch = os.uname().machine
    name = "tsan" if SANITIZE == "thread" else "asan"
    return f"{resource}/lib/linux/libclang_rt.{name}-{arch}.so"


def apache_env():
    """The environment httpd runs with: ours, plus the preloaded sanitizer runtime and its options
    when SJK_SANITIZE is set (reports go to files, not to the error log, so they cannot be missed)."""
    env = dict(os.environ)
    if not SANITIZE:
        return env
    SANITIZER_LOG_DIR.mkdir(parents=True, exist_ok=True)
    os.chmod(SANITIZER_LOG_DIR, 0o1777)   # children write their reports as www-data
    log = f"log_path={SANITIZER_LOG_DIR}/report"
    env["LD_PRELOAD"] = sanitizer_runtime()
    if SANITIZE == "thread":
        # The Swift toolchain's TSan runtime intercepts libdispatch and needs its symbols loaded.
        swift_lib = Path(shutil.which("swift")).resolve().parent.parent / "lib/swift/linux"
        env["LD_PRELOAD"] += f" {swift_lib}/libBlocksRuntime.so {swift_lib}/libdispatch.so"
    # httpd's own allocations are pool-based and freed wholesale or at exit; leak checking at
    # child exit reports httpd's and APR's, so leaks are measured by the soak's memory curve instead.
    env["ASAN_OPTIONS"] = f"{log}:detect_leaks=0:abort_on_error=1:detect_odr_violation=0"
    env["UBSAN_OPTIONS"] = f"{log}:print_stacktrace=1"
    env["TSAN_OPTIONS"] = f"{log}:report_signal_unsafe=0"
    return env


def sanitizer_reports():
    """The sanitizer report files written so far."""
    return sorted(SANITIZER_LOG_DIR.glob("report*")) if SANITIZER_LOG_DIR.exists() else []


def free_port(address="127.0.0.1"):
    """A TCP port that is free on `address` right now."""
    with socket.socket() as s:
        s.bind((address, 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, interval=0.1):
    """Polls `predicate` until it is true or `timeout` seconds pass; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def stop_pid(pid, grace=5.0):
    """Stops a process we started: SIGTERM, then SIGKILL after `grace` seconds."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                return
        except ChildProcessError:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


class Backend:
    """The recording, scriptable AJP backend (Sources/AJPTestBackend)."""

    def __init__(self, workdir, name="node1", address="127.0.0.1", mode="normal", secret=None, packet_size=8192,
                 port=0):
        self.workdir = Path(workdir)
        self.name, self.address = name, address
        self.record = self.workdir / f"backend-{name}.jsonl"
        port_file = self.workdir / f"backend-{name}.port"
        if port_file.exists():
            port_file.unlink()
        args = [str(BACKEND_BIN), "--listen", f"{address}:{port}", "--name", name, "--record", str(self.record),
                "--mode", mode, "--port-file", str(port_file), "--packet-size", str(packet_size)]
        if secret:
            args += ["--secret", secret]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=open(self.workdir / f"backend-{name}.err", "w"))
        if not wait_until(lambda: port_file.exists() and port_file.read_text().strip(), 10):
            raise RuntimeError("ajp-test-backend did not start")
        self.port = int(port_file.read_text().strip())

    def entries(self):
        """Every JSONL record so far."""
        if not self.record.exists():
            return []
        return [json.loads(line) for line in self.record.read_text().splitlines() if line.strip()]

    def packets(self, kind=None):
        """Recorded packets (optionally of one type), oldest first."""
        return [e for e in self.entries() if "type" in e and (kind is None or e["type"] == kind)]

    def forward_requests(self):
        """Recorded FORWARD_REQUEST packets."""
        return self.packets("forward_request")

    def clear(self):
        """Forgets what was recorded so far."""
        if self.record.exists():
            self.record.write_text("")

    def stop(self):
        """Stops the backend."""
        stop_pid(self.proc.pid)


class Apache:
    """A real httpd with a generated configuration on a loopback port.

    connector: "swiftjk" (our module), "modjk" (Debian's mod_jk, the oracle) or "proxy"
    (mod_proxy_ajp). `jk_conf` is appended verbatim; `workers` is written to workers.properties
    in the server root and referenced by JkWorkersFile when the connector is a JK module."""

    def __init__(self, workdir, connector="swiftjk", mpm="event", jk_conf="", workers=None, name=None, port=None):
        self.connector, self.mpm = connector, mpm
        self.dir = Path(workdir) / (name or f"httpd-{connector}-{mpm}")
        if self.dir.exists():
            shutil.rmtree(self.dir)
        (self.dir / "logs").mkdir(parents=True)
        (self.dir / "htdocs").mkdir()
        os.chmod(self.dir, 0o755)
        os.chmod(self.dir / "htdocs", 0o755)
        (self.dir / "htdocs/static.txt").write_text("static hello file\n")
        self.port = port or free_port()
        self.pid = None
        self.workers_file = self.dir / "workers.properties"
        if workers is not None:
            self.workers_file.write_text(workers)
        self.conf = self.dir / "httpd.conf"
        self.conf.write_text(self._config(jk_conf, workers is not None))

    def _config(self, jk_conf, has_workers):
        lines = [f"ServerRoot {self.dir}", f"PidFile {self.dir}/logs/httpd.pid", "ServerName 127.0.0.1",
                 f"Listen 127.0.0.1:{self.port}",
                 f"LoadModule mpm_{self.mpm}_module {APACHE_MODULES}/mod_mpm_{self.mpm}.so"]
        for m in ["authz_core", "authz_host", "mime", "setenvif", "env", "headers", "dir", "alias"]:
            lines.append(f"LoadModule {m}_module {APACHE_MODULES}/mod_{m}.so")
        if self.connector == "swiftjk":
            lines.append(f"LoadModule jk_module {SWIFTJK_SO}")
        elif self.connector == "modjk":
            lines.append(f"LoadModule jk_module {APACHE_MODULES}/mod_jk.so")
        elif self.connector == "proxy":
            for m in ["proxy", "proxy_ajp", "proxy_balancer", "slotmem_shm", "lbmethod_byrequests"]:
                lines.append(f"LoadModule {m}_module {APACHE_MODULES}/mod_{m}.so")
        lines += ["User www-data", "Group www-data", f"ErrorLog {self.dir}/logs/error.log", "LogLevel warn",
                  'LogFormat "%h \\"%r\\" %>s %b %{JK_WORKER_NAME}n" jk', f"CustomLog {self.dir}/logs/access.log jk",
                  f"DocumentRoot {self.dir}/htdocs", "TypesConfig /etc/mime.types",
                  f"<Directory {self.dir}/htdocs>", "    Require all granted", "</Directory>"]
        if self.mpm == "prefork":
            lines += ["StartServers 4", "MinSpareServers 4", "MaxSpareServers 8", "MaxRequestWorkers 32"]
        else:
            lines += ["StartServers 2", "ServerLimit 4", "ThreadsPerChild 16", "ThreadLimit 16",
                      "MaxRequestWorkers 64", "MinSpareThreads 16", "MaxSpareThreads 64"]
        if self.connector in ("swiftjk", "modjk"):
            if has_workers:
                lines.append(f"JkWorkersFile {self.workers_file}")
            lines += [f"JkLogFile {self.dir}/logs/mod_jk.log", "JkLogLevel info",
                      f"JkShmFile {self.dir}/logs/jk-runtime-status"]
        lines.append(jk_conf)
        return "\n".join(lines) + "\n"

    def configtest(self):
        """Runs `apache2 -t`; returns (exit code, combined output)."""
        p = subprocess.run(["apache2", "-f", str(self.conf), "-t"], capture_output=True, text=True, timeout=60,
                           env=apache_env())
        return p.returncode, p.stdout + p.stderr

    def start(self):
        """Starts httpd and waits until it answers."""
        out = open(self.dir / "logs/stdout.log", "w")
        # A session of its own: prefork stops its children with killpg(getpgrp()), which would
        # otherwise also hit the test runner.
        proc = subprocess.Popen(["apache2", "-f", str(self.conf), "-DFOREGROUND"], stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, env=apache_env())
        self.pid = proc.pid
        self._proc = proc

        def up():
            if proc.poll() is not None:
                raise RuntimeError(f"apache2 exited: {self.error_log()} {(self.dir / 'logs/stdout.log').read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return True
            except OSError:
                return False
        if not wait_until(up, 20):
            raise RuntimeError("apache2 did not start listening")
        return self

    def url(self, path):
        """http://127.0.0.1:<port><path>."""
        return f"http://127.0.0.1:{self.port}{path}"

    def error_log(self):
        """The httpd error log so far."""
        p = self.dir / "logs/error.log"
        return p.read_text(errors="replace") if p.exists() else ""

    def jk_log(self):
        """The JK log so far."""
        p = self.dir / "logs/mod_jk.log"
        return p.read_text(errors="replace") if p.exists() else ""

    def crashed_children(self):
        """Error-log lines that report a child killed by a signal."""
        return [line for line in self.error_log().splitlines() if "exit signal" in line]

    def stop(self):
        """Stops httpd: SIGTERM to the parent, which stops its children. With the event MPM, once
        no thread of the children is running (see `_wait_quiet`): its ungraceful stop closes the
        sockets of connections whose worker may be freeing them at that moment
        (close_worker_sockets), and a child now and then dies of SIGSEGV in apr_os_sock_get.
        Debian's mod_jk crashes the same way (3 of 80 stops right after a request), so it is
        httpd's race, not the connector's, and it would fail crash checks."""
        if self.pid:
            if self.mpm == "event":
                self._wait_quiet()
            stop_pid(self.pid, grace=10)
            self.pid = None


    def _wait_quiet(self):
        """Waits (at most QUIESCE_SECONDS) until no thread of httpd's children has been running
        in two samples 20 ms apart: a worker that just finished a connection is done freeing it."""
        deadline, quiet = time.monotonic() + QUIESCE_SECONDS, 0
        while time.monotonic() < deadline and quiet < 2:
            quiet = quiet + 1 if not any(state == "R" for state in self._child_thread_states()) else 0
            time.sleep(0.02)

    def _child_thread_states(self):
        """The scheduler state letter of every thread of httpd's children."""
        states = []
        for task in Path("/proc").glob("[0-9]*/task/[0-9]*/stat"):
            try:
                text = task.read_text()
                fields = text.rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if len(fields) > 1 and fields[1] == str(self.pid):
                states.append(fields[0])
        return states


class Tomcat:
    """A real Tomcat 10 from Debian's tomcat10 package with its own CATALINA_BASE."""

    def __init__(self, workdir, name, address, route, secret=None):
        self.name, self.address, self.route, self.secret = name, address, route, secret
        self.base = Path(workdir) / f"tomcat-{name}"
        self.ajp_port = free_port(address)
        self.http_port = free_port(address)
        self.cluster_port = free_port(address)
        self.peers = []   # set by cluster(): every node of its cluster, itself included
        self.proc = None

    def _cluster_server_xml(self):
        """conf/examples/cluster/server.xml as shipped, with one more Member line per node beyond two,
        and the system properties that fill it in for this node."""
        text = (CLUSTER_EXAMPLE / "server.xml").read_text()
        marker = "            <!-- a third node:"
        extra = "".join(f"""            <Member className="org.apache.catalina.tribes.membership.StaticMember"
                    host="${{swiftjk.member{i}.host}}" port="${{swiftjk.member{i}.port}}"
                    uniqueId="{{0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,{i}}}"/>
""" for i in range(3, len(self.peers) + 1))
        text = text.replace(marker, extra + marker)
        props = {"swiftjk.route": self.route, "swiftjk.address": self.address, "swiftjk.ajp.port": self.ajp_port,
                 "swiftjk.http.port": self.http_port, "swiftjk.ajp.secret": self.secret,
                 "swiftjk.cluster.port": self.cluster_port}
        for i, peer in enumerate(self.peers, start=1):
            props[f"swiftjk.member{i}.host"] = peer.address
            props[f"swiftjk.member{i}.port"] = peer.cluster_port
        return text, [f"-D{k}={v}" for k, v in props.items()]

    def start(self):
        """Writes the base and starts the JVM (does not wait)."""
        b = self.base
        for d in ["conf", "logs", "temp", "work", "webapps/ROOT"]:
            (b / d).mkdir(parents=True, exist_ok=True)
        for f in ["web.xml", "catalina.properties", "context.xml"]:
            shutil.copy(f"/etc/tomcat10/{f}", b / "conf" / f)
        (b / "conf/logging.properties").write_text(
            "handlers = java.util.logging.ConsoleHandler\n.level = WARNING\n"
            "java.util.logging.ConsoleHandler.level = WARNING\n")
        secret = f'secretRequired="true" secret="{self.secret}"' if self.secret else 'secretRequired="false"'
        server_xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<Server port="-1" shutdown="SHUTDOWN">
  <Service name="Catalina">
    <Connector port="{self.http_port}" address="{self.address}" protocol="HTTP/1.1" connectionTimeout="20000"/>
    <Connector port="{self.ajp_port}" address="{self.address}" protocol="AJP/1.3" {secret}
               maxThreads="64" allowedRequestAttributesPattern="SJK_.*|MYVAR|DEFVAR"/>
    <Engine name="Catalina" defaultHost="localhost" jvmRoute="{self.route}">
      <Host name="localhost" appBase="webapps" unpackWARs="false" autoDeploy="false"/>
    </Engine>
  </Service>
</Server>
"""
        properties = []
        if self.peers:
            server_xml, properties = self._cluster_server_xml()
        (b / "conf/server.xml").write_text(server_xml)
        shutil.copytree(WEBAPP, b / "webapps/ROOT", dirs_exist_ok=True)
        (b / "webapps/ROOT/node.txt").write_text(self.route)
        if self.peers:
            (b / "webapps/ROOT/WEB-INF").mkdir(exist_ok=True)
            shutil.copy(CLUSTER_EXAMPLE / "web.xml", b / "webapps/ROOT/WEB-INF/web.xml")
        cmd = ["java", "-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", *properties,
               f"-Djava.util.logging.config.file={b}/conf/logging.properties",
               f"-Dcatalina.home={TOMCAT_HOME}", f"-Dcatalina.base={b}", f"-Djava.io.tmpdir={b}/temp",
               "-classpath", f"{TOMCAT_HOME}/bin/bootstrap.jar:{TOMCAT_HOME}/bin/tomcat-juli.jar",
               "org.apache.catalina.startup.Bootstrap", "start"]
        self.proc = subprocess.Popen(cmd, stdout=open(b / "logs/console.log", "w"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        return self

    def wait(self, timeout=120):
        """Waits until the JSP app answers on Tomcat's own HTTP connector."""
        def up():
            if self.proc.poll() is not None:
                raise RuntimeError((self.base / "logs/console.log").read_text())
            try:
                with urllib.request.urlopen(f"http://{self.address}:{self.http_port}/info.jsp", timeout=10) as r:
                    return r.status == 200
            except OSError:
                return False
        if not wait_until(up, timeout, 0.25):
            raise RuntimeError(f"Tomcat {self.name} did not start")
        return self

    def kill(self):
        """SIGKILL (for failover tests)."""
        if self.proc:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            self.proc = None

    def stop(self):
        """Stops the JVM."""
        if self.proc:
            stop_pid(self.proc.pid, grace=10)
            self.proc = None


def cluster(tomcats):
    """Makes `tomcats` one session-replicating cluster (conf/examples/cluster) once (re)started;
    each needs a secret (the example's AJP connector requires one)."""
    for t in tomcats:
        t.peers = list(tomcats)
    return tomcats


def workers_for(tomcats_or_backends, secret=None):
    """A workers.properties text with one ajp13 worker per backend (named after it)."""
    names = [t.name for t in tomcats_or_backends]
    lines = [f"worker.list={','.join(names)}"]
    for t in tomcats_or_backends:
        port = getattr(t, "ajp_port", None) or t.port
        lines += [f"worker.{t.name}.type=ajp13", f"worker.{t.name}.host={t.address}", f"worker.{t.name}.port={port}"]
        s = getattr(t, "secret", None) if secret is None else secret
        if s:
            lines.append(f"worker.{t.name}.secret={s}")
    return "\n".join(lines) + "\n"


def make_workdir(prefix="sjk-"):
    """A fresh temporary directory readable by httpd's children."""
    d = Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(d, 0o755)
    return d


def appendix_b(hosts=("127.0.0.1", "127.0.0.1"), ports=(28009, 28010), routes=("node1", "node2"), secret=None):
    """The two-Tomcat workers.properties of the reference's Appendix B (inline comments and
    member-level lb attributes included), with other addresses, routes or an lb secret."""
    lines = ["worker.list=lb,jkstatus   # the balancer and status", "worker.lb.type=lb",
             "worker.lb.balance_workers=tomcat1,tomcat2"]
    if secret is not None:
        lines.append(f"worker.lb.secret={secret}   # Tomcat 10 requires an AJP secret")
    for n, (host, port, route, word) in enumerate(zip(hosts, ports, routes, ("one", "two")), start=1):
        lines += [f"worker.tomcat{n}.type=ajp13", f"worker.tomcat{n}.host={host}",
                  f"worker.tomcat{n}.port={port}   # node {word}", f"worker.tomcat{n}.lbfactor=1",
                  f"worker.tomcat{n}.method=Session    # lb-only attr on member",
                  f"worker.tomcat{n}.sticky_session=True  # lb-only attr on member",
                  f"worker.tomcat{n}.route={route}"]
    return "\n".join(lines + ["worker.jkstatus.type=status", ""])


# Appendix B byte for byte (ports 28009/28010, routes node1/node2).
APPENDIX_B = appendix_b()
