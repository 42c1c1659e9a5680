"""The Debian package (`make -C apxs deb`), installed into this system with dpkg as a user would:
maintainer scripts (enable only when mod_jk is not enabled, otherwise say how to switch), a2enmod's
conflict with jk, Apache with Debian's layout (mods-enabled, Debian's jk.conf and packaged
workers.properties) serving through the module while the Swift toolchain is hidden in a mount
namespace, then remove and purge.

Needs root, dpkg and unshare; it restores the jk/swiftjk enable state it found."""

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from harness import ROOT, free_port, make_workdir, stop_pid, wait_until

MODS = Path("/etc/apache2/mods-enabled")
pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("dpkg") or not shutil.which("unshare"),
                                reason="needs root, dpkg and unshare")


def run(*args, check=True, timeout=600):
    result = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"{args}: {result.stdout}{result.stderr}")
    return result


def toolchain_root():
    swift = shutil.which("swift")
    return Path(swift).resolve().parents[2] if swift else None


def test_deb_installs_enables_serves_without_swift_and_purges():
    built = run("make", "-s", "-C", str(ROOT / "apxs"), "deb")
    debs = sorted((ROOT / "apxs/out").glob("libapache2-mod-swiftjk_*.deb"))
    assert debs, built.stdout
    deb = debs[-1]
    assert (ROOT / "apxs/out").glob("libapache2-mod-swiftjk-dbgsym_*.deb")
    if shutil.which("lintian"):
        report = run("lintian", "--fail-on", "error,warning", str(deb), check=False)
        assert report.returncode == 0, report.stdout + report.stderr
    info = run("dpkg-deb", "-f", str(deb), "Depends").stdout
    assert "apache2-api-20120211" in info and "swift" not in info.lower()
    jk_was_enabled = (MODS / "jk.load").exists()
    swiftjk_was_enabled = (MODS / "swiftjk.load").exists()
    run("a2enmod", "-q", "jk", check=False)
    run("a2dismod", "-q", "swiftjk", check=False)
    work = make_workdir("sjk-deb-")
    pid = None
    try:
        # Files a `make -C apxs install` (test_install.py) left behind are not the package's.
        if run("dpkg", "-s", "libapache2-mod-swiftjk", check=False).returncode != 0:
            for leftover in ["/etc/apache2/mods-available/swiftjk.load", "/etc/apache2/mods-available/swiftjk.conf",
                             "/usr/lib/apache2/modules/mod_swiftjk.so", "/usr/local/bin/swiftjk-ctl"]:
                Path(leftover).unlink(missing_ok=True)
        installed = run("dpkg", "-i", str(deb))
        # mod_jk is enabled: the package does not enable itself and prints how to switch.
        assert "a2dismod jk && a2enmod swiftjk" in installed.stdout + installed.stderr
        assert not (MODS / "swiftjk.load").exists()
        module = Path("/usr/lib/apache2/modules/mod_swiftjk.so")
        assert module.is_file() and module.stat().st_size < 8_000_000
        assert "not stripped" not in run("file", "-L", str(module), check=False).stdout
        refused = run("a2enmod", "swiftjk", check=False)
        assert refused.returncode != 0 and "conflict" in (refused.stdout + refused.stderr).lower()

        run("a2dismod", "-q", "jk")
        run("a2enmod", "-q", "swiftjk")
        port = free_port()
        conf = work / "httpd.conf"
        conf.write_text("\n".join([
            f"ServerRoot {work}", f"PidFile {work}/httpd.pid", f"Listen 127.0.0.1:{port}", "ServerName 127.0.0.1",
            f"ErrorLog {work}/error.log", "User www-data", "Group www-data",
            "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so",
            "LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so",
            "LoadModule authz_host_module /usr/lib/apache2/modules/mod_authz_host.so",
            # Debian's layout: the enabled module and its configuration (which includes jk.conf).
            f"Include {MODS}/swiftjk.load", f"Include {MODS}/swiftjk.conf",
            "JkMount /app/* ajp13_worker", ""]))
        root = toolchain_root()
        hide = f"mount -t tmpfs none {root} && " if root else ""
        check = "test ! -e " + str(root / "usr/bin/swift") + " && " if root else ""
        configtest = run("unshare", "--mount", "--propagation", "private", "sh", "-c",
                         f"{hide}{check}apache2 -f {conf} -t", check=False)
        assert configtest.returncode == 0, configtest.stdout + configtest.stderr
        proc = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                                 f"{hide}exec apache2 -f {conf} -DFOREGROUND"], start_new_session=True)
        pid = proc.pid

        def up():
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return True
            except OSError:
                return proc.poll() is not None
        assert wait_until(up, 20) and proc.poll() is None, (work / "error.log").read_text()
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/app/x", timeout=20)
            raise AssertionError("no Tomcat on 8009: expected 503")
        except urllib.error.HTTPError as error:
            assert error.code == 503
            assert "SwiftJK/" in (error.headers.get("Server") or "")
        stop_pid(pid)
        pid = None
        assert "SwiftJK" in (work / "error.log").read_text()

        # Both modules enabled (jk enabled behind a2enmod's back): configtest says so in plain words.
        run("a2enmod", "-q", "-f", "jk", check=False)
        both = run("apache2", "-f", str(conf), "-t", check=False)
        assert both.returncode != 0 and "only one jk_module can load" in both.stdout + both.stderr
        run("a2dismod", "-q", "jk", check=False)

        run("dpkg", "-r", "libapache2-mod-swiftjk")
        assert not module.exists() and not (MODS / "swiftjk.load").exists()
        assert Path("/etc/apache2/mods-available/swiftjk.conf").exists(), "conffiles stay until purge"
        run("dpkg", "-P", "libapache2-mod-swiftjk")
        assert not Path("/etc/apache2/mods-available/swiftjk.conf").exists()
        assert not list(Path("/var/log/apache2").glob("jk-runtime-status.*"))
    finally:
        if pid:
            stop_pid(pid)
        run("dpkg", "-P", "libapache2-mod-swiftjk", check=False)
        run("a2dismod", "-q", "swiftjk", check=False)
        if jk_was_enabled:
            run("a2enmod", "-q", "jk", check=False)
        else:
            run("a2dismod", "-q", "jk", check=False)
        if swiftjk_was_enabled:
            run("make", "-s", "-C", str(ROOT / "apxs"), "install", check=False)
            run("a2dismod", "-q", "jk", check=False)
            run("a2enmod", "-q", "swiftjk", check=False)


@pytest.mark.skipif(not shutil.which("aarch64-linux-gnu-gcc"), reason="Debian's gcc-aarch64-linux-gnu is not installed")
def test_c_shim_cross_compiles_for_arm64():
    """Raspberry Pi OS (bookworm, 64-bit): nothing in the shim assumes x86_64 (-Werror)."""
    result = run("make", "-s", "-C", str(ROOT / "apxs"), "cross-check-arm64", check=False)
    assert result.returncode == 0 and "compiles for aarch64" in result.stdout, result.stdout + result.stderr
    assert run("file", *map(str, (ROOT / "apxs/out/arm64").glob("*.o"))).stdout.count("ARM aarch64") >= 9
