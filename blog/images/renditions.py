"""Image renditions: each place gets a size of its own, in WebP and in the original's format.

Why Pillow directly rather than sorl-thumbnail, easy-thumbnails or django-imagekit: those
keep a database table or a cache entry per thumbnail (a query, or a cache round trip, per
image on every page, against our fixed query budgets) or need spec fields on the model.
(The cache entry kept here is read once per process: the process's memory answers first.)
A rendition here is a pure function of the source file's name and the spec, so its name
is known without asking anything; it is made once, on first use, written atomically
through the media storage (a local disk or an S3 bucket: blog/images/storage.py).

What a picture resolved to (its renditions' names, sizes and byte counts, or "none: over
the limits") is remembered in the process and in the cache (shared by every worker and app
server with Redis): a page asks the storage nothing once a picture is known, which matters
when each question is an HTTP request to S3. Only a picture seen nowhere yet costs a read of
its source and a look (a stat, or a HEAD) at each rendition, then the missing ones are made.

Every rendition is re-encoded from pixels with the EXIF orientation applied and without
any metadata: no camera data and no GPS location is ever published through them.
"""

from __future__ import annotations

import hashlib
import io
import logging
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.cache import cache
from django.core.files.storage import Storage, default_storage
from PIL import Image, ImageOps

from blog.images.limits import Cost, decoding_cost, raster_formats
from blog.images.storage import save_as, storage_key

logger = logging.getLogger("blog.images")  # its name before the move: log filters keep working

RENDITIONS_DIR = "renditions"
WEBP_QUALITY = 78
JPEG_QUALITY = 82
# How long the cache remembers a resolved picture (a deleted rendition is made again after it).
CACHE_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class Spec:
    name: str
    widths: tuple[int, ...]
    ratio: float | None = None  # width / height; None keeps the original's
    sizes: str = "100vw"


SPECS = {
    # Small square-ish picture beside a related post.
    "thumbnail": Spec("thumbnail", (160, 320), ratio=1200 / 630, sizes="10rem"),
    # Cards on the home page, lists, tag pages and search: a grid of 1 to 3 columns.
    "card": Spec(
        "card",
        (400, 800),
        ratio=1200 / 630,
        sizes="(min-width: 64rem) 20rem, (min-width: 40rem) 45vw, 100vw",
    ),
    # The top of a post: the text column, up to 42rem (672 px) wide.
    "hero": Spec("hero", (672, 1024, 1344), sizes="(min-width: 44rem) 42rem, 100vw"),
    # An image inside a post's text: the text column.
    "body": Spec("body", (672, 1344), sizes="(min-width: 44rem) 42rem, 100vw"),
    # Open Graph / Twitter card: 1200 x 630, in the original format (not every service reads WebP).
    "social": Spec("social", (1200,), ratio=1200 / 630),
}


@dataclass(frozen=True)
class Rendition:
    url: str
    width: int
    height: int
    name: str  # in the storage
    size: int  # bytes (feed enclosures give it)


@dataclass(frozen=True)
class Picture:
    """What a template needs for <picture>: WebP and fallback srcsets, the default src, sizes."""

    fallback: list[Rendition]
    webp: list[Rendition]
    sizes: str

    @property
    def src(self) -> Rendition:
        return self.fallback[-1] if len(self.fallback) < 2 else self.fallback[-2]

    @property
    def largest(self) -> Rendition:
        return self.fallback[-1]

    def srcset(self, kind: str = "fallback") -> str:
        return ", ".join(f"{r.url} {r.width}w" for r in getattr(self, kind))


# A resolved picture: (kind, width, height, name, size) per rendition, or None when the source
# is over the limits (never decoded, the page shows the original). Keyed by _key().
Resolved = tuple[tuple[str, int, int, str, int], ...] | None
_resolved: dict[str, Resolved] = {}
_UNKNOWN = object()
# EXIF orientations that swap width and height (rotated by 90° or 270°).
_SWAPPING = {5, 6, 7, 8}


def forget() -> None:
    """Forget what this process remembers (the cache keeps its entries), as a new process."""
    _resolved.clear()


def _upright_size(source) -> tuple[int, int, Cost]:
    """The image's size once turned upright (the stored width/height may be sideways), and
    what decoding it would cost, read from its headers: an image over the upload limits
    (stored before they applied to imports, or by hand) is never decoded.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(source, formats=raster_formats()) as image:
            width, height = image.size
            if image.format == "GIF":
                source.seek(0)
                data = source.read()
            else:
                data = b""
            cost = decoding_cost(image, data)
            # Checked first: a PNG's getexif() decodes the whole image (its EXIF may
            # follow the pixels).
            if not cost.over_limit and image.getexif().get(0x0112) in _SWAPPING:
                width, height = height, width
    return width, height, cost


def _fallback_format(source_name: str) -> tuple[str, str]:
    ext = PurePosixPath(source_name).suffix.lower()
    if ext in {".png", ".gif"}:
        return "PNG", "png"  # keeps transparency
    return "JPEG", "jpg"


def _target_size(width: int, height: int, spec: Spec, target_width: int) -> tuple[int, int]:
    ratio = spec.ratio or width / height
    # Never upscale: a rendition is at most as wide as what the source can give.
    max_width = width if spec.ratio is None else min(width, round(height * ratio))
    w = min(target_width, max_width)
    return w, max(1, round(w / ratio))


def _name(source_name: str, spec: Spec, width: int, ext: str) -> str:
    digest = hashlib.sha1(source_name.encode()).hexdigest()[:12]
    stem = PurePosixPath(source_name).stem[:40]
    return f"{RENDITIONS_DIR}/{digest[:2]}/{stem}-{digest}-{spec.name}-{width}.{ext}"


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    options = {"optimize": True}
    if fmt == "WEBP":
        options = {"quality": WEBP_QUALITY, "method": 4}
    elif fmt == "JPEG":
        options.update(quality=JPEG_QUALITY, progressive=True)
    # Only the colour profile is written: no EXIF, no XMP; an empty comment, since
    # Pillow's JPEG writer would otherwise copy the source's.
    options["icc_profile"] = image.info.get("icc_profile")
    if fmt == "JPEG":
        options["comment"] = b""
    image.save(out, fmt, **options)
    return out.getvalue()


def _render(source, spec: Spec, jobs: list[tuple[int, int, str, str]]):
    """(name, bytes) of each job (width, height, name, format), from the open source file."""
    source.seek(0)
    with Image.open(source, formats=raster_formats()) as opened:
        image = ImageOps.exif_transpose(opened)
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        for width, height, name, fmt in jobs:
            if spec.ratio is None:
                resized = image.resize((width, height), Image.Resampling.LANCZOS)
            else:
                resized = ImageOps.fit(image, (width, height), Image.Resampling.LANCZOS)
            if fmt == "JPEG" and resized.mode == "RGBA":
                resized = resized.convert("RGB")
            yield name, _encode(resized, fmt)


def picture(image_field, spec_name: str, *, webp: bool = True) -> Picture | None:
    """Renditions of a stored image for one place, made on first use; None if impossible."""
    if not image_field or not getattr(image_field, "name", None):
        return None
    storage = getattr(image_field, "storage", default_storage)
    return picture_of(storage, image_field.name, spec_name, webp=webp)


def social_image(image_field) -> Rendition | None:
    """The 1200 x 630 rendition for Open Graph, Twitter cards and feed enclosures."""
    if not image_field:
        return None
    try:
        pic = picture(image_field, "social", webp=False)
    except Exception:  # a broken image must not break the page or the feed
        return None
    return pic.largest if pic else None


def picture_of(storage: Storage, name: str, spec_name: str, *, webp: bool = True) -> Picture | None:
    """Renditions of the file ``name`` in ``storage`` (featured images, images in bodies)."""
    spec = SPECS[spec_name]
    key = _key(storage, name, spec_name, webp)
    resolved = _resolved.get(key, _UNKNOWN)
    if resolved is _UNKNOWN:
        resolved = _cached(key)
        if resolved is _UNKNOWN:
            try:
                resolved = _resolve(storage, name, spec, webp)
            except _Unavailable:
                return None
            _remember(key, resolved)
        _resolved[key] = resolved
    if resolved is None:
        return None
    result: dict[str, list[Rendition]] = {"fallback": [], "webp": []}
    for kind, width, height, rel, size in resolved:
        result[kind].append(Rendition(storage.url(rel), width, height, rel, size))
    return Picture(fallback=result["fallback"], webp=result["webp"], sizes=spec.sizes)


class _Unavailable(Exception):
    """The source cannot be read or its renditions cannot be made now: try again later."""


def _key(storage: Storage, name: str, spec_name: str, webp: bool) -> str:
    where = hashlib.sha1(f"{storage_key(storage)}|{name}".encode()).hexdigest()
    return f"carnet:picture:{where}:{spec_name}:{int(webp)}"


def _cached(key: str):
    try:
        return cache.get(key, _UNKNOWN)
    except Exception:  # a cache that is down costs a look at the storage, not the page
        return _UNKNOWN


def _remember(key: str, resolved: Resolved) -> None:
    try:
        cache.set(key, resolved, CACHE_SECONDS)
    except Exception:
        logger.warning("The cache did not keep the picture %s", key)


def _resolve(storage: Storage, name: str, spec: Spec, webp: bool) -> Resolved:
    """Look at the source and its renditions in the storage, make the missing ones."""
    try:
        with storage.open(name, "rb") as source:
            return _resolve_source(storage, source, name, spec, webp)
    except _Unavailable:
        raise
    except (OSError, ValueError, Image.DecompressionBombError):
        raise _Unavailable from None  # missing or not an image: the page shows no picture
    except Exception as exc:  # the storage itself (S3 unreachable, refused)
        logger.warning("Cannot read %s from the media storage: %s", name, exc)
        raise _Unavailable from None


def _resolve_source(storage: Storage, source, name: str, spec: Spec, webp: bool) -> Resolved:
    # Only the headers are read here (on a disk; S3 gives the whole object in one GET).
    width, height, cost = _upright_size(source)
    if cost.over_limit:
        return None
    fallback_fmt, fallback_ext = _fallback_format(name)
    formats = [(fallback_fmt, fallback_ext)] + ([("WEBP", "webp")] if webp else [])
    plan: list[tuple[str, int, int, str]] = []
    sizes_seen: set[int] = set()
    for target in spec.widths:
        w, h = _target_size(width, height, spec, target)
        if w in sizes_seen:
            continue
        sizes_seen.add(w)
        for fmt, ext in formats:
            plan.append((fmt, w, h, _name(name, spec, w, ext)))
    sizes: dict[str, int] = {}
    missing: list[tuple[int, int, str, str]] = []
    try:
        for fmt, w, h, rel in plan:
            try:
                sizes[rel] = storage.size(rel)
            except FileNotFoundError:
                missing.append((w, h, rel, fmt))
        if missing:  # decoding the source is the expensive part: only to make something
            for rel, data in _render(source, spec, missing):
                save_as(storage, rel, data)
                sizes[rel] = len(data)
    except Exception as exc:
        logger.warning("Cannot make the %s renditions of %s: %s", spec.name, name, exc)
        raise _Unavailable from None
    return tuple(
        ("webp" if fmt == "WEBP" else "fallback", w, h, rel, sizes[rel]) for fmt, w, h, rel in plan
    )
