"""Browser fixtures: the app served by werkzeug on 127.0.0.1 in a thread, and Playwright driving Debian's Chromium.

Chromium comes from Debian (`/usr/bin/chromium`, installed by tools/system-deps.sh); Playwright's own browser
download (`playwright install`) is never used. Set MSS_SCREENSHOTS=1 to write the screenshots the tests take into
docs/screenshots/ (otherwise they go to a temporary folder, so a test run leaves the work tree alone).
"""

import os
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--lang=zh-CN"]
VIEWPORT = {"width": 1366, "height": 768}
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="session")
def live_server(app):
    """The test app (on the test database) served on 127.0.0.1 at a free port; `.url` is its base address."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session; skipped when Debian's Chromium or Playwright is missing."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"浏览器测试需要 Debian 的 Chromium（{CHROMIUM}）：请运行 make system-deps 或 "
                    "apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="浏览器测试需要 Playwright：pip install -r requirements-dev.txt")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) at 1366×768 in Chinese, with relative URLs on the live server."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(15000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def screenshot(page, tmp_path):
    """screenshot("name") saves the viewport as console-name.png (into docs/screenshots/ with MSS_SCREENSHOTS=1)."""
    folder = DOCS_SCREENSHOTS if os.environ.get("MSS_SCREENSHOTS") == "1" else tmp_path

    def shoot(name):
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"console-{name}.png"
        page.screenshot(path=str(path))
        return path

    return shoot


@pytest.fixture
def demo(app):
    """The demo county with its units, rosters and demo accounts (password app.demo.seed.DEMO_PASSWORD)."""
    from app.demo.seed import seed_accounts, seed_regions, seed_rosters, seed_units

    with app.app_context():
        seed_regions()
        seed_units()
        seed_rosters()
        seed_accounts()


def log_in(page, username, screenshot=None):
    """Log in through the form as a person would (demo password), landing on the dashboard."""
    from app.demo.seed import DEMO_PASSWORD

    page.goto("/console/login")
    if screenshot:
        screenshot("login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/console/$"))
