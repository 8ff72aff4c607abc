"""Every public page type's HTML, for a fixed small site at a frozen instant, is what the
golden files under tests/public/snapshots/ hold: a speed-up must not change a byte readers get.

After a change that is meant to change the pages (a new byline, a template edit), rewrite the
golden files with one command and review the diff:

    CARNET_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/public/test_snapshots.py -q

(and with ``DATABASE_URL=postgres://…`` for PostgreSQL's files). Each database has its own
files (tests/public/snapshots/<vendor>/): search ranks and quotes with each engine's own
functions, and a post's tags, in no defined order, come back in each engine's (sorted before
comparing on PostgreSQL, where it follows the plan of the moment).
Only what legitimately varies between runs is normalised: CSRF tokens, the order of a
Content-Security-Policy's directives (none is in the HTML today) and the random suffix Django's
storage gives a media file whose name is taken.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import re
from pathlib import Path

import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import TestCase

from blog.models import Post
from tests.support.factories import make_image, make_post

SNAPSHOTS = Path(__file__).parent / "snapshots"
NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC)
UPDATE = os.environ.get("CARNET_UPDATE_SNAPSHOTS") == "1"

PAGES = {
    "home": "/",
    "list": "/blog/",
    "list-page-2": "/blog/?page=2",
    "post": "/blog/une-carriere-qui-commence/",
    "post-with-image": "/blog/photo-du-bureau/",
    "tag-index": "/tags/",
    "tag": "/tags/freelance/",
    "archive-year": "/archive/2026/",
    "archive-month": "/archive/2026/05/",
    "search": "/search/?q=carriere",
    "search-page-2": "/search/?q=carriere&page=2",
    "search-none": "/search/?q=introuvable",
    "feed-rss": "/feed/",
    "feed-atom": "/feed/atom/",
    "tag-feed": "/tags/freelance/feed/",
    "sitemap": "/sitemap.xml",
    "sitemap-static": "/sitemap-static.xml",
    "sitemap-pages": "/sitemap-pages.xml",
    "sitemap-posts": "/sitemap-posts.xml",
    "sitemap-tags": "/sitemap-tags.xml",
    "sitemap-authors": "/sitemap-authors.xml",
    "sitemap-archives": "/sitemap-archives.xml",
}

_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")')
# Django's storage adds "_" and 7 random characters to a name already taken.
_MEDIA_SUFFIX = re.compile(r"(/media/[^\"' ]*?)_[A-Za-z0-9]{7}(\.\w+)")
_CSP = re.compile(r'(http-equiv="Content-Security-Policy" content=")([^"]*)(")')


_TAG_LIST = re.compile(r'(<ul class="tags"[^>]*>)(.*?)(</ul>)', re.S)
_TAG_ITEM = re.compile(r"<li>.*?</li>", re.S)
# RSS writes <category>x</category>, Atom <category term="x"/>.
_CATEGORY = re.compile(r"<category[^>]*?/>|<category[^>]*>[^<]*</category>")
_CATEGORIES = re.compile(rf"((?:{_CATEGORY.pattern})+)")
_KEYWORDS = re.compile(r'("keywords": )(\[[^\]]*\])')


def unordered_tags(html: str) -> str:
    """Tags in one order: a post's tags come back in no defined order, which on PostgreSQL
    follows the plan of the moment (its statistics)."""
    html = _TAG_LIST.sub(
        lambda m: m.group(1) + "".join(sorted(_TAG_ITEM.findall(m.group(2)))) + m.group(3), html
    )
    html = _CATEGORIES.sub(lambda m: "".join(sorted(_CATEGORY.findall(m.group(1)))), html)
    return _KEYWORDS.sub(
        lambda m: m.group(1) + json.dumps(sorted(json.loads(m.group(2))), ensure_ascii=False),
        html,
    )


def normalise(html: str) -> str:
    if connection.vendor == "postgresql":
        html = unordered_tags(html)
    html = _CSRF.sub(r"\1CSRF\2", html)
    html = _MEDIA_SUFFIX.sub(r"\1\2", html)
    return _CSP.sub(
        lambda m: m.group(1) + "; ".join(sorted(m.group(2).split("; "))) + m.group(3), html
    )


def build_site() -> None:
    """Twelve published posts over two months (tags, a featured one, an image), a draft and a
    scheduled post that no page may show."""
    make_post(
        title="Une carrière qui commence",
        description="Les premiers pas d'une indépendante.",
        body="## Le début\n\nUne **carrière** commence par un premier client.\n\n"
        "## La suite\n\nPuis un deuxième, et des devis.",
        tags=["freelance", "carrière"],
        featured=True,
        pub_date=dt.datetime(2026, 5, 20, 8, 30, tzinfo=dt.UTC),
    )
    make_post(
        title="Photo du bureau",
        description="",
        body="Un bureau *rangé*, une fois par an.\n\nLe reste du temps, des piles.",
        tags=["bureau"],
        image=make_image("bureau.jpg", size=(900, 600)),
        image_alt="Un bureau en bois",
        pub_date=dt.datetime(2026, 6, 2, 18, 0, tzinfo=dt.UTC),
    )
    for n in range(10):
        make_post(
            title=f"Article ordinaire {n}",
            description="" if n % 2 else f"Description de l'article {n}.",
            body=f"Texte de l'article {n} sur la carrière et les clients. " * 20,
            tags=["freelance", f"sujet-{n % 3}"],
            pub_date=dt.datetime(2026, 4 + n % 2, 1 + n, 9, 0, tzinfo=dt.UTC),
        )
    make_post(title="Brouillon caché", status=Post.Status.DRAFT, tags=["freelance"])
    make_post(
        title="Programmé caché",
        tags=["freelance"],
        pub_date=dt.datetime(2026, 7, 1, tzinfo=dt.UTC),
    )


class SnapshotTests(TestCase):
    def setUp(self):
        cache.clear()
        clock = time_machine.travel(NOW, tick=False)
        clock.start()
        self.addCleanup(clock.stop)
        if connection.vendor == "postgresql":
            # Sequences outlive the rolled-back tests before this one; PostgreSQL returns an
            # unordered tag list in an order that follows the ids: the same ids every run.
            with connection.cursor() as cursor:
                for table in ("blog_post", "taggit_tag", "blog_taggedpost"):
                    cursor.execute(
                        "SELECT setval(pg_get_serial_sequence(%s, 'id'), 1000, false)", [table]
                    )
        build_site()

    def test_public_pages_match_their_golden_files(self):
        """Each public page type renders exactly as recorded (drafts, scheduled posts absent)."""
        folder = SNAPSHOTS / connection.vendor
        folder.mkdir(parents=True, exist_ok=True)
        for name, url in PAGES.items():
            with self.subTest(page=name):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200, url)
                html = normalise(response.content.decode())
                self.assertNotIn("caché", html)
                golden = folder / f"{name}.html"
                if UPDATE:
                    golden.write_text(html, encoding="utf-8")
                    continue
                self.assertTrue(golden.exists(), f"{golden} missing: CARNET_UPDATE_SNAPSHOTS=1")
                expected = golden.read_text(encoding="utf-8")
                if html != expected:
                    diff = "".join(
                        difflib.unified_diff(
                            expected.splitlines(True), html.splitlines(True), str(golden), url
                        )
                    )
                    self.fail(f"{url} differs from {golden.name}:\n{diff[:4000]}")
