"""manage.py backup DEST: the database and the media, copied while the site keeps serving.

SQLite is copied with its online backup API (a consistent copy even while an editor saves,
WAL included: a plain `cp` of a live database can be torn); PostgreSQL with pg_dump. The media
folder is copied beside it. Everything is written in a temporary folder next to DEST, renamed
to DEST at the end: a failed backup leaves nothing that looks like one. Restoring is a copy
back (README, « Deploy »).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

SQLITE_FILE = "db.sqlite3"
POSTGRES_FILE = "database.dump"


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite: db.sqlite3; PostgreSQL: database.dump, by pg_dump) and "
        "the media folder (media/) into a new folder DEST."
    )

    def add_arguments(self, parser):
        parser.add_argument("dest", type=Path, help="A folder that does not exist yet.")

    def handle(self, *args, dest: Path, verbosity, **options):
        dest = dest.absolute()
        if dest.exists():
            raise CommandError(f"{dest}: already exists (a backup goes into a new folder)")
        if not dest.parent.is_dir():
            raise CommandError(f"{dest.parent}: no such folder")
        work = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
        try:
            database = self.database(work)
            media = self.media(work)
            work.rename(dest)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        if verbosity >= 1:
            self.stdout.write(f"Backed up {database} and {media} to {dest}")

    def database(self, work: Path) -> str:
        if connection.vendor == "sqlite":
            name = Path(settings.DATABASES["default"]["NAME"])
            if not name.is_file():  # connecting would create an empty one
                raise CommandError(f"{name}: no such database (DATABASE_URL)")
            source, target = sqlite3.connect(name), sqlite3.connect(work / SQLITE_FILE)
            try:
                with target:
                    source.backup(target)
            except sqlite3.Error as error:
                raise CommandError(f"{name}: {error}") from None
            finally:
                source.close()
                target.close()
            return f"the database ({SQLITE_FILE})"
        if connection.vendor == "postgresql":
            pg_dump = shutil.which("pg_dump")
            if pg_dump is None:
                raise CommandError(
                    "pg_dump not found (Debian: apt-get install postgresql-client); or run "
                    'pg_dump --format=custom --no-owner --file DEST/database.dump "$DATABASE_URL"'
                )
            db = settings.DATABASES["default"]
            env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
            command = [
                pg_dump,
                "--format=custom",
                "--no-owner",
                "--file",
                str(work / POSTGRES_FILE),
            ]
            for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
                if db.get(key):
                    command += [option, str(db[key])]
            result = subprocess.run([*command, db["NAME"]], env=env, capture_output=True, text=True)
            if result.returncode:
                raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
            return f"the database ({POSTGRES_FILE})"
        raise CommandError(f"No backup for a {connection.vendor} database: use its own tools.")

    def media(self, work: Path) -> str:
        if not isinstance(default_storage, FileSystemStorage):
            return "no media (they are in the bucket: keep it versioned or replicated)"
        root = Path(settings.MEDIA_ROOT)
        if root.exists() and not root.is_dir():
            raise CommandError(f"{root}: not a folder (DJANGO_MEDIA_ROOT)")
        if not root.exists():
            (work / "media").mkdir()  # nothing uploaded yet
            return "the media (none yet)"
        try:
            shutil.copytree(root, work / "media", symlinks=True)
        except (OSError, shutil.Error) as error:
            raise CommandError(f"{root}: {error}") from None
        return "the media (media/)"
