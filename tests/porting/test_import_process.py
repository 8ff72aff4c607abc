"""The real commands as a user runs them: exit status, stderr, no traceback."""

import pytest
from django.test import SimpleTestCase

from tests.support.cases import TemporaryFolders
from tests.support.importing import write
from tests.support.process import run_manage

# The code under test runs in a child process, which `--clock` does not reach (make test-clock).
pytestmark = pytest.mark.child_process


def manage(tmp_path, *args):
    """manage.py on a database and a MEDIA_ROOT of its own in ``tmp_path``."""
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'process.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
    }
    return run_manage(*args, env=env)


class ProcessTests(TemporaryFolders, SimpleTestCase):
    """A failed import exits non-zero with one line on stderr; the next run and the export work."""

    def test_a_bad_file_makes_the_process_exit_non_zero(self):
        assert manage(self.tmp_path, "migrate", "--verbosity", "0").returncode == 0
        write(self.tmp_path, "site/bon.md", "---\ntitle: Bon\ndate: 2020-01-01\n---\nTexte\n")
        bad = write(
            self.tmp_path,
            "site/mauvais.md",
            "---\ntitle: Mauvais\ndate: 2021-02-30\n---\n",
        )
        result = manage(self.tmp_path, "import_markdown", str(self.tmp_path / "site"))
        assert result.returncode == 1
        assert (
            f"error: {bad}: line 3: date '2021-02-30' is not a real date "
            "(day is out of range for month)"
        ) in result.stderr
        assert "Traceback" not in result.stderr
        assert "1 created, 0 updated, 0 unchanged, 0 skipped, 1 failed" in result.stdout

        bad.unlink()
        again = manage(self.tmp_path, "import_markdown", str(self.tmp_path / "site"))
        assert again.returncode == 0, again.stderr
        assert "0 created, 0 updated, 1 unchanged" in again.stdout
        exported = manage(self.tmp_path, "export_markdown", str(self.tmp_path / "out"))
        assert exported.returncode == 0, exported.stderr
        assert (self.tmp_path / "out" / "bon.md").read_text().startswith("---\ntitle: Bon\n")
