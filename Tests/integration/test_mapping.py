"""URI mapping through real httpd + a JK module + the recording AJP backend: scenarios T15–T27 of
the reference (§13.2, rules in §3.3 and §5). Every scenario that mod_jk can run is parametrized
over ["modjk", "swiftjk"], so Debian's mod_jk 1.2.48 is the oracle for the same configuration.

The backends are the Swift recording backend; its normal reply body is `node=<name> uri=<req_uri>\\n`,
so the body says which worker got the request and which req_uri travelled in FORWARD_REQUEST."""

import http.client
import os
import time

import pytest

from mapping_support import (  # noqa: F401  (backends is a fixture)
    CONNECTORS, Apache, backends, forward_count, forwarded, free_port, get, last_req_uri, make_workdir,
    not_forwarded, vhost, wait_until, workers_text)

# ---------------------------------------------------------------------------------------------
# T15–T19, T21, T22, T23, T27: one server per connector with the configuration of §13.2

MOUNT_FILE_T23 = "/m/*=w1\n-/m/off/*=w1\n!/m/*.css=w1\n-!/m/x.css=w1\n/n|/*=w1\n*.jsp=w1\n/tie2/*=w2\n"

MAIN_CONF = """JkMount /app/* w1
JkMount /exact w1
JkMount /x/*.jsp w1
JkUnMount /app/static/* w1
JkUnMount /app/*.gif *
<Location /loc>
    JkMount w1
</Location>
JkMountFile {mount_file}
<Location /seth>
    SetHandler jakarta-servlet
</Location>
<Location /seth-env>
    SetHandler jakarta-servlet
    SetEnv JK_WORKER_NAME w1
</Location>
JkMount /w2app/* w2
JkUnMount /w2app/*.gif w1
JkUnMount /w2app/*.png *
JkUnMount /*.ico *
<Location /app/private>
    JkUnMount w1
</Location>
<Location /lw/*>
    JkMount w1
</Location>
JkMount /dup/* w1
JkMount /dup/* w2
JkMount /tie/* w1
JkMount /tie2/* w1
JkMount /q?.txt w1
JkMount /ext/* w1;reply_timeout=5000;use_server_errors=600
JkMount /ext2/* w2;no_such_extension=1
SetEnvIf Request_URI "^/app/nojk/" no-jk
<Location /seth-ext>
    SetHandler jakarta-servlet
    SetEnv JK_WORKER_NAME "w2;reply_timeout=5000"
</Location>
<Location /seth-undefined>
    SetHandler jakarta-servlet
    SetEnv JK_WORKER_NAME nosuch
</Location>
"""

# worker.<name>.mount rules (source rank 1) next to JkMount (2) and the mount file (3), §5.1
WORKER_MOUNTS = "worker.w2.mount=/wm/* /tie/*\n"


@pytest.fixture(scope="module", params=CONNECTORS)
def site(request, backends):
    work = make_workdir()
    mount_file = work / "uriworkermap.properties"
    mount_file.write_text(MOUNT_FILE_T23)
    os.chmod(mount_file, 0o644)
    apache = Apache(work, request.param, "prefork", jk_conf=MAIN_CONF.format(mount_file=mount_file),
                    workers=workers_text(backends) + WORKER_MOUNTS)
    apache.mount_file = mount_file
    apache.start()
    yield apache
    apache.stop()
    assert apache.crashed_children() == []


def test_t15_prefix_mount_does_not_match_the_bare_prefix(site, backends):
    assert forwarded(site, backends, "/app/a") == ("w1", "/app/a")
    not_forwarded(site, backends, "/appx")
    not_forwarded(site, backends, "/app")
    assert forwarded(site, backends, "/app/") == ("w1", "/app/")


def test_t16_exact_mount(site, backends):
    assert forwarded(site, backends, "/exact") == ("w1", "/exact")
    not_forwarded(site, backends, "/exact/")
    not_forwarded(site, backends, "/exact/x")
    not_forwarded(site, backends, "/exactx")


def test_t17_location_mount_is_an_exact_rule(site, backends):
    assert forwarded(site, backends, "/loc") == ("w1", "/loc")
    not_forwarded(site, backends, "/loc/sub")
    not_forwarded(site, backends, "/loc/")


def test_t18_wildcard_spans_slashes_and_is_case_sensitive(site, backends):
    assert forwarded(site, backends, "/x/y/z.jsp") == ("w1", "/x/y/z.jsp")
    assert forwarded(site, backends, "/x/z.jsp") == ("w1", "/x/z.jsp")
    not_forwarded(site, backends, "/x/z.JSP")
    not_forwarded(site, backends, "/APP/a")
    not_forwarded(site, backends, "/x/z.jspx")


def test_t19_exclusions_for_the_worker_and_for_any_worker(site, backends):
    not_forwarded(site, backends, "/app/static/s.css")
    not_forwarded(site, backends, "/app/img.gif")
    not_forwarded(site, backends, "/app/deep/er/img.gif")
    # only the excluded subtree/suffix is cut out
    assert forwarded(site, backends, "/app/statics/s.css") == ("w1", "/app/statics/s.css")
    assert forwarded(site, backends, "/app/img.png") == ("w1", "/app/img.png")


def test_t19_exclusion_for_another_worker_does_not_exclude(site, backends):
    """§5.3: 'JkUnMount /app/*.gif w1' does not exclude what is mounted to w2; '*' does."""
    assert forwarded(site, backends, "/w2app/x.gif") == ("w2", "/w2app/x.gif")
    not_forwarded(site, backends, "/w2app/x.png")


def test_t19_exclusion_checks_the_uri_across_rules_and_sources(site, backends):
    """'JkUnMount /*.ico *' excludes icons under every mount, also those of the mount file."""
    not_forwarded(site, backends, "/app/favicon.ico")
    not_forwarded(site, backends, "/m/a/favicon.ico")
    not_forwarded(site, backends, "/exact/../app/x.ico")


def test_t19_unmount_inside_location_is_exact(site, backends):
    not_forwarded(site, backends, "/app/private")
    assert forwarded(site, backends, "/app/private/x") == ("w1", "/app/private/x")


def test_t17_location_with_wildcard_is_a_wildcard_rule(site, backends):
    assert forwarded(site, backends, "/lw/a/b") == ("w1", "/lw/a/b")
    not_forwarded(site, backends, "/lw")


def test_same_pattern_twice_last_jkmount_wins(site, backends):
    assert forwarded(site, backends, "/dup/a") == ("w2", "/dup/a")


def test_worker_mount_attribute_maps(site, backends):
    assert forwarded(site, backends, "/wm/a") == ("w2", "/wm/a")


def test_equal_patterns_higher_source_rank_wins(site, backends):
    """§5.3 item 3: uriworkermap (3) > JkMount (2) > worker.X.mount (1) for identical patterns."""
    assert forwarded(site, backends, "/tie/a") == ("w1", "/tie/a")      # JkMount beats worker mount
    assert forwarded(site, backends, "/tie2/a") == ("w2", "/tie2/a")    # mount file beats JkMount


def test_question_mark_matches_exactly_one_character(site, backends):
    assert forwarded(site, backends, "/qa.txt") == ("w1", "/qa.txt")
    not_forwarded(site, backends, "/q.txt")
    not_forwarded(site, backends, "/qab.txt")


def test_rule_extensions_do_not_change_the_worker(site, backends):
    assert forwarded(site, backends, "/ext/a") == ("w1", "/ext/a")
    assert forwarded(site, backends, "/ext2/a") == ("w2", "/ext2/a")   # unknown extension: warning only


def test_no_jk_env_var_stops_forwarding(site, backends):
    not_forwarded(site, backends, "/app/nojk/a")
    assert forwarded(site, backends, "/app/nojkx") == ("w1", "/app/nojkx")


def test_uri_longer_than_4095_bytes_is_never_mapped(site, backends):
    """§5.3: the normalised URI is mapped only up to 4095 bytes; both modules leave it to httpd."""
    long_path = "/app/" + "a" * 4100
    assert forwarded(site, backends, "/app/" + "a" * 3000)[0] == "w1"
    before = forward_count(backends)
    status, _ = get(site.port, long_path)
    # httpd's own answer: the file name is too long for the file system (ENAMETOOLONG) -> 403
    assert status == 403 and forward_count(backends) == before, status


def test_t21_path_parameters_are_mapped_away_but_forwarded(site, backends):
    assert forwarded(site, backends, "/app/x;jsessionid=ABC/y") == ("w1", "/app/x;jsessionid=ABC/y")
    assert last_req_uri(backends["w1"]) == "/app/x;jsessionid=ABC/y"
    # /app;v=1/z is mapped as /app/z (the bare /app would not be)
    assert forwarded(site, backends, "/app;v=1/z") == ("w1", "/app;v=1/z")
    assert last_req_uri(backends["w1"]) == "/app;v=1/z"
    assert forwarded(site, backends, "/exact;jsessionid=1") == ("w1", "/exact;jsessionid=1")
    assert forwarded(site, backends, "/exact?x=1;y") == ("w1", "/exact")


def test_t21_path_parameters_cannot_dodge_exclusions(site, backends):
    """CVE-2018-11759 class: exclusions are checked against the normalised URI."""
    not_forwarded(site, backends, "/app/static;x=1/s.css")
    not_forwarded(site, backends, "/app/img.gif;jsessionid=A")
    not_forwarded(site, backends, "/app;a=b/static/s.css")


def test_t22_dot_segments_and_double_slashes(site, backends):
    assert forwarded(site, backends, "/app/./b/../c") == ("w1", "/app/c")
    assert last_req_uri(backends["w1"]) == "/app/c"
    assert forwarded(site, backends, "/app//double") == ("w1", "/app/double")
    # normalisation happens before the exclusion check too
    not_forwarded(site, backends, "/app/x/../static/s.css")
    not_forwarded(site, backends, "/app//static//s.css")
    # mapping sees httpd's decoded URI
    assert forwarded(site, backends, "/%61pp/%7Euser") == ("w1", "/app/~user")
    not_forwarded(site, backends, "/app/static/%73.css")
    # climbing above the root: httpd itself answers 400
    not_forwarded(site, backends, "/app/../../b", status=400)


def test_t23_mount_file_modifiers(site, backends):
    assert forwarded(site, backends, "/m/a") == ("w1", "/m/a")
    assert forwarded(site, backends, "/m/off/a") == ("w1", "/m/off/a")   # '-' rule ignored, /m/* matches
    not_forwarded(site, backends, "/m/a.css")                            # '!' exclusion
    not_forwarded(site, backends, "/m/x.css")                            # '-!' disabled, '!/m/*.css' excludes
    assert forwarded(site, backends, "/n") == ("w1", "/n")                # '/n|/*' = '/n' + '/n/*'
    assert forwarded(site, backends, "/n/a") == ("w1", "/n/a")
    not_forwarded(site, backends, "/nx")
    not_forwarded(site, backends, "/top.jsp")                            # '*.jsp' is rejected


def test_t23_rejected_jsp_line_is_reported(site):
    logs = site.error_log() + site.jk_log()
    if site.connector == "modjk":
        assert "invalid context '*.jsp': does not begin with '/'" in site.jk_log()
    else:
        line = [ln for ln in logs.splitlines() if "*.jsp" in ln]
        assert line, logs
        assert f"{site.mount_file}:6:" in line[0] and "does not begin with '/'" in line[0], line[0]


def test_t24_control_percent_is_forwarded_without_reject_unsafe_uri(site, backends):
    assert forwarded(site, backends, "/app/a%25b") == ("w1", "/app/a%25b")


def test_t27_sethandler_without_worker_name_is_not_forwarded(site, backends):
    not_forwarded(site, backends, "/seth")


def test_t27_sethandler_with_jk_worker_name_is_forwarded(site, backends):
    assert forwarded(site, backends, "/seth-env") == ("w1", "/seth-env")


def test_t27_jk_worker_name_may_carry_rule_extensions(site, backends):
    assert forwarded(site, backends, "/seth-ext") == ("w2", "/seth-ext")


def test_t27_jk_worker_name_naming_an_undefined_worker_gives_500(site, backends):
    not_forwarded(site, backends, "/seth-undefined", status=500)


@pytest.mark.parametrize("connector", CONNECTORS)
def test_t27_jkworkerindicator_renames_the_variable(connector, backends):
    conf = ("JkWorkerIndicator MYWORKER\n<Location /ind>\n    SetHandler jakarta-servlet\n    SetEnv MYWORKER w2\n"
            "</Location>\n<Location /ind-old>\n    SetHandler jakarta-servlet\n    SetEnv JK_WORKER_NAME w1\n"
            "</Location>\n")
    apache = Apache(make_workdir(), connector, "event", workers=workers_text(backends), jk_conf=conf).start()
    try:
        assert forwarded(apache, backends, "/ind") == ("w2", "/ind")
        not_forwarded(apache, backends, "/ind-old")
    finally:
        apache.stop()


# ---------------------------------------------------------------------------------------------
# T20: specificity, independent of the directive order

@pytest.mark.parametrize("connector", CONNECTORS)
@pytest.mark.parametrize("order", ["general-first", "specific-first"])
def test_t20_more_specific_rule_wins_regardless_of_order(connector, order, backends):
    rules = ["JkMount /a/* w1", "JkMount /a/b/* w2"]
    if order == "specific-first":
        rules.reverse()
    apache = Apache(make_workdir(), connector, "event", jk_conf="\n".join(rules) + "\n",
                    workers=workers_text(backends)).start()
    try:
        assert forwarded(apache, backends, "/a/b/c") == ("w2", "/a/b/c")
        assert forwarded(apache, backends, "/a/c") == ("w1", "/a/c")
        assert forwarded(apache, backends, "/a/bc/d") == ("w1", "/a/bc/d")
        assert forwarded(apache, backends, "/a/b/") == ("w2", "/a/b/")
    finally:
        apache.stop()


# ---------------------------------------------------------------------------------------------
# T24: JkOptions +RejectUnsafeURI

@pytest.fixture(scope="module", params=CONNECTORS)
def unsafe_site(request, backends):
    apache = Apache(make_workdir(), request.param, "event", workers=workers_text(backends),
                    jk_conf="JkMount /app/* w1\nJkOptions +RejectUnsafeURI\n").start()
    yield apache
    apache.stop()


def test_t24_reject_unsafe_uri_does_not_forward(unsafe_site, backends):
    not_forwarded(unsafe_site, backends, "/app/a%25b")
    not_forwarded(unsafe_site, backends, "/app/a%5Cb")
    not_forwarded(unsafe_site, backends, "/app/a\\b")
    not_forwarded(unsafe_site, backends, "/app/a%2525b")
    assert forwarded(unsafe_site, backends, "/app/plain") == ("w1", "/app/plain")


def test_t24_only_the_normalised_path_is_checked(unsafe_site, backends):
    """The check runs on the URI after path parameters are removed (§3.3, §5.3 step 1); the query
    string is not part of it."""
    assert forwarded(unsafe_site, backends, "/app/a;x=%25/b") == ("w1", "/app/a;x=%25/b")
    assert forwarded(unsafe_site, backends, "/app/a?q=%25") == ("w1", "/app/a")


@pytest.mark.parametrize("connector", [
    "modjk",
    "swiftjk",
])
def test_t24_rejection_is_logged(connector, backends):
    apache = Apache(make_workdir(), connector, "event", workers=workers_text(backends),
                    jk_conf="JkMount /app/* w1\nJkOptions +RejectUnsafeURI\n").start()
    try:
        not_forwarded(apache, backends, "/app/a%25b")
        assert wait_until(lambda: "Potentially unsafe request url '/app/a%b' rejected" in apache.jk_log(), 3), \
            apache.jk_log()
    finally:
        apache.stop()


# ---------------------------------------------------------------------------------------------
# T25: JkMountFileReload

def write_mount_file(path, text, mtime):
    """Rewrites the mount file and sets its mtime explicitly (a rewrite within the same second as the
    last load would otherwise look unchanged)."""
    path.write_text(text)
    os.utime(path, (mtime, mtime))


@pytest.mark.parametrize("connector", CONNECTORS)
def test_t25_mount_file_reload_without_restart(connector, backends):
    work = make_workdir()
    mount_file = work / "reload.properties"
    start_mtime = time.time() - 100
    write_mount_file(mount_file, "/r/*=w1\n", start_mtime)
    apache = Apache(work, connector, "prefork", workers=workers_text(backends),
                    jk_conf=f"JkMountFile {mount_file}\nJkMountFileReload 1\n").start()
    try:
        for _ in range(6):   # every prefork child has loaded the first version
            assert forwarded(apache, backends, "/r/a") == ("w1", "/r/a")
        not_forwarded(apache, backends, "/r2/a")
        write_mount_file(mount_file, "-/r/*=w1\n/r2/*=w2\n", start_mtime + 10)
        time.sleep(2.5)      # > JkMountFileReload: the next request in every child re-reads the file
        for _ in range(8):
            not_forwarded(apache, backends, "/r/a")
            assert forwarded(apache, backends, "/r2/a") == ("w2", "/r2/a")
        write_mount_file(mount_file, "/r/*=w2\n", start_mtime + 20)
        time.sleep(2.5)
        for _ in range(8):
            assert forwarded(apache, backends, "/r/a") == ("w2", "/r/a")
            not_forwarded(apache, backends, "/r2/a")
        assert apache.crashed_children() == []
    finally:
        apache.stop()


@pytest.mark.parametrize("connector", CONNECTORS)
def test_t25_inherited_mount_file_reloads_in_copying_vhosts(connector, backends):
    work = make_workdir()
    mount_file = work / "reload.properties"
    start_mtime = time.time() - 100
    write_mount_file(mount_file, "/r/*=w1\n", start_mtime)
    port2 = free_port("127.0.0.2")
    apache = Apache(work, connector, "prefork", workers=workers_text(backends), jk_conf="")
    port = apache.port
    apache.conf.write_text(apache.conf.read_text() + f"Listen 127.0.0.2:{port2}\nJkMountFile {mount_file}\n"
                           "JkMountFileReload 1\n" + vhost(port, "copy.test", "    JkMountCopy On\n")
                           + vhost(port, "copyown.test", "    JkMountCopy On\n    JkMount /own/* w2\n"))
    apache.start()
    places = [dict(address="127.0.0.2", port=port2), dict(host="copy.test"), dict(host="copyown.test")]
    try:
        for where in places:
            assert forwarded(apache, backends, "/r/a", **where) == ("w1", "/r/a")
        write_mount_file(mount_file, "/s/*=w2\n", start_mtime + 10)
        time.sleep(2.5)
        for _ in range(3):
            for where in places:
                not_forwarded(apache, backends, "/r/a", **where)
                assert forwarded(apache, backends, "/s/a", **where) == ("w2", "/s/a")
    finally:
        apache.stop()


@pytest.mark.parametrize("connector", CONNECTORS)
def test_t25_vanished_mount_file_keeps_the_old_rules(connector, backends):
    """§5.6: a stat failure keeps the rules loaded last."""
    work = make_workdir()
    mount_file = work / "reload.properties"
    write_mount_file(mount_file, "/r/*=w1\n", time.time() - 100)
    apache = Apache(work, connector, "event", workers=workers_text(backends),
                    jk_conf=f"JkMountFile {mount_file}\nJkMountFileReload 1\n").start()
    try:
        assert forwarded(apache, backends, "/r/a") == ("w1", "/r/a")
        mount_file.unlink()
        time.sleep(2.5)
        for _ in range(4):
            assert forwarded(apache, backends, "/r/a") == ("w1", "/r/a")
        assert apache.crashed_children() == []
    finally:
        apache.stop()


@pytest.mark.parametrize("connector", CONNECTORS)
def test_t25_reload_zero_never_rereads(connector, backends):
    work = make_workdir()
    mount_file = work / "reload.properties"
    start_mtime = time.time() - 100
    write_mount_file(mount_file, "/r/*=w1\n", start_mtime)
    apache = Apache(work, connector, "event", workers=workers_text(backends),
                    jk_conf=f"JkMountFile {mount_file}\nJkMountFileReload 0\n").start()
    try:
        assert forwarded(apache, backends, "/r/a") == ("w1", "/r/a")
        write_mount_file(mount_file, "-/r/*=w1\n", start_mtime + 10)
        time.sleep(2.5)
        for _ in range(4):
            assert forwarded(apache, backends, "/r/a") == ("w1", "/r/a")
    finally:
        apache.stop()
