"""The README's « One machine » deployment, run as written on a fresh copy of the repository.

The blocks are read from README.md (marked ``<!-- deploy: … -->``), so the test fails when the
README drifts from what works. What it changes, and only that: ``/srv/carnet`` and
``/srv/backups`` become temporary folders, ``createsuperuser`` (it asks questions) is left out,
``PORT`` is a free port and ``WEB_CONCURRENCY`` 2 (this machine's cores are shared). The
existing virtual environment is used (``make install`` finds it installed).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.test import SimpleTestCase

from tests.support.process import ROOT
from tests.support.servers import fetch, free_port, stop, wait_for_port

# The code under test runs in a child process, which `--clock` does not reach (make test-clock).
pytestmark = pytest.mark.child_process

README = ROOT / "README.md"
HOST = "blog.example.org"
# Behind the TLS proxy the README describes: it says the request came over HTTPS.
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
SEED_SLUG = "le-debut-dune-carriere-professionnelle"


def readme_block(marker: str) -> list[str]:
    """The lines of the ```sh block that follows ``<!-- deploy: marker``."""
    text = README.read_text(encoding="utf-8")
    found = re.search(
        rf"<!-- deploy: {re.escape(marker)}\b[^>]*-->\s*```sh\n(.*?)\n```", text, re.S
    )
    if found is None:
        raise AssertionError(f"README.md has no ```sh block after <!-- deploy: {marker} -->")
    return [line for line in found.group(1).splitlines() if line.strip()]


def fresh_copy(target: Path) -> Path:
    """The repository's files as a clone has them (no build output, no database, no .mo)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (entry.decode() for entry in listed)):
        source = ROOT / name
        if name.split("/")[0] in {".venv", "node_modules"} or not source.is_file():
            continue
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / name)
    (target / ".venv").symlink_to((ROOT / ".venv").resolve())
    # Installed already: make's stamp (.venv/.installed) is newer than this pyproject.toml.
    os.utime(target / "pyproject.toml", (0, 0))
    return target


class SingleMachineTests(SimpleTestCase):
    def setUp(self):
        for tool in ("git", "make", "bash"):
            if shutil.which(tool) is None:
                self.skipTest(f"{tool} not found")
        if not (ROOT / ".venv" / ".installed").exists():
            self.skipTest(".venv was not made by `make install` (no .venv/.installed stamp)")
        folder = Path(self.enterContext(tempfile.TemporaryDirectory(prefix="carnet-deploy-")))
        self.repo = fresh_copy(folder / "carnet")
        self.data, self.backups = folder / "srv-carnet", folder / "srv-backups"
        self.backups.mkdir()
        self.log = folder / "server.log"
        self.port = free_port()
        self.env = {
            **{
                key: value
                for key, value in os.environ.items()
                if not key.startswith(("DJANGO_", "CARNET_", "AWS_"))
                and key not in {"DATABASE_URL", "REDIS_URL", "DATABASE_POOL", "PORT", "MAKEFLAGS"}
            },
            "PORT": str(self.port),
            "WEB_CONCURRENCY": "2",
        }

    def script(self, lines: list[str]) -> str:
        text = "\n".join(lines)
        return text.replace("/srv/carnet", str(self.data)).replace(
            "/srv/backups", str(self.backups)
        )

    def run_script(self, lines: list[str]) -> subprocess.CompletedProcess:
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", self.script(lines)],
            cwd=self.repo,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        return result

    def get(self, path: str, **headers) -> tuple[int, dict, bytes]:
        return fetch(f"http://127.0.0.1:{self.port}{path}", {"Host": HOST, **headers})

    def test_the_readme_single_machine_setup_serves_the_site(self):
        block = readme_block("one machine")
        self.assertTrue(block[-1].startswith(".venv/bin/gunicorn -c gunicorn.conf.py"), block)
        setup = [line for line in block[:-1] if "createsuperuser" not in line]
        with open(self.log, "w") as log:
            server = subprocess.Popen(
                ["bash", "-euo", "pipefail", "-c", self.script([*setup, f"exec {block[-1]}"])],
                cwd=self.repo,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            try:
                wait_for_port(self.port, server, timeout=240)
            except AssertionError as error:
                raise AssertionError(f"{error}\n{self.log.read_text()}") from None
            self.assert_serves()
        finally:
            stop(server)
        self.assert_backup_and_restore(block)

    def assert_serves(self) -> None:
        status, _, body = self.get("/", **PROXY_HEADERS)
        self.assertEqual(status, 200, self.log.read_text())
        self.assertIn("Carrière Professionnelle", body.decode())

        status, _, body = self.get(f"/blog/{SEED_SLUG}/", **PROXY_HEADERS)
        self.assertEqual(status, 200)
        images = re.findall(r'src="(/media/[^"]+)"', body.decode())
        self.assertTrue(images, "the seed post shows no image from /media/")
        for image in images[:2]:
            status, headers, content = self.get(image.replace("&amp;", "&"), **PROXY_HEADERS)
            self.assertEqual(status, 200, image)
            self.assertTrue(headers["Content-Type"].startswith("image/"), headers)
            self.assertGreater(len(content), 1000)

        status, _, body = self.get("/admin/login/", **PROXY_HEADERS, **{"Accept-Language": "fr"})
        self.assertEqual(status, 200)
        page = body.decode()
        self.assertIn("Mot de passe", page)  # the compiled French catalogue, built by make static
        self.assertIn("/static/admin/css/base.", page)  # a hashed name from the manifest

        status, _, body = self.get("/healthz")
        self.assertEqual((status, b'"status": "ok"' in body), (200, True), body)
        # Plain HTTP is sent to HTTPS (DJANGO_SECURE=1 behind the proxy).
        self.assertEqual(self.get("/", **{"X-Forwarded-Proto": "http"})[0], 301)

    def assert_backup_and_restore(self, block: list[str]) -> None:
        exports = [line for line in block if line.startswith("export ")]
        self.run_script([*exports, *readme_block("backup")])
        (backup,) = self.backups.iterdir()
        self.assertTrue((backup / "db.sqlite3").is_file())
        image_count = len(list((self.data / "media").rglob("*.jpeg")))
        self.assertGreater(image_count, 0)
        # The machine loses its data, then the README's restore brings it back.
        for lost in self.data.glob("db.sqlite3*"):
            lost.unlink()
        shutil.rmtree(self.data / "media")
        restore = [
            f"BACKUP={backup}" if line.startswith("BACKUP=") else line
            for line in readme_block("restore")
        ]
        self.run_script([*exports, *restore])
        count = self.run_script(
            [
                *exports,
                '.venv/bin/python manage.py shell -c "from blog.models import Post; '
                'print(Post.objects.filter(featured=True).count())"',
            ]
        )
        self.assertEqual(count.stdout.strip().splitlines()[-1], "1", count.stderr)
        self.assertEqual(len(list((self.data / "media").rglob("*.jpeg"))), image_count)
