import datetime as dt
import os

import pytest
import time_machine

from tests.support import browser as browser_support
from tests.support.s3 import media_in_prefix, new_prefix, s3_run


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        default=os.environ.get("CARNET_CLOCK", ""),
        help="Run the suite as if the clock read this instant (ISO 8601 with its offset, e.g. "
        "2026-12-31T23:30:00Z); the clock then ticks on from it. `make test-clock` uses it.",
    )


def pytest_configure(config):
    # Started before Django and the database exist, so that every "now" of the run (Python's,
    # Django's, the test data's) reads the chosen instant: a date bug at an awkward hour shows
    # up whatever the hour the suite really runs at.
    instant = config.getoption("--clock")
    if instant:
        moment = dt.datetime.fromisoformat(instant.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            raise pytest.UsageError(f"--clock {instant!r} needs an offset (Z or +HH:MM)")
        config._carnet_clock = time_machine.travel(moment, tick=True)
        config._carnet_clock.start()


def pytest_report_header(config):
    lines = []
    instant = config.getoption("--clock")
    if instant:
        lines.append(f"clock: set to {instant} (ticking)")
    if s3_run():
        lines.append(f"media: S3 bucket on moto at {os.environ['CARNET_TEST_S3_ENDPOINT']}")
    return lines


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    """Uploads and imported images go to a temporary MEDIA_ROOT, never the real media/.

    Autouse, so it covers every TestCase class too (from setUp on; rows made in setUpTestData
    must not write files). tests.support.cases.TemporaryFolders gives a test its own folder.
    """
    settings.MEDIA_ROOT = tmp_path / "media"
    if s3_run():  # the S3 run: a prefix of the run's bucket, as new as the folder
        for name, value in media_in_prefix(settings.STORAGES, new_prefix()).items():
            setattr(settings, name, value)
    return settings.MEDIA_ROOT


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
