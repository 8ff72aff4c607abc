"""build_static as a user runs it: exit status, stderr, no traceback."""

import pytest
from django.test import SimpleTestCase

from tests.support.cases import TemporaryFolders
from tests.support.process import run_manage

# The code under test runs in a child process, which `--clock` does not reach (make test-clock).
pytestmark = pytest.mark.child_process


def manage(tmp_path, *args):
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'process.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
    }
    return run_manage(*args, env=env)


class ProcessTests(TemporaryFolders, SimpleTestCase):
    def test_exit_status_and_messages(self):
        assert manage(self.tmp_path, "migrate", "--verbosity", "0").returncode == 0
        out = self.tmp_path / "site"
        bad = manage(self.tmp_path, "build_static", str(out), "--base-url", "example.org")
        assert bad.returncode == 1
        assert "--base-url 'example.org': give a scheme and a host" in bad.stderr
        assert "Traceback" not in bad.stderr
        assert not out.exists()

        good = manage(self.tmp_path, "build_static", str(out), "--base-url", "https://a.example")
        assert good.returncode == 0, good.stderr
        assert good.stdout.strip().endswith(f"0 deleted in {out}")
        assert (out / "index.html").is_file()

        quiet = manage(self.tmp_path, "build_static", str(out), "--incremental", "-v", "0")
        assert quiet.returncode == 0
        assert quiet.stdout == ""
