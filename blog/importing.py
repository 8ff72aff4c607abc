"""Markdown files with front matter -> posts. Never prints: returns what happened.

This first version reads the Gatsby + Netlify CMS shape of the user's posts
(``templateKey``, ``title``, ``date``, ``description``, ``featuredpost``,
``featuredimage``, ``tags``) and creates or updates one post per source file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
import yaml
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from blog.models import Post
from blog.rendering import RenderError
from blog.text import strip_control_chars

MARKDOWN_SUFFIXES = {".md", ".markdown"}
SITE_ROOT_MARKERS = ("static", "_config.yml", "config.toml", "hugo.toml", "gatsby-config.js")
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_IMAGE_BYTES = 20 * 1024 * 1024


class ImportFailure(Exception):
    """A file that cannot be imported; the message names the file and the problem."""

    def __init__(self, path: Path | str, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


@dataclass
class FileResult:
    path: str
    action: str  # created, updated, unchanged, skipped
    post: Post | None = None
    images_copied: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    results: list[FileResult] = field(default_factory=list)
    failures: list[ImportFailure] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for result in self.results if result.action == action)

    @property
    def images_copied(self) -> int:
        return sum(result.images_copied for result in self.results)

    @property
    def warnings(self) -> list[str]:
        return [warning for result in self.results for warning in result.warnings]

    def summary(self) -> str:
        return (
            f"{self.count('created')} created, {self.count('updated')} updated, "
            f"{self.count('unchanged')} unchanged, {self.count('skipped')} skipped, "
            f"{len(self.failures)} failed, {self.images_copied} images copied, "
            f"{len(self.warnings)} warnings"
        )


def find_markdown_files(path: Path) -> Iterator[Path]:
    """The Markdown files under ``path`` (or ``path`` itself), hidden folders skipped."""
    if path.is_file():
        yield path
        return
    for candidate in sorted(path.rglob("*")):
        relative = candidate.relative_to(path)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if candidate.suffix.lower() in MARKDOWN_SUFFIXES and candidate.is_file():
            yield candidate


def guess_site_root(path: Path) -> Path:
    """The folder of the site a file belongs to: the nearest one holding ``static/`` or a config."""
    start = path if path.is_dir() else path.parent
    for folder in [start, *start.parents]:
        if any((folder / marker).exists() for marker in SITE_ROOT_MARKERS):
            return folder
    return start


def import_paths(paths: Iterable[Path | str], *, static_dir: Path | None = None) -> ImportReport:
    report = ImportReport()
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            report.failures.append(ImportFailure(path, "no such file or folder"))
            continue
        for file in find_markdown_files(path):
            root = guess_site_root(file)
            try:
                report.results.append(
                    import_file(file, root=root, static_dir=static_dir or root / "static")
                )
            except ImportFailure as failure:
                report.failures.append(failure)
    return report


def import_file(path: Path, *, root: Path, static_dir: Path) -> FileResult:
    """Create or update the post of one file, all or nothing."""
    raw = _read(path)
    source = path.resolve().relative_to(root.resolve()).as_posix()
    digest = hashlib.sha256(raw).hexdigest()
    meta, body = _parse(path, raw)

    template_key = meta.get("templateKey")
    if template_key not in (None, "blog-post"):
        return FileResult(str(path), "skipped", warnings=[f"{path}: templateKey {template_key!r}"])

    post = Post.objects.filter(source_path=source).first()
    if post is not None and post.source_hash == digest:
        return FileResult(str(path), "unchanged", post=post)

    action = "updated" if post else "created"
    post = post or Post(source_path=source)
    result = FileResult(str(path), action, post=post)

    post.title = strip_control_chars(str(meta.get("title") or "")) or _title_from(path)
    post.description = str(meta.get("description") or "")
    post.body = body
    post.pub_date = _date(path, meta.get("date"))
    post.featured = bool(meta.get("featuredpost", False))
    post.status = Post.Status.PUBLISHED
    post.source_hash = digest
    post.source_meta = _jsonable(meta)
    post.imported_at = timezone.now()

    image = _find_image(path, meta.get("featuredimage"), static_dir, result)
    written: list[str] = []
    try:
        with transaction.atomic():
            if image is not None:
                name = _store_image(image, written)
                result.images_copied += 1 if written else 0
                post.image.name = name
                post.image_alt = post.image_alt or post.title
            post.full_clean(exclude=["slug", "image"])
            post.save()
            post.tags.set(_tags(meta.get("tags")), clear=False)
    except ValidationError as exc:
        _remove(written)
        raise ImportFailure(path, _validation_message(exc)) from None
    except RenderError as exc:
        _remove(written)
        raise ImportFailure(path, str(exc)) from None
    except BaseException:
        _remove(written)
        raise
    return result


def _read(path: Path) -> bytes:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ImportFailure(path, f"too large ({size} bytes; the limit is {MAX_FILE_BYTES})")
    return path.read_bytes()


def _parse(path: Path, raw: bytes) -> tuple[dict, str]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailure(path, f"not UTF-8 text (byte {exc.start})") from None
    try:
        parsed = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ImportFailure(path, f"front matter is not valid YAML{where}") from None
    except ValueError as exc:
        raise ImportFailure(path, f"front matter has an impossible value: {exc}") from None
    return dict(parsed.metadata), parsed.content


def _title_from(path: Path) -> str:
    return path.stem.replace("-", " ").strip().capitalize()


def _date(path: Path, value) -> dt.datetime:
    if value is None:
        return timezone.now()
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ImportFailure(path, f"date: cannot read {value!r}") from None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _tags(value) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        value = value.split(",")
    return [name for name in (strip_control_chars(str(tag)) for tag in value) if name]


def _find_image(path: Path, value, static_dir: Path, result: FileResult) -> Path | None:
    if not value or not isinstance(value, str):
        return None
    base = static_dir if value.startswith("/") else path.parent
    candidate = (base / value.lstrip("/")).resolve()
    if not candidate.is_relative_to(base.resolve()) and not candidate.is_relative_to(
        path.parent.resolve()
    ):
        result.warnings.append(f"{path}: featuredimage {value!r} is outside the site; ignored")
        return None
    if not candidate.is_file():
        result.warnings.append(f"{path}: featuredimage {value!r} not found in {base}")
        return None
    return candidate


def _store_image(image: Path, written: list[str]) -> str:
    """Copy an image into media storage once: the same bytes always get the same name."""
    data = image.read_bytes()
    suffix = image.suffix.lower() or mimetypes.guess_extension("image/jpeg")
    name = f"posts/{hashlib.sha256(data).hexdigest()[:20]}{suffix}"
    if not default_storage.exists(name):
        written.append(default_storage.save(name, ContentFile(data)))
    return name


def _remove(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


def _jsonable(value):
    """Front matter as JSON (dates as ISO strings), kept so export can write it back."""
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value
