"""/healthz: 200 only when the database, the cache and the media storage answer; 503 naming the
part that does not, logged as a warning (not as a request error), never cached."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.test import SimpleTestCase, TestCase, override_settings

from tests.deploy.test_cache_redis import redis_caches
from tests.support.process import run_manage
from tests.support.servers import RedisServer, free_port
from tests.support.site import sitemap_text


class HealthyTests(TestCase):
    def test_ok_when_every_part_answers(self):
        with self.assertNumQueries(1), self.assertNoLogs("django.request"):
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertEqual(
            response.json(),
            {"status": "ok", "database": "ok", "cache": "ok", "storage": "ok", "failed": []},
        )

    def test_never_cached_and_sets_no_cookie(self):
        response = self.client.get("/healthz")
        self.assertIn("no-store", response["Cache-Control"])
        self.assertIn("private", response["Cache-Control"])
        self.assertNotIn("ETag", response)
        self.assertEqual(response.cookies, {})

    def test_the_probe_leaves_nothing_in_media(self):
        self.client.get("/healthz")
        media = Path(settings.MEDIA_ROOT)
        self.assertEqual(list(media.iterdir()) if media.exists() else [], [])

    @override_settings(ALLOWED_HOSTS=["carnet.example"])
    def test_answers_on_the_site_host_and_refuses_others(self):
        self.assertEqual(self.client.get("/healthz", HTTP_HOST="carnet.example").status_code, 200)
        self.assertEqual(self.client.get("/healthz", HTTP_HOST="evil.example").status_code, 400)

    @override_settings(SECURE_SSL_REDIRECT=True)
    def test_answers_plain_http_behind_https_settings(self):
        """Load balancers probe the app server itself, on plain HTTP."""
        self.assertEqual(self.client.get("/healthz").status_code, 200)
        self.assertEqual(self.client.get("/").status_code, 301)

    def test_not_in_the_sitemap(self):
        self.assertNotIn("healthz", sitemap_text(self.client))

    def test_ok_with_redis(self):
        server = RedisServer().start()
        self.addCleanup(server.stop)
        with override_settings(CACHES=redis_caches(server.url)):
            self.assertEqual(self.client.get("/healthz").json()["cache"], "ok")


class UnhealthyTests(TestCase):
    def assert_fails(self, part: str, response) -> None:
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json()["failed"], [part])
        self.assertEqual(response.json()["status"], "failed")
        self.assertEqual(response.json()[part], "failed")
        self.assertIn("no-store", response["Cache-Control"])

    def test_a_dead_redis_fails_the_cache(self):
        dead = f"redis://127.0.0.1:{free_port()}/0"
        with (
            override_settings(CACHES=redis_caches(dead, RETRY_SECONDS=0)),
            self.assertLogs("carnet.health", "WARNING") as logs,
            self.assertNoLogs("django.request"),
        ):
            response = self.client.get("/healthz")
        self.assert_fails("cache", response)
        self.assertIn("Health check: cache failed", logs.output[0])

    def test_media_that_cannot_be_written_fails_the_storage(self):
        """MEDIA_ROOT under a regular file cannot be created, even by root."""
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        (folder / "a-file").write_text("not a folder")
        with (
            override_settings(MEDIA_ROOT=folder / "a-file" / "media"),
            self.assertLogs("carnet.health", "WARNING") as logs,
            self.assertNoLogs("django.request"),
        ):
            response = self.client.get("/healthz")
        self.assert_fails("storage", response)
        self.assertIn("Health check: storage failed", logs.output[0])


GET_HEALTHZ = """
from django.test import Client
response = Client().get("/healthz")
print(response.status_code, response.content.decode())
"""


@pytest.mark.child_process
class DatabaseDownTests(SimpleTestCase):
    def test_an_unreachable_database_fails_the_database(self):
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        (folder / "a-file").write_text("not a folder")
        urls = {
            "sqlite file that cannot be opened": f"sqlite:///{folder / 'a-file' / 'db.sqlite3'}",
            "postgresql on a closed port": f"postgres://carnet@127.0.0.1:{free_port()}/carnet",
        }
        for case, url in urls.items():
            with self.subTest(case):
                result = run_manage(
                    "shell",
                    "-c",
                    GET_HEALTHZ,
                    env={
                        "DATABASE_URL": url,
                        "DJANGO_ALLOWED_HOSTS": "testserver",
                        "DJANGO_MEDIA_ROOT": str(folder / "media"),
                    },
                )
                status, body = result.stdout.strip().splitlines()[-1].split(" ", 1)
                self.assertEqual(status, "503", result.stderr)
                self.assertEqual(json.loads(body)["failed"], ["database"])
                self.assertIn("Health check: database failed", result.stderr)
                # django.request's "Service Unavailable: /healthz" error line is not written.
                self.assertNotIn("Service Unavailable", result.stderr)
