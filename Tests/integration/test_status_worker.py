"""The status worker (jkstatus) against real httpd, with Debian's real mod_jk 1.2.48 as the oracle.

1. Differential: the same workers.properties (an lb of two recording backends, a plain ajp13
   worker, status workers) and the same request sequence through both connectors; for `list`,
   `show` and `version` in prop, txt and xml the key sequences (prop), the field names of every
   line (txt) and the elements with their attribute names (xml) must be identical, and so must
   every value that is deterministic after the sequence (configuration, activation, state,
   lbfactor, route, elected, sessions, errors...). A parser reading `mime=txt` by field position
   (the Zabbix awk script of the reference) reads the same values from both.
2. Edits through every child (prefork with 4 children, and event): disabling, stopping, lbfactor,
   `att`+`val*`, `sw` wildcards, lb settings, reset, recover, read_only, user.
3. Bad input: markup, quotes, NUL, overlong values, unknown workers and commands give mod_jk's
   result and escaped output, and no child crashes.
4. Cross-site protection: a change a browser sends on behalf of another site is refused with 403;
   scripts (no Origin/Referer/Sec-Fetch headers) keep working; the HTML forms' nonce is checked."""

import base64
import hashlib
import http.client
import re
import time
import urllib.parse
import xml.etree.ElementTree as ET

import pytest

from harness import Apache, Backend, make_workdir

CONNECTORS = ["modjk", "swiftjk"]

# Values that depend on time, ports, process layout or byte-level details of each connector.
VOLATILE = re.compile(r"(^|[._])(server_port|port|address|datetime|tz|unix|web_server|last_reset_at|last_reset_ago|"
                      r"error_time_\w+|error_time_unix seconds|error_time_ago seconds|time_to_maintenance_min|"
                      r"time_to_maintenance_max|time_to_recover_min|time_to_recover_max|lbvalue|transferred|"
                      r"read|connected|max_connected|busy|max_busy)$")


def workers_text(ports):
    return "\n".join([
        "worker.list=lb,jkstatus,ajp1,jkro,jkuser",
        "worker.tomcat1.type=ajp13", "worker.tomcat1.host=127.0.0.1", f"worker.tomcat1.port={ports['tomcat1']}",
        "worker.tomcat1.route=tomcat1",
        "worker.tomcat2.type=ajp13", "worker.tomcat2.host=127.0.0.1", f"worker.tomcat2.port={ports['tomcat2']}",
        "worker.tomcat2.route=tomcat2",
        "worker.lb.type=lb", "worker.lb.balance_workers=tomcat1,tomcat2",
        "worker.ajp1.type=ajp13", "worker.ajp1.host=127.0.0.1", f"worker.ajp1.port={ports['ajp1']}",
        "worker.jkstatus.type=status",
        "worker.jkro.type=status", "worker.jkro.read_only=true",
        "worker.jkuser.type=status", "worker.jkuser.user=alice",
        ""])


def jk_conf(workdir):
    htpasswd = workdir / "htpasswd"
    htpasswd.write_text("".join(f"{u}:{{SHA}}{base64.b64encode(hashlib.sha1(p.encode()).digest()).decode()}\n"
                                for u, p in [("alice", "wonder"), ("bob", "builder")]))
    htpasswd.chmod(0o644)
    return "\n".join([
        "LoadModule auth_basic_module /usr/lib/apache2/modules/mod_auth_basic.so",
        "LoadModule authn_file_module /usr/lib/apache2/modules/mod_authn_file.so",
        "LoadModule authn_core_module /usr/lib/apache2/modules/mod_authn_core.so",
        "LoadModule authz_user_module /usr/lib/apache2/modules/mod_authz_user.so",
        'LogFormat "%P %U %>s" pidlog', "CustomLog logs/pid.log pidlog",
        "JkMount /jkstatus* jkstatus", "JkMount /jkro* jkro", "JkMount /jkuser* jkuser",
        "JkMount /app/* lb", "JkMount /plain/* ajp1",
        "<Location /jkuser>", "AuthType Basic", "AuthName status", f"AuthUserFile {htpasswd}",
        "Require valid-user", "</Location>", ""])


class Site:
    """One connector in one MPM with its own three recording backends."""

    def __init__(self, work, connector, mpm):
        self.mpm = mpm
        d = work / f"{connector}-{mpm}"
        d.mkdir()
        self.backends = {name: Backend(d, name) for name in ["tomcat1", "tomcat2", "ajp1"]}
        ports = {name: b.port for name, b in self.backends.items()}
        self.apache = Apache(d, connector, mpm, jk_conf=jk_conf(d), workers=workers_text(ports)).start()

    def get(self, path, headers=None, method="GET", body=None):
        """(status, headers, body text) of one request on a new connection."""
        conn = http.client.HTTPConnection("127.0.0.1", self.apache.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return r.status, dict(r.getheaders()), r.read().decode("utf-8", errors="replace")
        finally:
            conn.close()

    def node(self, path, headers=None):
        """The backend that answered (X-Node) or the status."""
        conn = http.client.HTTPConnection("127.0.0.1", self.apache.port, timeout=30)
        try:
            conn.request("GET", path, headers=headers or {})
            r = conn.getresponse()
            r.read()
            return r.getheader("X-Node") or str(r.status)
        finally:
            conn.close()

    def status(self, query, path="/jkstatus", **kw):
        return self.get(f"{path}?{query}", **kw)

    def prop(self, query="", path="/jkstatus"):
        """mime=prop as a list of (key, value) in order."""
        _, _, body = self.status(f"mime=prop&{query}" if query else "mime=prop", path=path)
        return [tuple(line.split("=", 1)) for line in body.splitlines() if "=" in line]

    def value(self, key, query=""):
        """The last value of a prop key."""
        found = [v for k, v in self.prop(query) if k == key]
        return found[-1] if found else None

    def pids(self, prefix):
        log = self.apache.dir / "logs/pid.log"
        return {line.split()[0] for line in log.read_text().splitlines() if line.split()[1].startswith(prefix)}

    def stop(self):
        self.apache.stop()
        for b in self.backends.values():
            b.stop()


def traffic(site):
    """The fixed request sequence before the differential comparison."""
    for _ in range(6):
        site.node("/app/x")
    for _ in range(2):
        site.node("/app/x;jsessionid=ABC.tomcat2")
    site.node("/plain/x")


@pytest.fixture(scope="module")
def pair():
    work = make_workdir("sjk-status-")
    sites = {}
    try:
        for connector in CONNECTORS:
            sites[connector] = Site(work, connector, "prefork")
            traffic(sites[connector])
        yield sites
    finally:
        for site in sites.values():
            site.stop()


def deterministic(key):
    return not VOLATILE.search(key)


COMMANDS = ["cmd=list", "cmd=show&w=lb", "cmd=show&w=lb&sw=tomcat2", "cmd=show&w=ajp1", "cmd=version"]


@pytest.mark.parametrize("command", COMMANDS)
def test_prop_keys_and_values_match_mod_jk(pair, command):
    mod, swift = (pair[c].prop(command) for c in CONNECTORS)
    assert [k for k, _ in swift] == [k for k, _ in mod]
    for (key, expected), (_, got) in zip(mod, swift):
        if deterministic(key):
            assert got == expected, key


def txt_lines(site, command):
    _, headers, body = site.status(f"mime=txt&{command}")
    assert headers["Content-Type"].startswith("text/plain")
    return [line for line in body.splitlines() if line]


def txt_fields(line):
    label, _, rest = line.partition(": ")
    return label, re.findall(r'(\S+?)=("[^"]*"|\S*)', rest)


@pytest.mark.parametrize("command", COMMANDS)
def test_txt_field_names_per_line_and_values_match_mod_jk(pair, command):
    mod, swift = (txt_lines(pair[c], command) for c in CONNECTORS)
    assert len(swift) == len(mod)
    for a, b in zip(mod, swift):
        label_a, fields_a = txt_fields(a)
        label_b, fields_b = txt_fields(b)
        assert label_b == label_a
        assert [k for k, _ in fields_b] == [k for k, _ in fields_a], label_a
        for (key, va), (_, vb) in zip(fields_a, fields_b):
            if deterministic(key) and not (label_a == "Software"):
                assert vb == va, f"{label_a} {key}"


def test_txt_read_by_field_position_like_the_zabbix_script(pair):
    """aink99/modjk_zabbix: awk '/Member/{print $2,$24}' and $28 $29 $35 $36; $14 $15 $16 of the lb."""
    def awk(site):
        rows = []
        for line in txt_lines(site, "cmd=list"):
            f = line.split()
            if line.startswith("Member:"):
                rows.append((f[1], f[23], f[27], f[28], f[34].split("=")[0], f[35].split("=")[0]))
            if line.startswith("Balancer Worker:"):
                rows.append((f[13], f[14], f[15]))
        return rows
    mod, swift = awk(pair["modjk"]), awk(pair["swiftjk"])
    assert swift == mod
    assert any(r[1] == "state=OK" for r in swift if len(r) == 6)


def xml_shape(site, command):
    _, headers, body = site.status(f"mime=xml&{command}")
    assert headers["Content-Type"].startswith("text/xml")
    root = ET.fromstring(body)
    return [(e.tag, list(e.attrib.keys()), {k: v for k, v in e.attrib.items() if deterministic(k)})
            for e in root.iter()]


@pytest.mark.parametrize("command", COMMANDS)
def test_xml_elements_and_attributes_match_mod_jk(pair, command):
    mod, swift = (xml_shape(pair[c], command) for c in CONNECTORS)
    assert [(t, a) for t, a, _ in swift] == [(t, a) for t, a, _ in mod]
    for (tag, _, va), (_, _, vb) in zip(mod, swift):
        if tag.endswith("software"):
            continue
        assert vb == va, tag


def test_counters_are_real_after_the_sequence(pair):
    site = pair["swiftjk"]
    values = dict(site.prop())
    # 6 requests without a session alternate, 2 sticky ones go to tomcat2; the plain worker got one.
    assert values["worker.tomcat1.elected"] == "3"
    assert values["worker.tomcat2.elected"] == "5"
    assert values["worker.tomcat1.sessions"] == "3" and values["worker.tomcat2.sessions"] == "3"
    assert values["worker.ajp1.used"] == "1"
    assert int(values["worker.tomcat2.read"]) > 0 and int(values["worker.tomcat2.transferred"]) > 0
    assert values["worker.lb.map_count"] == "1"
    assert int(values["worker.tomcat1.max_connected"]) >= 1


@pytest.mark.parametrize("query, message", [
    ("cmd=bogus", "Invalid command."),
    ("cmd=show", "NULL or EMPTY worker param"),
    ("cmd=show&w=nosuch", "Could not find given worker"),
    ("cmd=show&w=lb&sw=nosuch", "could not find sub worker"),
    ("cmd=show&w=lb&sw=tomcat*", "wildcard not allowed in sub worker for this command"),
    ("cmd=show&w=ajp1&sw=x", "worker type has no sub workers"),
])
def test_errors_give_mod_jks_result(pair, query, message):
    for connector in CONNECTORS:
        status, _, body = pair[connector].status(f"mime=txt&{query}")
        assert status == 200
        assert body.splitlines()[-1] == f'Result: type=ERROR message="{message}"', connector


# ---------------------------------------------------------------------------------------------
# edits seen by every child

@pytest.fixture(scope="module", params=["prefork", "event"])
def site(request):
    work = make_workdir("sjk-status-edit-")
    s = Site(work, "swiftjk", request.param)
    yield s
    s.stop()
    assert not s.apache.crashed_children()


@pytest.fixture(autouse=True)
def restored(request):
    """Puts the edited site back to its configuration after each edit test, even a failed one."""
    yield
    if "site" in request.fixturenames:
        site = request.getfixturevalue("site")
        for query in ["w=lb&sw=tomcat*&vwa=0&vwf=1&vwd=0&vwr=", "w=lb&vlm=r&vls=1&vlf=0&vlr=2", "cmd=reset&w=lb",
                      "w=ajp1&vart=0"]:
            site.status(f"cmd=update&mime=txt&{query}" if not query.startswith("cmd=") else f"mime=txt&{query}")


def spread(site, path, n, headers=None):
    counts = {}
    for _ in range(n):
        node = site.node(path, headers)
        counts[node] = counts.get(node, 0) + 1
    return counts


def update(site, query, path="/jkstatus", **kw):
    status, _, body = site.status(f"cmd=update&from=list&mime=txt&{query}", path=path, **kw)
    return status, body.splitlines()[-1] if body else ""


def test_disable_keeps_sessions_stop_moves_them(site):
    assert update(site, "w=lb&sw=tomcat1&vwa=1") == (200, 'Result: type=OK message="Action finished"')
    assert spread(site, "/app/new", 12) == {"tomcat2": 12}
    assert spread(site, "/app/s;jsessionid=X.tomcat1", 6) == {"tomcat1": 6}
    if site.mpm == "prefork":
        assert len(site.pids("/app/new")) >= 2, "the requests after the edit reached several children"
    assert site.value("worker.tomcat1.activation") == "DIS"
    update(site, "w=lb&sw=tomcat1&vwa=2")
    assert spread(site, "/app/s2;jsessionid=X.tomcat1", 6) == {"tomcat2": 6}
    update(site, "w=lb&sw=tomcat1&vwa=0")
    assert site.value("worker.tomcat1.activation") == "ACT"
    assert "changing 'activation' for sub worker 'tomcat1' of lb worker 'lb' from 'ACT' to 'DIS'" in site.apache.jk_log()


def test_lbfactor_one_to_three(site):
    update(site, "w=lb&sw=tomcat2&vwf=3")
    assert site.value("worker.tomcat2.lbfactor") == "3"
    assert site.value("worker.tomcat1.lbmult") == "3" and site.value("worker.tomcat2.lbmult") == "1"
    update(site, "cmd=reset&w=lb")
    counts = spread(site, "/app/f", 40)
    assert counts == {"tomcat1": 10, "tomcat2": 30}
    update(site, "w=lb&att=vwf&val0=1&val1=1")
    assert site.value("worker.tomcat2.lbfactor") == "1" and site.value("worker.tomcat1.lbmult") == "1"


def test_wildcard_member_and_lb_settings(site):
    update(site, "w=lb&sw=tomcat*&vwd=1")
    assert site.value("worker.tomcat1.distance") == "1" and site.value("worker.tomcat2.distance") == "1"
    update(site, "w=lb&vlm=b&vls=0&vlr=3")
    assert site.value("worker.lb.method") == "Busyness"
    assert site.value("worker.lb.sticky_session") == "False"
    assert site.value("worker.lb.retries") == "3"
    # Without stickiness a session id no longer pins the request.
    assert set(spread(site, "/app/ns;jsessionid=X.tomcat1", 8)) == {"tomcat1", "tomcat2"}
    update(site, "w=lb&vlm=r&vls=1&vlr=2&sw=tomcat*&vwd=0")
    update(site, "w=lb&vlm=r&vls=1&vlr=2")
    assert site.value("worker.lb.sticky_session") == "True"
    assert spread(site, "/app/st;jsessionid=X.tomcat1", 4) == {"tomcat1": 4}


def test_ajp_settings_including_the_per_process_ping_interval(site):
    update(site, "w=ajp1&vart=5000&vacpi=7")
    values = dict(site.prop("cmd=show&w=ajp1"))
    assert values["worker.ajp1.reply_timeout"] == "5000"
    assert values["worker.ajp1.connection_ping_interval"] == "7"
    assert spread(site, "/plain/y", 8) == {"ajp1": 8}
    update(site, "w=ajp1&vart=0")


def test_reset_and_recover(site):
    spread(site, "/app/r", 4)
    update(site, "cmd=reset&w=lb")
    values = dict(site.prop())
    assert values["worker.tomcat1.elected"] == "0" and values["worker.tomcat1.sessions"] == "0"
    # A member in ERR: point it at a dead port, fail a request, recover it.
    dead = site.backends["tomcat1"].port
    site.backends["tomcat1"].stop()
    spread(site, "/app/dead", 3)
    assert site.value("worker.tomcat1.state") == "ERR"
    status, body = update(site, "cmd=recover&w=lb&sw=tomcat1")
    assert body == 'Result: type=OK message="Action finished"', body
    assert site.value("worker.tomcat1.state") == "ERR/REC"
    status, body = update(site, "cmd=recover&w=lb&sw=tomcat2")
    assert body == 'Result: type=ERROR message="Marking worker for recovery failed"'
    site.backends["tomcat1"] = Backend(site.apache.dir.parent, "tomcat1b")
    update(site, f"w=lb&sw=tomcat1&vaprt={site.backends['tomcat1'].port}")
    assert site.value("worker.tomcat1.port") == str(site.backends["tomcat1"].port)
    assert dead != site.backends["tomcat1"].port
    # The new port is used by every child: the member serves again.
    assert "tomcat1b" in spread(site, "/app/back", 12)


def test_read_only_and_user(site):
    assert update(site, "w=lb&sw=tomcat1&vwa=1", path="/jkro")[1] == \
        'Result: type=ERROR message="This command is not allowed in read only mode."'
    assert update(site, "w=lb&sw=tomcat1&vwa=1&opt=32")[1] == \
        'Result: type=ERROR message="This command is not allowed in read only mode."'
    assert site.value("worker.tomcat1.activation") == "ACT"
    bob = {"Authorization": "Basic " + base64.b64encode(b"bob:builder").decode()}
    alice = {"Authorization": "Basic " + base64.b64encode(b"alice:wonder").decode()}
    assert update(site, "w=lb&sw=tomcat1&vwd=3", path="/jkuser", headers=bob)[1] == \
        'Result: type=ERROR message="Access denied."'
    assert update(site, "w=lb&sw=tomcat1&vwd=3", path="/jkuser", headers=alice)[1] == \
        'Result: type=OK message="Action finished"'
    update(site, "w=lb&sw=tomcat1&vwd=0")


def test_cross_site_changes_are_refused_and_scripts_pass(site):
    evil = {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}
    status, body = update(site, "w=lb&sw=tomcat1&vwa=2", headers=evil)
    assert status == 403 and "ERROR" in body
    status, body = update(site, "w=lb&sw=tomcat1&vwa=2", headers={"Referer": "http://evil.example/x"})
    assert status == 403
    assert site.value("worker.tomcat1.activation") == "ACT"
    assert "another site" in site.apache.jk_log()
    # A browser's form post (same origin) without the page's nonce is refused; with it, it works.
    form = "cmd=update&w=lb&sw=tomcat1&vwd=2&mime=txt"
    ctype = {"Content-Type": "application/x-www-form-urlencoded",
             "Origin": f"http://127.0.0.1:{site.apache.port}"}
    status, _, _ = site.get("/jkstatus", headers=ctype, method="POST", body=form + "&nonce=00")
    assert status == 403
    # A script's form post (curl -d: no Origin, Referer or Sec-Fetch headers) needs no nonce.
    status, _, body = site.get("/jkstatus", headers={"Content-Type": "application/x-www-form-urlencoded"},
                               method="POST", body="cmd=update&w=lb&sw=tomcat1&vwd=1&mime=txt")
    assert status == 200 and body.splitlines()[-1].startswith("Result: type=OK")
    assert site.value("worker.tomcat1.distance") == "1"
    _, _, page = site.status("cmd=list")
    nonce = re.search(r'name="nonce" value="([0-9a-f]+)"', page).group(1)
    status, _, body = site.get("/jkstatus", headers=ctype, method="POST", body=form + "&nonce=" + nonce)
    assert status == 200 and body.splitlines()[-1].startswith("Result: type=OK")
    assert site.value("worker.tomcat1.distance") == "2"
    update(site, "w=lb&sw=tomcat1&vwd=0")


@pytest.mark.parametrize("query", [
    "cmd=show&w=<script>alert(1)</script>",
    "cmd=show&w=lb&sw=%22onmouseover%3D%22x",
    "cmd=show&w=lb%00x", "cmd=%00", "mime=%3Cx%3E",
    "cmd=show&w=" + "A" * 5000,
    "cmd=update&w=lb&sw=tomcat1&vwn=" + "r" * 200,
    "cmd=update&w=lb&sw=tomcat1&vwr=%3Cb%3E",
])
@pytest.mark.parametrize("mime", ["html", "txt", "xml", "prop"])
def test_bad_input_is_escaped_and_harmless(site, query, mime):
    status, _, body = site.status(f"{query}&mime={mime}")
    assert status == 200
    assert "<script>" not in body and "<b>" not in body and '"onmouseover' not in body
    if mime == "xml" and "mime=%3C" not in query:
        ET.fromstring(body)
    update(site, "w=lb&sw=tomcat1&vwr=")


def test_html_page_is_escaped_html5_and_self_contained(site):
    status, headers, body = site.status("cmd=list&w=%3Cscript%3E")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert body.startswith("<!DOCTYPE html>")
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert "http://" not in body and "https://" not in body
    # The only script is the status worker's own file; nothing inline.
    assert re.findall(r"<script[^>]*>", body) == ['<script src="/jkstatus?mime=js" defer>']
    assert "</script>" in body and "<script src=\"/jkstatus?mime=js\" defer></script>" in body
    status, headers, script = site.status("mime=js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert "innerHTML" not in script
    for action in re.findall(r"<form[^>]*>", body):
        if 'name="cmd" value="update"' in action or "reset" in action:
            assert 'method="post"' in action
