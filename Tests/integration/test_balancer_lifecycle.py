"""Lifecycle and configtest checks of balancers, against Debian's mod_jk 1.2.48: prefork children
stopped while holding balanced keep-alive connections, and the warnings configtest gives about
member routes and lb attributes set on members."""


import http.client
import os
import re
import socket
import threading
import time

import pytest

from harness import Apache, Backend, free_port, make_workdir

# ---------------------------------------------------------------------------------------------
# shutdown

@pytest.mark.parametrize("connector", [
    "modjk",
    "swiftjk"])
def test_stopping_prefork_children_with_a_balancer_does_not_crash(connector):
    """Up to 40 start/stop cycles (mod_jk: 10) of a prefork httpd with 12 children that just
    served balanced requests on open keep-alive connections; no child may die by a signal."""
    work = make_workdir("sjk-lbstop-")
    backends = [Backend(work, "node1"), Backend(work, "node2")]
    text = ("worker.list=lb\nworker.lb.type=lb\nworker.lb.balance_workers=m1,m2\n" +
            "".join(f"worker.m{i + 1}.host=127.0.0.1\nworker.m{i + 1}.port={b.port}\n" for i, b in enumerate(backends)))
    crashes = []
    try:
        for cycle in range(10 if connector == "modjk" else 40):
            apache = Apache(work, connector, "prefork", workers=text, name=f"stop-{cycle}",
                            jk_conf="JkMount /app/* lb\nStartServers 12\nMinSpareServers 12\nMaxSpareServers 14\n")
            apache.start()
            conns = [http.client.HTTPConnection("127.0.0.1", apache.port, timeout=10) for _ in range(10)]
            try:
                for j in range(20):
                    conns[j % 10].request("GET", f"/app/r{j}")
                    assert conns[j % 10].getresponse().read().startswith(b"node=")
            finally:
                apache.stop()
                for c in conns:
                    c.close()
            crashes += apache.crashed_children()
            if crashes:
                break
    finally:
        for b in backends:
            b.stop()
    assert crashes == [], crashes


# ---------------------------------------------------------------------------------------------
# configtest: what SwiftJK warns about and mod_jk does not

def lb_file(member_lines):
    return ("worker.list=lb\nworker.lb.type=lb\nworker.lb.balance_workers=m1,m2\n"
            "worker.m1.host=127.0.0.1\nworker.m1.port=28009\n"
            "worker.m2.host=127.0.0.1\nworker.m2.port=28010\n" + member_lines)


def configtest(work, connector, workers, name):
    apache = Apache(work, connector, "event", jk_conf="JkMount /lb/* lb\n", workers=workers, name=name)
    rc, out = apache.configtest()
    return apache, rc, out


def test_configtest_two_members_with_one_route():
    """mod_jk accepts this in configtest and refuses to START ("Balanced workers number 1 (m2)
    and 0 (m1) share the same route same - aborting configuration!"): a route can match only one
    member (§9.5.2). SwiftJK reports it in configtest already, naming both members, the route and
    the line."""
    work = make_workdir()
    text = lb_file("worker.m1.route=same\nworker.m2.route=same\n")
    apache, rc, out = configtest(work, "swiftjk", text, "dup-swiftjk")
    assert rc != 0, out
    line = text.splitlines().index("worker.m2.route=same") + 1
    assert re.search(re.escape(f"{apache.workers_file}:{line}: ") + r".*'m1' and 'm2'.*share the route 'same'", out), out
    apache, rc, out = configtest(work, "modjk", text, "dup-modjk")
    assert rc == 0 and "Syntax OK" in out, out
    try:
        apache.start()
        exited = _wait_exit(apache)
    except RuntimeError:
        exited = True
    finally:
        apache.stop()
    assert exited
    assert "share the same route same - aborting configuration" in apache.jk_log()


def _wait_exit(apache, seconds=3):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if apache._proc.poll() is not None:
            return True
        time.sleep(0.1)
    return False


ROUTE_WARNINGS = [
    ("dc1.node1", r"route 'dc1\.node1' of member 'm1' contains '\.', which puts the member in domain 'dc1'"),
    ("node;1", r"route 'node;1' of member 'm1' contains ';'.*no session can ever be routed to it"),
    ("a,b", r"route 'a,b' of member 'm1' can never come from a cookie"),
]


@pytest.mark.parametrize("route, words", ROUTE_WARNINGS, ids=[r[0] for r in ROUTE_WARNINGS])
def test_configtest_warns_about_member_route_that_cannot_match(route, words):
    work = make_workdir()
    text = lb_file(f"worker.m1.route={route}\n")
    apache, rc, out = configtest(work, "swiftjk", text, "w-swiftjk")
    assert rc == 0 and "Syntax OK" in out, out
    assert re.search(re.escape(f"{apache.workers_file}:") + r"\d+: .*" + words, out), out
    # mod_jk says nothing and starts
    apache, rc, out = configtest(work, "modjk", text, "w-modjk")
    assert rc == 0 and "route" not in out, out
    apache.start()
    try:
        assert apache._proc.poll() is None
    finally:
        apache.stop()


def test_configtest_route_warning_names_the_route_line():
    work = make_workdir()
    text = lb_file("worker.m1.route=node;1\n")
    apache, rc, out = configtest(work, "swiftjk", text, "l-swiftjk")
    line = text.splitlines().index("worker.m1.route=node;1") + 1
    assert re.search(re.escape(f"{apache.workers_file}:{line}: route 'node;1'"), out), out


@pytest.mark.parametrize("attr, value", [("method", "Session"), ("sticky_session", "True")])
def test_configtest_warns_about_lb_attribute_on_member(attr, value):
    work = make_workdir()
    text = lb_file(f"worker.m1.{attr}={value}\n")
    apache, rc, out = configtest(work, "swiftjk", text, "m-swiftjk")
    assert rc == 0 and "Syntax OK" in out, out
    assert re.search(rf"worker\.m1\.{attr}.*no effect.*did you mean worker\.lb\.{attr}\?", out), out
    _, rc, out = configtest(work, "modjk", text, "m-modjk")
    assert rc == 0 and attr not in out, out
