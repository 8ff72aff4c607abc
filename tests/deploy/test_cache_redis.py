"""REDIS_URL: one page cache for every process, and a Redis that dies costs speed, not the site.

Each test starts a redis-server of its own on a free port (skipped with the reason where
redis-server is missing; CARNET_REQUIRE_REDIS=1 makes that a failure).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
import redis
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import SimpleTestCase, TestCase, TransactionTestCase, override_settings

from tests.support.factories import make_post
from tests.support.process import run_manage
from tests.support.servers import RedisServer, free_port


def redis_caches(url: str, **options) -> dict:
    return {
        "default": {
            "BACKEND": "site_config.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "carnet",
            "OPTIONS": options,
        }
    }


def page_keys(url: str) -> list[bytes]:
    return redis.Redis.from_url(url).keys("*carnet-page:*")


class RedisDownTests(TestCase):
    def setUp(self):
        self.server = RedisServer().start()
        self.addCleanup(self.server.stop)
        # RETRY_SECONDS 0: every request tries the dead server again (the worst case for logs).
        self.enterContext(
            override_settings(
                CACHES=redis_caches(self.server.url, RETRY_SECONDS=0),
                CARNET_PAGE_CACHE_SECONDS=600,
            )
        )
        self.post = make_post(title="Toujours là")

    def test_pages_answer_from_the_database_with_one_warning(self):
        """Redis stopped: every page still 200, one warning for the outage, not one a request."""
        self.assertEqual(self.client.get("/").status_code, 200)
        self.assertTrue(page_keys(self.server.url), "the page was not kept in Redis")
        port = self.server.port
        self.server.stop()
        with self.assertLogs("carnet.cache", "WARNING") as logs:
            for url in ["/", "/blog/", "/blog/toujours-la/", "/", "/tags/", "/"]:
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200, url)
            self.assertContains(self.client.get("/blog/toujours-la/"), "Toujours là")
        self.assertEqual(len(logs.records), 1, logs.output)
        self.assertIn(f"127.0.0.1:{port}", logs.output[0])
        self.assertIn("does not answer", logs.output[0])

    def test_the_cache_works_again_when_redis_is_back(self):
        self.client.get("/")
        self.server.stop()
        with self.assertLogs("carnet.cache", "WARNING"):
            self.assertEqual(self.client.get("/").status_code, 200)
        self.server.start()  # the same port
        self.assertEqual(page_keys(self.server.url), [])  # a new, empty server
        with self.assertLogs("carnet.cache", "INFO") as logs:  # said, below the warning level
            self.assertEqual(self.client.get("/").status_code, 200)
        self.assertEqual([r.levelname for r in logs.records], ["INFO"])
        self.assertIn("answers again", logs.output[0])
        self.assertTrue(page_keys(self.server.url), "the page was not kept once Redis was back")
        with self.assertNumQueries(1):  # the state query; the page comes from Redis
            self.assertEqual(self.client.get("/").status_code, 200)


# Ports nothing listens on, each a server of its own (the outage state is per server).
NEVER_UP = f"127.0.0.1:{free_port()}"


@override_settings(CACHES=redis_caches(f"redis://{NEVER_UP}/0", RETRY_SECONDS=60))
class RedisNeverUpTests(SimpleTestCase):
    def test_a_dead_cache_is_a_miss_and_retries_are_spaced(self):
        """The cache API answers as an empty cache would: no exception reaches the caller."""
        cache = caches["default"]
        with self.assertLogs("carnet.cache", "WARNING") as logs:
            self.assertIsNone(cache.set("k", "v"))
            self.assertIsNone(cache.get("k"))
            self.assertEqual(cache.get("k", "défaut"), "défaut")
            self.assertFalse(cache.add("k", "v"))
            self.assertEqual(cache.get_many(["k"]), {})
            self.assertEqual(cache.get_or_set("k", "calculé"), "calculé")
            self.assertFalse(cache.delete("k"))
            with self.assertRaises(ValueError):
                cache.incr("k")
        self.assertEqual(len(logs.records), 1, logs.output)

    def test_the_password_is_not_logged(self):
        with (
            override_settings(CACHES=redis_caches(f"redis://:s3cret@{NEVER_UP}/1")),
            self.assertLogs("carnet.cache", "WARNING") as logs,
        ):
            caches["default"].get("k")
        self.assertNotIn("s3cret", "\n".join(logs.output))
        self.assertIn(f"redis://{NEVER_UP}/1", logs.output[0])


SHOW_PAGE = """
import json
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
with CaptureQueriesContext(connection) as queries:
    response = Client().get("/blog/partage/")
print(json.dumps({"status": response.status_code, "queries": len(queries)}))
"""


def database_url() -> str:
    """The test database as a DATABASE_URL, for another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class SharedPageCacheTests(TransactionTestCase):
    def test_a_page_kept_by_one_process_is_a_hit_in_another(self):
        """Two processes, one Redis: the second serves the page the first rendered."""
        server = RedisServer().start()
        self.addCleanup(server.stop)
        # Dated in the past for both clocks: `make test-clock` moves this process's clock only,
        # and the other processes run at the real time (a post "published now" at a frozen
        # 31 December would be scheduled for them: a 404).
        make_post(title="Partagé", pub_date=dt.datetime(2020, 5, 23, 11, 37, tzinfo=dt.UTC))
        env = {
            "DJANGO_DEBUG": "1",
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DATABASE_URL": database_url(),
            "REDIS_URL": server.url,
            "CARNET_PAGE_CACHE_SECONDS": "600",
        }
        runs = []
        for _ in range(2):
            result = run_manage("shell", "-c", SHOW_PAGE, env=env)
            self.assertEqual(result.returncode, 0, result.stderr)
            runs.append(json.loads(result.stdout.strip().splitlines()[-1]))
        first, second = runs
        self.assertEqual((first["status"], second["status"]), (200, 200))
        self.assertGreater(first["queries"], 1)  # rendered: the post, its tags, neighbours…
        self.assertEqual(second["queries"], 1, runs)  # only the state query: a hit
        self.assertEqual(len(page_keys(server.url)), 1)


@pytest.mark.child_process
class CacheSettingsTests(SimpleTestCase):
    SHOW = (
        "from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND'], settings.AXES_HANDLER)"
    )

    def test_redis_url_switches_the_default_cache(self):
        result = run_manage("shell", "-c", self.SHOW, env={"REDIS_URL": "redis://127.0.0.1:6379/0"})
        self.assertEqual(
            result.stdout.strip().splitlines()[-1].split(),
            ["site_config.cache.ResilientRedisCache", "axes.handlers.database.AxesDatabaseHandler"],
            result.stderr,
        )

    def test_without_redis_each_process_keeps_its_own(self):
        result = run_manage("shell", "-c", self.SHOW)
        self.assertEqual(
            result.stdout.strip().splitlines()[-1].split()[0],
            "django.core.cache.backends.locmem.LocMemCache",
            result.stderr,
        )

    def test_lockouts_and_sessions_are_database_rows(self):
        """Nothing that must survive lives in a cache that pages can fill."""
        self.assertEqual(settings.AXES_HANDLER, "axes.handlers.database.AxesDatabaseHandler")
        self.assertEqual(settings.SESSION_ENGINE, "django.contrib.sessions.backends.db")
