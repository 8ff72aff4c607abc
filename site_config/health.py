"""/healthz: 200 when the database, the cache and the media storage answer; 503 naming which not.

For load balancers and nginx (``deploy/nginx.conf``) to stop sending readers to a node that
cannot serve them. Each part is tried the way the site uses it, through Django's APIs only, so
it works the same on SQLite or PostgreSQL, local memory or Redis, a disk or an S3 bucket:
one ``SELECT 1``; a value written to the cache and read back (a dead Redis is a miss for the
site, site_config/cache.py, and a failure here); a tiny file saved, read back and deleted
(the app must be able to write renditions there).

Body, as JSON (``Content-Type: application/json``)::

    {"status": "ok", "database": "ok", "cache": "ok", "storage": "ok", "failed": []}
    {"status": "failed", "database": "ok", "cache": "failed", "storage": "ok", "failed": ["cache"]}

Never cached (``Cache-Control: no-store``), no cookie, no query but its own. A failure is
logged once per check as a warning naming the part and the error (the body does not carry the
error: it may name internal hosts); the 503 itself is not logged by django.request as an error.
"""

from __future__ import annotations

import logging
import uuid

from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger("carnet.health")

PROBE = b"ok"


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    cache = caches["default"]
    key = f"carnet-healthz:{uuid.uuid4().hex}"
    cache.set(key, PROBE, 30)
    if cache.get(key) != PROBE:
        raise RuntimeError("a value written to the cache could not be read back")
    cache.delete(key)


def check_storage() -> None:
    name = default_storage.save(f"healthz-{uuid.uuid4().hex}.txt", ContentFile(PROBE))
    try:
        with default_storage.open(name) as probe:
            if probe.read() != PROBE:
                raise RuntimeError(f"{name} did not read back as written")
    finally:
        default_storage.delete(name)


CHECKS = {"database": check_database, "cache": check_cache, "storage": check_storage}


@never_cache
def healthz(request):
    results = {}
    for part, check in CHECKS.items():
        try:
            check()
        except Exception as error:  # any failure of a part is that part's answer, not a 500
            results[part] = "failed"
            logger.warning("Health check: %s failed (%s: %s)", part, type(error).__name__, error)
        else:
            results[part] = "ok"
    failed = [part for part, result in results.items() if result != "ok"]
    response = JsonResponse(
        {"status": "failed" if failed else "ok", **results, "failed": failed},
        status=503 if failed else 200,
    )
    # Said above as a warning: django.request would log every 503 again, as an error (and
    # mail ADMINS), for as long as a node is down and polled.
    response._has_been_logged = True
    return response
