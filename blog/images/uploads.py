"""Uploaded images: checked by their content, re-encoded by Pillow, written all or nothing.

Django's ``ImageField`` alone accepts whatever Pillow can open (EPS, TIFF, ICO, TGA…), keeps any
bytes appended after the image (a PNG followed by HTML), keeps EXIF (GPS position included) and
only *warns* about a decompression bomb. Here an image is accepted only when Pillow identifies it
as JPEG, PNG, WebP or GIF, within a size and a pixel limit; what is stored is Pillow's own
re-encoding of the pixels (orientation applied), so no metadata and no foreign bytes survive.
"""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.files.storage import Storage, default_storage
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from blog.images.limits import decoding_cost, max_bytes, max_frames, max_pixels
from blog.images.storage import save_new
from blog.text import ascii_slugify

# Pillow format -> (file extension, MIME type). Nothing else is accepted.
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
    "GIF": ("gif", "image/gif"),
}
# Pillow's JPEG reader calls a multi-picture JPEG (many phones' photos) MPO: stored as a JPEG
# of its first picture.
_SAME_AS = {"MPO": "JPEG"}
__all__ = ["CleanImage", "ImageRejected", "clean_image", "max_bytes", "max_pixels", "store"]


class ImageRejected(Exception):
    """The message names the file and says what is wrong with it, in the user's language."""


@dataclass(frozen=True)
class CleanImage:
    """An accepted image, re-encoded: the bytes to store and what they are."""

    filename: str
    content: bytes
    width: int
    height: int
    format: str

    @property
    def content_type(self) -> str:
        return FORMATS[self.format][1]


def clean_image(upload) -> CleanImage:
    """Check an uploaded file by its content and return it re-encoded, or raise ImageRejected."""
    name = PurePosixPath(getattr(upload, "name", "") or "image").name
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes():
        raise ImageRejected(_too_big(name, size))
    upload.seek(0)
    data = upload.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise ImageRejected(_too_big(name, len(data)))
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice it; our own (lower) limit refuses
            # the bomb below, from the header alone, before any pixel is decoded.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
        # Every frame of an animation is decoded and re-encoded: they all count, at the size
        # they really have (blog.images.limits), read from the headers before any decoding.
        cost = decoding_cost(image, data)
        if cost.too_many_frames:
            raise ImageRejected(_too_many_frames(name))
        if cost.over_limit:
            raise ImageRejected(_too_many_pixels(name, cost.width, cost.height, cost.frames))
        fmt = _SAME_AS.get(image.format, image.format)
        image.load()
        content = _reencode(image, fmt)
    except Image.DecompressionBombError:  # over twice Pillow's limit: refused by Image.open
        raise ImageRejected(_too_many_pixels(name)) from None
    # struct.error: Pillow cannot write back what it read (merged frames longer than 655 s).
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error):
        raise ImageRejected(
            _("« %(name)s » is not a JPEG, PNG, WebP or GIF image (or it is damaged).")
            % {"name": name}
        ) from None
    stored = Image.open(io.BytesIO(content))
    stem = ascii_slugify(PurePosixPath(name).stem)[:80] or "image"
    return CleanImage(
        filename=f"{stem}.{FORMATS[fmt][0]}",
        content=content,
        width=stored.width,
        height=stored.height,
        format=fmt,
    )


def _reencode(image: Image.Image, fmt: str) -> bytes:
    """The pixels only, in the same format: EXIF, XMP, comments and trailing bytes are dropped."""
    out = io.BytesIO()
    icc = image.info.get("icc_profile")  # colours, not personal data: kept
    # Pillow writes the source's comment back unless told otherwise (JPEG, GIF).
    image.info.pop("comment", None)
    frames = getattr(image, "n_frames", 1)
    if frames > 1 and fmt in {"GIF", "WEBP"}:
        # Animations keep their frames and timing; they carry no orientation to apply.
        image.save(
            out,
            fmt,
            save_all=True,
            loop=image.info.get("loop", 0),
            duration=image.info.get("duration", 100),
        )
        return out.getvalue()
    image = ImageOps.exif_transpose(image)
    if fmt == "JPEG":
        if image.mode not in {"RGB", "L", "CMYK"}:
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=88, progressive=True, icc_profile=icc, comment=b"")
    elif fmt == "WEBP":
        if image.mode not in {"RGB", "RGBA"}:
            image = image.convert("RGBA" if image.has_transparency_data else "RGB")
        image.save(out, "WEBP", quality=88, icc_profile=icc)
    elif fmt == "PNG":
        image.save(out, "PNG", icc_profile=icc)
    else:
        image.save(out, "GIF")
    return out.getvalue()


def _too_big(name: str, size: int) -> str:
    return _("« %(name)s » is too large (%(size)s): the limit is %(limit)s.") % {
        "name": name,
        "size": filesizeformat(size),
        "limit": filesizeformat(max_bytes()),
    }


def _too_many_pixels(name: str, width: int = 0, height: int = 0, frames: int = 1) -> str:
    """Decompression bombs are refused before Pillow allocates their pixels."""
    values = {"name": name, "limit": max_pixels() // 1_000_000}
    if not width:
        return _("« %(name)s » has too many pixels: the limit is %(limit)d megapixels.") % values
    values.update(width=width, height=height, frames=frames)
    if frames > 1:
        return (
            _(
                "« %(name)s » has too many pixels (%(width)d × %(height)d, %(frames)d frames): "
                "the limit is %(limit)d megapixels."
            )
            % values
        )
    return (
        _(
            "« %(name)s » has too many pixels (%(width)d × %(height)d): the limit is "
            "%(limit)d megapixels."
        )
        % values
    )


def _too_many_frames(name: str) -> str:
    """Thousands of tiny frames: each is decoded and re-encoded, in the request."""
    return _("« %(name)s » has too many frames: the limit is %(limit)d.") % {
        "name": name,
        "limit": max_frames(),
    }


def store(image: CleanImage, name: str, storage: Storage | None = None) -> str:
    """Write the image under ``name`` (or a free variant) and return the name used.

    All or nothing, never over another file (blog.images.storage.save_new): on a local disk
    a full disk raises OSError and leaves no file; in a bucket one PUT writes it whole.
    """
    return save_new(storage or default_storage, name, image.content)


def body_image_name(image: CleanImage) -> str:
    """Where an image uploaded into a post's body goes."""
    return timezone.localdate().strftime("uploads/%Y/%m/") + image.filename
