"""What many test classes share: a fresh folder and media storage per test, isolated subtests."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.test import override_settings

from tests.support.s3 import media_in_prefix, new_prefix, s3_run


class _RollBack(Exception):
    pass


@contextmanager
def rolled_back() -> Iterator[None]:
    """Undo every database write made inside, whether the block passes or fails."""
    try:
        with transaction.atomic():
            yield
            raise _RollBack
    except _RollBack:
        pass


def fresh_media(media_root: Path):
    """Settings for an empty media storage: ``media_root`` (and, in the S3 run, a new prefix
    of the run's bucket)."""
    extra = media_in_prefix(settings.STORAGES, new_prefix()) if s3_run() else {}
    return override_settings(MEDIA_ROOT=media_root, **extra)


class TemporaryFolders:
    """Each test gets ``self.tmp_path``, a new empty folder removed after it, and its uploads go
    to ``self.media_root`` inside it (never the real media/); ``self.case()`` does the same for
    one subtest and undoes its database rows, so the cases of a test cannot see each other."""

    def setUp(self) -> None:
        super().setUp()
        self.tmp_path, self.media_root = self.enterContext(self._folders())

    @contextmanager
    def _folders(self) -> Iterator[tuple[Path, Path]]:
        with tempfile.TemporaryDirectory(prefix="carnet-test-") as folder:
            root = Path(folder).resolve()
            with fresh_media(root / "media"):
                yield root, root / "media"

    @contextmanager
    def case(self, **params) -> Iterator[None]:
        saved = self.tmp_path, self.media_root
        with self.subTest(**params), self._folders() as (self.tmp_path, self.media_root):
            try:
                if self.databases:
                    with rolled_back():
                        yield
                else:
                    yield
            finally:
                self.tmp_path, self.media_root = saved
