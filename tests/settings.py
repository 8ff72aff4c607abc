"""The real settings, with a throw-away secret key so `pytest` runs without any environment."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-secret")

# CARNET_TEST_STORAGE=s3 (`make test-s3`): media in a bucket of moto's S3 server, started once for
# the run, through the real settings (CARNET_S3_BUCKET…); each test gets a prefix of its own.
if os.environ.get("CARNET_TEST_STORAGE", "") == "s3":
    from tests.support.s3 import start_session_bucket

    os.environ.update(start_session_bucket())

from site_config.settings import *  # noqa: F403

# Tests render templates without running collectstatic first; one test checks the
# production storage (hashed, compressed names) on its own (tests/test_static.py).
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Fast password hashing: the suite creates many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# WhiteNoise serves from the finders in tests; its root only has to exist (and goes with the
# process that made it: each run, and each server a test starts, made one).
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="carnet-static-"))
_MADE_BY = os.getpid()  # a forked child leaving must not take its parent's folder
atexit.register(lambda: os.getpid() == _MADE_BY and shutil.rmtree(STATIC_ROOT, ignore_errors=True))
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tests see every page rendered (context, templates, query counts); the page cache has its
# own tests that turn it on (tests/public/test_views_performance.py).
CARNET_PAGE_CACHE_SECONDS = 0

# SQLite tests use a file, not Django's shared in-memory database: the live server's threads
# then get connections of their own (WAL, busy timeout) as in production, instead of sharing
# the test thread's single connection, under which a browser test could hang.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"carnet-test-{os.getpid()}.sqlite3")
    }
