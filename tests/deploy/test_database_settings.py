"""DATABASE_URL and DATABASE_POOL as an operator writes them: right forms work, typos refused."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest
from django.test import SimpleTestCase

from tests.support.process import PRODUCTION_ENV, ROOT, run_manage

# The code under test runs in a child process, which `--clock` does not reach (make test-clock).
pytestmark = pytest.mark.child_process

SHOW_DATABASE = (
    "from django.conf import settings; d = settings.DATABASES['default']; "
    "print(d['ENGINE'], d['CONN_MAX_AGE'], d['OPTIONS'].get('pool', False))"
)


def last_line(result: subprocess.CompletedProcess) -> str:
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


class DatabaseUrlTests(SimpleTestCase):
    def test_an_in_memory_sqlite_url_is_refused_with_the_right_form(self):
        """sqlite://db.sqlite3 (two slashes) would migrate a database lost at once."""
        for url in ["sqlite://db.sqlite3", "sqlite://:memory:", "sqlite://"]:
            with self.subTest(url):
                result = run_manage("migrate", env={"DATABASE_URL": url})
                self.assertEqual(result.returncode, 1, result.stdout)
                self.assertIn("in-memory SQLite database", result.stderr)
                self.assertIn("sqlite:////absolute/path/db.sqlite3", result.stderr)
                self.assertNotIn("Traceback", result.stderr)
                self.assertNotIn("Applying", result.stdout)

    def test_an_unreadable_url_is_refused_with_the_right_form(self):
        for url in ["db.sqlite3", "postgress://carnet@localhost/carnet", "postgres://h:port/x"]:
            with self.subTest(url):
                result = run_manage("check", env={"DATABASE_URL": url})
                self.assertEqual(result.returncode, 1)
                self.assertIn(f"DATABASE_URL {url!r} cannot be read", result.stderr)
                self.assertIn("postgres://user:password@host:5432/name", result.stderr)
                self.assertNotIn("Traceback", result.stderr)

    def test_a_file_url_is_a_file(self):
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        result = run_manage(
            "migrate",
            "--verbosity",
            "0",
            env={"DATABASE_URL": f"sqlite:///{folder / 'carnet.sqlite3'}"},
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue((folder / "carnet.sqlite3").stat().st_size > 0)


class DatabasePoolTests(SimpleTestCase):
    POSTGRES = "postgres://carnet@127.0.0.1:5432/carnet"

    def test_pool_on_postgresql_drops_persistent_connections(self):
        """Django refuses a pool with CONN_MAX_AGE > 0: the pool wins."""
        result = run_manage(
            "shell",
            "-c",
            SHOW_DATABASE,
            env={"DATABASE_URL": self.POSTGRES, "DATABASE_POOL": "1", "DJANGO_CONN_MAX_AGE": "60"},
        )
        self.assertEqual(last_line(result), "django.db.backends.postgresql 0 True", result.stderr)

    def test_without_pool_connections_are_kept(self):
        result = run_manage(
            "shell",
            "-c",
            SHOW_DATABASE,
            env={"DATABASE_URL": self.POSTGRES, "DJANGO_CONN_MAX_AGE": "120"},
        )
        self.assertEqual(
            last_line(result), "django.db.backends.postgresql 120 False", result.stderr
        )

    def test_pool_on_sqlite_is_a_clear_error(self):
        result = run_manage(
            "check", env={"DATABASE_POOL": "1", "DATABASE_URL": "sqlite:///db.sqlite3"}
        )
        self.assertEqual(result.returncode, 1)
        self.assertIn("DATABASE_POOL=1 needs PostgreSQL", result.stderr)
        self.assertNotIn("Traceback", result.stderr)

    def test_manage_py_without_the_virtual_environment_says_so(self):
        """Run by a Python without Django: the usual hint, and the way to write it here."""
        result = subprocess.run(
            ["/usr/bin/python3", "-S", "manage.py", "check"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("Did you forget to activate a virtual environment?", result.stderr)
        self.assertIn(".venv/bin/python manage.py", result.stderr)


class PreparedStatementTests(SimpleTestCase):
    """PostgreSQL binds parameters on the server and prepares the statements a connection runs
    again and again (the public pages' few queries); an operator behind PgBouncer in
    transaction mode turns it off."""

    POSTGRES = "postgres://carnet@127.0.0.1:5432/carnet"
    SHOW = (
        "from django.conf import settings; o = settings.DATABASES['default']['OPTIONS']; "
        "print(o.get('server_side_binding'), o.get('prepare_threshold'))"
    )

    def options(self, **env) -> str:
        result = run_manage("shell", "-c", self.SHOW, env={"DATABASE_URL": self.POSTGRES, **env})
        self.assertEqual(result.returncode, 0, result.stderr)
        return last_line(result)

    def test_on_by_default_after_five_runs(self):
        self.assertEqual(self.options(), "True 5")

    def test_the_threshold_from_the_environment(self):
        self.assertEqual(self.options(DJANGO_DB_PREPARE_THRESHOLD="0"), "True 0")
        self.assertEqual(self.options(DJANGO_DB_PREPARE_THRESHOLD=" 12 "), "True 12")

    def test_off_for_a_transaction_pooler(self):
        self.assertEqual(self.options(DJANGO_DB_PREPARE_THRESHOLD="off"), "None None")
        self.assertEqual(self.options(DJANGO_DB_PREPARE_THRESHOLD="OFF"), "None None")

    def test_a_wrong_threshold_is_a_clear_error(self):
        for value in ["five", "-1", "2.5", "²"]:
            with self.subTest(value):
                result = run_manage(
                    "check",
                    env={"DATABASE_URL": self.POSTGRES, "DJANGO_DB_PREPARE_THRESHOLD": value},
                )
                self.assertEqual(result.returncode, 1)
                self.assertIn("DJANGO_DB_PREPARE_THRESHOLD", result.stderr)
                self.assertIn("or off", result.stderr)
                self.assertNotIn("Traceback", result.stderr)

    def test_sqlite_is_left_alone(self):
        result = run_manage(
            "shell",
            "-c",
            self.SHOW,
            env={"DATABASE_URL": "sqlite:///db.sqlite3", "DJANGO_DB_PREPARE_THRESHOLD": "five"},
        )
        self.assertEqual(last_line(result), "None None", result.stderr)


class ScaledDeployCheckTests(SimpleTestCase):
    def test_check_deploy_has_no_warning_with_the_scaled_variables(self):
        """README « Several app servers »: PostgreSQL with a pool, Redis, a caching proxy."""
        result = run_manage(
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            env={
                **PRODUCTION_ENV,
                "DATABASE_URL": "postgres://carnet:password@127.0.0.1:5432/carnet",
                "DATABASE_POOL": "1",
                "REDIS_URL": "redis://127.0.0.1:6379/0",
                "CARNET_CACHE_S_MAXAGE": "60",
                "CARNET_CACHE_STALE_WHILE_REVALIDATE": "300",
            },
        )
        self.assertEqual(result.returncode, 0, result.stderr + result.stdout)
        self.assertIn("no issues", result.stdout)
