"""manage.py as a user runs it: a fresh process, its settings read from the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What an operator behind HTTPS sets (README, settings table): HSTS for this host only.
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "x" * 60 + "production-like-secret-key-0123456789",
    "DJANGO_ALLOWED_HOSTS": "carnet.example",
    "DJANGO_SECURE": "1",
    "DJANGO_HSTS_SECONDS": "31536000",
    "DJANGO_HSTS_INCLUDE_SUBDOMAINS": "0",
    "DJANGO_HSTS_PRELOAD": "0",
    "CARNET_PROXY_COUNT": "1",
}


def run_manage(*args, env=None, timeout=120) -> subprocess.CompletedProcess:
    """Run manage.py with none of this process's DJANGO_* variables, only ``env``'s."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(env or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
