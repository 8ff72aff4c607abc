"""The project as a whole: migrations in step, settings safe by default, static files built."""

import os
import subprocess
import sys
import tempfile
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import SimpleTestCase, TestCase

from tests.support.process import PRODUCTION_ENV, ROOT, run_manage


class MigrationTests(TestCase):
    def test_no_pending_migrations(self):
        """Models and migrations are in step (django-taggit's pending-migrations test)."""
        out = StringIO()
        try:
            call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=StringIO())
        except SystemExit:
            self.fail(f"Missing migrations:\n{out.getvalue()}")


@pytest.mark.child_process
class SettingsTests(SimpleTestCase):
    def test_debug_is_off_unless_asked(self):
        self.assertFalse(settings.DEBUG)

    def test_french_paris_and_aware_datetimes(self):
        self.assertEqual(settings.LANGUAGE_CODE, "fr")
        self.assertEqual(settings.TIME_ZONE, "Europe/Paris")
        self.assertTrue(settings.USE_TZ)

    def test_a_server_refuses_to_start_without_a_secret_key(self):
        for module in ("site_config.wsgi", "site_config.asgi"):
            with self.subTest(module):
                result = subprocess.run(
                    [sys.executable, "-c", f"import {module}"],
                    cwd=ROOT,
                    env={k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
                    capture_output=True,
                    text=True,
                    timeout=120,
                )
                self.assertNotEqual(result.returncode, 0)
                self.assertIn("Set DJANGO_SECRET_KEY", result.stderr)

    def test_deploy_check_reports_a_missing_secret_key(self):
        result = run_manage("check", "--deploy", env={"DJANGO_ALLOWED_HOSTS": "carnet.example"})
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("carnet.E001", result.stderr)

    def test_offline_commands_need_no_secret_key(self):
        """A fresh checkout can check its migrations without any environment."""
        result = run_manage("makemigrations", "--check", "--dry-run")
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_deploy_check_passes_with_production_settings(self):
        result = run_manage(
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            # HSTS is opt-in, setting by setting (tests/security/test_security_headers.py).
            env={**PRODUCTION_ENV, "CARNET_PROXY_COUNT": "0"},
        )
        self.assertEqual(result.returncode, 0, result.stderr + result.stdout)

    def test_no_host_is_allowed_by_default(self):
        result = run_manage(
            "shell",
            "-c",
            "from django.conf import settings; print(settings.ALLOWED_HOSTS)",
            env={"DJANGO_SECRET_KEY": "k"},
        )
        self.assertEqual(result.stdout.strip().splitlines()[-1], "[]")


class SQLiteConcurrencyTests(TestCase):
    def test_wal_and_busy_timeout(self):
        if connection.vendor != "sqlite":
            self.skipTest("SQLite settings only apply to SQLite")
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout")
            self.assertEqual(cursor.fetchone()[0], 20000)
        self.assertEqual(connection.settings_dict["OPTIONS"]["transaction_mode"], "IMMEDIATE")

    def test_file_database_uses_wal(self):
        if connection.vendor != "sqlite":
            self.skipTest("SQLite settings only apply to SQLite")
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        result = run_manage(
            "shell",
            "-c",
            "from django.db import connection; c = connection.cursor(); "
            "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])",
            env={
                "DJANGO_DEBUG": "1",
                "DATABASE_URL": f"sqlite:///{folder / 'wal.db'}",
            },
        )
        self.assertEqual(result.stdout.strip().splitlines()[-1], "wal", result.stderr)


@pytest.mark.child_process
class StaticFilesTests(SimpleTestCase):
    def test_collectstatic_builds_hashed_compressed_files(self):
        """Production storage: cache-busting names and precompressed files, no CDN."""
        target = Path(self.enterContext(tempfile.TemporaryDirectory())) / "static"
        result = run_manage(
            "collectstatic",
            "--noinput",
            "--clear",
            "--verbosity",
            "0",
            env={"DJANGO_SECRET_KEY": "k", "DJANGO_STATIC_ROOT": str(target)},
            timeout=300,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        css = list((target / "blog").glob("carnet.*.css"))
        self.assertTrue(css, "no hashed carnet.css")
        self.assertTrue(Path(f"{css[0]}.gz").exists())
        self.assertNotIn(
            "http", css[0].read_text().replace("https://", "").lower().replace("http", "", 0)
        )
