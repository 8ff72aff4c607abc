"""The files behind /static/ and /media/ addresses: copied as they are, only those used.

Static files come from the storage the pages were rendered with (whitenoise's manifest after
``collectstatic``: hashed names), else from the finders (development); media from the
default storage (local folder or S3 alike), renditions included (the pages made them).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage


class MissingAsset(LookupError):
    pass


def _prefix(url: str) -> str | None:
    """The path prefix of a STATIC_URL/MEDIA_URL on this site ("/static/"), None if elsewhere."""
    parts = urlsplit(url)
    if parts.netloc:
        return None
    path = parts.path if parts.path.startswith("/") else "/" + parts.path
    return path if path.endswith("/") else path + "/"


def kind_of(address: str) -> str | None:
    """ "static", "media" or None (a page)."""
    path = urlsplit(address).path
    for kind, url in (("static", settings.STATIC_URL), ("media", settings.MEDIA_URL)):
        prefix = _prefix(url)
        if prefix and path.startswith(prefix) and len(path) > len(prefix):
            return kind
    return None


def local_path(address: str) -> Path | None:
    """The file behind a static or media address on this machine, when storage has one."""
    path = unquote(urlsplit(address).path)
    kind = kind_of(address)
    storage, prefix = (
        (staticfiles_storage, settings.STATIC_URL)
        if kind == "static"
        else (default_storage, settings.MEDIA_URL)
    )
    name = path[len(_prefix(prefix)) :]
    if ".." in name.split("/"):
        return None
    try:
        found = Path(storage.path(name))
    except (NotImplementedError, ValueError, SuspiciousFileOperation):
        found = None
    if found and found.is_file():
        return found
    if kind == "static":
        found = finders.find(name)
        return Path(found) if found else None
    return None


def read(address: str) -> bytes:
    """The bytes of the static or media file at ``address``; MissingAsset names it."""
    path = unquote(urlsplit(address).path)
    kind = kind_of(address)
    if kind == "static":
        name = path[len(_prefix(settings.STATIC_URL)) :]
        if staticfiles_storage.exists(name):
            with staticfiles_storage.open(name) as handle:
                return handle.read()
        found = finders.find(name)
        if found:
            with open(found, "rb") as handle:
                return handle.read()
        raise MissingAsset(f"{address}: no such static file (run `manage.py collectstatic`?)")
    if kind == "media":
        name = path[len(_prefix(settings.MEDIA_URL)) :]
        if ".." in name.split("/") or not default_storage.exists(name):
            raise MissingAsset(f"{address}: no such media file")
        with default_storage.open(name) as handle:
            return handle.read()
    raise MissingAsset(f"{address}: not a static or media address")
