"""Markdown files with front matter -> posts, tags, images and redirects. Never prints.

``import_paths`` walks the given files and folders and returns an ``ImportReport``;
``on_file`` and ``on_progress`` callbacks let a command report as it goes. Each file is
all-or-nothing (a savepoint) inside batched transactions: one commit per batch keeps a
large import fast. The images a batch needs are written last and removed if its rows roll
back. Field mapping: ``blog.porting.frontmatter``; a post's rows: ``posts``; a Gatsby page's
or landing page's: ``pages``; what both share: ``common``; images: ``blog.porting.images``;
old addresses: ``blog.porting.oldurls``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DatabaseError, transaction

from blog.models import Post
from blog.porting import frontmatter, gatsby
from blog.porting.frontmatter import SourceError
from blog.porting.images import remove
from blog.porting.importing import pages as page_files
from blog.porting.importing import posts as post_files
from blog.porting.importing.common import (
    MAX_PATH,
    FileResult,
    ImportFailure,
    Pending,
    RunState,
    Undo,
    file_digest,
    link_key,
)
from blog.rendering import RenderError

__all__ = ["FileResult", "ImportFailure", "ImportReport", "import_paths"]

MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdx"}
SKIPPED_FOLDERS = {"node_modules"}
BATCH_SIZE = 200


@dataclass
class ImportReport:
    counts: Counter = field(default_factory=Counter)
    failures: list[ImportFailure] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    images_copied: int = 0
    redirects_made: int = 0
    warnings: int = 0
    drafts: int = 0  # posts created or updated as drafts
    shortcodes_converted: int = 0
    shortcodes_left: int = 0  # kept as text (unknown, or a link to a post not imported)
    empty_folders: list[str] = field(default_factory=list)  # given, holding no Markdown file
    static_dirs: dict[str, str] = field(default_factory=dict)  # folder -> "given" / "guessed"
    refused_static_dirs: dict[str, str] = field(default_factory=dict)  # link -> where it leads
    dry_run: bool = False
    rolled_back: bool = False

    def count(self, action: str) -> int:
        return self.counts[action]

    def relinked(self, count: int) -> None:
        """``count`` shortcodes left at first now converted (links to posts imported later)."""
        self.shortcodes_converted += count
        self.shortcodes_left -= count

    def add(self, result: FileResult) -> None:
        self.counts[result.action] += 1
        self.images_copied += result.images_copied
        self.redirects_made += result.redirects_made
        self.warnings += len(result.warnings)
        self.shortcodes_converted += result.shortcodes_converted
        self.shortcodes_left += result.shortcodes_left
        if result.draft and result.action in ("created", "updated"):
            self.drafts += 1
        if result.action == "failed":
            self.failures.append(ImportFailure(result.path, result.message))
        elif result.action == "conflict":
            self.conflicts.append(f"{result.path}: {result.message}")

    def summary(self) -> str:
        line = (
            f"{self.count('created')} created, {self.count('updated')} updated, "
            f"{self.count('unchanged')} unchanged, {self.count('skipped')} skipped, "
            f"{len(self.failures)} failed, {self.images_copied} images copied, "
            f"{self.redirects_made} redirects made, {self.warnings} warnings, "
            f"{len(self.conflicts)} conflicts"
        ) + (f", {self.drafts} drafts" if self.drafts else "")
        if self.shortcodes_converted or self.shortcodes_left:
            line += (
                f", {self.shortcodes_converted} shortcodes converted, "
                f"{self.shortcodes_left} left as text"
            )
        if self.dry_run:
            return f"Dry run, nothing written: {line}"
        if self.rolled_back:
            return f"Nothing imported (--strict and a file failed): {line}"
        return line


def import_paths(
    paths: Iterable[Path | str],
    *,
    static_dir: Path | None = None,
    dry_run: bool = False,
    strict: bool = False,
    force: bool = False,
    pages: bool = True,
    on_file: Callable[[FileResult], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    state = RunState(static_dir.resolve() if static_dir else None, dry_run, force, pages=pages)
    if state.static_dir:
        report.static_dirs[str(state.static_dir)] = "given"
    sites: dict[Path, tuple[Path | None, Path | None, Path | None]] = {}
    real_roots: dict[Path, Path] = {}  # each root's real path, found once for its files

    def emit(result: FileResult) -> None:
        report.add(result)
        if on_file:
            on_file(result)

    files: list[tuple[Path, Path]] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            emit(FileResult(str(path), "failed", "no such file or folder"))
        elif path.is_dir():
            found = [(file, path) for file in find_markdown_files(path)]
            if not found:
                report.empty_folders.append(str(path))
            files.extend(found)
        else:
            files.append((path, site_root(path.parent) or path.parent))

    state.run_keys = {link_key(file.relative_to(root).as_posix()) for file, root in files}

    def site(file: Path, root: Path) -> tuple:
        if file.parent not in sites:
            sites[file.parent] = guess_site(file.parent)
        found_root, static, refused = sites[file.parent]
        static = state.static_dir or static
        if static is not None:
            report.static_dirs.setdefault(str(static), "guessed")
        elif refused is not None:
            report.refused_static_dirs[str(refused)] = str(refused.resolve())
        if root not in real_roots:
            real_roots[root] = root.resolve()
        return real_roots[root], found_root, static

    # --strict and --dry-run: one transaction around everything, rolled back at the end.
    outer = transaction.atomic() if (strict or dry_run) else _NoTransaction()
    try:
        with outer:
            for start in range(0, len(files), batch_size):
                for result in _import_batch(files[start : start + batch_size], state, site):
                    emit(result)
                if on_progress:
                    on_progress(min(start + batch_size, len(files)), len(files))
            with transaction.atomic():
                post_files.link_later_posts(state, report)
                post_files.settle_tag_names(state.tag_keys)
            if dry_run or (strict and (report.failures or report.conflicts)):
                transaction.set_rollback(True)
                report.rolled_back = True
    finally:
        if report.rolled_back:
            remove(state.written)
    return report


def _import_batch(files: list[tuple[Path, Path]], state: RunState, site) -> list[FileResult]:
    """One transaction for the batch, one savepoint per file; results once it is written.

    New posts are inserted in bulk at the end of the batch. Should that fail on a row the
    checks did not foresee (a slug taken meanwhile), the batch is rolled back and done again
    one insert per file, so the bad file is the only one to fail."""
    written_from = len(state.written)
    try:
        return _write_batch(files, state, site, bulk=True)
    except DatabaseError:
        _forget(state, written_from)
    try:
        return _write_batch(files, state, site, bulk=False)
    except (DatabaseError, OSError) as exc:
        _forget(state, written_from)
        problem = f"not imported: its batch of {len(files)} files was rolled back ({exc})"
        return [FileResult(str(file), "failed", problem) for file, _ in files]


def _write_batch(files: list[tuple[Path, Path]], state: RunState, site, *,
                 bulk: bool) -> list[FileResult]:  # fmt: skip
    results: list[FileResult] = []
    with transaction.atomic():
        relatives = {file: file.relative_to(root).as_posix() for file, root in files}
        posts = {
            post.source_path: post
            for post in Post.objects.filter(source_path__in=relatives.values())
        }
        pending: list[Pending] = []
        for file, root in files:
            outcome = _import_one(file, relatives[file], posts, site(file, root), state, bulk)
            if isinstance(outcome, Pending):
                pending.append(outcome)
                outcome = outcome.result
            results.append(outcome)
        post_files.write_batch(pending, state)
    return results


def _forget(state: RunState, written_from: int) -> None:
    """After a batch rolled back: remove its images, empty the caches it may have filled."""
    remove(state.written[written_from:])
    state.store.forget(state.written[written_from:])
    del state.written[written_from:]
    state.tags.clear()
    state.redirects.clear()
    state.slugs = None
    state.links = None
    state.authors.clear()
    state.default_author = None


def _import_one(file: Path, relative: str, posts: dict[str, Post], site: tuple,
                state: RunState, bulk: bool) -> FileResult | Pending:  # fmt: skip
    undo = Undo()
    try:
        real = _inside(file, site[0])
        try:
            stat = real.stat()
            if stat.st_size > frontmatter.MAX_FILE_BYTES:
                raise ImportFailure(
                    file,
                    f"too large ({stat.st_size} bytes; the limit is {frontmatter.MAX_FILE_BYTES})",
                )
            raw = real.read_bytes()
        except OSError as exc:
            raise ImportFailure(file, f"cannot be read ({exc.strerror})") from None
        if len(relative) > MAX_PATH:
            raise ImportFailure(file, f"its path is longer than {MAX_PATH} characters")
        post = posts.get(relative)
        if post is not None and post.source_hash == file_digest(raw):
            return FileResult(str(file), "unchanged")
        mtime = dt.datetime.fromtimestamp(stat.st_mtime, tz=dt.UTC)
        with transaction.atomic():
            return import_file(file, relative, raw, post, (*site, mtime), state, undo, bulk=bulk)
    except ImportFailure as failure:
        problem = failure.problem
    except (SourceError, RenderError) as exc:
        problem = str(exc)
    except DatabaseError as exc:
        problem = f"cannot be saved: {exc}"
    # The savepoint rolled back: forget what it added to the run's caches.
    for name in undo.tags:
        state.tags.pop(name, None)
    for key in undo.authors:
        state.authors.pop(key, None)
    state.default_author = None  # it may have been made in this savepoint
    if state.slugs is not None:
        state.slugs.difference_update(undo.slugs)
    # Later posts must not link to a post that is not there, nor wait for it to come.
    if state.links is not None:
        for key, before in reversed(undo.links):
            if before is None:
                state.links.pop(key, None)
            else:
                state.links[key] = before
    state.failed_keys.add(link_key(relative))
    return FileResult(str(file), "failed", problem)


def import_file(file: Path, relative: str, raw: bytes, post: Post | None, site: tuple,
                state: RunState, undo: Undo, *,
                bulk: bool = False) -> FileResult | Pending:  # fmt: skip
    """One file's rows: a Gatsby page or landing page (unless ``--no-pages``), else a post."""
    source = frontmatter.split(frontmatter.decode(raw))
    key = frontmatter.template_key(source.meta)
    if state.pages and key in gatsby.TEMPLATES:
        return page_files.import_special(file, relative, raw, source, key, site, state)
    return post_files.import_post(file, relative, raw, source, post, site, state, undo, bulk=bulk)


def _inside(file: Path, root: Path) -> Path:
    """The file's real path, or ImportFailure if a symbolic link leads it out of ``root``
    (a real path: symbolic links followed).

    Someone else's folder may hold ``notes.md -> ~/.env``: what it leads to is never read.
    """
    real = file.resolve()
    if not real.is_relative_to(root):
        raise ImportFailure(
            file, f"is a symbolic link to {real}, outside {root}; refused (not followed)"
        )
    return real


def find_markdown_files(root: Path) -> Iterator[Path]:
    """Markdown files under ``root``, sorted; hidden folders, node_modules and symlink loops
    skipped. Symbolic links are followed inside ``root`` only: a link to a folder elsewhere
    is yielded itself, unfollowed, for the importer to refuse by name (as a link to a file
    elsewhere is)."""
    real_root = root.resolve()
    seen: set[tuple[int, int]] = set()
    for folder, dirnames, filenames in os.walk(root, followlinks=True):
        stat = os.stat(folder)
        if (stat.st_dev, stat.st_ino) in seen:
            dirnames[:] = []
            continue
        seen.add((stat.st_dev, stat.st_ino))
        inside, outside = [], []
        for name in sorted(dirnames):
            if name.startswith(".") or name in SKIPPED_FOLDERS:
                continue
            path = Path(folder) / name
            leads_out = path.is_symlink() and not path.resolve().is_relative_to(real_root)
            (outside if leads_out else inside).append(name)
        dirnames[:] = inside
        found = [Path(folder) / name for name in outside]
        for name in filenames:
            path = Path(folder) / name
            markdown = not name.startswith(".") and path.suffix.lower() in MARKDOWN_SUFFIXES
            if markdown and path.is_file():
                found.append(path)
        yield from sorted(found)


def site_root(folder: Path) -> Path | None:
    """The nearest folder holding static/ (Gatsby, Hugo) or _config.yml (Jekyll)."""
    for candidate in [folder, *folder.parents]:
        if (candidate / "static").is_dir() or (candidate / "_config.yml").is_file():
            return candidate
    return None


def guess_site(folder: Path) -> tuple[Path | None, Path | None, Path | None]:
    """(site root, static folder, refused static folder): Jekyll serves the site's own folder.

    A static/ that is a link out of the site is not used (every file where it leads would
    be a site image): the third item names it; ``--static-dir`` says to use it anyway.
    """
    root = site_root(folder)
    if root is None:
        return None, None, None
    static = root / "static" if (root / "static").is_dir() else root
    if not static.resolve().is_relative_to(root.resolve()):
        return root.resolve(), None, static
    return root.resolve(), static.resolve(), None


class _NoTransaction:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
