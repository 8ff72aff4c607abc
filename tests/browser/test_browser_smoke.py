"""A reader in a real browser: the seed article on the home page and its own page."""

from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import override_settings

from tests.support.browser import BrowserTestCase, screenshot_path

CONTENT = Path(__file__).resolve().parents[2] / "fixtures" / "content"


@override_settings(SERVE_MEDIA=True)
class SmokeTests(BrowserTestCase):
    """The seed article opens from the home page's featured card, with its sized image."""

    def setUp(self):
        super().setUp()
        call_command("import_markdown", str(CONTENT), stdout=StringIO())

    def test_reader_opens_the_featured_article(self):
        page = self.page
        page.goto(self.live_server_url + "/")
        featured = page.locator(".featured .card").first
        assert "Le Début d'une Carrière Professionnelle" in featured.inner_text()
        assert "23 mai 2020" in featured.inner_text()
        image = featured.locator("img")
        assert image.evaluate("img => img.complete && img.naturalWidth") > 0, (
            "the featured image loads"
        )
        assert "/media/renditions/" in image.evaluate("img => img.currentSrc"), "a sized rendition"
        page.screenshot(path=screenshot_path("home-1280"), full_page=True)
        page.set_viewport_size({"width": 375, "height": 740})
        page.screenshot(path=screenshot_path("home-375"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 800})

        featured.get_by_role(
            "link", name="Le Début d'une Carrière Professionnelle", exact=True
        ).click()
        page.wait_for_url("**/blog/le-debut-dune-carriere-professionnelle/")
        assert page.locator("h1").inner_text() == "Le Début d'une Carrière Professionnelle"
        assert page.locator(".prose h5").count() == 3
        assert page.locator("html").get_attribute("lang") == "fr"
        page.screenshot(path=screenshot_path("post-1280"), full_page=True)
