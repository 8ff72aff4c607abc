"""Helpers for the import/export tests: the public corpus, temporary sites, running the command."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import yaml
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from tests.support import required

# ../shared/corpus beside the repository: real posts from 5 public sites (never copied here).
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "fixtures" / "content"
SEED_NAME = "2020-05-23-le-début-dune-carrière-professionnelle.md"


def corpus(source: str = "") -> Path:
    """The corpus folder, or a skip (a failure when CARNET_REQUIRE_CORPUS=1, as in CI)."""
    if not CORPUS.is_dir():
        reason = f"the public corpus is missing: {CORPUS} (see the import tests' docstring)"
        required.skip_or_fail("CORPUS", reason)
    return CORPUS / source if source else CORPUS


class Run:
    """What one import_markdown call printed, and whether it failed."""

    def __init__(self, *args, **options):
        self.out, self.err = StringIO(), StringIO()
        self.error: CommandError | None = None
        try:
            call_command(
                "import_markdown", *map(str, args), stdout=self.out, stderr=self.err, **options
            )
        except CommandError as exc:
            self.error = exc
        self.stdout, self.stderr = self.out.getvalue(), self.err.getvalue()

    @property
    def summary(self) -> str:
        return self.stdout.strip().splitlines()[-1] if self.stdout.strip() else ""


def write(root: Path, relative: str, text: str | bytes) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def media_files(root: str = "") -> list[str]:
    """Every file in the media storage (a folder or a bucket's prefix), by name, sorted."""
    try:
        folders, files = default_storage.listdir(root)
    except FileNotFoundError:
        return []
    found = [f"{root}{name}" for name in files]
    for folder in folders:
        found += media_files(f"{root}{folder}/")
    return sorted(found)


def stored(name: str) -> bytes:
    """A media file's bytes, read back from the media storage."""
    with default_storage.open(name, "rb") as file:
        return file.read()


def png(color=(200, 120, 40), size=(12, 8)) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def export(outdir: Path, **options) -> str:
    """What export_markdown printed (it raises CommandError on failure)."""
    out = StringIO()
    call_command("export_markdown", str(outdir), stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
