"""Lossless removal of personal metadata from image files: the pixels' bytes are never touched.

Imported images are stored by content and their originals are served at /media/posts/…, so
whatever a camera or an editor wrote into them (GPS position, camera serial number, author,
editing history, comments, an EXIF thumbnail of the uncropped photo) would be published.
Re-encoding with Pillow (as ``blog.images.uploads`` does for admin uploads) would remove it, but
would also change the pixels, and the importer must give back the same file on an
export -> import round trip. So here the file is taken apart at its container level and
only the segments, chunks or blocks that carry metadata are left out:

- JPEG: every APPn segment except APP0 JFIF, APP2 ICC profile and APP14 Adobe (needed to
  decode colours), every COM segment, and anything after the end of the image (where phones
  put a second, fully tagged, picture);
- PNG: every ancillary chunk except those that decide how pixels look (``_PNG_KEEP``);
  critical chunks are copied with their CRCs as they are;
- WebP: EXIF, XMP and unknown chunks; the VP8X flags and the RIFF size are rewritten;
- GIF: comments and application extensions except the looping ones.

The EXIF orientation (read as Pillow reads it: EXIF first, then XMP's ``tiff:Orientation``)
is the one tag kept, as a minimal EXIF built by Pillow, so photos stay upright. The result
is a fixed point: ``strip_metadata(strip_metadata(x)) == strip_metadata(x)``, and a file
with nothing to remove comes back byte for byte.
"""

from __future__ import annotations

import io
import re
import warnings
import zlib

from PIL import Image

ORIENTATION = 0x0112
# Markers that betray EXIF or XMP inside a file this module cannot take apart.
_MARKERS = (
    b"Exif\x00\x00",
    b"http://ns.adobe.com/xap/1.0/",
    b"<x:xmpmeta",
    b"<?xpacket",
)
# Tags that make a TIFF/AVIF/HEIF's metadata personal (see _unparsed).
_PERSONAL_TAGS = {
    0x010F,  # Make
    0x0110,  # Model
    0x013B,  # Artist
    0x8769,  # Exif IFD: camera settings, serial numbers, dates
    0x8825,  # GPS IFD
    0x02BC,  # XMP
    0x83BB,  # IPTC
    0x8649,  # Photoshop resources
    0x9C9D,  # XPAuthor
}
_XMP_ORIENTATION = re.compile(rb'tiff:Orientation(?:="|>)([0-9])')


class MetadataError(ValueError):
    """The file holds metadata that cannot be removed without risk to the image."""


class _Unparsable(Exception):
    """The container does not have the structure its signature promises."""


def strip_metadata(data: bytes, suffix: str = "") -> bytes:
    """``data`` without its metadata (the orientation kept), or MetadataError saying why not.

    The format is told by the bytes, not by ``suffix`` (used only for files of no known
    format). Files this module cannot take apart come back unchanged if they hold no sign
    of EXIF or XMP, and raise MetadataError if they do.
    """
    with warnings.catch_warnings():
        # Pillow warns about corrupt EXIF and the like: the result here says all there is.
        warnings.simplefilter("ignore")
        return _strip(data, suffix)


def _strip(data: bytes, suffix: str) -> bytes:
    strip = _strip_for(data)
    if strip is None:
        return _unparsed(data, suffix)
    try:
        result = strip(data)
    except (_Unparsable, IndexError) as exc:  # IndexError: a length field lies
        if any(marker in data for marker in _MARKERS + _CONTAINERS[strip]):
            raise MetadataError(f"its metadata cannot be removed safely: {exc}") from None
        return data  # damaged, but with nothing to hide
    # A damaged file can parse "successfully" into nonsense: check what remains.
    if any(marker in result for marker in _MARKERS[1:]) or result.count(_MARKERS[0]) > 1:
        raise MetadataError("its metadata cannot be removed safely: the file is damaged")
    if result != data and not _same_image(data, result):
        raise MetadataError("its metadata cannot be removed without damaging it")
    return result


def _strip_for(data: bytes):
    if data.startswith(b"\xff\xd8\xff"):
        return _strip_jpeg
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _strip_png
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _strip_webp
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return _strip_gif
    return None


def _unparsed(data: bytes, suffix: str) -> bytes:
    """SVG, AVIF, BMP, TIFF…: kept as they are only when nothing personal shows."""
    found = next((m for m in _MARKERS if m in data), None)
    if found is None:
        try:
            with Image.open(io.BytesIO(data)) as image:
                tags = set(image.getexif()) & _PERSONAL_TAGS
                if tags or "xmp" in image.info or "XML:com.adobe.xmp" in image.info:
                    found = b"EXIF"
        except Exception:  # not an image Pillow reads: the markers decided
            pass
    if found is not None:
        kind = suffix.lstrip(".").upper() or "this format"
        raise MetadataError(
            f"it holds EXIF/XMP metadata that cannot be removed from {kind} without "
            "re-encoding; convert it to JPEG, PNG, WebP or GIF"
        )
    return data


def _same_image(before: bytes, after: bytes) -> bool:
    """The stripped file opens as the same kind and size of image as the original."""
    try:
        with Image.open(io.BytesIO(before)) as original:
            expected = (original.format, original.size, original.mode)
    except Exception:  # the caller decides about unreadable originals
        return True
    try:
        with Image.open(io.BytesIO(after)) as stripped:
            return (stripped.format, stripped.size, stripped.mode) == expected
    except Exception:
        return False


def _orientation(exif: bytes | None, xmp: bytes | None) -> int | None:
    """The orientation as Pillow's getexif() gives it (EXIF, else XMP), if not upright."""
    value = None
    if exif:
        try:
            loaded = Image.Exif()
            loaded.load(exif if exif.startswith(b"Exif\x00\x00") else b"Exif\x00\x00" + exif)
            value = loaded.get(ORIENTATION)
        except Exception:  # a broken EXIF: Pillow would not rotate either
            value = None
    if value is None and xmp and (match := _XMP_ORIENTATION.search(xmp)):
        value = int(match.group(1))
    return value if isinstance(value, int) and 2 <= value <= 8 else None


def _minimal_exif(orientation: int) -> bytes:
    """``Exif\\0\\0`` and a TIFF structure holding the orientation alone."""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    return exif.tobytes()


# JPEG ---------------------------------------------------------------------------------------

# After a scan header, the next marker: 0xFF followed by neither a stuffed 0x00, a restart
# marker (part of the scan) nor another 0xFF (fill).
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_JPEG_KEEP = {
    0xE0: (b"JFIF\x00",),
    0xE2: (b"ICC_PROFILE\x00",),
    0xEE: (b"Adobe",),
}


def _strip_jpeg(data: bytes) -> bytes:
    out = [data[:2]]
    pos, size = 2, len(data)
    exif = xmp = None
    insert_at = None  # after SOI and the leading JFIF segments, where EXIF conventionally is
    while True:
        start = pos
        if pos >= size or data[pos] != 0xFF:
            raise _Unparsable("a JPEG marker was expected")
        while pos < size and data[pos] == 0xFF:  # fill bytes belong to the marker
            pos += 1
        if pos >= size:
            raise _Unparsable("the JPEG ends inside a marker")
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # end of image: what follows is not part of it
            out.append(data[start:pos])
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # no length
            out.append(data[start:pos])
            continue
        if marker in (0x00, 0xD8) or pos + 2 > size:
            raise _Unparsable("a JPEG segment is malformed")
        length = int.from_bytes(data[pos : pos + 2], "big")
        end = pos + length
        if length < 2 or end > size:
            raise _Unparsable("a JPEG segment runs past the end of the file")
        payload = data[pos + 2 : end]
        keep = _keep_jpeg_segment(marker, payload)
        if insert_at is None and not (marker == 0xE0 and keep):
            insert_at = len(out)
        if marker == 0xE1:
            if exif is None and payload.startswith(b"Exif\x00\x00"):
                exif = payload
            elif xmp is None and payload.startswith(b"http://ns.adobe.com/xap/1.0/\x00"):
                xmp = payload
        if marker == 0xDA:  # start of scan: the coded data runs to the next marker
            found = _NEXT_MARKER.search(data, end)
            if found is None:
                raise _Unparsable("the JPEG has no end-of-image marker")
            end = found.start()
        if keep:
            out.append(data[start:end])
        pos = end
    orientation = _orientation(exif, xmp)
    if orientation:
        body = _minimal_exif(orientation)
        out.insert(insert_at or 1, b"\xff\xe1" + (len(body) + 2).to_bytes(2, "big") + body)
    return b"".join(out)


def _keep_jpeg_segment(marker: int, payload: bytes) -> bool:
    if marker == 0xFE:  # COM
        return False
    if 0xE0 <= marker <= 0xEF:  # APPn: only what decoding needs
        return payload.startswith(_JPEG_KEEP.get(marker, ()))
    return True


# PNG ----------------------------------------------------------------------------------------

# Ancillary chunks that change how pixels look (or animate): kept. Every other ancillary
# chunk (eXIf, tEXt, iTXt, zTXt, tIME, editors' private chunks, C2PA…) is left out.
_PNG_KEEP = {
    b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB", b"cICP", b"mDCV", b"cLLI",
    b"bKGD", b"hIST", b"pHYs", b"sPLT", b"acTL", b"fcTL", b"fdAT", b"oFFs", b"sCAL", b"pCAL",
}  # fmt: skip


def _strip_png(data: bytes) -> bytes:
    out = [data[:8]]
    pos, size = 8, len(data)
    exif = xmp = None
    insert_at = None  # before the first IDAT: where Pillow and browsers read it
    while True:
        if pos + 12 > size:
            raise _Unparsable("the PNG ends before its IEND chunk")
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > size or not kind.isalpha():
            raise _Unparsable("a PNG chunk is malformed")
        payload = data[pos + 8 : pos + 8 + length]
        if kind == b"eXIf" and exif is None:
            exif = payload
        elif kind == b"iTXt" and xmp is None and payload.startswith(b"XML:com.adobe.xmp\x00"):
            xmp = payload
        elif kind == b"IDAT" and insert_at is None:
            insert_at = len(out)
        if kind[:1].isupper() or kind in _PNG_KEEP:
            out.append(data[pos:end])
        pos = end
        if kind == b"IEND":
            break
    if insert_at is None:
        raise _Unparsable("the PNG has no image data")
    orientation = _orientation(exif, xmp)
    if orientation:
        body = b"eXIf" + _minimal_exif(orientation)[6:]
        chunk = (len(body) - 4).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")
        out.insert(insert_at, chunk)
    return b"".join(out)


# WebP ---------------------------------------------------------------------------------------

_WEBP_KEEP = {b"VP8X", b"ICCP", b"ANIM", b"ANMF", b"ALPH", b"VP8 ", b"VP8L"}
_VP8X_EXIF = 0x08
_VP8X_XMP = 0x04


def _strip_webp(data: bytes) -> bytes:
    end_of_riff = 8 + int.from_bytes(data[4:8], "little")
    if end_of_riff > len(data):
        raise _Unparsable("the WebP file is shorter than its RIFF header says")
    chunks: list[bytes] = []
    pos = 12
    exif = xmp = None
    while pos < end_of_riff:
        if pos + 8 > end_of_riff:
            raise _Unparsable("a WebP chunk is malformed")
        kind = data[pos : pos + 4]
        length = int.from_bytes(data[pos + 4 : pos + 8], "little")
        end = pos + 8 + length + (length & 1)  # chunks are padded to an even size
        if end > end_of_riff:
            raise _Unparsable("a WebP chunk runs past the end of the file")
        payload = data[pos + 8 : pos + 8 + length]
        if kind == b"EXIF" and exif is None:
            exif = payload
        elif kind == b"XMP " and xmp is None:
            xmp = payload
        if kind in _WEBP_KEEP:
            chunks.append(data[pos:end])
        pos = end
    extended = bool(chunks) and chunks[0][:4] == b"VP8X" and len(chunks[0]) >= 9
    orientation = _orientation(exif, xmp) if extended else None
    if extended:
        flags = chunks[0][8] & ~(_VP8X_EXIF | _VP8X_XMP)
        if orientation:
            flags |= _VP8X_EXIF
            tiff = _minimal_exif(orientation)[6:]  # the container's EXIF is bare TIFF
            chunks.append(
                b"EXIF" + len(tiff).to_bytes(4, "little") + tiff + b"\0" * (len(tiff) & 1)
            )
        chunks[0] = chunks[0][:8] + bytes([flags]) + chunks[0][9:]
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + len(body).to_bytes(4, "little") + body


# GIF ----------------------------------------------------------------------------------------

_GIF_LOOPING = (b"NETSCAPE2.0", b"ANIMEXTS1.0")


def _strip_gif(data: bytes) -> bytes:
    if len(data) < 13:
        raise _Unparsable("the GIF header is cut short")
    flags = data[10]
    pos = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    out = [data[:pos]]
    size = len(data)
    while True:
        if pos >= size:
            raise _Unparsable("the GIF has no trailer")
        introducer = data[pos]
        if introducer == 0x3B:  # trailer: anything after it is not part of the image
            out.append(data[pos : pos + 1])
            break
        if introducer == 0x21:  # extension: label, then sub-blocks
            if pos + 2 > size:
                raise _Unparsable("a GIF extension is cut short")
            label = data[pos + 1]
            end = _after_sub_blocks(data, pos + 2)
            if label == 0xFE:  # comment
                keep = False
            elif label == 0xFF:  # application: XMP lives here too
                keep = data[pos + 2] == 11 and data[pos + 3 : pos + 14] in _GIF_LOOPING
            else:  # graphic control, plain text
                keep = True
        elif introducer == 0x2C:  # image descriptor, local palette, LZW code size, data
            if pos + 10 > size:
                raise _Unparsable("a GIF image descriptor is cut short")
            local = data[pos + 9]
            start = pos + 10 + (3 << ((local & 7) + 1) if local & 0x80 else 0)
            end = _after_sub_blocks(data, start + 1)
            keep = True
        else:
            raise _Unparsable("a GIF block is not recognised")
        if keep:
            out.append(data[pos:end])
        pos = end
    return b"".join(out)


def _after_sub_blocks(data: bytes, pos: int) -> int:
    size = len(data)
    while True:
        if pos >= size:
            raise _Unparsable("GIF data runs past the end of the file")
        length = data[pos]
        pos += 1 + length
        if length == 0:
            return pos


# What betrays metadata in a file of a known format that does not parse: in a JPEG, 0xFF
# followed by a non-zero byte is always a marker (APP1, APP13, COM), never coded data.
_CONTAINERS = {
    _strip_jpeg: (b"\xff\xe1", b"\xff\xed", b"\xff\xfe"),
    _strip_png: (b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"),
    _strip_webp: (b"EXIF", b"XMP "),
    _strip_gif: (b"\x21\xfe",),
}
