"""Headless Chromium for browser tests: Debian's /usr/bin/chromium driven by Playwright.

Where Chromium or Playwright is missing the tests skip with the reason, so a newcomer's
`make test` passes; CI sets CARNET_REQUIRE_BROWSER=1 and then a missing browser fails.
Every tab reports the Content-Security-Policy violations it meets (watch_csp_violations): a
browser test fails on any, whatever else it checks. BrowserTestCase puts it all together.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.contrib.staticfiles.testing import StaticLiveServerTestCase

from tests.support import required

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # said by missing_reason(): the browser tests skip, or fail in CI
    sync_playwright = None

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("CARNET_SCREENSHOTS", ROOT / "test-artifacts" / "screenshots"))
# Without the background-networking flags Chromium keeps dialling Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return os.environ.get("CARNET_CHROMIUM") or shutil.which("chromium") or None


def missing_reason() -> str | None:
    if not chromium_path():
        return "Chromium not found (apt-get install chromium, or set CARNET_CHROMIUM)"
    if sync_playwright is None:
        return "Playwright for Python is not installed (make install)"
    return None


def skip_or_fail(reason: str) -> None:
    required.skip_or_fail("BROWSER", reason)


def screenshot_path(name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
_STILL = "*, *::before, *::after { transition: none !important; animation: none !important; }"
_AXE_RUN = """async ({include, proseHeadings}) => {
    const options = {resultTypes: ['violations']};
    const context = include || document;
    let violations;
    if (proseHeadings) {
        violations = (await axe.run(context, options)).violations;
    } else {
        // The author's Markdown keeps its own heading levels (imported posts use #####):
        // heading order is checked everywhere but inside the post body.
        const rest = await axe.run(
            context, {...options, rules: {'heading-order': {enabled: false}}});
        const order = await axe.run(
            include ? {include: [[include]], exclude: [['.prose']]} : {exclude: [['.prose']]},
            {...options, runOnly: ['heading-order']});
        violations = rest.violations.concat(order.violations);
    }
    return violations.map(v =>
        `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`);
}"""


def axe_violations(page, include: str | None = None, *, prose_headings: bool = True) -> list[str]:
    """axe-core's violations on the page (or the part ``include`` selects).

    Transitions are stilled first: right after a colour-scheme switch, Django admin's links
    are still fading (0.15 s) and axe would measure a colour half-way (a flaky contrast error).
    """
    if not AXE.exists():
        skip_or_fail("axe-core not installed (make test runs npm ci where npm exists)")
    # Injected through DevTools, not as inline <style>/<script> elements: the site's
    # Content-Security-Policy refuses those, and the test would report its own violation.
    page.evaluate(_ADOPT_STYLE, _STILL)
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(_AXE_RUN, {"include": include, "proseHeadings": prose_headings})


# A constructed style sheet is not an inline style: CSP does not govern it.
_ADOPT_STYLE = """css => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}"""

# Every frame reports its Content-Security-Policy violations to the test (the binding survives
# navigations; Chromium's console messages also cover frames where no script may run, such as
# the editor's sandboxed preview).
_REPORT_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (event) => {
    window.carnetCspViolation(
        `${event.violatedDirective} refused ${event.blockedURI || "inline"} on ${location.href}`
        + (event.sample ? `: ${event.sample}` : ""));
});"""


def watch_csp_violations(context, violations: list[str]) -> list[str]:
    """Fill ``violations`` with the CSP violations of every page and frame of ``context``."""
    context.expose_binding("carnetCspViolation", lambda source, text: violations.append(text))
    context.add_init_script(_REPORT_VIOLATIONS)

    def on_console(message):
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    context.on("console", on_console)
    return violations


@pytest.mark.browser
class BrowserTestCase(StaticLiveServerTestCase):
    """A live server and one headless Chromium per class (``self.chromium``); each test gets
    ``self.page``, a French tab, and fails on any CSP violation it meets (``self.csp_violations``).

    A TransactionTestCase: the live server's threads must see the test's rows.
    """

    @classmethod
    def setUpClass(cls):
        reason = missing_reason()
        if reason:
            skip_or_fail(reason)
        # Playwright's sync API runs an event loop in this thread; Django's ORM guard would
        # otherwise refuse the test's own database calls.
        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        playwright = sync_playwright().start()
        cls.addClassCleanup(playwright.stop)
        cls.chromium = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        cls.addClassCleanup(cls.chromium.close)
        super().setUpClass()

    def setUp(self):
        super().setUp()
        self.csp_violations: list[str] = []
        self.addCleanup(self.assert_no_csp_violation)
        self.page = self.new_context(self.csp_violations).new_page()

    def new_context(self, violations: list[str], **options):
        """A French browser context, closed after the test, whose CSP violations fill in."""
        options = {"locale": "fr-FR", "viewport": {"width": 1280, "height": 800}, **options}
        context = self.chromium.new_context(**options)
        self.addCleanup(context.close)
        watch_csp_violations(context, violations)
        return context

    def log_in(self, next_path: str = "/admin/") -> None:
        """Sign in as "editrice" (tests.support.factories.make_staff) through the login form."""
        self.page.goto(f"{self.live_server_url}/admin/login/?next={next_path}")
        self.page.fill("#id_username", "editrice")
        self.page.fill("#id_password", "mot-de-passe-solide")
        self.page.click("input[type=submit]")
        self.page.wait_for_url(f"**{next_path}")

    def assert_no_csp_violation(self):
        assert self.csp_violations == [], "Content-Security-Policy violations:\n" + "\n".join(
            self.csp_violations
        )
