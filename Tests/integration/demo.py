"""The demo behind scripts/demo: two real Tomcat 10 instances (jvmRoute tomcat1 and tomcat2 on
127.0.0.10 and 127.0.0.12) behind Apache httpd + SwiftJK with the two-Tomcat configuration of the
reference's Appendix B — inline comments, member-level `method`/`sticky_session` lines and all.
It shows `apachectl configtest`'s warnings about those lines, balancing for new visitors, and a
session that sticks to its Tomcat, then keeps running until Ctrl-C (or stops with --check)."""

import http.client
import re
import signal
import socket
import sys
import time

from harness import CLUSTER_EXAMPLE, Apache, Tomcat, appendix_b, cluster, free_port, make_workdir

DEMO_PORT = 18080
SECRET = "demo-secret"


def demo_port():
    """18080 when it is free, else any free loopback port."""
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", DEMO_PORT))
            return DEMO_PORT
        except OSError:
            return free_port()


def get(port, path, cookie=None):
    """One request on a new connection; returns (status, route, session cookie)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    body = response.read().decode(errors="replace")
    conn.close()
    route = re.search(r"route=(\S+)", body)
    session = re.search(r"JSESSIONID=([^;]+)", response.getheader("Set-Cookie") or "")
    return response.status, route.group(1) if route else "?", session.group(1) if session else None


def show(apache):
    port = apache.port
    print("\n$ apachectl configtest   (SwiftJK explains what mod_jk silently ignores)")
    _, output = apache.configtest()
    for line in output.splitlines():
        if "SJK0201" in line or "Syntax" in line:
            print("  " + re.sub(r"^.*SJK0201: ", "", line))
    print("\nNew visitors are balanced over the Tomcats (method Request, lbfactor 1:1; lb_value is shared by\n"
          "all httpd children, so every pair of requests reaches both):")
    for i in range(6):
        status, route, _ = get(port, "/info.jsp")
        print(f"  GET /info.jsp -> {status} from {route}")
    status, route, session = get(port, "/session.jsp")
    print(f"\nA session is created on {route}: JSESSIONID={session}")
    for i in range(4):
        status, again, _ = get(port, "/info.jsp", cookie=f"JSESSIONID={session}")
        print(f"  GET /info.jsp with Cookie: JSESSIONID={session} -> {status} from {again}")
    status, again, _ = get(port, f"/info.jsp;jsessionid={session}")
    print(f"  GET /info.jsp;jsessionid={session} -> {status} from {again}")


def show_status(apache):
    """The status worker as scripts use it: read the members, take one out, put it back."""
    def txt(query):
        conn = http.client.HTTPConnection("127.0.0.1", apache.port, timeout=30)
        conn.request("GET", f"/jkstatus?mime=txt&{query}")
        body = conn.getresponse().read().decode(errors="replace")
        conn.close()
        return body
    print("\nThe status worker (jkstatus), as monitoring and deploy scripts use it:")
    for line in txt("cmd=list").splitlines():
        if line.startswith("Member:"):
            fields = dict(f.split("=", 1) for f in line.split()[1:] if "=" in f)
            print(f"  member {fields['name']}: activation={fields['activation']} state={fields['state']} "
                  f"elected={fields['elected']} sessions={fields['sessions']}")
    print("  GET /jkstatus?cmd=update&w=lb&sw=tomcat1&vwa=1&mime=txt -> "
          + txt("cmd=update&from=list&w=lb&sw=tomcat1&vwa=1").strip())
    routes = [get(apache.port, "/info.jsp")[1] for _ in range(4)]
    print(f"  tomcat1 disabled: 4 new visitors went to {', '.join(routes)}")
    print("  GET /jkstatus?cmd=update&w=lb&sw=tomcat1&vwa=0&mime=txt -> "
          + txt("cmd=update&from=list&w=lb&sw=tomcat1&vwa=0").strip())


def stop_all(apache, tomcats):
    """Stops what the demo started (Apache if it got that far, then the Tomcats)."""
    if apache:
        apache.stop()
    for tomcat in tomcats:
        tomcat.stop()
    print("stopped Apache and both Tomcats.")


def wait_for_ctrl_c():
    """Keeps the demo running until Ctrl-C or SIGTERM; returns the exit code."""
    print("Press Ctrl-C to stop.", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0


def counter(port, session):
    """GET /counter.jsp with the session; returns (status, count, route, session after the answer)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/counter.jsp", headers={"Cookie": f"JSESSIONID={session}"} if session else {})
    response = conn.getresponse()
    body = response.read().decode(errors="replace")
    conn.close()
    count = re.search(r"count=(\d+)", body)
    route = re.search(r"route=(\S+)", body)
    cookie = re.search(r"JSESSIONID=([^;]+)", response.getheader("Set-Cookie") or "")
    return (response.status, count.group(1) if count else "?", route.group(1) if route else "?",
            cookie.group(1) if cookie else session)


def cluster_demo(work, check_only):
    """Two Tomcats replicating sessions (conf/examples/cluster) behind SwiftJK: a session's counter
    survives the SIGKILL of the Tomcat that holds it."""
    tomcats = cluster([Tomcat(work, f"node{i}", "127.0.0.1", f"node{i}", secret=SECRET) for i in (1, 2)])
    apache = None
    try:
        print("starting two Tomcat 10 nodes replicating sessions (conf/examples/cluster/server.xml)...", flush=True)
        for tomcat in tomcats:
            tomcat.start()
        for tomcat in tomcats:
            tomcat.wait(180)
        workers = (CLUSTER_EXAMPLE / "workers.properties").read_text()
        workers = workers.replace("change-me-cluster-secret", SECRET)
        workers = workers.replace("port=8009", f"port={tomcats[0].ajp_port}").replace("port=8010", f"port={tomcats[1].ajp_port}")
        apache = Apache(work, "swiftjk", "event", jk_conf="JkMount /*.jsp lb\nJkMount /jkstatus* jkstatus\n",
                        workers=workers, name="httpd", port=demo_port()).start()
        port, session = apache.port, None
        for _ in range(3):
            status, count, route, session = counter(port, session)
            print(f"  GET /counter.jsp -> {status} count={count} from {route}")
        owner = next(t for t in tomcats if t.route == route)
        print(f"\n$ kill -9 <{owner.name}'s JVM>   (the Tomcat holding the session dies)")
        owner.kill()
        for _ in range(3):
            status, count, route, session = counter(port, session)
            print(f"  GET /counter.jsp -> {status} count={count} from {route}   (JSESSIONID now ends in .{route})")
        print(f"\nstarting {owner.name} again; it rejoins the cluster and receives the sessions...", flush=True)
        owner.start().wait(180)
        for _ in range(2):
            status, count, route, session = counter(port, session)
            print(f"  GET /counter.jsp -> {status} count={count} from {route}")
        print(f"\nSwiftJK cluster demo is running: open {apache.url('/counter.jsp')} and kill a Tomcat")
        print(f"  Tomcat configuration: {CLUSTER_EXAMPLE}/server.xml (per node: {tomcats[0].base}/conf)")
        print(f"  workers.properties: {apache.workers_file}   status: {apache.url('/jkstatus')}")
        return 0 if check_only else wait_for_ctrl_c()
    finally:
        stop_all(apache, tomcats)


def main():
    check_only = "--check" in sys.argv
    if "--cluster" in sys.argv:
        return cluster_demo(make_workdir("swiftjk-cluster-demo-"), check_only)
    work = make_workdir("swiftjk-demo-")
    tomcats = [Tomcat(work, "tomcat1", "127.0.0.10", "tomcat1", secret=SECRET),
               Tomcat(work, "tomcat2", "127.0.0.12", "tomcat2", secret=SECRET)]
    apache = None
    try:
        print("starting two Tomcat 10 instances (jvmRoute tomcat1 on 127.0.0.10, tomcat2 on 127.0.0.12)...",
              flush=True)
        for tomcat in tomcats:
            tomcat.start()
        for tomcat in tomcats:
            tomcat.wait()
        # Appendix B of the mod_jk reference, as operators write it; the routes equal the Tomcats'
        # jvmRoute so sessions stick. The member-level method/sticky_session lines have no effect
        # (as in mod_jk); SwiftJK says so in configtest.
        workers = appendix_b(hosts=("127.0.0.10", "127.0.0.12"), ports=(tomcats[0].ajp_port, tomcats[1].ajp_port),
                             routes=("tomcat1", "tomcat2"), secret=SECRET)
        # The status worker (jkstatus) of Appendix B, open to loopback only, as operators mount it.
        status = ("JkMount /jkstatus* jkstatus\n<Location /jkstatus>\n    Require ip 127.0.0.0/8\n</Location>\n")
        apache = Apache(work, "swiftjk", "event", jk_conf="JkMount /*.jsp lb\n" + status, workers=workers,
                        name="httpd", port=demo_port()).start()
        show(apache)
        show_status(apache)
        print(f"\nSwiftJK demo is running: open {apache.url('/index.jsp')}")
        print(f"  Status page (jkstatus): {apache.url('/jkstatus')}   machine formats: ?mime=txt, prop, xml, json")
        print(f"  Prometheus metrics: {apache.url('/jkstatus?mime=prometheus')}")
        print(f"  Drain a Tomcat and wait until it is done: scripts/swiftjk-ctl --url {apache.url('/jkstatus')} "
              "drain lb tomcat1 --wait")
        print(f"  Apache config: {apache.conf}\n  workers.properties: {apache.workers_file}")
        print(f"  JK log: {apache.dir}/logs/mod_jk.log")
        return 0 if check_only else wait_for_ctrl_c()
    finally:
        stop_all(apache, tomcats)


if __name__ == "__main__":
    sys.exit(main())
