"""Image renditions: each place gets a size of its own, in WebP and in the original's format.

Why Pillow directly rather than sorl-thumbnail, easy-thumbnails or django-imagekit: those
keep a database table or a cache entry per thumbnail (a query, or a cache round trip, per
image on every page, against our fixed query budgets) or need spec fields on the model.
A rendition here is a pure function of the source file's name and the spec, so its name
is known without asking anything; it is made once, on first use, written atomically
next to the media, and then only its existence is checked (remembered in-process).

Every rendition is re-encoded from pixels with the EXIF orientation applied and without
any metadata: no camera data and no GPS location is ever published through them.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.core.files.storage import default_storage
from PIL import Image, ImageOps

from blog.images.limits import Cost, decoding_cost, raster_formats

logger = logging.getLogger("blog.images")  # its name before the move: log filters keep working

RENDITIONS_DIR = "renditions"
WEBP_QUALITY = 78
JPEG_QUALITY = 82


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
    path: str


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


# Absolute paths of renditions known to exist: one stat per rendition per process.
_known: set[str] = set()


_headers: dict[str, tuple[int, int, Cost]] = {}
# EXIF orientations that swap width and height (rotated by 90° or 270°).
_SWAPPING = {5, 6, 7, 8}


class OverLimit(ValueError):
    """An image over CARNET_MAX_IMAGE_PIXELS: no rendition decodes it."""


def _upright_size(path: str) -> tuple[int, int]:
    """The image's size once turned upright; the stored width/height may be sideways.

    Read from the file's headers once per process, with what decoding it would cost: an
    image over the upload limits (stored before they applied to imports, or by hand) is
    never decoded (OverLimit; the page shows the original instead of renditions).
    """
    header = _headers.get(path)
    if header is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path, formats=raster_formats()) as image:
                width, height = image.size
                data = Path(path).read_bytes() if image.format == "GIF" else b""
                cost = decoding_cost(image, data)
                # Checked first: a PNG's getexif() decodes the whole image (its EXIF may
                # follow the pixels).
                if not cost.over_limit and image.getexif().get(0x0112) in _SWAPPING:
                    width, height = height, width
        header = _headers[path] = (width, height, cost)
    width, height, cost = header
    if cost.over_limit:
        raise OverLimit(f"{path}: {cost.width} × {cost.height}, {cost.frames} frame(s)")
    return width, height


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


def _write(image: Image.Image, path: str, fmt: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
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
        os.replace(tmp, path)  # atomic: a concurrent reader never sees half a file
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _render(source_path: str, spec: Spec, jobs: list[tuple[int, int, str, str]]) -> None:
    with Image.open(source_path, formats=raster_formats()) as opened:
        image = ImageOps.exif_transpose(opened)
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        for width, height, path, fmt in jobs:
            if spec.ratio is None:
                resized = image.resize((width, height), Image.Resampling.LANCZOS)
            else:
                resized = ImageOps.fit(image, (width, height), Image.Resampling.LANCZOS)
            if fmt == "JPEG" and resized.mode == "RGBA":
                resized = resized.convert("RGB")
            _write(resized, path, fmt)


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


def picture_of(storage, name: str, spec_name: str, *, webp: bool = True) -> Picture | None:
    """Renditions of the file ``name`` in ``storage`` (featured images, images in bodies)."""
    spec = SPECS[spec_name]
    try:
        source_path = storage.path(name)
        width, height = _upright_size(source_path)
    except (NotImplementedError, OSError, ValueError, Image.DecompressionBombError):
        return None
    fallback_fmt, fallback_ext = _fallback_format(name)
    formats = [(fallback_fmt, fallback_ext)] + ([("WEBP", "webp")] if webp else [])
    sizes_seen: set[int] = set()
    result: dict[str, list[Rendition]] = {"fallback": [], "webp": []}
    missing: list[tuple[int, int, str, str]] = []
    for target in spec.widths:
        w, h = _target_size(width, height, spec, target)
        if w in sizes_seen:
            continue
        sizes_seen.add(w)
        for fmt, ext in formats:
            rel = _name(name, spec, w, ext)
            path = storage.path(rel)
            if path not in _known:
                if os.path.exists(path):
                    _known.add(path)
                else:
                    missing.append((w, h, path, fmt))
            kind = "webp" if fmt == "WEBP" else "fallback"
            result[kind].append(Rendition(storage.url(rel), w, h, path))
    if missing:
        try:
            _render(source_path, spec, missing)
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            logger.warning("Cannot make the %s renditions of %s: %s", spec_name, name, exc)
            return None
        _known.update(path for _, _, path, _ in missing)
    return Picture(fallback=result["fallback"], webp=result["webp"], sizes=spec.sizes)
