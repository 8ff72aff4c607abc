"""Helpers for the public-site tests: queries counted per page, a populated blog."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.models import Post
from tests.support.factories import make_image, make_post


def count_queries(client, url: str, status: int = 200) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return len(queries)


def add_posts(count: int, *, start: int = 0, with_image_every: int = 0) -> None:
    """Published posts sharing a few tags, some featured, some with an image; plus hidden ones."""
    for n in range(start, start + count):
        extra = {}
        if with_image_every and n % with_image_every == 0:
            extra = {"image": make_image(f"p{n}.jpg"), "image_alt": f"Image {n}"}
        make_post(
            title=f"Article numéro {n}",
            featured=n % 7 == 0,
            tags=["commun", f"groupe{n % 5}", f"seul{n}"],
            pub_date=timezone.now() - dt.timedelta(days=n + 1),
            **extra,
        )


def add_hidden_posts() -> tuple[Post, Post]:
    """A draft and a scheduled post that use the public tags: they must never show."""
    draft = make_post(
        title="Brouillon secret", status=Post.Status.DRAFT, featured=True, tags=["commun", "secret"]
    )
    scheduled = make_post(
        title="Programmé secret",
        featured=True,
        pub_date=timezone.now() + dt.timedelta(days=3),
        tags=["commun", "secret"],
    )
    return draft, scheduled


def sitemap_files(client) -> dict[str, bytes]:
    """Every file of the sitemap, by address: the index /sitemap.xml, then each file it lists."""
    index = client.get("/sitemap.xml")
    assert index.status_code == 200, index.status_code
    files = {"/sitemap.xml": index.content}
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    for loc in ET.fromstring(index.content).findall("s:sitemap/s:loc", namespace):
        address = loc.text.removeprefix("http://testserver")
        response = client.get(address)
        assert response.status_code == 200, (address, response.status_code)
        files[address] = response.content
    return files


def sitemap_text(client) -> str:
    """The whole sitemap's XML, its files one after the other."""
    return "\n".join(content.decode() for content in sitemap_files(client).values())


def sitemap_entries(client) -> dict[str, str | None]:
    """{<loc>: <lastmod> or None} of every page the sitemap lists, whatever its file."""
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    entries = {}
    for address, content in sitemap_files(client).items():
        if address == "/sitemap.xml":
            continue
        for url in ET.fromstring(content).findall("s:url", namespace):
            lastmod = url.find("s:lastmod", namespace)
            entries[url.find("s:loc", namespace).text] = getattr(lastmod, "text", None)
    return entries
