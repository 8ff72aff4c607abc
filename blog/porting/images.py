"""Images of imported posts: finding them, copying them once by content, rewriting references.

Same bytes -> same stored name (``posts/<sha256 prefix><suffix>``), whatever the files were
called, so a tree imported twice, or two posts sharing an image, store it once. The bytes
stored (and hashed) are the file's without its metadata (``blog.images.metadata``: GPS position,
camera, author…), removed losslessly, so the original served at /media/ publishes none.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, UnidentifiedImageError

from blog.images.limits import decoding_cost, max_bytes, max_pixels, raster_formats
from blog.images.metadata import MetadataError, strip_metadata

# What a post may reference; all but SVG are copied once Pillow has read their headers.
IMAGE_SUFFIXES = {
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".webp",
    ".svg",
    ".avif",
    ".bmp",
    ".tif",
    ".tiff",
}

_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"(`+)(?:.+?)\1")
_MD_IMAGE = re.compile(
    r"(!\[[^\]\n]*\]\(\s*<?)([^)\s>]+)(>?(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\))"
)
_REF_DEFINITION = re.compile(r"^([ ]{0,3}\[[^\]\n]+\]:[ \t]*<?)(\S+?)(>?(?:[ \t].*)?)$", re.M)
_HTML_IMAGE = re.compile(r"(<img\b[^>]*?\bsrc\s*=\s*)([\"'])(.*?)\2", re.I | re.S)
_TEMPLATE = re.compile(r"\{\{<.*?>\}\}|\{\{%.*?%\}\}|\{%.*?%\}|\{\{.*?\}\}", re.S)


class ImageProblem(ValueError):
    """An image reference that cannot be used; the post imports without it."""


class ImageRefused(ImageProblem):
    """An image that must not be used and says something is wrong: the file fails.

    Not a mere warning: an image over the upload limits (a decompression bomb) is hostile or
    broken, and the author must look at it.
    """


class ImageOutsideSite(ImageRefused):
    """A reference that climbs out of the site's folders (``../../etc/passwd``, or a symbolic
    link leading elsewhere): the file fails."""


@dataclass(frozen=True)
class StoredImage:
    name: str  # storage name
    source: Path
    width: int | None
    height: int | None


class ImageStore:
    """Resolves references for one run, reads each file once, writes only new ones."""

    def __init__(self) -> None:
        self._by_path: dict[Path, StoredImage] = {}
        self._real: dict[Path, Path] = {}  # a reference's path -> its real path, in this run
        self._existing: set[str] = set()

    def resolve(self, ref: str, *, post_file: Path, static_dir: Path | None,
                allowed: tuple[Path, ...]) -> StoredImage:  # fmt: skip
        """The stored image a reference leads to, or ImageProblem saying why not (an
        ImageRefused when the file must fail)."""
        clean = unquote(ref.split("#", 1)[0].split("?", 1)[0])
        if clean.startswith("/"):
            if static_dir is None:
                raise ImageProblem(f"{ref!r} is a site path and no static folder was found")
            candidate = static_dir / clean.lstrip("/")
        else:
            candidate = post_file.parent / clean
        real = self._real.get(candidate)
        if real is None:
            try:
                real = self._real[candidate] = candidate.resolve()
            except (OSError, RuntimeError):
                raise ImageProblem(f"{ref!r} cannot be read") from None
        if not any(real.is_relative_to(folder) for folder in allowed):
            raise ImageOutsideSite(f"{ref!r} is outside the site's folders; refused")
        if real in self._by_path:
            return self._by_path[real]
        if not real.is_file():
            where = static_dir if clean.startswith("/") else post_file.parent
            raise ImageProblem(f"{ref!r} not found in {where}")
        suffix = real.suffix.lower()
        if suffix not in IMAGE_SUFFIXES:
            raise ImageProblem(f"{ref!r} is not an image file")
        if suffix == ".svg":
            # An SVG is a document: served from the site's own origin, its scripts would run
            # there. Not sanitized: no maintained library does it for SVG the way nh3 does
            # for HTML. The post imports without it.
            raise ImageProblem(
                f"{ref!r} is an SVG image, which can carry scripts; not imported "
                "(convert it to PNG or WebP)"
            )
        try:
            size = real.stat().st_size
            if size > max_bytes():
                raise ImageRefused(
                    f"{ref!r} is too large ({size} bytes; the limit is {max_bytes()} bytes)"
                )
            data = real.read_bytes()
        except OSError as exc:
            raise ImageProblem(f"{ref!r} cannot be read ({exc.strerror})") from None
        width, height = _checked_size(ref, data)
        try:
            data = strip_metadata(data, suffix)
        except MetadataError as exc:
            raise ImageProblem(f"{ref!r} not imported: {exc}") from None
        name = _name_for(data, suffix)
        stored = StoredImage(name, real, width, height)
        self._by_path[real] = stored
        return stored

    def write(self, images: list[StoredImage]) -> list[str]:
        """Copy the images not yet in storage; returns the names written (to undo them)."""
        written: list[str] = []
        try:
            for image in images:
                if image.name in self._existing or default_storage.exists(image.name):
                    self._existing.add(image.name)
                    continue
                saved = default_storage.save(image.name, ContentFile(_stored_bytes(image)))
                written.append(saved)
                self._existing.add(saved)
        except OSError:
            remove(written)
            raise
        return written

    def plan(self, images: list[StoredImage]) -> int:
        """What ``write`` would copy (for a dry run), remembered as if it had."""
        new = {
            image.name
            for image in images
            if image.name not in self._existing and not default_storage.exists(image.name)
        }
        self._existing.update(new)
        return len(new)

    def forget(self, names: list[str]) -> None:
        self._existing.difference_update(names)


def _checked_size(ref: str, data: bytes) -> tuple[int, int]:
    """The image's size, read from its headers once they show it within the upload limits."""
    try:
        with warnings.catch_warnings():
            # Between Pillow's limit and twice it, Pillow only warns; ours is lower.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=raster_formats()) as image:
                cost = decoding_cost(image, data)
    except Image.DecompressionBombError:
        raise ImageRefused(
            f"{ref!r} has too many pixels (the limit is {max_pixels() // 1_000_000} megapixels)"
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise ImageProblem(f"{ref!r} is not a readable image") from None
    if cost.over_limit:
        frames = f", {cost.frames} frames" if cost.frames > 1 else ""
        raise ImageRefused(
            f"{ref!r} has too many pixels ({cost.width} × {cost.height}{frames}; the limit is "
            f"{max_pixels() // 1_000_000} megapixels)"
        )
    return image.size


def _name_for(data: bytes, suffix: str) -> str:
    return f"posts/{hashlib.sha256(data).hexdigest()[:24]}{suffix}"


def _stored_bytes(image: StoredImage) -> bytes:
    """The file read again and stripped again (deterministic): the bytes ``image.name`` names.

    Not kept from ``resolve``: a run would hold every image of the site in memory.
    """
    suffix = image.source.suffix.lower()
    try:
        data = strip_metadata(image.source.read_bytes(), suffix)
    except MetadataError:
        data = b""
    if _name_for(data, suffix) != image.name:
        raise OSError(f"{image.source} changed during the import")
    return data


def remove(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def rewrite_images(body: str, replace: Callable[[str, int], str | None]) -> str:
    """Call ``replace(ref, line)`` for every local image reference outside code; a returned
    string replaces the reference. Links, remote and templated sources are left alone."""

    def visit(ref: str, line: int) -> str:
        if not is_local(ref):
            return ref
        new = replace(ref, line)
        return ref if new is None else new

    out: list[str] = []
    for text, first_line, is_code in _segments(body):
        if is_code:
            out.append(text)
            continue
        masked, spans = _mask_inline_code(text)

        def line_of(match: re.Match, first_line=first_line, masked=masked) -> int:
            return first_line + masked.count("\n", 0, match.start())

        # Each pattern only where its first characters are (a whole pass over the text each).
        if "![" in masked:
            masked = _MD_IMAGE.sub(
                lambda m: m.group(1) + visit(m.group(2), line_of(m)) + m.group(3), masked
            )
        if "]:" in masked:
            masked = _REF_DEFINITION.sub(
                lambda m: (
                    m.group(1)
                    + (visit(m.group(2), line_of(m)) if _is_image_name(m.group(2)) else m.group(2))
                    + m.group(3)
                ),
                masked,
            )
        if "<" in masked:
            masked = _HTML_IMAGE.sub(
                lambda m: m.group(1) + m.group(2) + visit(m.group(3), line_of(m)) + m.group(2),
                masked,
            )
        out.append(_unmask(masked, spans))
    return "".join(out)


def template_tags(body: str) -> list[tuple[int, str]]:
    """Hugo shortcodes and Liquid tags outside code, as (line, tag)."""
    found = []
    for text, first_line, is_code in _segments(body):
        if is_code:
            continue
        masked, _ = _mask_inline_code(text)
        for match in _TEMPLATE.finditer(masked):
            found.append((first_line + masked.count("\n", 0, match.start()), match.group(0)))
    return found


def is_local(ref: str) -> bool:
    lowered = ref.strip().lower()
    return bool(lowered) and not (
        lowered.startswith(("http:", "https:", "data:", "mailto:", "//", "#", "ftp:"))
        or "{{" in ref
        or "{%" in ref
        or ":" in lowered.split("/", 1)[0]
    )


def _is_image_name(ref: str) -> bool:
    return Path(unquote(ref.split("?", 1)[0])).suffix.lower() in IMAGE_SUFFIXES


def _segments(body: str):
    """(text, first line number, is fenced code) in order."""
    lines = body.splitlines(keepends=True)
    chunk: list[str] = []
    start, fence = 1, None
    for number, line in enumerate(lines, start=1):
        match = _FENCE.match(line)
        if fence is None and match:
            if chunk:
                yield "".join(chunk), start, False
            chunk, start, fence = [line], number, match.group(1)
        elif (
            fence is not None
            and match
            and match.group(1)[0] == fence[0]
            and len(match.group(1)) >= len(fence)
        ):
            chunk.append(line)
            yield "".join(chunk), start, True
            chunk, start, fence = [], number + 1, None
        else:
            chunk.append(line)
    if chunk:
        yield "".join(chunk), start, fence is not None


def _mask_inline_code(text: str) -> tuple[str, list[str]]:
    spans: list[str] = []

    def keep(match: re.Match) -> str:
        spans.append(match.group(0))
        return f"\x00{len(spans) - 1}\x00"

    return _INLINE_CODE.sub(keep, text), spans


def _unmask(text: str, spans: list[str]) -> str:
    if not spans:
        return text
    return re.sub(r"\x00(\d+)\x00", lambda m: spans[int(m.group(1))], text)
