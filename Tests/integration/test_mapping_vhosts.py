"""URI mapping with virtual hosts (T26 of the reference, §5.1, §5.5): JkMountCopy inheritance,
JkOptions inheritance and worker.<name>.mount rules next to vhosts, with Debian's mod_jk 1.2.48 as
the oracle."""

import http.client
import os
import time

import pytest

from mapping_support import (  # noqa: F401  (backends is a fixture)
    CONNECTORS, Apache, backends, forward_count, forwarded, free_port, get, last_req_uri, make_workdir,
    not_forwarded, vhost, wait_until, workers_text)

# ---------------------------------------------------------------------------------------------
# T26: vhost inheritance (name-based vhosts on the Listen port, chosen by Host header; the main
# server itself answers on a second Listen address that no vhost claims)

@pytest.fixture(scope="module", params=CONNECTORS)
def vhosts_on(request, backends):
    work = make_workdir()
    mount_file = work / "main-mounts.properties"
    mount_file.write_text("/mf/*=w1\n")
    port2 = free_port("127.0.0.2")
    apache = Apache(work, request.param, "event", workers=workers_text(backends), name="vhosts-on", jk_conf="")
    port = apache.port
    conf = (f"Listen 127.0.0.2:{port2}\n"
            f"JkMount /a/* w1\nJkUnMount /a/no/* w1\nJkMountFile {mount_file}\n"
            + vhost(port, "plain.test")                                         # no Jk directive at all
            + vhost(port, "other.test", "    JkMount /b/* w2\n")                # own rules, no JkMountCopy
            + vhost(port, "copy.test", "    JkMountCopy On\n    JkMount /b/* w2\n    JkUnMount /a/private/* *\n"
                    "    <Location /vloc>\n        JkMount w2\n    </Location>\n")
            + vhost(port, "override.test", "    JkMountCopy On\n    JkMount /a/* w2\n"))
    apache.conf.write_text(apache.conf.read_text() + conf)
    apache.port2 = port2
    apache.start()
    yield apache
    apache.stop()


def test_t26_main_server_forwards(vhosts_on, backends):
    a = vhosts_on
    assert forwarded(a, backends, "/a/x", address="127.0.0.2", port=a.port2) == ("w1", "/a/x")
    assert forwarded(a, backends, "/mf/x", address="127.0.0.2", port=a.port2) == ("w1", "/mf/x")


def test_t26_vhost_with_own_rules_without_jkmountcopy_does_not_inherit(vhosts_on, backends):
    a = vhosts_on
    not_forwarded(a, backends, "/a/x", host="other.test")
    not_forwarded(a, backends, "/mf/x", host="other.test")
    assert forwarded(a, backends, "/b/x", host="other.test") == ("w2", "/b/x")


def test_t26_vhost_without_any_jk_directive_does_not_inherit(vhosts_on, backends, request):
    """§4.1 operational notes: httpd lets a vhost without any directive of the module share the
    main server's config structure; mod_jk detects this and gives the vhost a fresh config, so
    its mounts are not shared unless JkMountCopy says so."""
    a = vhosts_on
    not_forwarded(a, backends, "/a/x", host="plain.test")
    not_forwarded(a, backends, "/mf/x", host="plain.test")


def test_t26_jkmountcopy_on_copies_main_rules_and_mount_file(vhosts_on, backends):
    a = vhosts_on
    assert forwarded(a, backends, "/a/x", host="copy.test") == ("w1", "/a/x")
    assert forwarded(a, backends, "/b/x", host="copy.test") == ("w2", "/b/x")
    assert forwarded(a, backends, "/mf/x", host="copy.test") == ("w1", "/mf/x")


def test_t26_copied_and_own_exclusions_apply_in_the_vhost(vhosts_on, backends):
    a = vhosts_on
    not_forwarded(a, backends, "/a/no/x", host="copy.test")        # main's JkUnMount, copied
    not_forwarded(a, backends, "/a/private/x", host="copy.test")   # the vhost's own JkUnMount
    assert forwarded(a, backends, "/a/private/x", address="127.0.0.2", port=a.port2) == ("w1", "/a/private/x")
    not_forwarded(a, backends, "/a/no/x", address="127.0.0.2", port=a.port2)


def test_t26_location_mount_inside_vhost(vhosts_on, backends):
    a = vhosts_on
    assert forwarded(a, backends, "/vloc", host="copy.test") == ("w2", "/vloc")
    not_forwarded(a, backends, "/vloc", host="other.test")
    not_forwarded(a, backends, "/vloc", address="127.0.0.2", port=a.port2)


def test_t26_vhost_rule_wins_over_copied_identical_pattern(vhosts_on, backends):
    assert forwarded(vhosts_on, backends, "/a/x", host="override.test") == ("w2", "/a/x")


def test_t26_vhost_rules_do_not_leak_into_main(vhosts_on, backends):
    a = vhosts_on
    not_forwarded(a, backends, "/b/x", address="127.0.0.2", port=a.port2)


@pytest.fixture(scope="module", params=CONNECTORS)
def vhosts_all(request, backends):
    work = make_workdir()
    apache = Apache(work, request.param, "event", workers=workers_text(backends), name="vhosts-all", jk_conf="")
    port = apache.port
    conf = ("JkMountCopy All\nJkMount /a/* w1\nJkOptions +RejectUnsafeURI\n"
            + vhost(port, "plain.test")
            + vhost(port, "other.test", "    JkMount /b/* w2\n")
            + vhost(port, "off.test", "    JkMountCopy Off\n    JkMount /b/* w2\n")
            + vhost(port, "lax.test", "    JkOptions -RejectUnsafeURI\n")
            + vhost(port, "lax2.test", "    JkOptions -RejectUnsafeURI\n    JkMount /a/* w1\n"))
    apache.conf.write_text(apache.conf.read_text() + conf)
    apache.start()
    yield apache
    apache.stop()


def test_t26_jkmountcopy_all_copies_into_every_vhost(vhosts_all, backends):
    a = vhosts_all
    assert forwarded(a, backends, "/a/x", host="plain.test") == ("w1", "/a/x")
    assert forwarded(a, backends, "/a/x", host="other.test") == ("w1", "/a/x")
    assert forwarded(a, backends, "/b/x", host="other.test") == ("w2", "/b/x")


def test_t26_jkmountcopy_off_in_vhost_overrides_all(vhosts_all, backends):
    a = vhosts_all
    not_forwarded(a, backends, "/a/x", host="off.test")
    assert forwarded(a, backends, "/b/x", host="off.test") == ("w2", "/b/x")


def test_jkoptions_are_inherited_by_vhosts(vhosts_all, backends):
    """§4.2: vhost = (main_plus - main_minus) + vhost_plus - vhost_minus; main has +RejectUnsafeURI."""
    a = vhosts_all
    not_forwarded(a, backends, "/a/x%25y", host="plain.test")
    not_forwarded(a, backends, "/a/x%25y", host="other.test")
    assert forwarded(a, backends, "/a/xy", host="other.test") == ("w1", "/a/xy")


def test_vhost_can_remove_an_inherited_option(vhosts_all, backends):
    a = vhosts_all
    assert forwarded(a, backends, "/a/x%25y", host="lax2.test") == ("w1", "/a/x%25y")
    assert forwarded(a, backends, "/a/xy", host="lax2.test") == ("w1", "/a/xy")


def test_vhost_option_with_only_copied_rules(vhosts_all, backends):
    """A legitimate difference. mod_jk 1.2.48 keeps RejectUnsafeURI on the URI map, and a vhost whose
    only rules are copied (JkMountCopy, no JkMount of its own) uses the main server's map: its own
    `JkOptions -RejectUnsafeURI` is ignored (and, the other way round, a vhost's own
    `+RejectUnsafeURI` is ignored when main does not set it). SwiftJK applies the vhost's effective
    JkOptions (§4.2) to every request of the vhost, which is what the operator wrote and is never
    less safe in the '+' direction."""
    a = vhosts_all
    assert forwarded(a, backends, "/a/xy", host="lax.test") == ("w1", "/a/xy")
    if a.connector == "modjk":
        not_forwarded(a, backends, "/a/x%25y", host="lax.test")
    else:
        assert forwarded(a, backends, "/a/x%25y", host="lax.test") == ("w1", "/a/x%25y")


# worker.<name>.mount rules next to vhosts: they belong to the main server's table (§5.1)

@pytest.fixture(scope="module", params=CONNECTORS)
def vhosts_worker_mount(request, backends):
    work = make_workdir()
    port2 = free_port("127.0.0.2")
    apache = Apache(work, request.param, "event", name="vhosts-wm", jk_conf="",
                    workers=workers_text(backends) + "worker.w1.mount=/wm/*\n")
    port = apache.port
    conf = (f"Listen 127.0.0.2:{port2}\nJkMount /a/* w1\n"
            + vhost(port, "plain.test")                                        # no Jk directive at all
            + vhost(port, "copy.test", "    JkMountCopy On\n")                  # copies, no own rule
            + vhost(port, "copyown.test", "    JkMountCopy On\n    JkMount /own/* w2\n"))
    apache.conf.write_text(apache.conf.read_text() + conf)
    apache.port2 = port2
    apache.start()
    yield apache
    apache.stop()


def test_worker_mount_in_main_server_next_to_a_vhost_without_jk_directives(vhosts_worker_mount, backends, request):
    a = vhosts_worker_mount
    assert forwarded(a, backends, "/a/x", address="127.0.0.2", port=a.port2) == ("w1", "/a/x")
    assert forwarded(a, backends, "/wm/x", address="127.0.0.2", port=a.port2) == ("w1", "/wm/x")


def test_worker_mount_reaches_a_copying_vhost_without_own_rules(vhosts_worker_mount, backends, request):
    """mod_jk gives a JkMountCopy vhost that has no mount rule of its own the main server's URI map
    itself, worker.<name>.mount rules included (so 'JkMountCopy All' + worker mounts serve every
    vhost); a vhost with rules of its own gets only the copied JkMount/JkUnMount rules."""
    a = vhosts_worker_mount
    assert forwarded(a, backends, "/a/x", host="copy.test") == ("w1", "/a/x")
    assert forwarded(a, backends, "/wm/x", host="copy.test") == ("w1", "/wm/x")


def test_worker_mount_does_not_reach_a_copying_vhost_with_own_rules(vhosts_worker_mount, backends):
    a = vhosts_worker_mount
    assert forwarded(a, backends, "/a/x", host="copyown.test") == ("w1", "/a/x")
    assert forwarded(a, backends, "/own/x", host="copyown.test") == ("w2", "/own/x")
    not_forwarded(a, backends, "/wm/x", host="copyown.test")
