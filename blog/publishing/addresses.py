"""Addresses of the live site and the files that hold them; the links a file makes.

The live site paginates with ``?page=N`` (``blog.public.lookups.page_or_404``). A file cannot
have a query string, so page N of ``/blog/`` is written at ``blog/page/N/index.html`` and the
host rules map ``/blog/?page=N`` there (``hosting``): the address readers see stays the same.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from urllib.parse import unquote, urljoin, urlsplit

from blog.text import page_number

PAGE_FOLDER = "page"
# Marks OUTDIR as the build's folder (a file no longer written is deleted) and holds the
# manifest of blog.publishing.reuse.
MANIFEST = ".carnet-static"

_ATTRIBUTE = re.compile(r"""\b(href|src|srcset|action)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.I)
_XML_LOC = re.compile(r"<(?:loc|link|id)>\s*([^<\s]+)\s*</(?:loc|link|id)>")
_ESCAPED_ATTRIBUTE = re.compile(r"""\b(?:href|src)=&quot;(.*?)&quot;""", re.I)


def split_page(address: str) -> tuple[str, int]:
    """("/blog/", 2) for "/blog/?page=2"; the page is 1 without a (valid) page number."""
    parts = urlsplit(address)
    if parts.query.startswith("page="):
        number = page_number(parts.query[len("page=") :])
        if number:
            return parts.path, number
    return parts.path, 1


def file_for(address: str) -> str:
    """The file (relative to OUTDIR, "/"-separated) that holds the page at ``address``.

    ``/`` → ``index.html``, ``/blog/x/`` → ``blog/x/index.html``, ``/blog/?page=2`` →
    ``blog/page/2/index.html``, ``/sitemap.xml`` → ``sitemap.xml``. Paths are decoded
    (``%C3%A9`` → ``é``) in Unicode NFC: web servers look files up by the decoded path.
    """
    path, number = split_page(address)
    path = unicodedata.normalize("NFC", unquote(path))
    if number > 1:
        path = f"{path.rstrip('/')}/{PAGE_FOLDER}/{number}/"
    relative = path.lstrip("/")
    if not relative or relative.endswith("/"):
        relative += "index.html"
    return relative


def is_safe_file(relative: str) -> bool:
    """No way out of OUTDIR, no hidden file, no control character."""
    parts = relative.split("/")
    return all(
        part and part not in (".", "..") and not part.startswith(".") for part in parts
    ) and (not any(ord(char) < 32 for char in relative))


def local_address(link: str, base: str, origin: str) -> str | None:
    """``link`` (found on the page at ``base``) as a path + query on this site, or None.

    ``origin`` ("https://example.org") is the site's own: absolute links to it are internal.
    Fragments are dropped.
    """
    link = link.strip()
    if not link or link.startswith(("#", "mailto:", "tel:", "data:", "javascript:")):
        return None
    # Most links are paths from the root, the same on every page: resolved once.
    relative = not link.startswith("/") or link.startswith("//")
    return _resolve(link, base if relative else "/", origin)


@lru_cache(maxsize=65536)
def _resolve(link: str, base: str, origin: str) -> str | None:
    parts = urlsplit(urljoin(origin + base, link))
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    address = parts.path or "/"
    if parts.query:
        address += f"?{parts.query}"
    return address


def links_in_html(text: str) -> list[str]:
    """Every href, src, action and srcset candidate of an HTML page, unescaped."""
    links = []
    for match in _ATTRIBUTE.finditer(text):
        value = html.unescape(match.group(2) if match.group(2) is not None else match.group(3))
        if match.group(1).lower() == "srcset":
            links.extend(
                candidate.strip().split()[0] for candidate in value.split(",") if candidate.strip()
            )
        else:
            links.append(value)
    if "url(" in text:  # style attributes (rare: the sanitizer keeps text-align only)
        for match in _CSS_URL.finditer(text):
            links.append(html.unescape(next(g for g in match.groups() if g is not None)))
    return links


def links_in_css(text: str) -> list[str]:
    return [
        next(group for group in match.groups() if group is not None)
        for match in _CSS_URL.finditer(text)
    ]


def links_in_xml(text: str) -> list[str]:
    """Addresses in a feed or a sitemap: <loc>, <link>, <id>, and the entries' escaped HTML."""
    links = [html.unescape(match.group(1)) for match in _XML_LOC.finditer(text)]
    links += re.findall(r"""<link[^>]*\bhref="([^"]*)\"""", text)
    links += [html.unescape(match.group(1)) for match in _ESCAPED_ATTRIBUTE.finditer(text)]
    return links


def links_in(content_type: str, text: str) -> list[str]:
    kind = content_type.split(";")[0].strip().lower()
    if kind == "text/css":
        return links_in_css(text)
    if kind.endswith("xml"):
        return links_in_xml(text)
    if kind == "text/html":
        return links_in_html(text)
    return []
