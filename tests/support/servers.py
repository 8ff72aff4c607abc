"""Servers a test starts for itself on free loopback ports: Redis, gunicorn.

A missing binary skips the test with the reason; ``CARNET_REQUIRE_<NAME>=1`` (CI) turns that
skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.support import required

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def require(binary: str | None, name: str, why: str) -> str:
    """The binary's path, or a skip (a failure when CARNET_REQUIRE_<NAME>=1)."""
    if binary and os.access(binary, os.X_OK):
        return binary
    required.skip_or_fail(name, f"{why} not found")


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{process.args[0]} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing answered on port {port} after {timeout} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class RedisServer:
    """A redis-server of the test's own (no disk), started and stopped on one port."""

    def __init__(self, port: int | None = None):
        self.binary = require(
            REDIS_SERVER if Path(REDIS_SERVER).exists() else shutil.which("redis-server"),
            "REDIS",
            "redis-server",
        )
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, self.process)
        return self

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None


@contextmanager
def gunicorn(
    env: dict,
    log_path: Path,
    *,
    cwd: Path = ROOT,
    args: tuple[str, ...] = (),
    port: int | None = None,
):
    """``gunicorn -c gunicorn.conf.py site_config.wsgi`` on a free port (``PORT``), its output
    (access log, errors) in ``log_path``; yields the base URL and stops it after.

    ``port``: where it listens when ``args`` bind elsewhere (``-b``)."""
    env = {**env, "PORT": str(free_port())}
    port = port or int(env["PORT"])
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                str(ROOT / "gunicorn.conf.py"),
                "site_config.wsgi",
                *args,
            ],
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port, process, timeout=60)
            yield f"http://127.0.0.1:{port}"
        finally:
            stop(process)


def fetch(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """GET ``url`` with ``headers`` (no redirects followed): status, headers, body."""
    request = urllib.request.Request(url, headers=headers or {})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
