"""Pages rendered in-process by the live site itself: URL conf, middleware, views, templates.

An anonymous GET through Django's test ``Client`` is exactly what a reader's request runs
(no second set of templates, no copy of the views); the host is the target site's, so
canonical links, feeds, the sitemap and Open Graph URLs name it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.test import Client, override_settings
from django.test.client import ClientHandler

from blog.publishing.flags import ENVIRON_KEY, StaticBuild
from blog.site import stamps
from blog.site.stamps import PublicState

# The error page is rendered from an address no route, page or redirect can take.
NOT_FOUND_PROBE = "/404.html"


class BaseUrlError(ValueError):
    pass


def parse_base_url(base_url: str) -> tuple[str, str]:
    """("https", "example.org") from "https://example.org"; a clear error otherwise."""
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BaseUrlError(
            f"--base-url {base_url!r}: give a scheme and a host, e.g. https://example.org"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise BaseUrlError(
            f"--base-url {base_url!r}: the site is served at the root of its host "
            "(no path, query or fragment)"
        )
    if "@" in parts.netloc:
        raise BaseUrlError(f"--base-url {base_url!r}: no user name or password in the address")
    return parts.scheme, parts.netloc.lower()


@dataclass
class Rendered:
    address: str
    status: int
    content_type: str
    content: bytes
    location: str = ""  # of a redirect
    csp: str = ""
    language: str = ""


class _OneStateHandler(ClientHandler):
    """Every page of one build sees the state read at its start (one query, not one a page)."""

    def __init__(self, *args, state: PublicState, **kwargs):
        super().__init__(*args, **kwargs)
        self.state = state

    def get_response(self, request):
        stamps.share_state(request, self.state)
        return super().get_response(request)


class Renderer:
    """Renders addresses of the live site as an anonymous reader on ``origin`` gets them."""

    def __init__(self, scheme: str, host: str, build: StaticBuild):
        self.origin = f"{scheme}://{host}"
        self.client = Client(
            HTTP_HOST=host,
            **{ENVIRON_KEY: build},
            raise_request_exception=True,
        )
        self.client.handler = _OneStateHandler(
            enforce_csrf_checks=False, state=stamps.read_public_state()
        )
        self.secure = scheme == "https"

    def get(self, address: str) -> Rendered:
        response = self.client.get(address, secure=self.secure)
        content = b"".join(response) if response.streaming else response.content
        return Rendered(
            address=address,
            status=response.status_code,
            content_type=response.get("Content-Type", ""),
            content=content,
            location=response.get("Location", ""),
            csp=response.get("Content-Security-Policy", ""),
            language=response.get("Content-Language", ""),
        )


@contextmanager
def rendering_for(host: str) -> Iterator[None]:
    """The build's settings: its host allowed, and no page cache (it would keep the static
    variant of a page under the live site's key)."""
    hostname = host.split(":")[0]
    # A link to nowhere in a post is the build's warning, not a log line per 404.
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    try:
        with override_settings(
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, hostname],
            CARNET_PAGE_CACHE_SECONDS=0,
        ):
            yield
    finally:
        request_log.setLevel(level)
