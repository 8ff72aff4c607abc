"""Posts -> Markdown files with front matter: the importer's field map, reversed. Never prints.

Each post is written where it came from (its source path), in the front matter syntax and
with the key names it came with, its extra keys kept; posts made in the admin get the
Gatsby + Netlify CMS shape. Images go beside them in the site's static folder (or where a
relative reference expects them).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path, PurePosixPath

import yaml

from blog.models import Author, Post
from blog.porting import frontmatter, oldurls, shortcodes
from blog.porting.exporting.common import (
    ExportReport,
    WrittenTimestamp,
    export_body,
    original_meta,
    placer,
    render_file,
    safe_relative,
    set_language,
)
from blog.text import ascii_slugify, name_key, strip_control_chars


def export_post(post: Post, outdir: Path, *, taken: set[str], written: dict[Path, str],
                report: ExportReport, default: Author | None = None) -> Path:  # fmt: skip
    relative = post.source_path if safe_relative(post.source_path) else None
    if relative is None:
        relative = f"src/pages/blog/{post.slug}.md"
        if relative in taken:
            relative = f"src/pages/blog/{post.slug}-{post.pk}.md"
        taken.add(relative)
    meta = original_meta(post.source_front_matter, post.source_format, post.source_meta)
    fmt = post.source_format or "yaml"
    images = post.source_images or {}
    static = images.get("static_dir") or "static"
    refs: dict[str, str] = images.get("refs") or {}
    target = outdir / relative
    place = placer(outdir, static, target, relative, written, report)
    body = export_body(post.body, refs, place)  # also places the images the body names
    kept = images.get("body")
    if isinstance(kept, str) and images.get("body_sha256") == shortcodes.body_hash(post.body):
        body = kept  # its shortcodes as written (importing/posts.py keeps it)

    _set_title_and_dates(meta, post)
    _set_image(meta, post, refs, place)
    _set_description(meta, post, body)
    _set_flags(meta, post, relative)
    _set_tags(meta, post)
    _set_authors(meta, post, default)
    _set_slug(meta, post)
    set_language(meta, post.language)
    if not post.source_path:
        meta.setdefault("templateKey", "blog-post")
    _set_aliases(meta, post, relative, fmt)

    if report.write(outdir, relative, render_file(meta, body, fmt).encode()):
        report.posts += 1
    return target


def _key(meta: dict, keys: tuple[str, ...], default: str) -> str:
    key, _ = frontmatter.lookup(meta, keys)
    return key or default


def _set_title_and_dates(meta: dict, post: Post) -> None:
    key, original = frontmatter.lookup(meta, frontmatter.TITLE_KEYS)
    # Front matter without a title: titled from the heading or file name; if still so, none.
    # (A file with no front matter gains one, title first, as before.)
    derived = (
        key is None
        and post.source_meta
        and post.source_path
        and post.title == frontmatter.derived_title(post.body, post.source_path)
    )
    if not derived and not (
        isinstance(original, str) and strip_control_chars(original) == post.title
    ):
        meta[key or "title"] = post.title  # else the title as written (trailing space and all)
    key, original = frontmatter.lookup(meta, frontmatter.DATE_KEYS)
    value: object = post.pub_date.astimezone(dt.UTC)
    if original not in (None, ""):
        try:
            if frontmatter.parse_date(original) == post.pub_date:
                value = _as_written(post, key, original) or _native(original)
        except frontmatter.SourceError:
            pass
    meta[key or "date"] = value


def _as_written(post: Post, key: str | None, value: object) -> WrittenTimestamp | None:
    """A YAML date-time key's text as the file had it, when it still reads as the same value.

    YAML accepts several spellings of one timestamp; PyYAML writes back only one.
    """
    if not key or post.source_format not in ("", "yaml") or not isinstance(value, dt.datetime):
        return None
    # Plain string work on the top-level lines (no regex to backtrack over a hostile line).
    prefix = f"{key}:"
    lines = [x for x in post.source_front_matter.splitlines() if x.startswith(prefix)]
    if len(lines) != 1:
        return None
    written = lines[0][len(prefix) :].split("#", 1)[0].strip()
    try:
        again = yaml.safe_load(f"v: {written}")
    except (yaml.YAMLError, ValueError, AttributeError):  # PyYAML's own errors on odd input
        return None
    return WrittenTimestamp(written) if written and again == {"v": value} else None


def _native(value):
    """A date kept as JSON text, back to a date (written unquoted), when it reads as one."""
    if not isinstance(value, str):
        return value
    for kind in (dt.date, dt.datetime):
        try:
            native = kind.fromisoformat(value)
        except ValueError:
            continue
        # Python's own spelling: it was a YAML date; any other was a quoted string.
        return native if native.isoformat() == value else value
    return value


def _set_image(meta: dict, post: Post, refs: dict[str, str], place) -> None:
    key, original = frontmatter.lookup(meta, frontmatter.IMAGE_KEYS)
    src_key = "src"
    if isinstance(original, dict):
        src_key = frontmatter.lookup(original, frontmatter.IMAGE_SRC_KEYS)[0] or "src"
    src = original.get(src_key) if isinstance(original, dict) else original
    if post.image:
        name = post.image.name
        ref = src if isinstance(src, str) and refs.get(src) == name else f"/img/{Path(name).name}"
        value = place(ref, name)
        if isinstance(original, dict):
            original[src_key] = value
        else:
            meta[key or "featuredimage"] = value
        if post.image_alt != post.title:
            if isinstance(original, dict):
                original["alt"] = post.image_alt
            else:
                meta[_key(meta, frontmatter.IMAGE_ALT_KEYS, "featuredimagealt")] = post.image_alt
    elif key and isinstance(src, str) and src in refs:
        del meta[key]  # imported with the post, removed in the admin since


def _set_description(meta: dict, post: Post, body: str) -> None:
    key, original = frontmatter.lookup(meta, frontmatter.DESCRIPTION_KEYS)
    if key:
        if not (isinstance(original, str) and original.strip() == post.description):
            meta[key] = post.description
        return
    more = re.search(r"<!--\s*more\s*-->", body, re.I)
    derived = frontmatter.excerpt(body[: more.start()]) if more else ""
    if post.description != derived:
        meta["description"] = post.description


def _set_flags(meta: dict, post: Post, relative: str) -> None:
    key, _ = frontmatter.lookup(meta, frontmatter.FEATURED_KEYS)
    if key or post.featured or not post.source_path:
        meta[key or "featuredpost"] = post.featured
    draft = post.status == Post.Status.DRAFT
    if frontmatter.is_draft(meta, PurePosixPath(relative), []) == draft:
        return
    if draft:
        meta["draft"] = True
        return
    for name, published in (("draft", False), ("published", True), ("online", True),
                             ("status", "published")):  # fmt: skip
        key, _ = frontmatter.lookup(meta, (name,))
        if key:
            meta[key] = published


def _set_tags(meta: dict, post: Post) -> None:
    names = [tag.name for tag in post.tags.all()]
    if {name.lower() for name in frontmatter.tags_of(meta)} == {name.lower() for name in names}:
        return
    first = None
    for key in list(meta):
        if str(key).lower() in frontmatter.TAG_KEYS:
            first = first or key
            del meta[key]
    meta[first or "tags"] = names


def _set_authors(meta: dict, post: Post, default: Author | None) -> None:
    """The post's authors, in the shape its file gave them (a name, a list, ``{name, email}``
    mappings, under ``author`` or ``authors``); nothing for the site's own author when the
    file named nobody (a post written here by the site's author gets no key either)."""
    authors = post.byline
    try:
        written = frontmatter.authors_of(meta)
    except frontmatter.SourceError:
        written = []
    keys = [name_key(author.name) for author in authors]
    if [name_key(name) for name in written] == keys:
        return
    if not written and (not authors or (default is not None and authors == [default])):
        return
    found = [key for key in meta if str(key).lower() in frontmatter.AUTHOR_KEYS]
    original = meta[found[0]] if found else None
    for key in found:
        del meta[key]
    if not authors:
        return
    key = found[0] if found else ("author" if len(authors) == 1 else "authors")
    items = original if isinstance(original, list) else [original]
    as_mappings = any(isinstance(item, dict) for item in items)
    kept = {}  # a mapping as written, for an author it still names (its email and all)
    for item in items:
        if isinstance(item, dict):
            _, name = frontmatter.lookup(item, frontmatter.AUTHOR_NAME_KEYS)
            if isinstance(name, str):
                kept.setdefault(name_key(name), item)
    values = [
        (kept.get(name_key(a.name)) or _author_mapping(a)) if as_mappings else a.name
        for a in authors
    ]
    meta[key] = values[0] if len(values) == 1 and not isinstance(original, list) else values


def _author_mapping(author: Author) -> dict:
    return {"name": author.name, **({"email": author.email} if author.email else {})}


def _set_slug(meta: dict, post: Post) -> None:
    key, _ = frontmatter.lookup(meta, frontmatter.SLUG_KEYS)
    derived = ascii_slugify(post.title)[:190].strip("-") or "article"
    if key or post.slug != derived:
        meta[key or "slug"] = post.slug


def _set_aliases(meta: dict, post: Post, relative: str, fmt: str) -> None:
    """Redirects the file would not bring back by itself go into its aliases."""
    own = {redirect.old_path for redirect in post.redirects.all()}
    categories = frontmatter.tags_of(
        {k: v for k, v in meta.items() if str(k).lower() in ("categories", "category")}
    )
    derived = set(oldurls.post_paths(relative, fmt, frontmatter.old_urls(meta), categories))
    extra = sorted(own - derived)
    if extra:
        key, value = frontmatter.lookup(meta, ("aliases",))
        current = value if isinstance(value, list) else ([value] if value else [])
        meta[key or "aliases"] = [*current, *extra]
