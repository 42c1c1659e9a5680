"""A refused connect is a global fact at once (lb `connect_errors_global`, default true): the first
refused connect puts the member in ERR for every httpd child and is not retried on the same member,
so under concurrent load the dead member costs a handful of connect attempts instead of two per
request for as long as error_escalation_time keeps the error local (mod_jk's rule, still reachable
with `connect_errors_global=false`). No client request fails either way."""

import http.client
import threading

import pytest

from harness import Apache, Backend, free_port, make_workdir


def workers(live, live2, dead, dead2):
    return "\n".join([
        "worker.list=fast,modjk,jkstatus",
        "worker.live.host=127.0.0.1", f"worker.live.port={live}", "worker.live.route=live",
        "worker.dead.host=127.0.0.1", f"worker.dead.port={dead}", "worker.dead.route=dead",
        "worker.fast.type=lb", "worker.fast.balance_workers=dead,live",
        "worker.live2.host=127.0.0.1", f"worker.live2.port={live2}", "worker.live2.route=live2",
        "worker.dead2.host=127.0.0.1", f"worker.dead2.port={dead2}", "worker.dead2.route=dead2",
        "worker.modjk.type=lb", "worker.modjk.balance_workers=dead2,live2", "worker.modjk.connect_errors_global=false",
        "worker.jkstatus.type=status", ""])


def refused(apache, member):
    conn = http.client.HTTPConnection("127.0.0.1", apache.port, timeout=30)
    conn.request("GET", "/jkstatus?mime=prometheus")
    body = conn.getresponse().read().decode()
    conn.close()
    for line in body.splitlines():
        if line.startswith("swiftjk_member_failures_total{") and f'member="{member}"' in line \
                and 'kind="connect_refused"' in line:
            return int(float(line.rsplit(" ", 1)[1]))
    raise AssertionError(body)


def load(apache, path, clients=8, each=15):
    statuses = []

    def client():
        for _ in range(each):
            conn = http.client.HTTPConnection("127.0.0.1", apache.port, timeout=30)
            conn.request("GET", path)
            r = conn.getresponse()
            r.read()
            statuses.append(r.status)
            conn.close()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


@pytest.mark.parametrize("mpm", ["prefork", "event"])
def test_refused_connects_are_global_at_once_and_mod_jks_rule_stays_reachable(mpm):
    work = make_workdir("sjk-connect-")
    live, live2 = Backend(work, "live"), Backend(work, "live2")
    apache = Apache(work, "swiftjk", mpm, workers=workers(live.port, live2.port, free_port(), free_port()),
                    jk_conf="JkMount /fast/* fast\nJkMount /modjk/* modjk\nJkMount /jkstatus* jkstatus\n").start()
    try:
        fast = load(apache, "/fast/x")
        modjk = load(apache, "/modjk/x")
        assert fast.count(200) == len(fast) and modjk.count(200) == len(modjk), "no request fails"
        global_attempts, local_attempts = refused(apache, "dead"), refused(apache, "dead2")
        print(f"{mpm}: refused connects to the dead member for 120 requests by 8 clients: "
              f"connect_errors_global=true {global_attempts}, false (mod_jk) {local_attempts}")
        assert 1 <= global_attempts <= 8, "at most the requests already on their way when it failed"
        assert local_attempts > global_attempts
    finally:
        apache.stop()
        live.stop()
        live2.stop()
    assert not apache.crashed_children()
