"""A Gatsby site's own pages (imported unless ``--no-pages``): about-page and product-page
files become Pages at their old addresses, the index-page fills the site identity where empty.

Their structured extras (blurbs, pricing plans, testimonials, images) are kept whole in
``Page.extras`` (the page template shows them, export writes them back); the images they and
the body name are copied to media like a post's (the body's references rewritten). A page
edited in the admin since its import is a conflict, as a post is (``--force`` overwrites).
A fresh install's untouched draft about page gives way to a file at its address. Called by
``blog.porting.importing.import_file`` inside the file's savepoint; never prints. The formats
(templates, flags, identity keys) are ``blog.porting.gatsby``'s, shared with export.
"""

from __future__ import annotations

from pathlib import Path

from django.core.files.storage import default_storage

from blog.models.site import Page, SiteIdentity, clashing_route
from blog.porting import frontmatter, gatsby
from blog.porting.images import (
    ImageOutsideSite,
    ImageProblem,
    StoredImage,
    is_local,
)
from blog.porting.importing import common
from blog.porting.importing.common import FileResult, ImportFailure
from blog.rendering import render_markdown
from blog.text import strip_control_chars

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg")


def import_special(file: Path, relative: str, raw: bytes, source: frontmatter.Source, key: str,
                   site: tuple, state: common.RunState) -> FileResult:  # fmt: skip
    """The FileResult of a page or index-page file."""
    if key == gatsby.IDENTITY_TEMPLATE:
        return _import_identity(file, relative, source)
    digest = common.file_digest(raw)
    page = Page.objects.filter(source_path=relative).first()
    if page is not None and page.source_hash == digest:
        return FileResult(str(file), "unchanged", f"page {page.get_absolute_url()}")
    if page is not None and common.edited_since_import(
        fingerprint(page), page.extras.get("fingerprint"), state
    ):
        return common.conflict(file, "page")
    slug = gatsby.page_slug(source.meta, relative)
    if not slug or clashing_route(slug):
        raise ImportFailure(file, f"path: /{slug}/ is already one of the site's own addresses")
    other = Page.objects.filter(slug=slug).exclude(pk=getattr(page, "pk", None)).first()
    if other is not None and page is None and gatsby.is_placeholder(other):
        page, other = other, None  # a fresh install's untouched draft: the file replaces it
        page.source_path = relative
    if other is not None:
        raise ImportFailure(file, f"path: the page /{slug}/ already exists (made in the admin)")
    result = FileResult(
        str(file), "updated" if page and page.pk and page.source_hash else "created"
    )
    page = page or Page(source_path=relative)
    _, title = frontmatter.lookup(source.meta, frontmatter.TITLE_KEYS)
    _, description = frontmatter.lookup(source.meta, frontmatter.DESCRIPTION_KEYS)
    page.title = strip_control_chars(str(title or slug.replace("-", " ").capitalize()))[:200]
    page.slug = slug
    page.description = strip_control_chars(str(description or ""), multiline=True).strip()[:300]
    page.language = frontmatter.language_of(source.meta, result.warnings)
    root, site_root, static_dir, _mtime = site
    allowed = tuple(p for p in (root, site_root, static_dir) if p is not None)
    images = _images(source.meta, file, static_dir, allowed, state, result)
    extras_images = dict(images)
    page.body = strip_control_chars(
        common.rewrite_body(
            source, common.image_user(file, static_dir, allowed, state, result, images)
        ),
        multiline=True,
    )
    render_markdown(page.body)  # a bad body fails here
    _flags(page, source.meta, key, created=result.action == "created", result=result)
    page.extras = {
        "template": key,
        "meta": common.jsonable(source.meta),
        "images": {ref: default_storage.url(image.name) for ref, image in extras_images.items()},
        "refs": {ref: image.name for ref, image in images.items()},
        "static_dir": common.relative_or_none(static_dir, root),
        "fingerprint": fingerprint(page),
    }
    page.source_hash = digest
    page.source_format = source.format
    page.source_front_matter = source.front_matter
    page.save()
    written = state.store.plan(list(images.values())) if state.dry_run else None
    if written is None:
        names = state.store.write(list(images.values()))
        state.written.extend(names)
        written = len(names)
    result.images_copied = written
    result.message = f"page {page.get_absolute_url()}"
    return result


def fingerprint(page: Page) -> str:
    """What Carnet shows of a page, hashed like a post's: it moves when the admin edits it."""
    return common.digest(
        [
            page.title,
            page.slug,
            page.description,
            page.body.replace("\r\n", "\n"),
            page.published,
            page.in_navigation,
            page.navigation_order,
            page.show_identity,
        ]
        # Only when set: the fingerprints of pages stored before it stay the same.
        + ([page.language] if page.language else [])
    )


def _flags(page: Page, meta: dict, key: str, *, created: bool, result) -> None:
    """draft / inNavigation / navigationOrder / showIdentity from the file (export writes
    them when they are not the defaults); a new page without them gets the defaults."""
    if created:
        for name, value in gatsby.defaults(key).items():
            setattr(page, name, value)
    for meta_key, name, kind in gatsby.FLAG_KEYS:
        if meta_key not in meta:
            continue
        value = meta[meta_key]
        if (
            kind is int
            and not isinstance(value, bool)
            and isinstance(value, int)
            and 0 <= value < 32768
        ):
            setattr(page, name, value)
        elif kind is bool and isinstance(value, bool):
            setattr(page, name, not value if meta_key == "draft" else value)
        else:
            result.warnings.append(f"{meta_key}: {value!r} is not a valid value; ignored")


def _image_refs(value) -> list[str]:
    if isinstance(value, dict):
        return [ref for item in value.values() for ref in _image_refs(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in _image_refs(item)]
    if isinstance(value, str) and value.lower().endswith(IMAGE_SUFFIXES) and is_local(value):
        return [value]
    return []


def _images(meta: dict, file: Path, static_dir, allowed, state, result) -> dict[str, StoredImage]:
    """The extras' images, resolved like a post's (a missing one is a warning)."""
    found: dict[str, StoredImage] = {}
    for ref in dict.fromkeys(_image_refs(meta)):
        try:
            found[ref] = state.store.resolve(
                ref, post_file=file, static_dir=static_dir, allowed=allowed
            )
        except ImageOutsideSite as problem:
            result.warnings.append(f"image {problem}; not copied")
        except ImageProblem as problem:
            result.warnings.append(f"image {problem}")
    return found


def _import_identity(file: Path, relative: str, source: frontmatter.Source) -> FileResult:
    """The landing page's title, heading, subheading and description, where still empty."""
    identity = SiteIdentity.objects.filter(pk=1).first() or SiteIdentity()
    changed = []
    for key, name in gatsby.IDENTITY_FIELDS.items():
        _, value = frontmatter.lookup(source.meta, (key,))
        if not isinstance(value, str) or not value.strip() or getattr(identity, name):
            continue
        field = SiteIdentity._meta.get_field(name)
        multiline = name == "introduction"
        text = strip_control_chars(value, multiline=multiline).strip()
        setattr(identity, name, text[: field.max_length] if field.max_length else text)
        changed.append(name)
    same_source = identity.source_front_matter == source.front_matter
    identity.source_path = relative
    identity.source_meta = common.jsonable(source.meta)
    identity.source_front_matter = source.front_matter
    if not changed and same_source and identity.pk:
        return FileResult(str(file), "unchanged", "site identity")
    created = identity.pk is None
    identity.save()
    message = (
        "site identity: " + ", ".join(changed) + " filled in"
        if changed
        else "site identity: nothing empty to fill in"
    )
    return FileResult(str(file), "created" if created else "updated", message)
