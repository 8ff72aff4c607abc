"""A reader in headless Chromium: home -> featured post -> a tag -> search; axe finds nothing.

axe-core (npm, pinned in package-lock.json) is injected into each page; screenshots at
375 px and 1280 px are written for a person to look at.
"""

from io import StringIO

import pytest
from django.core.management import call_command

from tests.browser import ROOT, screenshot_path, skip_or_fail
from tests.factories import make_post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTENT = ROOT / "fixtures" / "content"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TITLE = "Le Début d'une Carrière Professionnelle"


@pytest.fixture
def site(settings, media_root):
    settings.SERVE_MEDIA = True
    call_command("import_markdown", str(CONTENT), stdout=StringIO())
    for n in range(4):
        make_post(title=f"Autre article {n}", tags=["freelancing"] if n % 2 else ["divers"])


def axe_violations(page) -> list[str]:
    if not AXE.exists():
        skip_or_fail("axe-core not installed (make test runs npm ci where npm exists)")
    page.add_script_tag(path=str(AXE))
    # Every rule on the whole page, except heading order inside the post body: the author's
    # Markdown keeps its own levels (the imported posts use #####); our templates are checked.
    violations = page.evaluate(
        """async () => {
            const all = await axe.run(document, {
                resultTypes: ['violations'], rules: {'heading-order': {enabled: false}}});
            const order = await axe.run({exclude: [['.prose']]}, {
                resultTypes: ['violations'], runOnly: ['heading-order']});
            return all.violations.concat(order.violations).map(v =>
                `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`);
        }"""
    )
    return violations


def check_page(page, name: str) -> None:
    """No axe violation, in the light and the dark scheme; screenshots at 1280 and 375 px."""
    assert axe_violations(page) == [], name
    page.emulate_media(color_scheme="dark")
    assert axe_violations(page) == [], f"{name} (dark)"
    page.emulate_media(color_scheme="light")
    page.screenshot(path=screenshot_path(f"reader-{name}-1280"), full_page=True)
    page.set_viewport_size({"width": 375, "height": 740})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name}: the page scrolls sideways at 375 px"
    page.screenshot(path=screenshot_path(f"reader-{name}-375"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


def test_reader_journey(page, live_server, site):
    page.goto(live_server.url + "/")
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


def test_keyboard_reader_can_skip_to_the_content(page, live_server, site):
    page.goto(live_server.url + "/blog/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible(), "the skip link shows when focused"
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none", "focus is visible"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#content"
    check_page(page, "list")


def test_not_found_page(page, live_server, site):
    response = page.goto(live_server.url + "/ancien/lien/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page introuvable"
    assert page.get_by_role("link", name=TITLE, exact=True).count() == 1
    check_page(page, "404")
