"""Writing OUTDIR without ever showing a partial site.

The whole site is first written into a staging folder beside OUTDIR (same file system). Only
when every page rendered is it moved in: each file by ``os.replace`` (atomic: a web server
reading OUTDIR sees the old file or the new one, never half of one), assets before the pages
that use them, stale files last. ``--incremental`` leaves a file whose bytes did not change
untouched (its date too, so hosts and rsync see no change): a file written from memory is
compared by the size, date and digest the previous build recorded (``records``), without
reading the old file again; a kept file is the same file (a hard link).
"""

from __future__ import annotations

import filecmp
import hashlib
import os
import shutil
import stat
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

    def __init__(self, outdir: Path, *, incremental: bool = False):
        self.outdir = outdir
        self.incremental = incremental
        outdir.parent.mkdir(parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.building-", dir=outdir.parent))
        self.files: set[str] = set()
        # --incremental: files OUTDIR already holds as they are (not staged: nothing to move)
        self.kept: set[str] = set()
        self.tree_files: set[str] = set()  # another tool's (Pagefind): recorded, no digest
        self.digests: dict[str, str] = {}  # of the files written from memory
        # [size, modified (ns), digest] of those files as published: the next build's "known"
        self.records: dict[str, list] = {}

    def write(self, relative: str, content: bytes) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        self.files.add(relative)
        self.digests[relative] = hashlib.sha256(content).hexdigest()

    def link(self, relative: str, source: Path) -> None:
        """Stage an existing file without copying it (a hard link; a copy across devices).

        --incremental: when OUTDIR's file already is ``source`` (a page kept, a static file
        published before), it is only noted: publishing leaves it as it is."""
        if self.incremental and _is_same_file(self.outdir / relative, source):
            self.kept.add(relative)
            self.files.add(relative)
            return
        self._link(relative, source)
        self.files.add(relative)

    def stage_kept(self, relatives) -> None:
        """Kept files another tool must read in the staging folder (Pagefind: post pages)."""
        for relative in relatives:
            if relative in self.kept:
                self._link(relative, self.outdir / relative)

    def _link(self, relative: str, source: Path) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, path)
        except OSError:
            shutil.copyfile(source, path)

    def has(self, relative: str) -> bool:
        return relative in self.files

    def add_tree(self, folder: str) -> None:
        """Files written into the staging folder by another tool (Pagefind)."""
        for path in (self.root / folder).rglob("*"):
            if path.is_file():
                relative = path.relative_to(self.root).as_posix()
                self.files.add(relative)
                self.tree_files.add(relative)

    def link_tree(self, folder: str, source: Path, known: dict) -> bool:
        """Stage every file under ``source`` at ``folder`` by hard links (a previous build's
        search index). False, staging nothing, unless it holds exactly the files that build
        recorded (``known``), each with its size and date: an interrupted publish leaves a
        mix of two indexes, never to be kept."""
        found = {}
        if source.is_symlink() or not source.is_dir():
            return False
        for parent, dirs, names in os.walk(source):
            for name in [*dirs, *names]:
                path = Path(parent, name)
                if path.is_symlink() or not (path.is_dir() or path.is_file()):
                    return False
            for name in names:
                path = Path(parent, name)
                found[f"{folder}/{path.relative_to(source).as_posix()}"] = path
        recorded = {name for name in known if name.startswith(f"{folder}/")}
        if not found or set(found) != recorded:
            return False
        for relative, path in found.items():
            record, now = known[relative], path.stat()
            if not isinstance(record, list) or record[:2] != [now.st_size, now.st_mtime_ns]:
                return False
        for relative, path in found.items():
            self.link(relative, path)
            self.tree_files.add(relative)
        return True

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def publish(self, *, incremental: bool, dry_run: bool, known: dict | None = None) -> Changes:
        """Move the staged site into OUTDIR; return what changed.

        ``known``: the ``records`` of the previous build (--incremental)."""
        known = known or {}
        changes = Changes()
        if self.outdir.exists() and not self.outdir.is_dir():
            raise OutputError(f"{self.outdir}: exists and is not a folder")
        existing = _files_in(self.outdir) if self.outdir.is_dir() else set()
        checked: set[str] = set()  # folders seen free of links (1,000 pages share blog/)
        top, stop = str(self.outdir), str(self.outdir.parent)
        for relative in self.files:  # before any move: a refusal changes nothing
            _check_target(os.path.join(top, relative), stop, checked)
        # Assets first, pages after (a page never names a file not there yet), rules last.
        order = sorted(
            self.files,
            key=lambda name: (
                not name.startswith(("static/", "media/", "pagefind")),  # pagefind-1/…
                name.startswith("_"),
                name,
            ),
        )
        for relative in order:
            source, target = self.root / relative, self.outdir / relative
            if relative in self.kept:
                changes.unchanged.append(relative)
                if relative in known:  # the same file: its record still holds
                    self.records[relative] = known[relative]
                elif relative in self.tree_files:
                    self.records[relative] = _record(target)
                continue
            digest = self.digests.get(relative)
            if incremental and relative in existing:
                record = _unchanged(source, target, known.get(relative), digest)
                if record:
                    changes.unchanged.append(relative)
                    if digest or relative in self.tree_files:
                        self.records[relative] = record
                    continue
            changes.written.append(relative)
            if not dry_run:
                if digest or relative in self.tree_files:
                    self.records[relative] = _record(source) + ([digest] if digest else [])
                _move(source, target, self.outdir)
        for relative in sorted(existing - self.files):
            changes.deleted.append(relative)
            if not dry_run:
                (self.outdir / relative).unlink()
        if not dry_run:
            _remove_empty_folders(self.outdir, changes.deleted)
        return changes


def _files_in(root: Path) -> set[str]:
    """Every file under ``root`` ("/"-separated, relative); symbolic links to folders are not
    followed (os.walk's default)."""
    top = str(root)
    start = len(top) + 1
    return {
        os.path.join(folder, name)[start:]
        for folder, _dirs, names in os.walk(top)
        for name in names
    }


def _unchanged(source: Path, target: Path, record: list | None, digest: str | None):
    """The target's record ([size, modified, digest], no digest for another tool's file) if
    its bytes are the staged file's, else None. The previous record saves reading it."""
    try:
        found = target.lstat()
    except OSError:
        return None
    if not stat.S_ISREG(found.st_mode):
        return None
    now = [found.st_size, found.st_mtime_ns]
    if digest and isinstance(record, list) and record[:2] == now:
        return record if record[2:] == [digest] else None
    if not _same(source, target):
        return None
    return [*now, digest] if digest else now


def _record(path: Path) -> list:
    found = path.stat()
    return [found.st_size, found.st_mtime_ns]


def _is_same_file(path: Path, source: Path) -> bool:
    """``path`` is a plain file (no symbolic link) and the very file ``source`` is."""
    try:
        found = path.lstat()
        wanted = source.stat()
    except OSError:
        return False
    return stat.S_ISREG(found.st_mode) and (found.st_dev, found.st_ino) == (
        wanted.st_dev,
        wanted.st_ino,
    )


def _same(source: Path, target: Path) -> bool:
    try:
        if target.is_symlink():
            return False
        return os.path.samefile(source, target) or filecmp.cmp(source, target, shallow=False)
    except OSError:
        return False


def _check_target(target: str, stop: str, checked: set[str]) -> None:
    """Never write through a symbolic link (the file or a folder on its way) in OUTDIR, up to
    ``stop`` (OUTDIR's parent); ``checked``: folders found free of links already."""
    path = target
    while path != stop and path not in checked and len(path) > len(stop):
        if os.path.islink(path):
            raise OutputError(f"{path}: a symbolic link in the way; nothing was written through it")
        if path != target:
            checked.add(path)
        path = os.path.dirname(path)


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


def _remove_empty_folders(root: Path, deleted: list[str]) -> None:
    """The folders that deleting files left empty (a post's folder), up to ``root``."""
    for relative in deleted:
        folder = (root / relative).parent
        while folder != root and not folder.is_symlink() and folder.is_dir():
            if any(folder.iterdir()):
                break
            folder.rmdir()
            folder = folder.parent
