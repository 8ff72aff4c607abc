"""What every importer of a run shares: its results, its caches, its failures and fingerprints.

Below ``posts`` and ``pages`` (which never import each other); ``blog.porting.importing``
dispatches each file to one of them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.storage import default_storage
from django.urls import reverse
from taggit.models import Tag

from blog.models import Author, Post
from blog.porting import frontmatter
from blog.porting.images import (
    ImageProblem,
    ImageRefused,
    ImageStore,
    StoredImage,
    rewrite_images,
)

MAX_PATH = 500


class ImportFailure(Exception):
    """A file that cannot be imported; the message names the file and the problem."""

    def __init__(self, path: Path | str, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{path}: {problem}")


@dataclass
class FileResult:
    path: str
    action: str  # created, updated, unchanged, skipped, conflict, failed
    message: str = ""
    images_copied: int = 0
    redirects_made: int = 0
    warnings: list[str] = field(default_factory=list)
    draft: bool = False  # a post that came in as a draft
    shortcodes_converted: int = 0
    shortcodes_left: int = 0


@dataclass
class Pending:
    """What a saved post still needs once its batch ends: tag links, redirects, images."""

    result: FileResult
    post: Post
    new_tag_ids: list[int]
    redirects: dict[str, tuple[Post | None, str]]
    images: list[StoredImage]
    authors: list[Author] | None = None  # in byline order; None: the post keeps its own


_SLUG = "carnet-slug"  # a stand-in slug, replaced (slugs are ASCII letters, digits, "-")


@dataclass
class RunState:
    static_dir: Path | None
    dry_run: bool
    force: bool
    store: ImageStore = field(default_factory=ImageStore)
    tags: dict[str, Tag] = field(default_factory=dict)  # lower-cased name -> Tag
    tag_keys: set[str] = field(default_factory=set)  # every tag met, lower-cased
    redirects: set[str] = field(default_factory=set)  # old paths that exist
    slugs: set[str] | None = None  # every post's slug, loaded once
    written: list[str] = field(default_factory=list)  # images written, to undo a rollback
    pages: bool = True  # Gatsby's about/product pages and landing fields too (pages.py)
    links: dict[str, str] | None = None  # a post file's name (link_key) -> its slug
    run_keys: set[str] = field(default_factory=set)  # link_key of every file of the run
    failed_keys: set[str] = field(default_factory=set)  # link_key of the files that failed
    # Posts linking to a post of the run imported after them: linked once all are in.
    later_links: dict[str, FileResult] = field(default_factory=dict)  # source path -> result
    authors: dict[str, Author] = field(default_factory=dict)  # name_key -> profile
    default_author: Author | None = None  # for a file that names nobody (site_author())
    tag_urls: dict[str, str] = field(default_factory=dict)  # a tag's slug -> its page
    post_url_parts: tuple[str, str] | None = None  # a post's address around its slug

    def post_url(self, slug: str) -> str:
        """A post's address (get_absolute_url()): reversed once a run, then filled in."""
        if self.post_url_parts is None:
            url = reverse("blog:post-detail", kwargs={"slug": _SLUG})
            self.post_url_parts = tuple(url.rsplit(_SLUG, 1))
        before, after = self.post_url_parts
        return f"{before}{slug}{after}"

    def taken_slugs(self) -> set[str]:
        if self.slugs is None:
            self.slugs = set(Post.objects.values_list("slug", flat=True))
        return self.slugs

    def post_links(self) -> dict[str, str]:
        """The posts a shortcode may link to: imported before, or earlier in this run."""
        if self.links is None:
            self.links = {}
            for path, slug in Post.objects.exclude(source_path="").values_list(
                "source_path", "slug"
            ):
                if path:  # posts made in the admin have none
                    self.links.setdefault(link_key(path), slug)
        return self.links


def link_key(path: str) -> str:
    """How ``{% post_url %}`` and ``{{< ref >}}`` name a post file: its name without suffix
    (the folder's for a page bundle's index.md), lower-cased."""
    parts = [part for part in path.split("#", 1)[0].strip().strip("/").split("/") if part]
    if not parts:
        return ""
    name = parts[-1]
    if name.lower() in ("index.md", "_index.md", "index.markdown") and len(parts) > 1:
        name = parts[-2]
    return re.sub(r"\.(md|markdown|mdx|html)$", "", name, flags=re.I).lower()


@dataclass
class Undo:
    """What one file added to the run's caches, forgotten if its savepoint rolls back."""

    tags: list[str] = field(default_factory=list)
    slugs: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)  # name_key of the profiles made
    links: list[tuple[str, str | None]] = field(default_factory=list)  # (link_key, slug before)


def file_digest(raw: bytes) -> str:
    """A file's identity for re-imports: the same bytes are the same file (unchanged)."""
    return hashlib.sha256(raw).hexdigest()


def digest(values: list) -> str:
    """The fingerprint of what Carnet shows of a post or a page (JSON-able values)."""
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()


def edited_since_import(current: str | None, stored: str | None, state: RunState) -> bool:
    """True when a row's fingerprint moved since its import (an admin edit) and no --force."""
    return bool(current and stored and not state.force and current != stored)


def conflict(file: Path, what: str) -> FileResult:
    return FileResult(
        str(file),
        "conflict",
        f"the {what} was edited in the admin since its import; not overwritten "
        "(--force to overwrite it)",
    )


def relative_or_none(folder: Path | None, root: Path) -> str | None:
    if folder is None:
        return None
    try:
        return folder.relative_to(root).as_posix()  # root: a real path (site())
    except ValueError:
        return None


def jsonable(value):
    """Front matter as JSON (dates as ISO strings), kept so export can write it back."""
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(item) for item in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, str):
        return value.replace("\x00", "")  # YAML's "\0": PostgreSQL's jsonb cannot hold it
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # PostgreSQL's JSON has no NaN or Infinity
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def image_user(file: Path, static_dir: Path | None, allowed: tuple[Path, ...], state: RunState,
               result: FileResult, images: dict[str, StoredImage]):  # fmt: skip
    """``use(ref, what)``: the stored image a file names, kept in ``images``; one outside the
    site fails the file, a missing one is a warning (``what`` says where, in both)."""

    def use(ref: str, what: str) -> StoredImage | None:
        try:
            image = state.store.resolve(ref, post_file=file, static_dir=static_dir, allowed=allowed)
        except ImageRefused as problem:
            raise ImportFailure(file, f"{what} {problem}") from None
        except ImageProblem as problem:
            result.warnings.append(f"{what} {problem}")
            return None
        images[ref] = image
        return image

    return use


def rewrite_body(source: frontmatter.Source, use) -> str:
    """The body with its images' references turned into their media URLs (``use`` each)."""
    offset = source.body_line - 1

    def replace(ref: str, line: int) -> str | None:
        image = use(ref, f"line {line + offset}: image")
        return default_storage.url(image.name) if image else None

    return rewrite_images(source.body, replace)
