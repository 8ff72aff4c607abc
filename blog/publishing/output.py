"""Writing OUTDIR without ever showing a partial site.

The whole site is first written into a staging folder beside OUTDIR (same file system). Only
when every page rendered is it moved in: each file by ``os.replace`` (atomic: a web server
reading OUTDIR sees the old file or the new one, never half of one), assets before the pages
that use them, stale files last. ``--incremental`` leaves a file whose bytes did not change
untouched (its date too, so hosts and rsync see no change).
"""

from __future__ import annotations

import filecmp
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Changes:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


class OutputError(OSError):
    pass


class Staging:
    """A folder beside OUTDIR that receives the new site; removed whatever happens."""

    def __init__(self, outdir: Path):
        self.outdir = outdir
        outdir.parent.mkdir(parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.building-", dir=outdir.parent))
        self.files: set[str] = set()

    def write(self, relative: str, content: bytes) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        self.files.add(relative)

    def link(self, relative: str, source: Path) -> None:
        """Stage an existing file without copying it (a hard link; a copy across devices)."""
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, path)
        except OSError:
            shutil.copyfile(source, path)
        self.files.add(relative)

    def has(self, relative: str) -> bool:
        return relative in self.files

    def add_tree(self, folder: str) -> None:
        """Files written into the staging folder by another tool (Pagefind)."""
        for path in (self.root / folder).rglob("*"):
            if path.is_file():
                self.files.add(path.relative_to(self.root).as_posix())

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def publish(self, *, incremental: bool, dry_run: bool) -> Changes:
        """Move the staged site into OUTDIR; return what changed."""
        changes = Changes()
        if self.outdir.exists() and not self.outdir.is_dir():
            raise OutputError(f"{self.outdir}: exists and is not a folder")
        existing = _files_in(self.outdir) if self.outdir.is_dir() else set()
        for relative in self.files:  # before any move: a refusal changes nothing
            _check_target(self.outdir / relative, self.outdir)
        # Assets first, pages after (a page never names a file not there yet), rules last.
        order = sorted(
            self.files,
            key=lambda name: (
                not name.startswith(("static/", "media/", "pagefind/")),
                name.startswith("_"),
                name,
            ),
        )
        for relative in order:
            source, target = self.root / relative, self.outdir / relative
            if incremental and relative in existing and _same(source, target):
                changes.unchanged.append(relative)
                continue
            changes.written.append(relative)
            if not dry_run:
                _move(source, target, self.outdir)
        for relative in sorted(existing - self.files):
            changes.deleted.append(relative)
            if not dry_run:
                (self.outdir / relative).unlink()
        if not dry_run:
            _remove_empty_folders(self.outdir)
        return changes


def _files_in(root: Path) -> set[str]:
    files = set()
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not Path(folder, d).is_symlink()]
        for name in names:
            files.add(Path(folder, name).relative_to(root).as_posix())
    return files


def _same(source: Path, target: Path) -> bool:
    try:
        if target.is_symlink():
            return False
        return os.path.samefile(source, target) or filecmp.cmp(source, target, shallow=False)
    except OSError:
        return False


def _check_target(target: Path, outdir: Path) -> None:
    """Never write through a symbolic link (the file or a folder on its way) in OUTDIR."""
    for path in (target, *target.parents):
        if path == outdir.parent:
            return
        if path.is_symlink():
            raise OutputError(f"{path}: a symbolic link in the way; nothing was written through it")


def _move(source: Path, target: Path, outdir: Path) -> None:
    """Atomic replace (the targets were checked: no symbolic link on the way)."""
    parent = target.parent
    for folder in (parent, *parent.parents):
        if folder == outdir.parent:
            break
        if folder.exists() and not folder.is_dir():
            folder.unlink()  # a file where a folder must go: the new site's shape wins
    parent.mkdir(parents=True, exist_ok=True)
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    os.replace(source, target)


def _remove_empty_folders(root: Path) -> None:
    for folder, _dirs, _names in os.walk(root, topdown=False):
        path = Path(folder)
        if path != root and not path.is_symlink() and not any(path.iterdir()):
            path.rmdir()
