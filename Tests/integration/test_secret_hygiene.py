"""The AJP `secret` never leaves the AJP connection (docs/SECURITY.md): with JkLogLevel trace and
requests that succeed, fail and are refused, it appears in no log file and in no output of the
status worker (every format, `dump`, `show`), for both a plain ajp13 worker and a balancer member.
The backend proves it was sent (requests with it are answered, a worker with a wrong one gets 403)."""

import http.client

from harness import Apache, Backend, make_workdir

SECRET = "Sekr3t-never-shown-7f1c"


def get(apache, path):
    conn = http.client.HTTPConnection("127.0.0.1", apache.port, timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": "JSESSIONID=abc.m1"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_secret_appears_in_no_log_and_no_status_output():
    work = make_workdir()
    backend = Backend(work, "node1", secret=SECRET)
    workers = (f"worker.list=plain,lb,wrong,jkstatus\n"
               f"worker.plain.host=127.0.0.1\nworker.plain.port={backend.port}\nworker.plain.secret={SECRET}\n"
               f"worker.m1.host=127.0.0.1\nworker.m1.port={backend.port}\nworker.m1.secret={SECRET}\n"
               f"worker.m1.route=m1\nworker.lb.type=lb\nworker.lb.balance_workers=m1\n"
               f"worker.wrong.host=127.0.0.1\nworker.wrong.port={backend.port}\nworker.wrong.secret=not-it\n"
               f"worker.jkstatus.type=status\n")
    apache = Apache(work, "swiftjk", "event", workers=workers,
                    jk_conf="JkMount /plain/* plain\nJkMount /lb/* lb\nJkMount /wrong/* wrong\n"
                            "JkMount /jkstatus jkstatus\nJkRequestLogFormat \"%w %V %T %r\"\n")
    apache.conf.write_text(apache.conf.read_text().replace("JkLogLevel info", "JkLogLevel trace")
                           .replace("LogLevel warn", "LogLevel trace8"))
    apache.start()
    outputs = []
    try:
        assert get(apache, "/plain/ok")[0] == 200
        assert get(apache, "/lb/ok")[0] == 200
        assert get(apache, "/plain/fault/reset")[0] >= 500
        assert get(apache, "/wrong/x")[0] == 403
        for query in ["", "?mime=xml", "?mime=txt", "?mime=prop", "?mime=json", "?mime=prometheus",
                      "?cmd=dump", "?cmd=dump&mime=txt", "?cmd=show&w=lb", "?cmd=show&w=plain&mime=prop",
                      "?cmd=version", "?opt=127"]:
            status, body = get(apache, "/jkstatus" + query)
            assert status == 200, query
            outputs.append((query, body))
    finally:
        apache.stop()
        backend.stop()
    assert any(b"plain" in body for _, body in outputs), "the status pages show the workers"
    for query, body in outputs:
        assert SECRET.encode() not in body, f"secret in /jkstatus{query}"
    logs = {p.name: p.read_bytes() for p in (apache.dir / "logs").iterdir() if p.is_file()}
    assert len(logs["mod_jk.log"]) > 1000, "trace logging wrote something"
    for name, text in logs.items():
        assert SECRET.encode() not in text, f"secret in {name}"
