"""Shared pieces of the load-balancer differential tests (test_balancer_differential.py and
test_balancer_lifecycle.py): the faulty AJP members, the per-connector sites and their fixture,
the client that records observations, and the comparison helpers."""

import http.client
import os
import re
import socket
import threading
import time

import pytest

from harness import Apache, Backend, free_port, make_workdir

CONNECTORS = ["modjk", "swiftjk"]


# ---------------------------------------------------------------------------------------------
# a faulty AJP member

class FaultyAJP:
    """A tiny AJP/1.3 server on 127.0.0.1 that fails on purpose.

    mode "close_after_body": reads a FORWARD_REQUEST and (if it comes within 0.5 s) the first body
    packet, then closes (FIN) without replying — T53's member.
    mode "close_after_second_body": reads a FORWARD_REQUEST and the first body packet, asks for
    more with GET_BODY_CHUNK, reads the second body packet, then closes — T54's member.
    mode "headers_then_close": answers a FORWARD_REQUEST with SEND_HEADERS (200, Content-Type)
    only, then closes — a backend that dies between its headers and its body.
    CPING is answered with CPONG. Every FORWARD_REQUEST is recorded with its URI and the body
    bytes that arrived."""

    def __init__(self, mode):
        self.mode = mode
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.lock = threading.Lock()
        self.requests = []
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    @staticmethod
    def _read_exact(conn, n):
        data = b""
        while len(data) < n:
            chunk = conn.recv(n - len(data))
            if not chunk:
                return None
            data += chunk
        return data

    def _packet(self, conn):
        head = self._read_exact(conn, 4)
        if head is None or head[:2] != b"\x12\x34":
            return None
        return self._read_exact(conn, int.from_bytes(head[2:4], "big"))

    @staticmethod
    def _uri(payload):
        protocol_length = int.from_bytes(payload[2:4], "big")
        at = 4 + protocol_length + 1
        length = int.from_bytes(payload[at:at + 2], "big")
        return payload[at + 2:at + 2 + length].decode("latin-1")

    def _serve(self, conn):
        try:
            conn.settimeout(10)
            while True:
                payload = self._packet(conn)
                if payload is None:
                    return
                if payload[:1] == b"\x0a":                      # CPING → CPONG
                    conn.sendall(b"AB\x00\x01\x09")
                    continue
                if payload[:1] != b"\x02":
                    return
                record = {"uri": self._uri(payload), "bodies": []}
                with self.lock:
                    self.requests.append(record)
                if self.mode == "headers_then_close":
                    reason = b"200"
                    content_type = b"text/plain"
                    body = (b"\x04" + (200).to_bytes(2, "big") + len(reason).to_bytes(2, "big") + reason + b"\x00"
                            + (1).to_bytes(2, "big") + b"\xa0\x01" + len(content_type).to_bytes(2, "big")
                            + content_type + b"\x00")
                    conn.sendall(b"AB" + len(body).to_bytes(2, "big") + body)
                    time.sleep(0.05)
                    return
                if self.mode == "close_after_body":
                    conn.settimeout(0.5)
                    try:
                        body = self._packet(conn)
                        if body:
                            record["bodies"].append(body[2:])
                    except socket.timeout:
                        pass
                    return
                body = self._packet(conn)                        # close_after_second_body
                if body:
                    record["bodies"].append(body[2:])
                conn.sendall(b"AB\x00\x03\x06\x1f\xfa")          # GET_BODY_CHUNK 8186
                body = self._packet(conn)
                if body:
                    record["bodies"].append(body[2:])
                return
        except OSError:
            pass
        finally:
            conn.close()

    def hits(self, path):
        with self.lock:
            return [r for r in self.requests if r["uri"].split(";")[0] == path]

    def stop(self):
        self.closed = True
        self.sock.close()


# ---------------------------------------------------------------------------------------------
# one configuration with one lb per scenario

T47_CASES = [  # (cookie header values, member the requests must stick to or None)
    (["JSESSIONID=ABC.node2"], "node2"),
    (['JSESSIONID="ABC.node2"'], "node2"),
    (["a=1,JSESSIONID=ABC.node1"], "node1"),
    (["JSESSIONID = ABC.node1"], "node1"),
    (["jsessionid=ABC.node2"], None),
    (["XJSESSIONID=ABC.node1"], None),
    (["JSESSIONID=ABC.tomcat2"], None),
    (["JSESSIONID=ABC.node2.extra"], None),
    (["JSESSIONID=node1"], None),
    (["JSESSIONID=.node1"], "node1"),
    (["JSESSIONID=;x=1"], None),
]

# Several session ids in one request. These run last (see test_t47_cookie_lists).
T47_LIST_CASES = [
    (["JSESSIONID=ABC.nodeX; JSESSIONID=DEF.node2"], "node2"),
    (["JSESSIONID=ABC.nodeX", "JSESSIONID=DEF.node2"], "node2"),      # two Cookie headers
    (["JSESSIONID=ABC.nodeX", "JSESSIONID=DEF.nodeY"], None),
]


def scenarios():
    """{lb name: (lb attributes, [(member, backend key, member attributes)])}."""
    lbs = {
        "lb45": ({}, [("t45a", "node1", {"lbfactor": 1}), ("t45b", "node2", {"lbfactor": 3})]),
        "lb46": ({}, [("t46a", "node1", {}), ("t46b", "node2", {})]),
        "lb46e": ({}, [("t46c", "node1", {}), ("t46d", "node2", {})]),
        "lb48": ({}, [("t48a", "node1", {"route": "node1"}), ("t48b", "node2", {"route": "node2"})]),
        "lb49": ({}, [("t49a", "node1", {"route": "node1"}), ("t49b", "node2", {"route": "node2"})]),
        "lb50": ({}, [("t50a", "node1", {"route": "node1"}), ("t50b", "node2", {"route": "node2"})]),
        "lb51": ({}, [("t51a", "node1", {"route": "node1"}), ("t51b", "dead", {"route": "node2"})]),
        "lb52f": ({"sticky_session_force": "false"}, [("t52a", "node1", {"route": "node1"}),
                                                      ("t52b", "dead", {"route": "node2"})]),
        "lb52t": ({"sticky_session_force": "true"}, [("u52a", "node1", {"route": "node1"}),
                                                     ("u52b", "dead", {"route": "node2"})]),
        "lb53": ({}, [("d53f", "f53", {"distance": 0}), ("d53n", "node1", {"distance": 1})]),
        "lb54": ({}, [("d54f", "f54", {"distance": 0}), ("d54n", "node1", {"distance": 1})]),
        "lbhc": ({}, [("dhcf", "fhc", {"distance": 0}), ("dhcn", "node1", {"distance": 1})]),
        "lb56": ({}, [("a1", "node1", {}), ("a2", "node2", {"activation": "D"})]),
        "lb57": ({}, [("h1", "dead", {"redirect": "h2"}), ("h2", "node2", {"activation": "disabled"})]),
        "lb58": ({}, [("d58a", "node1", {"distance": 1}), ("d58b", "node2", {"distance": 0})]),
        "lb58s": ({}, [("e58a", "node1", {"distance": 1}), ("e58b", "node2", {"distance": 0, "activation": "S"})]),
        "lb59s": ({"method": "S"}, [("s1", "node1", {}), ("s2", "node2", {})]),
        "lb59r": ({"method": "R"}, [("r1", "node1", {}), ("r2", "node2", {})]),
        "lb60": ({}, [("m503", "n503", {"fail_on_status": "-503"}), ("m1", "node1", {})]),
        "lb60h": ({}, [("h503", "n503", {"fail_on_status": "503"}), ("h1ok", "node1", {})]),
        "lb61": ({}, [("m61a", "dead", {"route": "dc1.n1"}), ("m61b", "node2", {"route": "dc1.n2"}),
                      ("m61c", "node3", {"route": "dc2.n3"})]),
        "lb62": ({}, [("b62a", "node1", {"busy_limit": 1, "distance": 0}), ("b62b", "node2", {"distance": 1})]),
    }
    for i in range(len(T47_CASES) + len(T47_LIST_CASES)):
        lbs[f"lb47c{i}"] = ({}, [(f"c{i}a", "node1", {"route": "node1"}), (f"c{i}b", "node2", {"route": "node2"})])
    return lbs


def workers_text(ports):
    lbs = scenarios()
    lines = [f"worker.list={','.join(list(lbs) + ['p62'])}", "worker.maintain=600"]
    for lb, (lb_attrs, members) in lbs.items():
        lines += [f"worker.{lb}.type=lb", f"worker.{lb}.balance_workers={','.join(m for m, _, _ in members)}"]
        lines += [f"worker.{lb}.{k}={v}" for k, v in lb_attrs.items()]
        for member, backend, attrs in members:
            lines += [f"worker.{member}.type=ajp13", f"worker.{member}.host=127.0.0.1",
                      f"worker.{member}.port={ports[backend]}"]
            lines += [f"worker.{member}.{k}={v}" for k, v in attrs.items()]
    lines += ["worker.p62.type=ajp13", "worker.p62.host=127.0.0.1", f"worker.p62.port={ports['node1']}",
              "worker.p62.busy_limit=1"]
    return "\n".join(lines) + "\n"


def jk_conf():
    mounts = [f"JkMount /{lb}/* {lb}" for lb in scenarios()]
    mounts += ["JkMount /lb50/login* lb50;sticky_ignore=1",
               "JkMount /lb58x/* lb58;stopped=d58b",
               "JkMount /p62/* p62",
               "SetEnvIf Request_URI force2 JK_ROUTE=node2",
               'LogFormat "%P %U" sjkpid', "CustomLog logs/pid.log sjkpid"]
    # SJK_LB_DEBUG=1: both connectors log at debug level (mod_jk's log names every choice)
    if os.environ.get("SJK_LB_DEBUG"):
        mounts.append("JkLogLevel debug")
    return "\n".join(mounts) + "\n"


class Site:
    """One connector + MPM with its own backends, faulty members and dead port."""

    def __init__(self, work, connector, mpm):
        self.connector, self.mpm = connector, mpm
        d = work / connector
        d.mkdir()
        self.backends = {name: Backend(d, name) for name in ["node1", "node2", "node3"]}
        self.backends["n503"] = Backend(d, "n503", mode="status:503")
        self.faulty = {"f53": FaultyAJP("close_after_body"), "f54": FaultyAJP("close_after_second_body"),
                       "fhc": FaultyAJP("headers_then_close")}
        ports = {name: b.port for name, b in self.backends.items()}
        ports.update({name: f.port for name, f in self.faulty.items()})
        ports["dead"] = free_port()
        self.workers = workers_text(ports)
        self.apache = Apache(d, connector, mpm, jk_conf=jk_conf(), workers=self.workers).start()

    def pids(self, paths):
        """Child pids (from the %P log) that served any of `paths`."""
        log = self.apache.dir / "logs/pid.log"
        if not log.exists():
            return set()
        return {line.split()[0] for line in log.read_text().splitlines()
                if len(line.split()) == 2 and line.split()[1] in paths}

    def hits(self, path):
        """Per backend, (route, JK_LB_ACTIVATION) of every FORWARD_REQUEST for `path`."""
        result = {}
        for name, backend in self.backends.items():
            found = []
            for fr in backend.forward_requests():
                d = fr.get("decoded") or {}
                if d.get("req_uri", "").split(";")[0] != path:
                    continue
                attrs = d.get("attributes", [])
                route = next((a[1] for a in attrs if a[0] == "route"), None)
                activation = next((a[1].split("=", 1)[1] for a in attrs if a[0] == "req_attribute"
                                   and isinstance(a[1], str) and a[1].startswith("JK_LB_ACTIVATION=")), None)
                found.append((route, activation))
            if found:
                result[name] = found
        for name, faulty in self.faulty.items():
            found = faulty.hits(path)
            if found:
                result[name] = [("<faulty>", len(b"".join(r["bodies"]))) for r in found]
        return result

    def stop(self):
        self.apache.stop()
        for b in self.backends.values():
            b.stop()
        for f in self.faulty.values():
            f.stop()


@pytest.fixture(scope="module", params=["prefork", "event"])
def sites(request):
    work = make_workdir("sjk-lbdiff-")
    result = {}
    try:
        for connector in CONNECTORS:
            result[connector] = Site(work, connector, request.param)
        yield result
        # checked before stopping: a crash at shutdown is test_stopping_prefork_children_...
        crashed = {c: site.apache.crashed_children() for c, site in result.items()}
        assert crashed == {c: [] for c in result}, crashed
    finally:
        for site in result.values():
            site.stop()


# ---------------------------------------------------------------------------------------------
# clients

class Client:
    """Round-robin over `n` keep-alive connections (in prefork: n different children)."""

    def __init__(self, site, n=None):
        self.site = site
        n = n or (3 if site.mpm == "prefork" else 1)
        self.conns = [http.client.HTTPConnection("127.0.0.1", site.apache.port, timeout=30) for _ in range(n)]
        self.next = 0

    def request(self, path, cookies=(), method="GET", body=None, conn=None):
        """Sends one request on the next connection; returns (status, X-Node, response body)."""
        if conn is None:
            conn = self.conns[self.next % len(self.conns)]
            self.next += 1
        conn.putrequest(method, path, skip_accept_encoding=True)
        for cookie in cookies:
            conn.putheader("Cookie", cookie)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
            conn.putheader("Content-Type", "application/x-www-form-urlencoded")
        conn.endheaders(body)
        response = conn.getresponse()
        data = response.read()
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
        return response.status, response.getheader("X-Node"), data

    def observe(self, path, **kw):
        """One request on `path` + what the backends saw for it."""
        status, node, _ = self.request(path, **kw)
        return {"status": status, "node": node, "hits": self.site.hits(path)}

    def close(self):
        for c in self.conns:
            c.close()


def run(sites, scenario):
    """Runs `scenario(client, site)` on both connectors; returns {connector: result}."""
    results = {}
    for connector, site in sites.items():
        client = Client(site)
        try:
            results[connector] = scenario(client, site)
        finally:
            client.close()
    return results


def nodes(observations):
    return [o["node"] for o in observations]


def assert_same(results):
    """SwiftJK must make the same choices as mod_jk; returns mod_jk's."""
    assert results["swiftjk"] == results["modjk"], (
        f"\nmod_jk:  {results['modjk']}\nSwiftJK: {results['swiftjk']}")
    return results["modjk"]


# ---------------------------------------------------------------------------------------------
# T45, T46: weights and alternation through shared state
