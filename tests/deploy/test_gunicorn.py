"""gunicorn.conf.py: workers from the CPU count, bind from PORT, a useful access log; a server
that would answer every page with a 500 refuses to start instead, saying what to run."""

from __future__ import annotations

import multiprocessing
import os
import runpy
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import SimpleTestCase, override_settings

from site_config.startup import require_compiled_translations
from tests.support.process import ROOT, run_manage
from tests.support.servers import fetch, free_port, gunicorn

CONFIG = ROOT / "gunicorn.conf.py"


def production_env(folder: Path) -> dict:
    """A production process's environment: DEBUG off, a key, a host, its own files."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CARNET_"))}
    return {
        **clean,
        "DJANGO_SECRET_KEY": "a-long-production-like-secret-key-for-the-gunicorn-test-0123",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(folder / "media"),
        "DJANGO_STATIC_ROOT": str(folder / "static"),
        "WEB_CONCURRENCY": "2",
    }


class ConfigTests(SimpleTestCase):
    def read(self, **env) -> dict:
        keep = {k: v for k, v in os.environ.items() if k not in ("PORT", "WEB_CONCURRENCY")}
        with mock.patch.dict(os.environ, {**keep, **env}, clear=True):
            return runpy.run_path(str(CONFIG))

    def test_defaults(self):
        config = self.read()
        self.assertEqual(config["workers"], multiprocessing.cpu_count() * 2 + 1)
        self.assertEqual(config["bind"], "127.0.0.1:8000")
        self.assertEqual(config["accesslog"], "-")
        self.assertIn("%(M)s", config["access_log_format"])  # the time each request took
        self.assertGreater(config["max_requests_jitter"], 0)

    def test_from_the_environment(self):
        self.assertEqual(self.read(WEB_CONCURRENCY="3")["workers"], 3)
        self.assertEqual(self.read(PORT="9000")["bind"], "127.0.0.1:9000")
        self.assertEqual(self.read(PORT="0.0.0.0:9000")["bind"], "0.0.0.0:9000")


@pytest.mark.child_process
class ServerTests(SimpleTestCase):
    def setUp(self):
        self.folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.env = production_env(self.folder)

    def test_serves_healthz_and_logs_the_request_with_its_time(self):
        collected = run_manage("collectstatic", "--noinput", "--verbosity", "0", env=self.env)
        self.assertEqual(collected.returncode, 0, collected.stderr)
        log = self.folder / "gunicorn.log"
        with gunicorn(self.env, log) as url:
            status, headers, body = fetch(f"{url}/healthz")
        self.assertEqual(status, 200, log.read_text())
        self.assertEqual(
            body,
            b'{"status": "ok", "database": "ok", "cache": "ok", "storage": "ok", "failed": []}',
        )
        self.assertIn("no-store", headers["Cache-Control"])
        access = [line for line in log.read_text().splitlines() if "GET /healthz" in line]
        self.assertEqual(len(access), 1, log.read_text())
        self.assertRegex(access[0], r'"GET /healthz HTTP/1.1" 200 \d+ .*\d+ms$')
        self.assertIn("Booting worker", log.read_text())

    def test_the_command_line_bind_wins(self):
        collected = run_manage("collectstatic", "--noinput", "--verbosity", "0", env=self.env)
        self.assertEqual(collected.returncode, 0, collected.stderr)
        port = free_port()
        log = self.folder / "gunicorn.log"
        with gunicorn(self.env, log, args=("-b", f"127.0.0.1:{port}", "-w", "1"), port=port):
            status, _, _ = fetch(f"http://127.0.0.1:{port}/healthz")
        self.assertEqual(status, 200, log.read_text())
        self.assertEqual(log.read_text().count("Booting worker"), 1)

    def test_refuses_to_start_without_the_static_manifest(self):
        """Without `make static`, every page would be a 500: the worker does not boot."""
        result = subprocess.run(
            [sys.executable, "-m", "gunicorn", "-c", str(CONFIG), "site_config.wsgi"],
            cwd=ROOT,
            env={**self.env, "PORT": str(free_port()), "WEB_CONCURRENCY": "1"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("No static files manifest", result.stderr + result.stdout)
        self.assertIn("run `make static`", result.stderr + result.stdout)


class StartupTests(SimpleTestCase):
    def test_a_server_refuses_to_start_without_the_compiled_catalogue(self):
        """Without the .mo the site would show English chrome under lang="fr"."""
        locale = Path(self.enterContext(tempfile.TemporaryDirectory())) / "locale"
        po = locale / "fr" / "LC_MESSAGES" / "django.po"
        po.parent.mkdir(parents=True)
        shutil.copy(ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po", po)
        with override_settings(LOCALE_PATHS=[locale], DEBUG=False):
            with self.assertRaisesMessage(ImproperlyConfigured, "run `make static`"):
                require_compiled_translations()
            call_command("compile_translations", verbosity=0)
            require_compiled_translations()  # compiled: starts
            os.utime(po)  # the .po edited after: stale again
            os.utime(po.with_suffix(".mo"), (0, 0))
            with self.assertRaisesMessage(ImproperlyConfigured, "older than their .po"):
                require_compiled_translations()
