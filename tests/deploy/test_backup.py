"""manage.py backup: a consistent copy of the database and the media, all or nothing."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TransactionTestCase, override_settings

from tests.support.factories import make_image, make_post


class BackupTests(TransactionTestCase):
    def setUp(self):
        self.folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.enterContext(override_settings(MEDIA_ROOT=self.folder / "media"))

    def test_copies_the_database_and_the_media(self):
        if connection.vendor != "sqlite":
            self.skipTest("PostgreSQL is backed up by pg_dump (README, « Deploy »)")
        post = make_post(title="Sauvé", image=make_image("sauve.jpg"), image_alt="Une photo")
        out = StringIO()
        call_command("backup", str(self.folder / "backup"), stdout=out)
        self.assertIn("Backed up the database (db.sqlite3) and the media (media/)", out.getvalue())
        copy = sqlite3.connect(self.folder / "backup" / "db.sqlite3")
        try:
            titles = copy.execute("SELECT title FROM blog_post").fetchall()
        finally:
            copy.close()
        self.assertEqual(titles, [("Sauvé",)])
        saved = self.folder / "backup" / "media" / post.image.name
        self.assertEqual(saved.read_bytes(), Path(post.image.path).read_bytes())

    def test_postgresql_is_dumped_by_pg_dump(self):
        if connection.vendor != "postgresql":
            self.skipTest("the PostgreSQL run of the suite covers it")
        pg_restore = shutil.which("pg_restore")
        if shutil.which("pg_dump") is None or pg_restore is None:
            self.skipTest("pg_dump not found (apt-get install postgresql-client)")
        make_post(title="Sauvé")
        call_command("backup", str(self.folder / "backup"), stdout=StringIO())
        listing = subprocess.run(
            [pg_restore, "--list", str(self.folder / "backup" / "database.dump")],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        self.assertIn("TABLE DATA public blog_post", listing)
        self.assertTrue((self.folder / "backup" / "media").is_dir())

    def test_refuses_an_existing_folder_and_leaves_nothing_on_failure(self):
        (self.folder / "old").mkdir()
        with self.assertRaisesMessage(CommandError, "already exists"):
            call_command("backup", str(self.folder / "old"), stdout=StringIO())
        with self.assertRaisesMessage(CommandError, "no such folder"):
            call_command("backup", str(self.folder / "nope" / "b"), stdout=StringIO())
        before = sorted(self.folder.iterdir())
        (self.folder / "media").write_text("a file where the media folder should be")
        with self.assertRaisesMessage(CommandError, "not a folder (DJANGO_MEDIA_ROOT)"):
            call_command("backup", str(self.folder / "new"), stdout=StringIO())
        self.assertEqual(sorted(self.folder.iterdir()), sorted([*before, self.folder / "media"]))
