"""A reader in headless Chromium: home -> featured post -> a tag -> search; axe finds nothing.

axe-core (npm, pinned in package-lock.json) is injected into each page; screenshots at
375 px and 1280 px are written for a person to look at.
"""

from io import StringIO

from django.core.management import call_command
from django.test import override_settings

from tests.support.browser import ROOT, BrowserTestCase, axe_violations, screenshot_path
from tests.support.factories import make_post

CONTENT = ROOT / "fixtures" / "content"
TITLE = "Le Début d'une Carrière Professionnelle"


def check_page(page, name: str) -> None:
    """No axe violation, in the light and the dark scheme; screenshots at 1280 and 375 px."""
    assert axe_violations(page, prose_headings=False) == [], name
    page.emulate_media(color_scheme="dark")
    assert axe_violations(page, prose_headings=False) == [], f"{name} (dark)"
    page.emulate_media(color_scheme="light")
    page.screenshot(path=screenshot_path(f"reader-{name}-1280"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 740})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name}: the page scrolls sideways at 375 px"
    page.screenshot(path=screenshot_path(f"reader-{name}-375"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


@override_settings(SERVE_MEDIA=True)
class ReaderTests(BrowserTestCase):
    """A reader's journey and the 404 page pass axe in both schemes and never scroll sideways."""

    def setUp(self):
        super().setUp()
        call_command("import_markdown", str(CONTENT), stdout=StringIO())
        for n in range(4):
            make_post(title=f"Autre article {n}", tags=["freelancing"] if n % 2 else ["divers"])

    def test_reader_journey(self):
        page = self.page
        page.goto(self.live_server_url + "/")
        assert page.locator("html").get_attribute("lang") == "fr"
        featured = page.locator(".featured .card").first
        assert TITLE in featured.inner_text()
        image = featured.locator("img")
        assert image.evaluate("img => img.complete && img.naturalWidth") > 0, "the card image loads"
        assert image.evaluate("img => img.currentSrc").endswith(".webp")
        check_page(page, "home")

        featured.get_by_role("link", name=TITLE, exact=True).click()
        page.wait_for_url("**/blog/le-debut-dune-carriere-professionnelle/")
        assert page.locator("h1").inner_text() == TITLE
        assert page.locator(".prose h5").count() == 3
        check_page(page, "post")

        page.locator(".post__header .tags").get_by_role("link", name="#freelancing").click()
        page.wait_for_url("**/tags/freelancing/")
        assert "articles avec l'étiquette « freelancing »" in page.locator("h1").inner_text()
        assert page.locator(".card__title", has_text=TITLE).count() == 1
        check_page(page, "tag")

        page.get_by_label("Rechercher dans les articles").first.fill("carriere")
        page.get_by_role("button", name="Rechercher").first.click()
        page.wait_for_url("**/search/?q=carriere")
        first = page.locator(".card__title").first
        assert first.inner_text() == TITLE
        assert first.locator("mark").inner_text() == "Carrière"
        check_page(page, "search")

    def test_keyboard_reader_can_skip_to_the_content(self):
        page = self.page
        page.goto(self.live_server_url + "/blog/")
        page.keyboard.press("Tab")
        skip = page.locator(".skip-link")
        assert skip.evaluate("el => el === document.activeElement")
        assert skip.is_visible(), "the skip link shows when focused"
        outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
        assert outline != "none", "focus is visible"
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#content"
        check_page(page, "list")

    def test_not_found_page(self):
        page = self.page
        response = page.goto(self.live_server_url + "/ancien/lien/")
        assert response.status == 404
        assert page.locator("h1").inner_text() == "Page introuvable"
        assert page.get_by_role("link", name=TITLE, exact=True).count() == 1
        check_page(page, "404")
