"""A real S3 API on loopback: moto's standalone server, started by the tests and stopped after.

    with MotoServer() as s3:
        s3.create_bucket("media")  # readable by anyone (a bucket policy), as the README asks
        ... AWS_S3_ENDPOINT_URL=s3.endpoint_url, keys s3.access_key / s3.secret_key ...

One server per test class or module (``setUpClass`` / ``enterClassContext``), never per test:
it takes about a second to start. boto3 talks HTTP to it as it would to AWS, MinIO or R2.
Where moto's server is not installed, starting ``MotoServer()`` skips the test with the
reason (a failure when ``CARNET_REQUIRE_S3=1``, as in CI).
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import boto3
from botocore.config import Config

from tests.support import required

REGION = "eu-west-3"
# moto accepts any key; these are never real.
ACCESS_KEY = "carnet-test-access-key"
SECRET_KEY = "carnet-test-secret-key"


def moto_missing() -> str | None:
    """Why moto's server cannot run here, or None."""
    for module in ("moto.server", "flask", "werkzeug"):
        try:
            found = importlib.util.find_spec(module)
        except ModuleNotFoundError:
            found = None
        if found is None:
            return f"moto's S3 server is not installed ({module} missing: moto[server])"
    return None


def skip_without_moto() -> None:
    reason = moto_missing()
    if reason:
        required.skip_or_fail("S3", reason)


def public_read_policy(bucket: str) -> dict:
    """The bucket policy that lets anyone read the objects (and nothing else)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MotoServer:
    """moto's S3 server on a free loopback port (``endpoint_url``), in a process of its own."""

    access_key = ACCESS_KEY
    secret_key = SECRET_KEY
    region = REGION

    def __init__(self, host: str = "127.0.0.1", start_timeout: float = 30) -> None:
        self.host = host
        self.start_timeout = start_timeout
        self.port: int | None = None
        self.process: subprocess.Popen | None = None
        self._log: Path | None = None

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> MotoServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        skip_without_moto()
        fd, log = tempfile.mkstemp(prefix="carnet-moto-", suffix=".log")
        os.close(fd)
        self._log = Path(log)
        for _attempt in range(3):  # a free port can be taken between choosing and binding it
            self.port = free_port()
            with self._log.open("wb") as out:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "moto.server", "-H", self.host, "-p", str(self.port)],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                )
            if self._wait_until_up():
                return
            self._terminate()
        raise RuntimeError(f"moto's S3 server did not start: {self._log.read_text()[-2000:]}")

    def _wait_until_up(self) -> bool:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.endpoint_url}/moto-api/", timeout=2):
                    return True
            except urllib.error.HTTPError:
                return True  # it answers: that is all we wait for
            except OSError:
                time.sleep(0.05)
        return False

    def _terminate(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def stop(self) -> None:
        self._terminate()
        if self._log is not None:
            self._log.unlink(missing_ok=True)
            self._log = None

    def client(self):
        """A boto3 S3 client on this server (path-style addresses, as on any custom endpoint)."""
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=self.region,
            config=Config(s3={"addressing_style": "path"}),
        )

    def create_bucket(self, name: str, *, public: bool = True) -> None:
        """A bucket; ``public``: anyone may read its objects (the bucket policy the README asks
        for, so that browsers load the images), only the keys may write."""
        client = self.client()
        client.create_bucket(
            Bucket=name, CreateBucketConfiguration={"LocationConstraint": self.region}
        )
        if public:
            client.put_bucket_policy(Bucket=name, Policy=json.dumps(public_read_policy(name)))

    def environ(self, bucket: str) -> dict[str, str]:
        """The variables that point Carnet's media at ``bucket`` on this server (README)."""
        return {
            "CARNET_S3_BUCKET": bucket,
            "AWS_S3_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_S3_REGION_NAME": self.region,
        }


# The S3 run of the suite (CARNET_TEST_STORAGE=s3, `make test-s3`): one server and one bucket for
# the whole run, each test in a prefix of its own (tests/conftest.py), so that nothing one test
# wrote is seen by another, as with the filesystem run's temporary MEDIA_ROOT per test.
TEST_BUCKET = "carnet-tests"
_session: MotoServer | None = None


def s3_run() -> bool:
    return os.environ.get("CARNET_TEST_STORAGE", "") == "s3"


def start_session_bucket() -> dict[str, str]:
    """Start the run's server (once per process tree: manage.py started by a test reuses its
    parent's) and return the variables that point the settings at its bucket."""
    global _session
    endpoint = os.environ.get("CARNET_TEST_S3_ENDPOINT")
    if endpoint is None:
        if moto_missing():
            raise RuntimeError(f"CARNET_TEST_STORAGE=s3: {moto_missing()}")
        _session = MotoServer()
        _session.start()
        atexit.register(_session.stop)
        _session.create_bucket(TEST_BUCKET)
        endpoint = os.environ["CARNET_TEST_S3_ENDPOINT"] = _session.endpoint_url
    return {
        "CARNET_S3_BUCKET": TEST_BUCKET,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_S3_REGION_NAME": REGION,
    }


def media_in_prefix(storages: dict, prefix: str) -> dict:
    """STORAGES and MEDIA_URL with the media storage moved into ``prefix`` of its bucket."""
    options = {**storages["default"]["OPTIONS"], "location": prefix}
    return {
        "STORAGES": {**storages, "default": {**storages["default"], "OPTIONS": options}},
        "MEDIA_URL": f"{options['url_protocol']}//{options['custom_domain']}/{prefix}/",
    }


def new_prefix() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def filesystem_only(reason: str):
    """Skip a test in the S3 run: what it checks exists only on a local disk (``reason``)."""
    return unittest.skipIf(s3_run(), f"media on a local disk only: {reason}")
