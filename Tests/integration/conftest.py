"""Shared fixtures: the built module, a work directory, Tomcat instances for the session."""

import subprocess

import pytest

from harness import BACKEND_BIN, ROOT, SANITIZE, SWIFTJK_SO, Tomcat, make_workdir, sanitizer_reports


@pytest.fixture(scope="session", autouse=True)
def built_artifacts():
    """Builds mod_swiftjk.so and the test backend once, unless they exist and SJK_NO_BUILD is set."""
    import os
    if not (os.environ.get("SJK_NO_BUILD") and SWIFTJK_SO.exists()):
        target = ["sanitize", f"SAN_KIND={SANITIZE}"] if SANITIZE else []
        subprocess.run(["make", "-C", str(ROOT / "apxs")] + target, check=True, stdout=subprocess.DEVNULL)
    if not (os.environ.get("SJK_NO_BUILD") and BACKEND_BIN.exists()):
        subprocess.run(["swift", "build", "--product", "ajp-test-backend"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)


@pytest.fixture
def workdir():
    """A temporary directory for one test's processes and files."""
    return make_workdir()


@pytest.fixture(scope="session")
def tomcats():
    """Two real Tomcat 10 instances: tomcat1 with an AJP secret, tomcat2 without
    (secretRequired=false), on 127.0.0.10 and 127.0.0.12."""
    base = make_workdir("sjk-tomcat-")
    t1 = Tomcat(base, "tomcat1", "127.0.0.10", "tomcat1", secret="s3cr3t-ajp").start()
    t2 = Tomcat(base, "tomcat2", "127.0.0.12", "tomcat2").start()
    try:
        t1.wait()
        t2.wait()
        yield {"tomcat1": t1, "tomcat2": t2}
    finally:
        t1.stop()
        t2.stop()


@pytest.fixture(autouse=True)
def no_sanitizer_reports():
    """Under SJK_SANITIZE, a test fails when any httpd it ran wrote a sanitizer report."""
    if not SANITIZE:
        yield
        return
    before = set(sanitizer_reports())
    yield
    new = [p for p in sanitizer_reports() if p not in before]
    assert not new, "sanitizer reports:\n" + "\n".join(f"== {p}\n{p.read_text(errors='replace')[:4000]}" for p in new)
