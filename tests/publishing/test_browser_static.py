"""The static site in headless Chromium: its search (Pagefind), and nginx serving it all.

The pages are built from the sample content, then served by a plain file server (no rules)
or by nginx with deploy/nginx-static.conf; the browser never reaches Django.
"""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from tests.support.browser import BrowserTestCase
from tests.support.cases import TemporaryFolders
from tests.support.importing import CONTENT
from tests.support.static_site import FolderServer, Nginx, build

SEED_TITLE = "Le Début d'une Carrière Professionnelle"
SEED_PATH = "/blog/le-debut-dune-carriere-professionnelle/"


class StaticSiteBrowserTests(TemporaryFolders, BrowserTestCase):
    def setUp(self):
        super().setUp()
        call_command("import_markdown", str(CONTENT), stdout=StringIO())
        self.out = self.tmp_path / "site"
        build(self.out, base_url="http://127.0.0.1")

    def serve_files(self) -> str:
        server = FolderServer(self.out)
        self.addCleanup(server.stop)
        return server.url

    def search(self, url: str, words: str) -> None:
        """Type in the header's search form, as a reader does, and wait for Pagefind."""
        page = self.page
        page.fill("#site-search", words)
        page.press("#site-search", "Enter")
        page.wait_for_url("**/search/?q=*")
        page.locator(".pagefind-ui__result-link").first.wait_for(timeout=20_000)

    def test_the_static_search_finds_the_seed_article_without_accents(self):
        url = self.serve_files()
        self.page.goto(url + "/")
        self.search(url, "carriere")
        results = self.page.locator(".pagefind-ui__result-link")
        titles = [results.nth(i).inner_text() for i in range(results.count())]
        assert SEED_TITLE in titles
        link = self.page.get_by_role("link", name=SEED_TITLE)
        assert link.get_attribute("href") == SEED_PATH

    def test_nginx_serves_home_post_tag_and_search(self):
        server = Nginx(self.out)
        self.addCleanup(server.stop)
        page = self.page
        response = page.goto(server.url + "/")
        assert response.status == 200
        assert "default-src 'self'" in response.headers["content-security-policy"]
        page.get_by_role("link", name=SEED_TITLE, exact=True).first.click()
        page.wait_for_url(f"**{SEED_PATH}")
        assert page.locator("h1").inner_text() == SEED_TITLE
        image = page.locator("img.post__image")
        assert image.evaluate("img => img.complete && img.naturalWidth") > 0

        tag = page.locator(".post__header a[rel=tag], .tags a").first
        tag_name = tag.inner_text().strip().lstrip("#")
        tag.click()
        page.wait_for_url("**/tags/*/")
        assert tag_name.lower() in page.locator("h1").inner_text().lower()
        assert page.get_by_role("link", name=SEED_TITLE).count() >= 1

        self.search(server.url, "carriere")
        page.get_by_role("link", name=SEED_TITLE).first.click()
        page.wait_for_url(f"**{SEED_PATH}")

        # An old address (Gatsby's file-named path) answers 301 from nginx's map.
        old = page.goto(
            server.url + "/blog/2020-05-23-le-d%C3%A9but-dune-carri%C3%A8re-professionnelle/"
        )
        assert old.url == server.url + SEED_PATH
        assert old.request.redirected_from.response().status == 301
        feed = page.request.get(server.url + "/feed/")
        assert feed.headers["content-type"] == "application/rss+xml; charset=utf-8"
        # The sitemap's index and its files (blog/public/sitemaps.py), typed as the live site.
        for address in ("/sitemap.xml", "/sitemap-posts.xml"):
            sitemap = page.request.get(server.url + address)
            assert sitemap.status == 200, address
            assert sitemap.headers["content-type"].startswith("application/xml"), address
        missing = page.goto(server.url + "/nulle-part/")
        assert missing.status == 404
        assert page.locator("h1").inner_text() == "Page introuvable"
