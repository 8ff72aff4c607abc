"""Media files through Django's storage API, on a local disk or in an S3 bucket alike.

Nothing in Carnet reaches a media file by its path: what is written, read, checked or measured
goes through a storage (``default_storage``, or an image field's), so that with
``CARNET_S3_BUCKET`` every app server sees the same files and none is on its disk.

Writes are all or nothing. On a local disk (``FileSystemStorage``) the bytes go to a temporary
file beside the target, which gets its real name only once complete: a reader (or nginx) never
sees half a file, a full disk leaves nothing. On S3 a PUT is all or nothing by itself.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import Storage

# What a browser shows in an <img>: served inline; any other type is a download.
RASTER_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/avif"}


def raster_type(head: bytes) -> str | None:
    """The MIME type of a raster image told by its first bytes (16 are enough), else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:12] in (b"ftypavif", b"ftypavis"):
        return "image/avif"
    return None


def is_local(storage: Storage) -> bool:
    """Whether the storage's files are on this machine's disk (it has paths)."""
    try:
        storage.path("")
    except NotImplementedError:
        return False
    return True


def storage_key(storage: Storage) -> str:
    """What tells one storage's files from another's (a folder, a bucket and its prefix)."""
    bucket = getattr(storage, "bucket_name", "") or ""
    return f"{type(storage).__name__}:{bucket}:{getattr(storage, 'location', '')}"


def read(storage: Storage, name: str) -> bytes:
    """The file's bytes (FileNotFoundError when it is missing)."""
    with storage.open(name, "rb") as file:
        return file.read()


def _partial_beside(storage: Storage, target: Path, data: bytes, *, sync: bool = False) -> str:
    """``data`` in a hidden file beside ``target`` (same folder: a rename or link is atomic),
    readable as the other media are (mkstemp makes 0600: a web server in front of the app,
    running as another user, could not serve it). A failed write leaves nothing."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            if sync:
                file.flush()
                os.fsync(file.fileno())
        os.chmod(partial, storage.file_permissions_mode or 0o644)
    except BaseException:
        os.unlink(partial)
        raise
    return partial


def save_new(storage: Storage, name: str, data: bytes) -> str:
    """Write ``data`` under ``name`` or a free variant of it, never over another file; the
    name used. A full disk raises OSError and leaves no file."""
    if not is_local(storage):
        # With AWS_S3_FILE_OVERWRITE off (settings), the storage picks a free name itself.
        return storage.save(name, ContentFile(data))
    name = storage.get_available_name(name)
    target = Path(storage.path(name))
    partial = _partial_beside(storage, target, data, sync=True)
    try:
        while True:
            try:
                os.link(partial, target)  # never overwrites another upload
                return name
            except FileExistsError:
                name = storage.get_available_name(name)
                target = Path(storage.path(name))
    finally:
        os.unlink(partial)


def save_as(storage: Storage, name: str, data: bytes) -> None:
    """Write ``data`` as ``name`` exactly, for a file that is a pure function of its name (a
    rendition): two processes writing it at once write the same bytes, so the last one wins."""
    if not is_local(storage):
        saved = storage.save(name, ContentFile(data))
        if saved != name:  # written meanwhile by another process: one copy is enough
            storage.delete(saved)
        return
    target = Path(storage.path(name))
    partial = _partial_beside(storage, target, data)
    try:
        os.replace(partial, target)  # atomic: a concurrent reader never sees half a file
    except BaseException:
        if os.path.exists(partial):
            os.unlink(partial)
        raise
