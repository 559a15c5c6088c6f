"""Browser fixtures: the app served on a free 127.0.0.1 port, driven by Debian's Chromium via Playwright.

Never `playwright install`: we point Playwright at /usr/bin/chromium. Without that browser the browser
tests fail with the command that installs it: a page nobody looked at is not a passing page.
"""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app.services.setup.demo import DEMO_PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-quic",
    "--disable-component-update",
    "--disable-sync",
]
PHONE_VIEWPORT = {"width": 390, "height": 844}
AXE = Path(__file__).parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = os.environ.get("SCREENSHOT_DIR")
MIN_TAP_TARGET = 44
# Every control a thumb may tap, as shown; a box inside a label is tapped anywhere on its row.
TAP_TARGETS = """(within) => [...document.querySelectorAll(
    `${within} :is(a, button, input, select, textarea, summary)`)]
  .filter((node) => node.getClientRects().length && getComputedStyle(node).visibility !== 'hidden')
  .map((node) => {
    const row = node.matches('input[type=checkbox], input[type=radio]') && node.closest('label');
    const box = (row || node).getBoundingClientRect();
    return {name: node.id || node.textContent.trim() || node.name, width: box.width, height: box.height};
  })"""


def axe_violations(page) -> list[str]:
    """axe-core (npm, tests/js) run in the page: every violation of any impact, by rule and element."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())  # evaluated by the browser's debugger protocol, so the CSP allows it
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}" for v in results["violations"]]


def small_tap_targets(page, within: str = "body") -> list[str]:
    """The controls in `within` a thumb may tap that are under 44 px either way, as 'name WxH'."""
    return [f"{t['name']} {t['width']:.0f}x{t['height']:.0f}" for t in page.evaluate(TAP_TARGETS, within)
            if min(t["width"], t["height"]) < MIN_TAP_TARGET]


def assert_accessible(page, name: str) -> None:
    """axe finds nothing in the page as it stands; with SCREENSHOT_DIR set, the page is kept as it was checked."""
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)
        page.screenshot(path=f"{SHOTS}/{name}-screen.png")
    assert axe_violations(page) == [], name


class LiveServer:
    """The test app served by werkzeug in a thread; stops when the test ends."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "LiveServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(app):
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    """A fresh browser context (no cookies) at phone size; the test fails if the CSP blocked anything."""
    context = chromium.new_context(viewport=PHONE_VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    blocked = []
    page.on("console", lambda message: "Content Security Policy" in message.text and blocked.append(message.text))
    yield page
    context.close()
    # Every browser test doubles as a check that the page works under the Content-Security-Policy.
    assert blocked == [], blocked


@pytest.fixture
def sign_in(live_server, page):
    """sign_in("renhe") logs the page in as a demo staff account and waits until it has left /login."""

    def sign_in(username: str) -> None:
        page.goto(live_server.url + "/login")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(lambda url: "/login" not in url)

    return sign_in
