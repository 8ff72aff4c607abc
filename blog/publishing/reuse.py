"""--incremental without rendering every page again: what each page read, and what changed.

A full render of 1,000 posts takes tens of seconds; after one edit, a few dozen pages differ.
Each page rendered records the posts it loaded (Django's ``post_init``: lists, neighbours,
related posts, feeds, the sitemap alike), kept in OUTDIR's manifest with a fingerprint of
everything else a page may show (tags and taggings, authors and bylines, pages, identity,
language, templates and code, static files, settings, the build's options) and each post's
signature (edited, published, visible now, address). The next incremental build renders again:

- every page, when the fingerprint changed or any post's publication, visibility, date or
  address changed (lists, neighbours and archives may all have moved);
- otherwise, the pages that loaded an edited post; the others are kept as they are.

When in doubt it renders: a stale page is worse than a slow build. A kept page is not read
again: the manifest holds the local addresses it links (the crawl follows them as if it had
read the page) and its digest (the search index is built again only when an indexed page
changed). The manifest sits beside OUTDIR (``.<name>.carnet-static``, as the lock), never
inside it: it is no file of the site, and no host can serve it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db.models import signals
from taggit.models import Tag

from blog.models import Post, PostAuthor, TaggedPost
from blog.publishing.addresses import MANIFEST
from blog.site import stamps

VERSION = 2
_CODE = Path(__file__).resolve().parents[2]


def _code_hash() -> str:
    """Templates, Python code and compiled translations: a change renders everything."""
    digest = hashlib.sha256()
    for folder, pattern in (("blog", "**/*.py"), ("templates", "**/*"), ("locale", "**/*.mo")):
        for path in sorted((_CODE / folder).glob(pattern)):
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def _static_manifest() -> str:
    """collectstatic's manifest (hashed names), when the storage has one."""
    name = getattr(staticfiles_storage, "manifest_name", None)
    try:
        if name and staticfiles_storage.exists(name):
            with staticfiles_storage.open(name) as handle:
                return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        pass
    return ""


def fingerprint(options: str) -> str:
    state = stamps.read_public_state().site
    tags = list(Tag.objects.order_by("id").values_list("id", "name", "slug"))
    taggings = list(TaggedPost.objects.order_by("id").values_list("content_object_id", "tag_id"))
    # Who wrote what: a post given to another author joins a page (that author's) that never
    # loaded it. Profile edits are in state.key() (the authors' stamp).
    bylines = list(
        PostAuthor.objects.order_by("post_id", "position", "id").values_list(
            "post_id", "author_id", "position"
        )
    )
    parts = [
        VERSION,
        options,
        state.key(),
        state.language,
        state.navigation,
        tags,
        taggings,
        bylines,
        _code_hash(),
        _static_manifest(),
        settings.LANGUAGE_CODE,
        settings.TIME_ZONE,
        settings.DEBUG,
        settings.CARNET_SITE_NAME,
        settings.CARNET_TAGLINE,
        settings.CARNET_AUTHOR,
        settings.STATIC_URL,
        settings.MEDIA_URL,
    ]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def post_signatures() -> dict[str, list[str]]:
    """{id: [edited, date, address]} of the posts readers see now (one query).

    Only those: the manifest is a file of the public site, so it names no draft or scheduled
    post; one appearing or leaving changes the set, which renders every page.
    """
    return {
        str(pk): [str(updated), str(pub_date), slug]
        for pk, updated, pub_date, slug in Post.objects.published()
        .order_by()
        .values_list("pk", "updated", "pub_date", "slug")
    }


def edited_posts(old: dict | None, current_fingerprint: str, posts: dict) -> set[int] | None:
    """The posts only edited since the manifest ``old``; None: render every page."""
    if not old or old.get("version") != VERSION or old.get("fingerprint") != current_fingerprint:
        return None
    before = old.get("posts") or {}
    if set(before) != set(posts):
        return None
    edited = set()
    for pk, signature in posts.items():
        if before[pk] != signature:
            if before[pk][1:] != signature[1:]:
                return None  # moved in time or renamed
            edited.add(int(pk))
    return edited


class Recorder:
    """The posts each page loads while it renders."""

    def __init__(self):
        self.loaded: set[int] | None = None

    def _receiver(self, sender, instance, **kwargs):
        if self.loaded is not None and instance.pk is not None:
            self.loaded.add(instance.pk)

    @contextmanager
    def connected(self) -> Iterator[None]:
        signals.post_init.connect(self._receiver, sender=Post, weak=False)
        try:
            yield
        finally:
            signals.post_init.disconnect(self._receiver, sender=Post)

    @contextmanager
    def page(self) -> Iterator[set[int]]:
        self.loaded = set()
        try:
            yield self.loaded
        finally:
            self.loaded = None


def manifest_for(outdir: Path) -> Path:
    """Beside OUTDIR (``/srv/site`` → ``/srv/.site.carnet-static``): never served."""
    return outdir.parent / f".{outdir.name}{MANIFEST}"


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def read_manifest(path: Path) -> dict | None:
    """The previous build's manifest, each page's links as addresses again; None if unusable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return None
    try:
        table = data["addresses"]
        for page in data["pages"].values():
            page["links"] = [table[index] for index in page["links"]]
    except (KeyError, IndexError, TypeError, AttributeError):
        return None
    return data


def manifest_text(
    fingerprint_: str, posts: dict, pages: dict, files: dict | None = None, search: str | dict = ""
) -> bytes:
    """The manifest; each address that pages link is written once, pages name its number."""
    table: dict[str, int] = {}
    stored = {}
    for relative, page in pages.items():
        links = [table.setdefault(address, len(table)) for address in page["links"]]
        stored[relative] = {**page, "links": links}
    return json.dumps(
        {
            "note": "Written by `manage.py build_static` for its next --incremental build.",
            "version": VERSION,
            "fingerprint": fingerprint_,
            "posts": posts,
            "search": search,
            "addresses": list(table),
            "pages": stored,
            "files": files or {},
        },
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


def write_manifest(path: Path, content: bytes) -> None:
    """Atomically: an interrupted write leaves the previous manifest."""
    handle, temporary = tempfile.mkstemp(prefix=f"{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.chmod(temporary, 0o644)  # as the site's files: the admin's build and a shell's alike
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
