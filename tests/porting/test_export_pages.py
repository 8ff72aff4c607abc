"""export_markdown and pages made in the admin: written in the Gatsby shape, and back again."""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import TestCase

from blog.models import Page
from tests.support.cases import TemporaryFolders
from tests.support.importing import Run, export, front_matter, png, write

FIELDS = ("title", "slug", "body", "description", "published", "in_navigation",
          "navigation_order", "show_identity")  # fmt: skip


def pages() -> dict:
    return {page.slug: tuple(getattr(page, f) for f in FIELDS) for page in Page.objects.all()}


def make_pages() -> None:
    Page.objects.create(
        title="Mes services",
        slug="services",
        description="Ce que je propose.",
        body="## Développement\n\nDes applications **Django**.\n",
        published=True,
        in_navigation=True,
        navigation_order=3,
    )
    Page.objects.create(
        title="Tarifs",
        slug="tarifs",
        body="À venir.\n",
        published=False,
        in_navigation=False,
        navigation_order=7,
        show_identity=True,
    )


class PageExportTests(TemporaryFolders, TestCase):
    """Pages made in the admin export in the Gatsby shape and import back the same."""

    def test_pages_made_in_the_admin_are_exported_in_the_gatsby_shape(self):
        make_pages()
        assert "2 pages exported" in export(self.tmp_path / "out")
        written = self.tmp_path / "out/src/pages/services/index.md"
        assert front_matter(written) == {
            "templateKey": "about-page",
            "path": "/services",
            "title": "Mes services",
            "description": "Ce que je propose.",
            "draft": False,
            "inNavigation": True,
            "navigationOrder": 3,
            "showIdentity": False,
        }
        body = "---\n## Développement\n\nDes applications **Django**.\n"
        assert written.read_text().endswith(body)
        draft = front_matter(self.tmp_path / "out/src/pages/tarifs/index.md")
        assert (draft["draft"], draft["inNavigation"], draft["showIdentity"]) == (True, False, True)
        # The fresh install's untouched draft about page is nobody's content: not exported.
        assert not (self.tmp_path / "out/src/pages/a-propos").exists()

    def test_exported_admin_pages_come_back_the_same_in_an_empty_database(self):
        make_pages()
        Page.objects.filter(slug="a-propos").update(body="Je suis Zoé.", published=True)
        before = pages()
        export(self.tmp_path / "out")
        Page.objects.all().delete()
        run = Run(self.tmp_path / "out")
        assert run.error is None, run.stderr
        assert run.summary.startswith("3 created, 0 updated, 0 unchanged, 0 skipped, 0 failed")
        assert pages() == before
        assert self.client.get("/services/").status_code == 200
        assert self.client.get("/tarifs/").status_code == 404  # still a draft
        # And imported again: nothing changed.
        assert Run(self.tmp_path / "out").summary.startswith("0 created, 0 updated, 3 unchanged")

    def test_the_export_replaces_a_fresh_installs_draft_about_page(self):
        """Moving to a new install: its untouched draft « À propos » gives way to the real one."""
        Page.objects.filter(slug="a-propos").update(body="Je suis Zoé.", published=True)
        export(self.tmp_path / "out")
        Page.objects.all().delete()
        migration = import_module("blog.migrations.0005_freelancer_pages")
        migration.add_draft_about_page(apps, None)  # a fresh install's draft about page
        assert Page.objects.get(slug="a-propos").published is False
        run = Run(self.tmp_path / "out")
        assert run.error is None, run.stderr
        page = Page.objects.get(slug="a-propos")
        assert (page.body, page.published) == ("Je suis Zoé.", True)
        assert page.source_path == "src/pages/a-propos/index.md"

    def test_an_uploaded_image_in_a_page_body_is_exported_and_comes_back(self):
        name = default_storage.save("uploads/portrait.png", ContentFile(png()))
        Page.objects.create(
            title="Moi",
            slug="moi",
            published=True,
            body=f"![Portrait]({default_storage.url(name)})\n",
        )
        export(self.tmp_path / "out")
        text = (self.tmp_path / "out/src/pages/moi/index.md").read_text()
        assert "![Portrait](/img/portrait.png)" in text
        assert (self.tmp_path / "out/static/img/portrait.png").read_bytes() == png()
        Page.objects.all().delete()
        run = Run(self.tmp_path / "out")
        assert run.error is None, run.stderr
        body = Page.objects.get(slug="moi").body
        stored = body.split("](")[1].rstrip(")\n")
        assert stored.startswith(f"{settings.MEDIA_URL}posts/")
        assert default_storage.open(stored.removeprefix(settings.MEDIA_URL)).read() == png()

    def test_a_slug_changed_in_the_admin_is_written_back(self):
        site = self.tmp_path / "site"
        (site / "static").mkdir(parents=True)
        write(
            site,
            "src/pages/about/index.md",
            "---\ntemplateKey: about-page\npath: /about\ntitle: A\n---\nT\n",
        )
        Run(site)
        page = Page.objects.get(source_path="src/pages/about/index.md")
        page.slug = "qui-suis-je"
        page.in_navigation = False
        page.save()
        export(self.tmp_path / "out")
        meta = front_matter(self.tmp_path / "out/src/pages/about/index.md")
        assert meta == {"templateKey": "about-page", "path": "/qui-suis-je", "title": "A",
                        "inNavigation": False}  # fmt: skip
