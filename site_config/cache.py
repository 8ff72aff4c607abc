"""Django's RedisCache, for which a Redis that does not answer is a cache miss, not a 500.

What Carnet keeps in the cache (rendered pages, the site identity) can always be made again from
the database, so losing Redis must cost speed only. Django's own backend raises on every call
while the server is down; this one answers as an empty cache would (``get`` → the default,
``set`` → nothing kept), logs one warning per outage and process (not one per request), and
tries the server again at most every ``RETRY_SECONDS`` (a dead host must not cost each request
a connection attempt). The first call that works again says so at INFO level.

Nothing that must not be lost or evicted lives in this cache: the contact limit counts stored
messages and login lock-outs are database rows (``AXES_HANDLER``), see site_config/settings.py.
"""

from __future__ import annotations

import logging
import threading
import time
from urllib.parse import urlsplit, urlunsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("carnet.cache")

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)

# Per server, shared by the threads of a process (Django makes one backend object per thread):
# when it last failed, so the warning is said once and the retries are spaced.
_outages: dict[str, float] = {}
_lock = threading.Lock()


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc))


class ResilientRedisCache(RedisCache):
    """RedisCache that degrades to "nothing cached" while its server is unreachable."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self.retry_seconds = float(options.pop("RETRY_SECONDS", 5))
        # Bounded waits: a host that drops packets must not hold a reader for the OS timeout.
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 1)
        super().__init__(server, {**params, "OPTIONS": options})
        # Named in the logs without its password (redis://:secret@host/0).
        self.location = ",".join(_without_password(url) for url in self._servers)

    def _call(self, method, fallback, *args, **kwargs):
        with _lock:
            failed_at = _outages.get(self.location)
        if failed_at is not None and time.monotonic() - failed_at < self.retry_seconds:
            return fallback
        try:
            result = method(*args, **kwargs)
        except UNREACHABLE as error:
            with _lock:
                first = self.location not in _outages
                _outages[self.location] = time.monotonic()
            if first:
                logger.warning(
                    "Cache server %s does not answer (%s): pages are made from the database "
                    "until it does.",
                    self.location,
                    error,
                )
            return fallback
        if failed_at is not None:
            with _lock:
                back = _outages.pop(self.location, None) is not None
            if back:
                logger.info("Cache server %s answers again.", self.location)
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().add, False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call(super().get, default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set, None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(super().delete, False, key, version)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._call(super().has_key, False, key, version)

    def incr(self, key, delta=1, version=None):
        # As for a missing key: Django's incr() raises ValueError; nothing counts on the cache.
        result = self._call(super().incr, None, key, delta, version)
        if result is None:
            raise ValueError(f"Key '{key}' not found (cache server unreachable).")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set_many, list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call(super().delete_many, None, keys, version)

    def clear(self):
        return self._call(super().clear, False)
