"""Headless Chromium for browser tests: Debian's /usr/bin/chromium driven by Playwright.

Where Chromium or Playwright is missing the tests skip with the reason, so a newcomer's
`make test` passes; CI sets CARNET_REQUIRE_BROWSER=1 and then a missing browser fails.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
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
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (make install)"
    return None


def skip_or_fail(reason: str) -> None:
    if os.environ.get("CARNET_REQUIRE_BROWSER") == "1":
        pytest.fail(f"CARNET_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def screenshot_path(name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
