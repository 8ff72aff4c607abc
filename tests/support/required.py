"""What a test needs from the machine (a browser, a server, the corpus, a library): without it
the test is skipped with the reason, so a newcomer's ``make test`` passes; CI sets
``CARNET_REQUIRE_<NAME>=1`` (``.ci/run``) and then the same absence is a failure."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def skip_or_fail(name: str, reason: str) -> NoReturn:
    """Skip the test for ``reason``, or fail it where ``CARNET_REQUIRE_<name>=1``."""
    variable = f"CARNET_REQUIRE_{name}"
    if os.environ.get(variable) == "1":
        pytest.fail(f"{variable}=1 but {reason}")
    pytest.skip(f"{reason} (set {variable}=1 to make this a failure)")
