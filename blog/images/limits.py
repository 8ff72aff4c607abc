"""What decoding an image would cost, read from its headers: no pixel is decoded here.

One set of limits for every image Carnet decodes: uploads (body, featured image, portrait,
preview), imported images and renditions (``CARNET_MAX_IMAGE_BYTES``,
``CARNET_MAX_IMAGE_PIXELS``, ``CARNET_MAX_IMAGE_FRAMES``).

Pillow checks the size in a file's first header only. A GIF's logical screen says nothing of
its frames: Pillow grows its canvas to any frame that does not fit, so a 10 × 10 screen may
hold a 7,000 × 7,000 frame (a 33 KB file, ~800 MB and seconds to decode). A GIF's image
descriptors are read here the way Pillow reads them, and the canvas counted is the screen
grown to every frame. Every frame is decoded once and re-encoded on upload: the pixels of all
frames count, and the frames themselves are capped (thousands of 1-pixel frames cost seconds).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from django.conf import settings
from PIL import Image

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000  # 40 megapixels: any camera photo, not a bomb
DEFAULT_MAX_FRAMES = 1000  # 40 s of animation at 25 frames a second


# What Carnet decodes at all (imported images, renditions): raster formats only. Pillow would
# also open EPS (decoded by running Ghostscript on the file), PSD, ICO… under any file name.
RASTER_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "AVIF", "BMP", "TIFF")


def raster_formats() -> list[str]:
    """RASTER_FORMATS that this Pillow can open (AVIF needs its plugin), for ``Image.open``."""
    Image.init()
    return [name for name in RASTER_FORMATS if name in Image.OPEN]


def max_bytes() -> int:
    return int(getattr(settings, "CARNET_MAX_IMAGE_BYTES", DEFAULT_MAX_BYTES))


def max_pixels() -> int:
    return int(getattr(settings, "CARNET_MAX_IMAGE_PIXELS", DEFAULT_MAX_PIXELS))


def max_frames() -> int:
    return int(getattr(settings, "CARNET_MAX_IMAGE_FRAMES", DEFAULT_MAX_FRAMES))


@dataclass(frozen=True)
class Cost:
    width: int  # the canvas every frame is decoded into
    height: int
    frames: int

    @property
    def pixels(self) -> int:
        return self.width * self.height * self.frames

    @property
    def too_many_frames(self) -> bool:
        return self.frames > max_frames()

    @property
    def over_limit(self) -> bool:
        return self.too_many_frames or self.pixels > max_pixels()


def decoding_cost(image: Image.Image, data: bytes) -> Cost:
    """The cost of decoding every frame of ``image`` (opened by Pillow from ``data``)."""
    if image.format == "GIF":
        return _gif_cost(data, max_frames() + 1)
    width, height = image.size
    # A multi-picture JPEG (phones, stereo cameras): only the first picture is ever decoded.
    frames = 1 if image.format == "MPO" else getattr(image, "n_frames", 1)
    return Cost(width, height, frames)


def _gif_cost(data: bytes, enough: int) -> Cost:
    """Screen and frames from the GIF's blocks, read as Pillow's GifImagePlugin reads them
    (unknown bytes skipped one by one); stops counting at ``enough`` frames."""
    width, height = struct.unpack_from("<HH", data, 6)
    flags = data[10]
    pos = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    frames = 0
    try:
        while pos < len(data) and frames < enough:
            kind = data[pos]
            if kind == 0x3B:  # trailer
                break
            if kind == 0x21:  # extension: label, then sub-blocks
                pos = _skip_sub_blocks(data, pos + 2)
            elif kind == 0x2C:  # image descriptor
                x, y, w, h, flags = struct.unpack_from("<HHHHB", data, pos + 1)
                width, height = max(width, x + w), max(height, y + h)
                frames += 1
                pos += 10 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
                pos = _skip_sub_blocks(data, pos + 1)  # after the LZW code size
            else:
                pos += 1
    except (struct.error, IndexError):  # truncated: what was read counts
        pass
    return Cost(width, height, max(frames, 1))


def _skip_sub_blocks(data: bytes, pos: int) -> int:
    while pos < len(data) and data[pos]:
        pos += data[pos] + 1
    return pos + 1
