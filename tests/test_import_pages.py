"""--pages: the Gatsby starter's index-page, about-page and product-page files, imported."""

from __future__ import annotations

import pytest
import yaml
from django.core.cache import cache
from PIL import Image

from blog.exporting import export_posts
from blog.importing import import_paths
from blog.models import Page, Post, SiteIdentity
from tests.importing_support import Run, corpus, media_files

pytestmark = pytest.mark.django_db

PAGES = "decap-starter/src/pages"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def pages_dir():
    folder = corpus(PAGES)
    return folder


def front_matter(path) -> dict:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


def test_about_and_products_become_pages_at_their_old_addresses(client):
    run = Run(corpus("decap-starter"), pages=True)
    assert run.error is None
    assert run.summary.startswith("6 created, 0 updated, 0 unchanged, 0 skipped, 0 failed")
    about = Page.objects.get(source_path="src/pages/about/index.md")
    products = Page.objects.get(source_path="src/pages/products/index.md")
    assert (about.slug, about.title, about.published) == ("about", "About our values", True)
    assert (products.slug, products.title) == ("products", "Our Coffee", True)[:2]
    assert about.show_identity and not products.show_identity
    assert about.in_navigation and about.navigation_order < products.navigation_order
    response = client.get("/about/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h3 id="shade-grown-coffee">Shade-grown coffee</h3>' in html
    nav = html[html.index('<nav aria-label="Principale">') : html.index("</nav>")]
    assert nav.index(">About our values</a>") < nav.index(">Our Coffee</a>")
    assert Post.objects.count() == 3  # the blog posts are still posts, pages are not


def test_the_product_page_keeps_and_shows_its_extras(client, media_root):
    run = Run(corpus("decap-starter"), pages=True)
    products = Page.objects.get(slug="products")
    meta = products.extras["meta"]
    assert [plan["plan"] for plan in meta["pricing"]["plans"]] == ["Small", "Big", "Custom"]
    assert len(meta["intro"]["blurbs"]) == 4
    assert meta["testimonials"][0]["author"] == "Elisabeth Kaurismäki"
    # Images named by the extras are copied; the one missing from the starter is a warning.
    assert "/img/coffee.png" in products.extras["images"]
    assert "image '/img/products-grid1.jpg' not found" in run.stderr
    html = client.get("/products/").content.decode()
    assert '<h2 id="pricing-heading">Monthly subscriptions</h2>' in html
    assert "<h3>Big</h3>" in html and '<p class="plan__price">80</p>' in html
    assert "Up to 4 different varieties of beans" in html
    assert "<figcaption>Philipp Trommler</figcaption>" in html
    assert f'src="{products.extras["images"]["/img/coffee.png"]}"' in html
    assert 'alt="A green cup of a coffee on a wooden table"' in html
    stored = media_files(media_root)
    assert len(stored) == len(set(stored))


def test_the_index_page_fills_the_empty_identity(client):
    Run(corpus(PAGES + "/index.md"), pages=True)
    identity = SiteIdentity.objects.get()
    assert identity.site_name == "Great coffee with a conscience"
    assert identity.home_heading == "Great coffee with a conscience"
    assert identity.tagline == "Support sustainable farming while enjoying a cup"
    assert identity.introduction.startswith("Kaldi is the ultimate spot for coffee lovers")
    html = client.get("/").content.decode()
    assert '<p class="tagline">Support sustainable farming while enjoying a cup</p>' in html


def test_the_index_page_never_overwrites_what_the_admin_set():
    SiteIdentity.objects.create(site_name="Le carnet de Zoé", tagline="Ma devise")
    run = Run(corpus(PAGES + "/index.md"), pages=True, verbosity=2)
    identity = SiteIdentity.objects.get()
    assert (identity.site_name, identity.tagline) == ("Le carnet de Zoé", "Ma devise")
    assert identity.home_heading == "Great coffee with a conscience"  # was empty
    assert run.error is None


def test_a_second_import_changes_nothing(media_root):
    Run(corpus("decap-starter"), pages=True)
    pages = {p.pk: p.updated for p in Page.objects.all()}
    files = media_files(media_root)
    run = Run(corpus("decap-starter"), pages=True)
    assert run.summary.startswith("0 created, 0 updated, 6 unchanged, 0 skipped, 0 failed")
    assert {p.pk: p.updated for p in Page.objects.all()} == pages
    assert media_files(media_root) == files


def test_with_no_pages_they_are_skipped_and_said():
    run = Run(corpus("decap-starter"), pages=False)
    assert "templateKey 'about-page' is a page, not a blog post; skipped (--no-pages)" in run.stdout
    assert not Page.objects.exclude(slug="a-propos").exists()
    assert not SiteIdentity.objects.exists()


def test_a_page_whose_address_is_a_route_fails_alone(tmp_path):
    (tmp_path / "static").mkdir()
    bad = tmp_path / "src" / "pages" / "search" / "index.md"
    bad.parent.mkdir(parents=True)
    bad.write_text("---\ntemplateKey: about-page\npath: /search\ntitle: Recherche\n---\nTexte.\n")
    report = import_paths([tmp_path], pages=True)
    assert [f.problem for f in report.failures] == [
        "path: /search/ is already one of the site's own addresses"
    ]
    assert not Page.objects.filter(slug="search").exists()


def test_export_writes_the_pages_back(tmp_path, media_root):
    """Round trip: the front matter as imported (extras included), the body, the images."""
    import_paths([corpus("decap-starter")], pages=True)
    Page.objects.filter(slug="about").update(title="About us")
    report = export_posts(tmp_path / "out")
    assert report.pages == 3
    original = front_matter(corpus(PAGES + "/products/index.md"))
    exported = front_matter(tmp_path / "out" / "src/pages/products/index.md")
    assert exported == original
    about = front_matter(tmp_path / "out" / "src/pages/about/index.md")
    assert about == {"templateKey": "about-page", "path": "/about", "title": "About us"}
    with (
        Image.open(tmp_path / "out/static/img/coffee.png") as written,
        Image.open(corpus("decap-starter/static/img/coffee.png")) as source,
    ):
        assert (written.format, written.size) == (source.format, source.size)
    index = front_matter(tmp_path / "out" / "src/pages/index.md")
    assert index == front_matter(corpus(PAGES + "/index.md"))
    # And back again into an empty site: the same pages.
    Page.objects.all().delete()
    SiteIdentity.objects.all().delete()
    import_paths([tmp_path / "out"], pages=True)
    again = Page.objects.get(slug="products")
    assert again.extras["meta"] == original
    assert Page.objects.get(slug="about").title == "About us"


def test_imported_pages_are_valid_html(client):
    """The Nu HTML Checker finds no error on the pages with extras, nor on the home page."""
    from tests.browser import skip_or_fail
    from tests.test_html_validity import validate, vnu_missing_reason

    if reason := vnu_missing_reason():
        skip_or_fail(reason)
    Run(corpus("decap-starter"), pages=True)
    pages = {
        name: client.get(url).content.decode()
        for name, url in [("products", "/products/"), ("about", "/about/"), ("home", "/")]
    }
    assert validate(pages) == []
