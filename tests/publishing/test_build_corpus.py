"""The static site of the sample content and the public corpus, read as a host serves it."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import unquote

from django.test import TestCase, override_settings
from django.utils import timezone
from django.utils.encoding import iri_to_uri

from blog.models import Page, Post, Redirect
from tests.support.factories import make_post
from tests.support.importing import CONTENT, Run, corpus
from tests.support.static_site import (
    ORIGIN,
    address_of,
    build,
    css_links,
    file_of,
    files,
    html_links,
    internal,
    paginated_lists,
)

DRAFT_MARK = "brouillon-jamais-publie-7f3a"
SCHEDULED_MARK = "programme-pour-demain-91c2"
PAGE_MARK = "page-non-publiee-5d0e"


class CorpusSiteTests(TestCase):
    """One build of fixtures/content + ../shared/corpus, checked from every side."""

    @classmethod
    def setUpClass(cls):
        cls.folder = Path(tempfile.mkdtemp(prefix="carnet-static-test-"))
        cls.addClassCleanup(shutil.rmtree, cls.folder, True)
        cls.enterClassContext(override_settings(MEDIA_ROOT=cls.folder / "media"))
        super().setUpClass()

    @classmethod
    def setUpTestData(cls):
        Run(CONTENT)
        Run(corpus())
        make_post(title=DRAFT_MARK, slug=DRAFT_MARK, status=Post.Status.DRAFT, tags=["secret-a"])
        make_post(
            title=SCHEDULED_MARK,
            slug=SCHEDULED_MARK,
            pub_date=timezone.now() + dt.timedelta(days=1),
            tags=["secret-b"],
        )
        Page.objects.create(title=PAGE_MARK, slug=PAGE_MARK, body="Pas encore.", published=False)
        cls.out = cls.folder / "site"
        cls.stdout, cls.stderr = build(cls.out)
        cls.files = files(cls.out)
        cls.paginated = paginated_lists(cls.out)

    def setUp(self):
        super().setUp()
        # The live pages read the images the build used (conftest gives each test its own).
        self.enterContext(override_settings(MEDIA_ROOT=self.folder / "media"))

    def text(self, relative: str) -> str:
        return (self.out / relative).read_text(encoding="utf-8")

    def test_the_summary_counts_what_was_written(self):
        assert re.search(
            r"\d+ pages \(\d+ rendered\), \d+ files, \d+ old addresses: \d+ written", self.stdout
        )
        assert "0 deleted" in self.stdout

    def test_every_address_of_the_sitemap_is_a_file(self):
        """The index's files are files, and so is every address they list."""
        files = re.findall(r"<loc>([^<]+)</loc>", self.text("sitemap.xml"))
        assert f"{ORIGIN}/sitemap-posts.xml" in files
        locations = []
        for location in files:
            assert location.startswith(f"{ORIGIN}/sitemap-"), location
            text = self.text(location.removeprefix(f"{ORIGIN}/"))
            locations += re.findall(r"<loc>([^<]+)</loc>", text)
        assert len(locations) > 60
        for location in locations:
            assert location.startswith(ORIGIN + "/"), location
            found = file_of(self.out, location.removeprefix(ORIGIN), self.paginated)
            assert found, f"{location} is in the sitemap but not in the output"

    def test_every_published_post_is_a_file_and_lists_have_their_pages(self):
        for post in Post.objects.published():
            assert file_of(self.out, post.get_absolute_url(), set()), post.slug
        assert "/blog/" in self.paginated
        assert "blog/page/2/index.html" in self.files
        assert "/blog/ page=:n /blog/page/:n/ 200!" in self.text("_redirects")

    def test_no_internal_link_is_broken(self):
        """Every href, src, srcset, action and CSS url() of the output is a file of it, or an
        address the live site has nothing at either (a post that links to nowhere)."""
        broken = {}
        for relative in self.files:
            if relative.startswith("pagefind/"):
                continue
            base = address_of(relative, self.paginated)
            if relative.endswith(".html"):
                links = html_links(self.text(relative))
            elif relative.endswith(".css"):
                links = css_links(self.text(relative))
            else:
                continue
            for link in links:
                address = internal(link, base)
                if address is None or address.startswith("/search/?"):
                    continue
                if not file_of(self.out, address, self.paginated):
                    broken.setdefault(address, relative)
        assert "/static/blog/carnet.css" not in broken
        for address, page in broken.items():
            status = self.client.get(iri_to_uri(address)).status_code
            assert status == 404, (
                f"{address} (on {page}) is missing; the live site answers {status}"
            )

    def test_each_post_page_is_the_live_page_apart_from_absolute_addresses(self):
        posts = list(Post.objects.published())
        assert len(posts) > 40
        for post in posts:
            live = self.client.get(post.get_absolute_url()).content.decode()
            built = self.text(f"blog/{post.slug}/index.html")
            with self.subTest(post=post.slug):
                assert built == live.replace("http://testserver", ORIGIN)

    def test_canonical_feed_and_open_graph_addresses_are_on_the_target_domain(self):
        seed = self.text("blog/le-debut-dune-carriere-professionnelle/index.html")
        canonical = f"{ORIGIN}/blog/le-debut-dune-carriere-professionnelle/"
        assert f'<link rel="canonical" href="{canonical}">' in seed
        assert f'<meta property="og:url" content="{canonical}">' in seed
        assert re.search(
            rf"<item><title>[^<]*</title><link>{ORIGIN}/blog/", self.text("feed/index.html")
        )
        assert f"Sitemap: {ORIGIN}/sitemap.xml" in self.text("robots.txt")
        assert "testserver" not in self.text("feed/atom/index.html")

    def test_feeds_are_served_with_their_types(self):
        headers = self.text("_headers")
        assert "/feed/\n  Content-Type: application/rss+xml; charset=utf-8" in headers
        assert "/feed/atom/\n  Content-Type: application/atom+xml; charset=utf-8" in headers
        assert re.search(r"^/tags/[^/]+/feed/\n  Content-Type: application/rss\+xml", headers, re.M)
        assert self.text("feed/index.html").startswith("<?xml")

    def test_no_draft_scheduled_or_unpublished_page_appears_anywhere(self):
        marks = [DRAFT_MARK, SCHEDULED_MARK, PAGE_MARK, "secret-a", "secret-b"]
        hidden = Post.objects.exclude(pk__in=Post.objects.published())
        assert hidden.count() >= 3  # ours, and the corpus's drafts
        marks += [post.get_absolute_url() for post in hidden]
        for relative in self.files:
            content = (self.out / relative).read_bytes()
            for mark in marks:
                assert mark.encode() not in content, f"{mark} in {relative}"

    def test_every_old_address_resolves_through_the_rules_or_its_stub(self):
        rules = self.text("_redirects")
        redirects = list(Redirect.objects.select_related("post"))
        assert len(redirects) > 30
        checked = 0
        for redirect in redirects:
            if redirect.post_id and not redirect.post.is_published:
                assert redirect.old_path not in rules
                continue
            target = redirect.target_url
            with self.subTest(old=redirect.old_path):
                stub = file_of(self.out, redirect.old_path, set())
                real = self.client.get(iri_to_uri(redirect.old_path)).status_code == 200
                if real:  # a page of the site took the address: the live site shows it too
                    continue
                assert f"{iri_to_uri(redirect.old_path)} {iri_to_uri(target)} 301!" in rules
                assert stub, f"no stub at {redirect.old_path}"
                html = stub.read_text(encoding="utf-8")
                assert f'<link rel="canonical" href="{ORIGIN}{target}">' in html
                assert f'<meta http-equiv="refresh" content="0; url={target}">' in html
                checked += 1
        assert checked > 30
        seed = "/blog/2020-05-23-le-début-dune-carrière-professionnelle/"
        assert (self.out / unquote(seed).lstrip("/") / "index.html").is_file()

    def test_the_search_page_mounts_pagefind_and_the_index_is_there(self):
        search = self.text("search/index.html")
        assert '<script src="/pagefind/pagefind-ui.js" defer></script>' in search
        assert 'id="static-search"' in search
        assert "pagefind/pagefind-ui.js" in self.files
        assert "pagefind/pagefind-entry.json" in self.files
        # Only post pages are results: a stub or a list is not indexed.
        assert '"fr"' in self.text("pagefind/pagefind-entry.json")

    def test_the_static_pages_carry_no_csrf_token_and_no_script_but_search(self):
        for relative in self.files:
            if not relative.endswith(".html"):
                continue
            html = self.text(relative)
            assert "csrfmiddlewaretoken" not in html, relative
            if relative != "search/index.html":
                assert "<script src" not in html, relative

    def test_host_files_are_written(self):
        toml = self.text("netlify.toml")
        assert 'publish = "."' in toml
        assert "'wasm-unsafe-eval'" in toml
        assert self.text("404.html").count("<h1>") == 1
        assert "/blog/le-debut-dune-carriere-professionnelle/" in self.text("_redirects.map")
