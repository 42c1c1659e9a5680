"""The demo behind scripts/demo: one Tomcat with an AJP secret behind Apache + SwiftJK."""

import signal
import sys
import time
import urllib.request

import socket

from harness import Apache, Tomcat, free_port, make_workdir

DEMO_PORT = 18080


def demo_port():
    """18080 when it is free, else any free loopback port."""
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", DEMO_PORT))
            return DEMO_PORT
        except OSError:
            return free_port()

WORKERS = """# The demo's workers.properties: one Tomcat on loopback, AJP with a shared secret.
worker.list=tomcat1
worker.tomcat1.type=ajp13
worker.tomcat1.host=127.0.0.10
worker.tomcat1.port={port}     # Tomcat's AJP connector
worker.tomcat1.secret={secret}
"""


def main():
    check_only = "--check" in sys.argv
    work = make_workdir("swiftjk-demo-")
    tomcat = Tomcat(work, "tomcat1", "127.0.0.10", "tomcat1", secret="demo-secret").start()
    apache = None
    try:
        print("starting Tomcat 10 (jvmRoute tomcat1, AJP on 127.0.0.10 with a secret)...", flush=True)
        tomcat.wait()
        apache = Apache(work, "swiftjk", "event", jk_conf="JkMount /*.jsp tomcat1\nJkMount /index.jsp tomcat1\n"
                        "DirectoryIndex index.html\n",
                        workers=WORKERS.format(port=tomcat.ajp_port, secret="demo-secret"), name="httpd",
                        port=demo_port()).start()
        url = apache.url("/index.jsp")
        with urllib.request.urlopen(apache.url("/info.jsp?demo=1"), timeout=30) as r:
            print(f"\nGET /info.jsp?demo=1 -> HTTP {r.status}\n{r.read().decode()}")
        print(f"SwiftJK demo is running: open {url}")
        print(f"  Apache config: {apache.conf}\n  workers.properties: {apache.workers_file}")
        print(f"  JK log: {apache.dir}/logs/mod_jk.log")
        if check_only:
            return 0
        print("Press Ctrl-C to stop.", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        if apache:
            apache.stop()
        tomcat.stop()
        print("stopped Apache and Tomcat.")


if __name__ == "__main__":
    sys.exit(main())
