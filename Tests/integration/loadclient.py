"""A bounded, classifying HTTP load client for failover tests.

wrk counts every closed keep-alive connection as a "read error", including httpd's own closes of
idle keep-alive connections (MaxKeepAliveRequests, the event MPM closing keep-alive connections
when its workers are all busy) that every HTTP client retries. This client tells them apart:

* **failed**: a request that got a non-2xx answer, an incomplete answer, or no answer on a
  connection it was the first request on (the server never saw any earlier request there);
* **keep-alive race**: no byte of an answer on a *reused* connection (the server closed an idle
  connection as the request was sent); the request is retried once on a new connection, as
  browsers and RFC 9112 §9.3.1 do for idempotent requests, and only counted as failed if that
  retry fails too. POSTs are retried the same way here: httpd closed the idle connection without
  reading the request, so nothing of it reached the connector (the races are reported per run).

Every client thread runs until `duration` seconds pass (bounded); each request has a timeout."""

import http.client
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class LoadReport:
    """What one load run saw."""
    requests: int = 0
    ok: int = 0
    keepalive_races: int = 0
    failures: list = field(default_factory=list)   # (monotonic time, kind, detail)
    routes: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def failed(self):
        return len(self.failures)

    def summary(self):
        return {"requests": self.requests, "ok": self.ok, "failed": self.failed,
                "keepalive_races": self.keepalive_races, "routes": dict(self.routes),
                "failures": Counter(kind for _, kind, _ in self.failures)}


def _route(body):
    for line in body.splitlines():
        if line.startswith("route="):
            return line[6:].strip()
    return None


def _one_request(conn, method, path, body, headers):
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    return response, body


def _client(port, path, deadline, report, headers_for, requests, index, timeout):
    conn, used = None, 0
    n = 0
    while time.monotonic() < deadline:
        headers = headers_for(index, n) if headers_for else {}
        method, path_n, body, expect = requests(index, n) if requests else ("GET", path, None, None)
        n += 1
        for attempt in (0, 1):
            if conn is None:
                conn, used = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout), 0
            reused = used > 0
            try:
                response, text = _one_request(conn, method, path_n, body, headers)
                used += 1
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as e:
                conn.close()
                conn = None
                if reused and attempt == 0:
                    with report.lock:
                        report.keepalive_races += 1
                    continue
                with report.lock:
                    report.requests += 1
                    report.failures.append((time.monotonic(), "closed without answer", repr(e)))
                break
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                conn = None
                kind = "timeout" if isinstance(e, socket.timeout) else "broken answer"
                with report.lock:
                    report.requests += 1
                    report.failures.append((time.monotonic(), kind, repr(e)))
                break
            with report.lock:
                report.requests += 1
                if not 200 <= response.status < 300:
                    report.failures.append((time.monotonic(), f"status {response.status}", text[:200]))
                elif expect is not None and expect not in text:
                    report.failures.append((time.monotonic(), "wrong answer", text[:200]))
                else:
                    report.ok += 1
                    if expect is None:
                        report.routes[_route(text)] += 1
            if response.will_close:
                conn.close()
                conn = None
            break
    if conn is not None:
        conn.close()


def run_load(port, path, clients, duration, headers_for=None, requests=None, timeout=30):
    """Runs `clients` keep-alive client threads against 127.0.0.1:`port` for `duration` seconds
    and returns the LoadReport: GETs of `path`, or what `requests(client, n)` gives as
    (method, path, body, text the answer must contain or None). `headers_for(client, n)` may give
    per-request headers."""
    report = LoadReport()
    deadline = time.monotonic() + duration
    threads = [threading.Thread(target=_client, args=(port, path, deadline, report, headers_for, requests, i, timeout))
               for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(duration + timeout + 10)
    return report


class BackgroundLoad:
    """run_load in a background thread: `start()`, then `join()` returns the LoadReport."""

    def __init__(self, *args, **kwargs):
        self.result = None
        self.thread = threading.Thread(target=self._run, args=args, kwargs=kwargs)

    def _run(self, *args, **kwargs):
        self.result = run_load(*args, **kwargs)

    def start(self):
        self.thread.start()
        return self

    def join(self, timeout=120):
        self.thread.join(timeout)
        return self.result


def serves_route(port, route, path="/info.jsp"):
    """True when a request for a session of `route` (`JSESSIONID=PROBE.<route>`, new connection) is
    answered by that route's Tomcat (the body names it as `route=...`)."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", path, headers={"Cookie": f"JSESSIONID=PROBE.{route}"})
        body = conn.getresponse().read().decode(errors="replace")
        conn.close()
        return f"route={route}" in body
    except (OSError, http.client.HTTPException):
        return False
