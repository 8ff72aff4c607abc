"""--pages: the Gatsby starter's index-page, about-page and product-page files, imported."""

from __future__ import annotations

import yaml
from django.conf import settings
from django.core.cache import cache
from django.test import TestCase
from PIL import Image

from blog.models import Page, Post, SiteIdentity
from blog.porting.exporting import export_posts
from blog.porting.importing import import_paths
from tests.public.test_html_validity import validate, vnu_missing_reason
from tests.support.browser import skip_or_fail
from tests.support.cases import TemporaryFolders
from tests.support.importing import Run, corpus, media_files, png, write

PAGES = "decap-starter/src/pages"


def pages_dir():
    folder = corpus(PAGES)
    return folder


def front_matter(path) -> dict:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


def about_site(tmp_path, body="Bonjour.\n", title="À propos"):
    site = tmp_path / "site"
    (site / "static").mkdir(parents=True, exist_ok=True)
    text = f"---\ntemplateKey: about-page\npath: /about\ntitle: {title}\n---\n{body}"
    return write(site, "src/pages/about/index.md", text).parent.parent.parent.parent


class GatsbyPagesTests(TemporaryFolders, TestCase):
    """The starter's about, product and index pages become pages and identity, and export back."""

    def setUp(self):
        super().setUp()
        cache.clear()
        self.addCleanup(cache.clear)

    def test_about_and_products_become_pages_at_their_old_addresses(self):
        run = Run(corpus("decap-starter"), pages=True)
        assert run.error is None
        assert run.summary.startswith("6 created, 0 updated, 0 unchanged, 0 skipped, 0 failed")
        about = Page.objects.get(source_path="src/pages/about/index.md")
        products = Page.objects.get(source_path="src/pages/products/index.md")
        assert (about.slug, about.title, about.published) == ("about", "About our values", True)
        assert (products.slug, products.title) == ("products", "Our Coffee", True)[:2]
        assert about.show_identity and not products.show_identity
        assert about.in_navigation and about.navigation_order < products.navigation_order
        response = self.client.get("/about/")
        assert response.status_code == 200
        html = response.content.decode()
        assert '<h3 id="shade-grown-coffee">Shade-grown coffee</h3>' in html
        nav = html[html.index('<nav aria-label="Principale">') : html.index("</nav>")]
        assert nav.index(">About our values</a>") < nav.index(">Our Coffee</a>")
        assert Post.objects.count() == 3  # the blog posts are still posts, pages are not

    def test_the_product_page_keeps_and_shows_its_extras(self):
        run = Run(corpus("decap-starter"), pages=True)
        products = Page.objects.get(slug="products")
        meta = products.extras["meta"]
        assert [plan["plan"] for plan in meta["pricing"]["plans"]] == ["Small", "Big", "Custom"]
        assert len(meta["intro"]["blurbs"]) == 4
        assert meta["testimonials"][0]["author"] == "Elisabeth Kaurismäki"
        # Images named by the extras are copied; the one missing from the starter is a warning.
        assert "/img/coffee.png" in products.extras["images"]
        assert "image '/img/products-grid1.jpg' not found" in run.stderr
        html = self.client.get("/products/").content.decode()
        assert '<h2 id="pricing-heading">Monthly subscriptions</h2>' in html
        assert "<h3>Big</h3>" in html and '<p class="plan__price">80</p>' in html
        assert "Up to 4 different varieties of beans" in html
        assert "<figcaption>Philipp Trommler</figcaption>" in html
        assert f'src="{products.extras["images"]["/img/coffee.png"]}"' in html
        assert 'alt="A green cup of a coffee on a wooden table"' in html
        stored = media_files()
        assert len(stored) == len(set(stored))

    def test_the_index_page_fills_the_empty_identity(self):
        Run(corpus(PAGES + "/index.md"), pages=True)
        identity = SiteIdentity.objects.get()
        assert identity.site_name == "Great coffee with a conscience"
        assert identity.home_heading == "Great coffee with a conscience"
        assert identity.tagline == "Support sustainable farming while enjoying a cup"
        assert identity.introduction.startswith("Kaldi is the ultimate spot for coffee lovers")
        html = self.client.get("/").content.decode()
        assert '<p class="tagline">Support sustainable farming while enjoying a cup</p>' in html

    def test_the_index_page_never_overwrites_what_the_admin_set(self):
        SiteIdentity.objects.create(site_name="Le carnet de Zoé", tagline="Ma devise")
        run = Run(corpus(PAGES + "/index.md"), pages=True, verbosity=2)
        identity = SiteIdentity.objects.get()
        assert (identity.site_name, identity.tagline) == ("Le carnet de Zoé", "Ma devise")
        assert identity.home_heading == "Great coffee with a conscience"  # was empty
        assert run.error is None

    def test_a_second_import_changes_nothing(self):
        Run(corpus("decap-starter"), pages=True)
        pages = {p.pk: p.updated for p in Page.objects.all()}
        files = media_files()
        run = Run(corpus("decap-starter"), pages=True)
        assert run.summary.startswith("0 created, 0 updated, 6 unchanged, 0 skipped, 0 failed")
        assert {p.pk: p.updated for p in Page.objects.all()} == pages
        assert media_files() == files

    def test_with_no_pages_they_are_skipped_and_said(self):
        run = Run(corpus("decap-starter"), pages=False)
        assert (
            "templateKey 'about-page' is a page, not a blog post; skipped (--no-pages)"
            in run.stdout
        )
        assert not Page.objects.exclude(slug="a-propos").exists()
        assert not SiteIdentity.objects.exists()

    def test_a_page_whose_address_is_a_route_fails_alone(self):
        (self.tmp_path / "static").mkdir()
        bad = self.tmp_path / "src" / "pages" / "search" / "index.md"
        bad.parent.mkdir(parents=True)
        bad.write_text(
            "---\ntemplateKey: about-page\npath: /search\ntitle: Recherche\n---\nTexte.\n",
        )
        report = import_paths([self.tmp_path], pages=True)
        assert [f.problem for f in report.failures] == [
            "path: /search/ is already one of the site's own addresses"
        ]
        assert not Page.objects.filter(slug="search").exists()

    def test_export_writes_the_pages_back(self):
        """Round trip: the front matter as imported (extras included), the body, the images."""
        import_paths([corpus("decap-starter")], pages=True)
        Page.objects.filter(slug="about").update(title="About us")
        report = export_posts(self.tmp_path / "out")
        assert report.pages == 3
        original = front_matter(corpus(PAGES + "/products/index.md"))
        exported = front_matter(self.tmp_path / "out" / "src/pages/products/index.md")
        assert exported == original
        about = front_matter(self.tmp_path / "out" / "src/pages/about/index.md")
        assert about == {"templateKey": "about-page", "path": "/about", "title": "About us"}
        with (
            Image.open(self.tmp_path / "out/static/img/coffee.png") as written,
            Image.open(corpus("decap-starter/static/img/coffee.png")) as source,
        ):
            assert (written.format, written.size) == (source.format, source.size)
        index = front_matter(self.tmp_path / "out" / "src/pages/index.md")
        assert index == front_matter(corpus(PAGES + "/index.md"))
        # And back again into an empty site: the same pages.
        Page.objects.all().delete()
        SiteIdentity.objects.all().delete()
        import_paths([self.tmp_path / "out"], pages=True)
        again = Page.objects.get(slug="products")
        assert again.extras["meta"] == original
        assert Page.objects.get(slug="about").title == "About us"

    def test_imported_pages_are_valid_html(self):
        """The Nu HTML Checker finds no error on the pages with extras, nor on the home page."""

        if reason := vnu_missing_reason():
            skip_or_fail(reason)
        Run(corpus("decap-starter"), pages=True)
        pages = {
            name: self.client.get(url).content.decode()
            for name, url in [("products", "/products/"), ("about", "/about/"), ("home", "/")]
        }
        assert validate(pages) == []


class PageFileTests(TemporaryFolders, TestCase):
    """A page file re-imports like a post: changes applied, admin edits kept, its images checked."""

    def setUp(self):
        super().setUp()
        cache.clear()
        self.addCleanup(cache.clear)

    def test_a_page_edited_in_the_admin_is_not_overwritten_by_a_changed_file(self):
        site = about_site(self.tmp_path)
        assert Run(site).error is None
        page = Page.objects.get(slug="about")
        page.body = "Écrit dans l'admin."
        page.save()
        about_site(self.tmp_path, body="Changé dans le fichier.\n")
        run = Run(site)
        assert str(run.error) == "0 file(s) could not be imported, 1 conflict(s)."
        assert (
            "conflict: " + str(site / "src/pages/about/index.md") + ": the page was edited in the "
            "admin since its import; not overwritten (--force to overwrite it)"
        ) in run.stderr
        assert run.summary.endswith("1 conflicts")
        assert Page.objects.get(slug="about").body == "Écrit dans l'admin."
        forced = Run(site, force=True)
        assert forced.error is None
        assert forced.summary.startswith("0 created, 1 updated")
        assert Page.objects.get(slug="about").body == "Changé dans le fichier.\n"

    def test_a_changed_file_updates_a_page_nobody_edited(self):
        site = about_site(self.tmp_path)
        Run(site)
        about_site(self.tmp_path, body="Nouveau texte.\n", title="Qui suis-je")
        run = Run(site)
        assert run.error is None
        page = Page.objects.get(slug="about")
        assert (page.title, page.body) == ("Qui suis-je", "Nouveau texte.\n")
        # The page moved with the file: an admin edit after this one is caught again.
        page.title = "Édité"
        page.save()
        about_site(self.tmp_path, body="Encore.\n")
        assert Run(site).error is not None

    def test_images_in_a_page_body_are_copied_once_and_rewritten(self):
        body = (
            "Mon bureau :\n\n![Bureau](/img/bureau.png)\n\n"
            '<img src="equipe.png" alt="Équipe">\n\n'
            "![Même image](./bureau-copie.png)\n\n![Absente](/img/absente.png)\n"
        )
        site = about_site(self.tmp_path, body=body)
        write(site, "static/img/bureau.png", png())
        write(site, "src/pages/about/bureau-copie.png", png())  # the same bytes, another name
        write(site, "src/pages/about/equipe.png", png(color=(10, 20, 30)))
        run = Run(site, verbosity=1)
        assert run.error is None, run.stderr
        page = Page.objects.get(slug="about")
        urls = [line.split("](")[1].rstrip(")") for line in page.body.splitlines() if "](" in line]
        assert urls[0] == urls[1] and urls[0].startswith(f"{settings.MEDIA_URL}posts/")
        assert urls[2] == "/img/absente.png"  # left as it was, and said
        assert f'<img src="{settings.MEDIA_URL}posts/' in page.body
        assert len(media_files()) == 2  # bureau twice by content, équipe
        about = str(site / "src/pages/about/index.md")
        assert f"warning: {about}: line 14: image '/img/absente.png' not found in" in run.stderr
        # The export writes the images back where the references expect them.
        export_posts(self.tmp_path / "out")
        exported = (self.tmp_path / "out/src/pages/about/index.md").read_text()
        # One stored image, one file written back: both references name it (as for posts).
        assert exported.endswith("---\n" + body.replace("./bureau-copie.png", "/img/bureau.png"))
        assert (self.tmp_path / "out/static/img/bureau.png").read_bytes() == png()
        assert (self.tmp_path / "out/src/pages/about/equipe.png").exists()

    def test_a_page_body_image_outside_the_site_fails_the_file(self):
        site = about_site(self.tmp_path, body="![X](../../../../../etc/passwd.png)\n")
        run = Run(site)
        assert "line 6: image '../../../../../etc/passwd.png' is outside the site's folders" in (
            run.stderr
        )
        assert not Page.objects.filter(slug="about").exists()
