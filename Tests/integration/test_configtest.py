"""`apachectl configtest` (`apache2 -t` on the generated configuration) with SwiftJK.

Every error class of the workers.properties reader (reference §6, §7.7, scenarios T04 and T14)
must make configtest FAIL and name `<workers.properties path>:<line>:` with words saying what is
wrong; errors in Jk* directives name the httpd.conf file and line. Warnings (Appendix B, §12.3
items 19 and 20, unused workers) must be printed but must not fail configtest.

Debian's mod_jk 1.2.48 runs on the same broken files as the record of what the original does: it
checks workers.properties only in post_config, so `apache2 -t` says "Syntax OK" and httpd then
refuses to START. SwiftJK moves those errors into configtest; the tests assert that difference
where it holds, so the difference stays documented."""

import http.client
import re

import pytest

from harness import APPENDIX_B, Apache, Backend, make_workdir, wait_until

CONNECTORS = ["modjk", "swiftjk"]


# ---------------------------------------------------------------------------------------------
# helpers

def configtest(workdir, connector, workers=None, jk_conf="", name=None):
    """Builds an httpd for `connector` and runs configtest; returns (apache, rc, output)."""
    apache = Apache(workdir, connector, "event", jk_conf=jk_conf, workers=workers,
                    name=name or f"ct-{connector}")
    rc, out = apache.configtest()
    return apache, rc, out


def line_of(text, needle):
    """1-based number of the first line of `text` that contains `needle`."""
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


def conf_line(apache, needle):
    """1-based line of the generated httpd.conf that contains `needle`."""
    return line_of(apache.conf.read_text(), needle)


def start_fails(apache):
    """Starts httpd expecting it to refuse; returns error log + JK log. Stops it if it ran."""
    try:
        apache.start()
    except RuntimeError as e:
        return str(e) + "\n" + apache.error_log() + "\n" + apache.jk_log()
    # httpd binds its Listen socket before post_config, so a connect can succeed in the moment
    # before a post_config failure makes it exit.
    if wait_until(lambda: apache._proc.poll() is not None, 5):
        apache.pid = None
        return apache.error_log() + "\n" + apache.jk_log()
    apache.stop()
    raise AssertionError("httpd started although the configuration is broken")


def start_succeeds(apache):
    """Starts httpd expecting success, stops it again; returns the JK log."""
    apache.start()
    try:
        return apache.jk_log()
    finally:
        apache.stop()


def get(apache, path, host=None):
    """GET `path`; returns (status, body text)."""
    conn = http.client.HTTPConnection("127.0.0.1", apache.port, timeout=30)
    conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
    conn.putheader("Host", host or f"127.0.0.1:{apache.port}")
    conn.endheaders()
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    conn.close()
    return response.status, body


def lines(*items):
    """A workers.properties text from lines (newline-terminated)."""
    return "\n".join(items) + "\n"


# ---------------------------------------------------------------------------------------------
# workers.properties error classes

W1 = ["worker.list=w1", "worker.w1.type=ajp13", "worker.w1.host=127.0.0.1", "worker.w1.port=8009"]

DEEP_CHAIN = (["# 22 nested templates, deeper than mod_jk's limit of 20",
               "worker.list=w1", "worker.w1.reference=worker.t0"]
              + [f"worker.t{i}.reference=worker.t{i + 1}" for i in range(22)]
              + ["worker.t22.port=8009"])

# id -> (workers.properties lines, lines that may be named (1-based), regex for what is wrong,
#        what mod_jk 1.2.48 writes to its JK log when httpd refuses to start)
WORKER_ERRORS = {
    # T04
    "unknown-attribute": (
        W1 + ["worker.w1.colour=blue"], {5},
        r"(unknown|not supported|unsupported).*colour|colour.*(unknown|not supported)",
        "The attribute 'worker.w1.colour' is not supported"),
    "unknown-worker-type": (
        ["worker.list=w1", "worker.w1.host=127.0.0.1", "worker.w1.type=tomcat"], {3},
        r"(unknown|invalid).*type.*tomcat|tomcat.*(unknown|not a).*type",
        "Unknown worker type tomcat for worker w1"),
    "lb-without-members": (
        ["worker.list=lb", "worker.lb.type=lb", "worker.lb.sticky_session=true"], {2},
        r"lb.*(no members|without members|balance_workers)",
        "Could not get member list for lb worker"),
    "duplicate-route": (
        ["worker.list=lb", "worker.lb.type=lb", "worker.lb.balance_workers=a,b",
         "worker.a.host=127.0.0.1", "worker.a.route=r1", "worker.b.host=127.0.0.1", "worker.b.route=r1"],
        {7},  # the second member that takes the route
        r"(share|same|duplicate).*route.*r1|route.*r1.*(share|same|twice|already)",
        "share the same route r1"),
    "name-longer-than-63": (
        ["# a worker name of 64 bytes", "worker.list=" + "w" * 64, "worker." + "w" * 64 + ".port=8009"], {2},
        r"64 bytes.*(at most|maximum|longer|too long).*63|too long",
        "is 4 bytes too long, a maximum of 60 bytes is supported"),
    "route-longer-than-63": (
        ["worker.list=lb", "worker.lb.type=lb", "worker.lb.balance_workers=a", "worker.a.host=127.0.0.1",
         "worker.a.route=" + "r" * 64], {5},
        r"route.*64 bytes.*63|route.*too long",
        "Worker route '" + "r" * 64 + "' is 4 bytes too long"),
    # T14
    "missing-template": (
        ["worker.list=x", "worker.x.host=127.0.0.1", "worker.x.reference=worker.nothing"], {3},
        r"worker\.nothing.*(not found|no property|not defined|missing)",
        "Reference 'worker.nothing.' not found"),
    "reference-cycle": (
        ["worker.list=w1", "worker.w1.reference=worker.a", "worker.a.reference=worker.b",
         "worker.b.reference=worker.a"], {2, 3, 4},  # any reference line of the loop
        r"cycle|deeper than 20|recursion|too deep",
        "Recursion limit 20 for worker references"),
    "reference-deeper-than-20": (
        DEEP_CHAIN, set(range(3, 3 + 23)),  # a reference line of the chain
        r"(deeper|nest|depth|recursion|limit).*20|20.*(levels|limit)",
        "Recursion limit 20 for worker references"),
    # more of the same classes, in places where the line number or the name is easy to get wrong
    "unknown-attribute-crlf-after-blank-and-comment": (
        ["worker.list=w1\r", "worker.w1.host=127.0.0.1\r", "\r", "# comment\r", "   ", "worker.w1.colour=blue\r"],
        {6}, r"(unknown|not supported).*colour", "The attribute 'worker.w1.colour' is not supported"),
    "unknown-attribute-after-9000-byte-line": (
        ["worker.list=w1", "# " + "z" * 9000, "worker.w1.host=127.0.0.1", "worker.w1.colour=blue"],
        {4}, r"(unknown|not supported).*colour", "The attribute 'worker.w1.colour' is not supported"),
    "unknown-attribute-in-template": (
        ["worker.list=w1", "worker.w1.reference=worker.tpl", "worker.tpl.port=8009", "worker.tpl.colour=red"],
        {4}, r"(unknown|not supported).*colour", "The attribute 'worker.tpl.colour' is not supported"),
    "unknown-global-attribute": (
        ["worker.list=w1", "worker.w1.port=8009", "worker.colour=red"],
        {3}, r"(unknown|not supported).*colour", "The attribute 'worker.colour' is not supported"),
    "worker-type-is-case-sensitive": (
        ["worker.list=w1", "worker.w1.type=AJP13"], {2}, r"(unknown|invalid).*type.*AJP13",
        "Unknown worker type AJP13 for worker w1"),
    "unknown-type-of-lb-member": (
        ["worker.list=lb", "worker.lb.type=lb", "worker.lb.balance_workers=a", "worker.a.type=jni"], {4},
        r"(unknown|invalid).*type.*jni|member.*jni.*must be ajp13", "Unknown worker type jni for worker a"),
    "lb-with-empty-member-list": (
        ["worker.list=lb", "worker.lb.type=lb", "worker.lb.balance_workers= , "], {2, 3},
        r"lb.*(no members|without members|balance_workers)", "Could not get member list for lb worker"),
    "route-equal-to-default-route-of-other-member": (
        ["worker.list=lb", "worker.lb.type=lb", "worker.lb.balance_workers=a,b", "worker.a.host=127.0.0.1",
         "worker.b.route=a"], {5},
        r"(share|same|duplicate).*route.*'?a'?", "share the same route a"),
    "host-longer-than-63": (
        ["worker.list=w1", "worker.w1.host=" + "h" * 64], {2}, r"host.*64 bytes.*63",
        "is 4 bytes too long, a maximum of 60 bytes is supported"),
    "session-cookie-longer-than-63": (
        ["worker.list=lb", "worker.lb.type=lb", "worker.lb.balance_workers=a", "worker.lb.session_cookie=" + "C" * 64],
        {4}, r"cookie.*64 bytes.*63", "Worker session_cookie '" + "C" * 64 + "' is 4 bytes too long"),
    "missing-template-of-a-template": (
        ["worker.list=w1", "worker.w1.reference=worker.tpl", "worker.tpl.reference=worker.gone"], {3},
        r"worker\.gone.*(not found|no property|not defined|missing)", "Reference 'worker.gone.' not found"),
    "reference-to-itself": (
        ["worker.list=w1", "worker.w1.host=127.0.0.1", "worker.w1.reference=worker.w1"], {3},
        r"own prefix|itself|cycle|recursion", "Recursion limit 20 for worker references with prefix 'worker.w1'"),
}


@pytest.mark.parametrize("case", list(WORKER_ERRORS), ids=list(WORKER_ERRORS))
def test_workers_properties_error_fails_configtest_with_file_and_line(workdir, case):
    text, allowed_lines, what, _ = WORKER_ERRORS[case]
    apache, rc, out = configtest(workdir, "swiftjk", workers=lines(*text), jk_conf="JkMount /x/* w1\n")
    assert rc != 0, f"configtest must fail for {case}:\n{out}"
    path = re.escape(str(apache.workers_file))
    named = [int(m.group(1)) for m in re.finditer(path + r":(\d+):", out)]
    assert named, f"no '{apache.workers_file}:<line>:' in:\n{out}"
    assert set(named) & allowed_lines, f"named lines {named}, expected one of {sorted(allowed_lines)}:\n{out}"
    # The explanation is on a line that names the file and line.
    located = [ln for ln in out.splitlines() if re.search(path + r":\d+:", ln)]
    assert any(re.search(what, ln, re.I) for ln in located), f"no words matching /{what}/ in:\n{out}"
    assert "Syntax OK" not in out


@pytest.mark.parametrize("case", list(WORKER_ERRORS), ids=list(WORKER_ERRORS))
def test_mod_jk_passes_configtest_and_fails_only_at_start(workdir, case):
    """The oracle: Debian's mod_jk 1.2.48 does not read workers.properties in configtest."""
    text, _, _, modjk_says = WORKER_ERRORS[case]
    apache, rc, out = configtest(workdir, "modjk", workers=lines(*text), jk_conf="JkMount /x/* w1\n")
    assert rc == 0 and "Syntax OK" in out, out
    logs = start_fails(apache)
    assert modjk_says in logs, logs


# Worker types SwiftJK does not serve: a warning with file:line, Apache starts (mod_jk 1.2.48 starts
# with ajp12 and refuses ajp14 without a secretkey and jni), and a request mapped to one gets 503.
@pytest.mark.parametrize("kind", ["ajp12", "ajp14", "jni"])
def test_unserved_worker_types_warn_and_answer_503(workdir, kind):
    text = lines("worker.list=w1,ok", f"worker.w1.type={kind}", "worker.w1.host=127.0.0.1",
                 "worker.ok.host=127.0.0.1", "worker.ok.port=1")
    apache, rc, out = configtest(workdir, "swiftjk", workers=text, jk_conf="JkMount /x/* w1\nJkMount /ok/* ok\n")
    assert rc == 0 and "Syntax OK" in out, out
    assert re.search(re.escape(f"{apache.workers_file}:2:") + f".*'{kind}'.*does not serve.*503", out), out
    apache.start()
    try:
        import urllib.error
        import urllib.request
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(apache.url("/x/a"), timeout=20)
        assert error.value.code == 503
        assert "does not serve" in apache.jk_log()
    finally:
        apache.stop()
    assert not apache.crashed_children()


# Refused by SwiftJK although mod_jk 1.2.48 starts with them (README "Where SwiftJK knowingly differs",
# §7.4: members must be AJP workers).
STRICTER_THAN_MOD_JK = {
    "status-worker-as-lb-member": (["worker.list=lb", "worker.lb.type=lb", "worker.lb.balance_workers=a",
                                    "worker.a.type=status"], 4, r"member.*'a'.*status.*ajp13"),
}


@pytest.mark.parametrize("case", list(STRICTER_THAN_MOD_JK), ids=list(STRICTER_THAN_MOD_JK))
def test_swiftjk_refuses_what_mod_jk_starts_with(workdir, case):
    text, line, what = STRICTER_THAN_MOD_JK[case]
    apache, rc, out = configtest(workdir, "swiftjk", workers=lines(*text))
    assert rc != 0, out
    assert re.search(re.escape(f"{apache.workers_file}:{line}:") + ".*" + what, out), out
    apache, rc, out = configtest(workdir, "modjk", workers=lines(*text))
    assert rc == 0, out
    assert "initialized" in start_succeeds(apache)


def test_name_of_63_bytes_is_accepted(workdir):
    """§12.1: accept names/routes up to 63 bytes (mod_jk 1.2.48 stops at 60; HEAD allows 63)."""
    name = "n" * 63
    text = lines(f"worker.list={name}", f"worker.{name}.host=127.0.0.1", f"worker.{name}.port=8009")
    _, rc, out = configtest(workdir, "swiftjk", workers=text, jk_conf=f"JkMount /x/* {name}\n")
    assert rc == 0 and "Syntax OK" in out, out
    # mod_jk 1.2.48 refuses anything longer than 60 bytes at start
    apache, rc, out = configtest(workdir, "modjk", workers=text, jk_conf=f"JkMount /x/* {name}\n")
    assert rc == 0, out
    assert "3 bytes too long, a maximum of 60 bytes" in start_fails(apache)


# ---------------------------------------------------------------------------------------------
# JkEnvVar: Ghostcat-class names (CVE-2020-1938)

GHOSTCAT_NAMES = ["javax.servlet.include.request_uri", "jakarta.servlet.include.servlet_path",
                  "javax.servlet.forward.path_info", "org.apache.catalina.jsp_file"]


@pytest.mark.parametrize("name", GHOSTCAT_NAMES)
def test_jkenvvar_ghostcat_name_fails_configtest(workdir, name):
    _, rc, out = configtest(workdir, "swiftjk", workers=lines(*W1),
                            jk_conf=f"JkMount /x/* w1\nJkEnvVar {name} /WEB-INF/web.xml\n")
    assert rc != 0, out
    assert name in out, out
    assert re.search(r"Ghostcat|CVE-2020-1938|container-internal", out), out


def test_jkenvvar_ghostcat_error_names_httpd_conf_and_line(workdir):
    name = "javax.servlet.include.request_uri"
    apache, rc, out = configtest(workdir, "swiftjk", workers=lines(*W1),
                                 jk_conf=f"JkMount /x/* w1\nJkEnvVar {name} /WEB-INF/web.xml\n")
    assert rc != 0
    line = conf_line(apache, "JkEnvVar")
    assert re.search(re.escape(f"{apache.conf}:{line}:") + ".*" + re.escape(name), out), out


def test_mod_jk_accepts_ghostcat_jkenvvar(workdir):
    """mod_jk forwards whatever JkEnvVar names; only Tomcat's allowedRequestAttributesPattern stops it."""
    conf = "JkMount /x/* w1\nJkEnvVar javax.servlet.include.request_uri /WEB-INF/web.xml\n"
    apache, rc, out = configtest(workdir, "modjk", workers=lines(*W1), jk_conf=conf)
    assert rc == 0 and "Syntax OK" in out, out
    assert "initialized" in start_succeeds(apache)


def test_ordinary_jkenvvar_is_accepted(workdir):
    _, rc, out = configtest(workdir, "swiftjk", workers=lines(*W1),
                            jk_conf="JkMount /x/* w1\nJkEnvVar MYVAR\nJkEnvVar SJK_TRACE default\n")
    assert rc == 0 and "Syntax OK" in out, out


# ---------------------------------------------------------------------------------------------
# Jk* directive errors: httpd.conf file and line

def test_jkworkerproperty_unknown_attribute_names_httpd_conf_line(workdir):
    apache, rc, out = configtest(workdir, "swiftjk", workers=lines(*W1),
                                 jk_conf="JkMount /x/* w1\nJkWorkerProperty worker.w1.colour=blue\n")
    assert rc != 0, out
    line = conf_line(apache, "JkWorkerProperty")
    assert re.search(re.escape(f"{apache.conf}:{line}:") + r".*colour", out), out
    assert str(apache.workers_file) + ":" not in out, "the error is in httpd.conf, not in workers.properties"
    # mod_jk validates JkWorkerProperty names while reading the directive, so it fails too
    apache, rc, out = configtest(workdir, "modjk", workers=lines(*W1),
                                 jk_conf="JkMount /x/* w1\nJkWorkerProperty worker.w1.colour=blue\n")
    assert rc != 0 and f"line {line} of {apache.conf}" in out and "Invalid JkWorkerProperty" in out, out


def test_jkworkerproperty_bad_type_names_httpd_conf_line(workdir):
    """An error found only when the workers are built still points at the JkWorkerProperty line."""
    apache, rc, out = configtest(workdir, "swiftjk", workers=lines("worker.list=w1", "worker.w1.host=127.0.0.1"),
                                 jk_conf="JkMount /x/* w1\nJkWorkerProperty worker.w1.type=tomcat\n")
    assert rc != 0, out
    line = conf_line(apache, "JkWorkerProperty")
    assert re.search(re.escape(f"{apache.conf}:{line}:") + r".*tomcat", out), out
    # mod_jk: configtest passes, start fails
    apache, rc, out = configtest(workdir, "modjk", workers=lines("worker.list=w1", "worker.w1.host=127.0.0.1"),
                                 jk_conf="JkMount /x/* w1\nJkWorkerProperty worker.w1.type=tomcat\n")
    assert rc == 0, out
    assert "Unknown worker type tomcat" in start_fails(apache)


# id -> (jk_conf, text of the bad line, regex for SwiftJK's message, mod_jk's message)
VHOST = "<VirtualHost 127.0.0.1:80>\n    ServerName v.test\n    {}\n</VirtualHost>\n"
DIRECTIVE_ERRORS = {
    "workers-file-missing": ("JkWorkersFile /nonexistent/sjk/workers.properties\n", "JkWorkersFile /nonexistent",
                             r"/nonexistent/sjk/workers\.properties", "Can't find the workers file"),
    "workers-file-twice": ("JkWorkersFile workers.properties\n", "JkWorkersFile workers.properties",
                           r"only allowed once", "only allowed once"),
    "mount-without-slash": ("JkMount app/* w1\n", "JkMount app/*", r"app/\*.*(start|begin).*/",
                            "JkMount context should start with /"),
    "unmount-without-slash": ("JkUnMount *.gif w1\n", "JkUnMount *.gif", r"\*\.gif.*(start|begin).*/",
                              "JkUnMount context should start with /"),
    "mount-one-argument-outside-location": ("JkMount w1\n", "JkMount w1", r"JkMount.*(pattern|path)",
                                            "JkMount needs a path when not defined in a location"),
    "mount-two-arguments-in-location": ("<Location /l>\n    JkMount /x w1\n</Location>\n", "JkMount /x w1",
                                        r"Location", "JkMount can not have a path when defined in a location"),
    "mountfile-missing": ("JkMountFile /nonexistent/sjk/uri.properties\n", "JkMountFile /nonexistent",
                          r"/nonexistent/sjk/uri\.properties", "Can't find the mount file specified"),
    "mountcopy-bad-value": ("JkMountCopy maybe\n", "JkMountCopy maybe", r"JkMountCopy.*(On|Off|All)",
                            "JkMountCopy must be All, On or Off"),
    "mountcopy-all-in-vhost": (VHOST.format("JkMountCopy All"), "JkMountCopy All", r"JkMountCopy.*main server",
                               "JkMountCopy cannot occur within <VirtualHost> section"),
    "workers-file-in-vhost": (VHOST.format("JkWorkersFile /etc/hostname"), "JkWorkersFile /etc/hostname",
                              r"JkWorkersFile.*main server", "JkWorkersFile cannot occur within <VirtualHost>"),
    "worker-property-in-vhost": (VHOST.format("JkWorkerProperty worker.w1.port=1"), "JkWorkerProperty",
                                 r"JkWorkerProperty.*main server",
                                 "JkWorkerProperty cannot occur within <VirtualHost>"),
    "shm-file-in-vhost": (VHOST.format("JkShmFile logs/x"), "JkShmFile logs/x", r"JkShmFile.*main server",
                          "JkShmFile cannot occur within <VirtualHost>"),
    "options-unknown-word": ("JkOptions +ForwardURIProxy +ForwardEverything\n", "JkOptions +ForwardURIProxy",
                             r"ForwardEverything", "Illegal option 'ForwardEverything'"),
    "options-minus-forwarduri": ("JkOptions -ForwardURIProxy\n", "JkOptions -ForwardURIProxy", r"ForwardURIProxy",
                                 "JkOptions: Illegal option"),
    "strip-session-bad-value": ("JkStripSession maybe\n", "JkStripSession maybe", r"On or Off",
                                "JkStripSession must be On or Off"),
    "no-such-directive": ("JkLbWorkerName lb\n", "JkLbWorkerName", r"Invalid command 'JkLbWorkerName'",
                          "Invalid command 'JkLbWorkerName'"),
}


@pytest.mark.parametrize("connector", CONNECTORS)
@pytest.mark.parametrize("case", list(DIRECTIVE_ERRORS), ids=list(DIRECTIVE_ERRORS))
def test_bad_directive_fails_configtest_with_httpd_conf_line(workdir, connector, case):
    """Directive errors are httpd syntax errors for both modules: 'Syntax error on line N of <conf>'."""
    conf, needle, what, modjk_says = DIRECTIVE_ERRORS[case]
    has_workers = case != "workers-file-missing"
    apache, rc, out = configtest(workdir, connector, workers=lines(*W1) if has_workers else None,
                                 jk_conf="JkMount /ok/* w1\n" + conf)
    assert rc != 0, out
    line = conf_line(apache, needle)
    assert f"Syntax error on line {line} of {apache.conf}" in out, out
    if connector == "modjk":
        assert modjk_says in out, out
    else:
        assert re.search(what, out), out


# ---------------------------------------------------------------------------------------------
# Directive names are case-insensitive; <IfModule> blocks for both names of the module

@pytest.fixture(scope="module")
def backend():
    b = Backend(make_workdir(), "w1")
    yield b
    b.stop()


def workers_w1(backend):
    return lines("worker.list=w1", "worker.w1.host=127.0.0.1", f"worker.w1.port={backend.port}")


@pytest.mark.parametrize("connector", CONNECTORS)
def test_directive_names_are_case_insensitive(workdir, connector, backend):
    wf = workdir / "ci-workers.properties"
    wf.write_text(workers_w1(backend))
    apache = Apache(workdir, connector, "event", workers=None, name=f"ci-{connector}",
                    jk_conf=f"JKWORKERSFILE {wf}\njkMount /ci/* w1\njkunMOUNT /ci/no/* w1\n")
    rc, out = apache.configtest()
    assert rc == 0 and "Syntax OK" in out, out
    apache.start()
    try:
        assert get(apache, "/ci/a") == (200, "node=w1 uri=/ci/a\n")
        assert get(apache, "/ci/no/a")[0] == 404
    finally:
        apache.stop()


@pytest.mark.parametrize("connector", CONNECTORS)
def test_ifmodule_blocks_for_mod_jk_c_and_jk_module_apply(workdir, connector, backend):
    conf = ("<IfModule mod_jk.c>\n    JkMount /ifm-source/* w1\n</IfModule>\n"
            "<IfModule jk_module>\n    JkMount /ifm-name/* w1\n</IfModule>\n"
            "<IfModule !mod_jk.c>\n    JkMount /ifm-not/* w1\n</IfModule>\n"
            "<IfModule !jk_module>\n    JkMount /ifm-not2/* w1\n</IfModule>\n")
    apache = Apache(workdir, connector, "event", workers=workers_w1(backend), jk_conf=conf, name=f"ifm-{connector}")
    rc, out = apache.configtest()
    assert rc == 0 and "Syntax OK" in out, out
    apache.start()
    try:
        assert get(apache, "/ifm-source/a") == (200, "node=w1 uri=/ifm-source/a\n")
        assert get(apache, "/ifm-name/a") == (200, "node=w1 uri=/ifm-name/a\n")
        assert get(apache, "/ifm-not/a")[0] == 404
        assert get(apache, "/ifm-not2/a")[0] == 404
    finally:
        apache.stop()


# ---------------------------------------------------------------------------------------------
# Warnings: printed by configtest, which still passes



def test_appendix_b_member_level_lb_attributes_warn_but_pass(workdir):
    apache, rc, out = configtest(workdir, "swiftjk", workers=APPENDIX_B,
                                 jk_conf="JkMount /lb/* lb\nJkMount /jkstatus jkstatus\n")
    assert rc == 0 and "Syntax OK" in out, out
    wf = re.escape(str(apache.workers_file))
    for member in ["tomcat1", "tomcat2"]:
        for attr in ["method", "sticky_session"]:
            line = line_of(APPENDIX_B, f"worker.{member}.{attr}=")
            pattern = (wf + f":{line}:" + rf".*worker\.{member}\.{attr}.*no effect.*ajp13 worker {member}"
                       rf".*did you mean worker\.lb\.{attr}\?")
            assert re.search(pattern, out), f"missing /{pattern}/ in:\n{out}"
    # mod_jk says nothing and starts: the attributes are silently ignored (§6.7, §12.3 item 4)
    apache, rc, out = configtest(workdir, "modjk", workers=APPENDIX_B,
                                 jk_conf="JkMount /lb/* lb\nJkMount /jkstatus jkstatus\n")
    assert rc == 0 and "method" not in out and "sticky" not in out, out
    jk_log = start_succeeds(apache)
    assert "method" not in jk_log and "sticky" not in jk_log, jk_log


@pytest.mark.parametrize("connector", CONNECTORS)
def test_jkmount_to_undefined_worker_warns_and_requests_get_500(workdir, connector, backend):
    """§7.7 last row, §12.3 item 19: not fatal; the mapped requests answer 500."""
    apache, rc, out = configtest(workdir, connector, workers=workers_w1(backend),
                                 jk_conf="JkMount /ok/* w1\nJkMount /u/* nosuch\n")
    assert rc == 0 and "Syntax OK" in out, out
    if connector == "swiftjk":
        line = conf_line(apache, "JkMount /u/* nosuch")
        assert re.search(re.escape(f"{apache.conf}:{line}:") + r".*nosuch.*(not defined|undefined|unknown)", out), out
    else:
        # mod_jk is silent in configtest and logs the problem to its JK log at start
        assert "nosuch" not in out, out
    apache.start()
    try:
        assert get(apache, "/ok/a") == (200, "node=w1 uri=/ok/a\n")
        assert get(apache, "/u/a")[0] == 500
        assert apache.crashed_children() == []
        if connector == "modjk":
            assert "Could not find worker with name 'nosuch'" in apache.jk_log()
    finally:
        apache.stop()


def test_defined_but_unused_worker_warns(workdir):
    text = lines(*W1, "worker.spare.host=127.0.0.1", "worker.spare.port=8010")
    apache, rc, out = configtest(workdir, "swiftjk", workers=text, jk_conf="JkMount /x/* w1\n")
    assert rc == 0 and "Syntax OK" in out, out
    line = line_of(text, "worker.spare.host")
    assert re.search(re.escape(f"{apache.workers_file}:{line}:") + r".*spare.*unused", out), out
    # mod_jk never creates 'spare' and says nothing
    apache, rc, out = configtest(workdir, "modjk", workers=text, jk_conf="JkMount /x/* w1\n")
    assert rc == 0 and "spare" not in out, out
    assert "spare" not in start_succeeds(apache)


def test_clean_configuration_passes_without_warnings(workdir):
    """Control: a correct file gives "Syntax OK" and no SwiftJK diagnostic at all."""
    _, rc, out = configtest(workdir, "swiftjk", workers=lines(*W1), jk_conf="JkMount /x/* w1\n")
    assert rc == 0 and "Syntax OK" in out, out
    assert "SJK02" not in out and "warn" not in out, out
