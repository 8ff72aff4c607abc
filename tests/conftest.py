import os

import pytest

from tests import browser as browser_support


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    """Uploads and imported images go to a temporary MEDIA_ROOT, never the real media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(scope="session")
def chromium():
    """A headless Debian Chromium, or a skip (a failure in CI) saying what is missing."""
    reason = browser_support.missing_reason()
    if reason:
        browser_support.skip_or_fail(reason)
    # Playwright's sync API runs an event loop in this thread; Django's ORM guard would
    # otherwise refuse the test's own database calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=browser_support.chromium_path(),
            headless=True,
            args=browser_support.CHROMIUM_ARGS,
        )
        yield instance
        instance.close()


@pytest.fixture
def csp_violations():
    """The Content-Security-Policy violations seen by the ``page`` fixture's tab, as they come."""
    return []


@pytest.fixture
def page(chromium, csp_violations):
    """A French browser tab; every page it visits must run under the site's CSP."""
    context = chromium.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
    browser_support.watch_csp_violations(context, csp_violations)
    page = context.new_page()
    yield page
    context.close()
    assert csp_violations == [], "Content-Security-Policy violations:\n" + "\n".join(csp_violations)


def pytest_terminal_summary(terminalreporter):
    shots = (
        sorted(browser_support.SCREENSHOTS.glob("*.png"))
        if browser_support.SCREENSHOTS.exists()
        else []
    )
    if shots:
        terminalreporter.write_line(
            f"Screenshots ({len(shots)}) for a person to look at: {browser_support.SCREENSHOTS}"
        )
