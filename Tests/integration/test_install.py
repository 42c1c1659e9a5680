"""`make -C apxs install` and Debian's `a2enmod swiftjk`: the module and its snippets land where
Apache looks for them, and the system configuration (Debian's own jk.conf and
workers.properties, unchanged) passes `apache2ctl configtest` with SwiftJK instead of mod_jk.
The test restores the module links it changed; it never starts the system service."""

import os
import subprocess
from pathlib import Path

import pytest

from harness import ROOT, make_workdir

MODS = Path("/etc/apache2/mods-enabled")


def run(*args, check=True):
    return subprocess.run(list(args), capture_output=True, text=True, check=check, timeout=300)


def test_install_into_destdir_places_module_and_snippets():
    dest = make_workdir("sjk-destdir-")
    run("make", "-s", "-C", str(ROOT / "apxs"), "install", f"DESTDIR={dest}")
    module = dest / "usr/lib/apache2/modules/mod_swiftjk.so"
    assert module.is_file() and module.stat().st_size > 1_000_000
    load = (dest / "etc/apache2/mods-available/swiftjk.load").read_text()
    assert "LoadModule jk_module /usr/lib/apache2/modules/mod_swiftjk.so" in load
    assert (dest / "etc/apache2/mods-available/swiftjk.conf").is_file()
    ctl = dest / "usr/local/bin/swiftjk-ctl"
    assert ctl.is_file() and os.access(ctl, os.X_OK)


@pytest.mark.skipif(os.geteuid() != 0 or not Path("/usr/sbin/a2enmod").exists(), reason="needs root and a2enmod")
def test_a2enmod_swiftjk_replaces_mod_jk_with_the_same_system_config():
    jk_was_enabled = (MODS / "jk.load").exists()
    swiftjk_was_enabled = (MODS / "swiftjk.load").exists()
    run("make", "-s", "-C", str(ROOT / "apxs"), "install")
    try:
        run("a2dismod", "-q", "jk", check=False)
        run("a2enmod", "-q", "swiftjk")
        assert (MODS / "swiftjk.load").is_symlink()
        result = run("apache2ctl", "configtest", check=False)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Syntax OK" in result.stdout + result.stderr
        loaded = run("apache2ctl", "-M", check=False)
        assert "jk_module" in loaded.stdout
    finally:
        if not swiftjk_was_enabled:
            run("a2dismod", "-q", "swiftjk", check=False)
        if jk_was_enabled:
            run("a2enmod", "-q", "jk", check=False)
