"""The media storage with CARNET_S3_BUCKET: django-storages' S3 storage, and the headers the
app's own /media/ view would have sent, set on each object when it is written.

A bucket serves its objects itself: Carnet never sees those requests, so what protects readers
must be in the object. Its Content-Type comes from its first bytes, not its name, and anything
that is not a raster image is ``application/octet-stream`` with ``Content-Disposition:
attachment`` (downloaded, never shown as a document: an SVG or HTML that slipped through runs
no script). S3 cannot send ``X-Content-Type-Options`` or a CSP per object: a CDN in front should
add them (README, « Media in a bucket »); the bucket's origin is not the site's anyway, so a
script there could not reach the site's cookies.

Names that never change content get a year of caching, ``immutable``: imported images are
named by their SHA-256 and renditions by their source and size. Other uploads are never
overwritten (AWS_S3_FILE_OVERWRITE off), but a deleted one's name may come back: a day.
"""

from __future__ import annotations

import re

from storages.backends.s3 import S3Storage

from blog.images.storage import raster_type

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=86400"
_CONTENT_NAMED = re.compile(r"(?:^|/)(?:posts/[0-9a-f]{24}\.\w+|renditions/[0-9a-f]{2}/[^/]+)$")


def object_headers(name: str, head: bytes) -> dict[str, str]:
    """The S3 object parameters for the file ``name`` whose first bytes are ``head``."""
    content_type = raster_type(head)
    headers = {
        "ContentType": content_type or "application/octet-stream",
        "CacheControl": IMMUTABLE if _CONTENT_NAMED.search(name) else SHORT,
    }
    if content_type is None:
        headers["ContentDisposition"] = "attachment"
    return headers


class MediaS3Storage(S3Storage):
    """S3Storage whose objects carry their type, caching and disposition (see above)."""

    def _get_write_parameters(self, name, content=None):
        params = super()._get_write_parameters(name, content)
        head = b""
        if content is not None:
            content.seek(0)
            head = content.read(16)
            content.seek(0)
        params.update(object_headers(name, head if isinstance(head, bytes) else head.encode()))
        return params
