"""Posts -> Markdown files with front matter: the importer's field map, reversed. Never prints.

Each post is written where it came from (its source path), in the front matter syntax and
with the key names it came with, its extra keys kept; posts made in the admin get the
Gatsby + Netlify CMS shape. Images go beside them in the site's static folder (or where a
relative reference expects them). Importing the result into an empty database gives the
same posts, fields, tags, images (by content) and redirects.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

import tomli_w
import yaml
from django.conf import settings
from django.core.files.storage import default_storage

from blog import frontmatter, oldurls
from blog.export_files import LinkRefused, write_inside
from blog.models import Post
from blog.text import ascii_slugify, strip_control_chars


@dataclass
class ExportReport:
    posts: int = 0
    images: int = 0
    pages: int = 0  # imported pages and the landing page (blog.export_pages)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # files not written (blog.export_files)

    def summary(self) -> str:
        return (
            (
                f"{self.posts} posts exported, {self.images} images written, "
                f"{len(self.warnings)} warnings"
            )
            + (f", {self.pages} pages exported" if self.pages else "")
            + (f", {len(self.errors)} files not written" if self.errors else "")
        )

    def write(self, outdir: Path, relative: str | PurePosixPath, data: bytes) -> bool:
        """Write a file inside ``outdir`` (never through a link); False if refused."""
        try:
            write_inside(outdir, relative, data)
        except LinkRefused as exc:
            self.errors.append(str(exc))
            return False
        return True


class _Dumper(yaml.SafeDumper):
    """YAML as a Netlify CMS writes it: dates as ``2020-05-23T11:37:58.440Z``, text unescaped."""


def _represent_datetime(dumper: yaml.SafeDumper, value: dt.datetime) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", format_datetime(value))


_Dumper.add_representer(dt.datetime, _represent_datetime)


def format_datetime(value: dt.datetime) -> str:
    spec = "milliseconds" if value.microsecond % 1000 == 0 else "microseconds"
    if value.microsecond == 0:
        spec = "seconds"
    text = value.isoformat(timespec=spec)
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def export_posts(outdir: Path, posts=None) -> ExportReport:
    report = ExportReport()
    outdir = Path(os.path.abspath(outdir))  # normalized: files are placed by lexical paths
    outdir.mkdir(parents=True, exist_ok=True)
    whole_site = posts is None
    posts = posts if posts is not None else Post.objects.all()
    taken: set[str] = set(
        Post.objects.exclude(source_path=None).values_list("source_path", flat=True)
    )
    written: dict[Path, str] = {}
    queryset = posts.order_by("pk").prefetch_related("tags", "redirects")
    for post in queryset.iterator(chunk_size=200):
        export_post(post, outdir, taken=taken, written=written, report=report)
    if whole_site:  # its pages and landing page too
        from blog.export_pages import export_pages

        export_pages(outdir, report, taken=taken, written=written)
    return report


def export_post(post: Post, outdir: Path, *, taken: set[str], written: dict[Path, str],
                report: ExportReport) -> Path:  # fmt: skip
    relative = post.source_path if _safe(post.source_path) else None
    if relative is None:
        relative = f"src/pages/blog/{post.slug}.md"
        if relative in taken:
            relative = f"src/pages/blog/{post.slug}-{post.pk}.md"
        taken.add(relative)
    meta = _original_meta(post)
    fmt = post.source_format or "yaml"
    images = post.source_images or {}
    static = images.get("static_dir") or "static"
    refs: dict[str, str] = images.get("refs") or {}
    target = outdir / relative
    place = placer(outdir, static, target, relative, written, report)
    body = export_body(post.body, refs, place)

    _set_title_and_dates(meta, post)
    _set_image(meta, post, refs, place)
    _set_description(meta, post, body)
    _set_flags(meta, post, relative)
    _set_tags(meta, post)
    _set_slug(meta, post)
    if not post.source_path:
        meta.setdefault("templateKey", "blog-post")
    _set_aliases(meta, post, relative, fmt)

    if report.write(outdir, relative, render_file(meta, body, fmt).encode()):
        report.posts += 1
    return target


def placer(outdir: Path, static: str, target: Path, relative: str, written: dict[Path, str],
           report: ExportReport):  # fmt: skip
    """``place(ref, name)``: write a stored image where ``ref`` expects it; the ref to write."""

    def place(ref: str, name: str) -> str:
        if ref.startswith("/"):
            dest = Path(os.path.normpath(outdir / static / unquote(ref).lstrip("/")))
        else:
            dest = Path(os.path.normpath(target.parent / unquote(ref)))
        # Lexical: a link on the way is refused by report.write, not silently avoided.
        if not dest.is_relative_to(outdir) or written.get(dest, name) != name:
            ref = f"/img/{PurePosixPath(name).name}"
            dest = Path(os.path.normpath(outdir / static / "img" / PurePosixPath(name).name))
        if dest not in written:
            try:
                with default_storage.open(name, "rb") as source:
                    data = source.read()
            except OSError:
                report.warnings.append(f"{relative}: image {name} is missing from media storage")
                return ref
            if report.write(outdir, dest.relative_to(outdir).as_posix(), data):
                written[dest] = name
                report.images += 1
        return ref

    return place


def export_body(body: str, refs: dict[str, str], place) -> str:
    """Media URLs back to the references they were imported from (or /img/<name>)."""
    for ref, name in refs.items():
        url = default_storage.url(name)
        if url in body:
            body = body.replace(url, place(ref, name))
    media = re.escape(settings.MEDIA_URL)
    return re.sub(
        rf"{media}([^\s)\"'<>]+)",
        lambda m: (
            place(f"/img/{PurePosixPath(m.group(1)).name}", m.group(1))
            if default_storage.exists(m.group(1))
            else m.group(0)
        ),
        body,
    )


def _original_meta(post: Post) -> dict:
    """The front matter as it was written (key order, value types), else its JSON copy."""
    if post.source_front_matter:
        try:
            return frontmatter.load_front_matter(post.source_front_matter, post.source_format)
        except (frontmatter.SourceError, ValueError):
            pass
    return json.loads(json.dumps(post.source_meta or {}))


def render_file(meta: dict, body: str, fmt: str) -> str:
    if fmt == "toml":
        clean = {key: value for key, value in meta.items() if value is not None}
        return f"+++\n{tomli_w.dumps(clean)}+++\n{body}"
    if fmt == "json":
        return json.dumps(meta, indent=2, ensure_ascii=False, default=str) + "\n" + body
    text = yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{text}---\n{body}"


def _key(meta: dict, keys: tuple[str, ...], default: str) -> str:
    key, _ = frontmatter.lookup(meta, keys)
    return key or default


def _set_title_and_dates(meta: dict, post: Post) -> None:
    key, original = frontmatter.lookup(meta, frontmatter.TITLE_KEYS)
    if not (isinstance(original, str) and strip_control_chars(original) == post.title):
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


class _WrittenTimestamp(str):
    """A YAML timestamp in its original spelling (``2020-01-15 10:00:00``, not ``…T10:00:00``)."""


_Dumper.add_representer(
    _WrittenTimestamp,
    lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:timestamp", str(value)),
)


def _as_written(post: Post, key: str | None, value: object) -> _WrittenTimestamp | None:
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
    return _WrittenTimestamp(written) if written and again == {"v": value} else None


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


def _safe(relative: str | None) -> bool:
    if not relative:
        return False
    path = PurePosixPath(relative)
    return not path.is_absolute() and ".." not in path.parts
