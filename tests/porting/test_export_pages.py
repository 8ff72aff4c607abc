"""export_markdown and pages made in the admin: written in the Gatsby shape, and back again."""

from importlib import import_module
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from blog.models import Page
from tests.support.importing import Run, png

pytestmark = pytest.mark.django_db

FIELDS = ("title", "slug", "body", "description", "published", "in_navigation",
          "navigation_order", "show_identity")  # fmt: skip


def export(outdir: Path) -> str:
    out = StringIO()
    call_command("export_markdown", str(outdir), stdout=out, stderr=StringIO())
    return out.getvalue()


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


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


def test_pages_made_in_the_admin_are_exported_in_the_gatsby_shape(tmp_path):
    make_pages()
    assert "2 pages exported" in export(tmp_path / "out")
    written = tmp_path / "out/src/pages/services/index.md"
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
    assert written.read_text().endswith("---\n## Développement\n\nDes applications **Django**.\n")
    draft = front_matter(tmp_path / "out/src/pages/tarifs/index.md")
    assert (draft["draft"], draft["inNavigation"], draft["showIdentity"]) == (True, False, True)
    # The fresh install's untouched draft about page is nobody's content: not exported.
    assert not (tmp_path / "out/src/pages/a-propos").exists()


def test_exported_admin_pages_come_back_the_same_in_an_empty_database(tmp_path, client):
    make_pages()
    Page.objects.filter(slug="a-propos").update(body="Je suis Zoé.", published=True)
    before = pages()
    export(tmp_path / "out")
    Page.objects.all().delete()
    run = Run(tmp_path / "out")
    assert run.error is None, run.stderr
    assert run.summary.startswith("3 created, 0 updated, 0 unchanged, 0 skipped, 0 failed")
    assert pages() == before
    assert client.get("/services/").status_code == 200
    assert client.get("/tarifs/").status_code == 404  # still a draft
    # And imported again: nothing changed.
    assert Run(tmp_path / "out").summary.startswith("0 created, 0 updated, 3 unchanged")


def test_the_export_replaces_a_fresh_installs_draft_about_page(tmp_path):
    """Moving to a new install: its untouched draft « À propos » gives way to the real one."""
    Page.objects.filter(slug="a-propos").update(body="Je suis Zoé.", published=True)
    export(tmp_path / "out")
    Page.objects.all().delete()
    migration = import_module("blog.migrations.0005_freelancer_pages")
    migration.add_draft_about_page(apps, None)  # a fresh install's draft about page
    assert Page.objects.get(slug="a-propos").published is False
    run = Run(tmp_path / "out")
    assert run.error is None, run.stderr
    page = Page.objects.get(slug="a-propos")
    assert (page.body, page.published) == ("Je suis Zoé.", True)
    assert page.source_path == "src/pages/a-propos/index.md"


def test_an_uploaded_image_in_a_page_body_is_exported_and_comes_back(tmp_path, media_root):
    name = default_storage.save("uploads/portrait.png", ContentFile(png()))
    Page.objects.create(
        title="Moi", slug="moi", published=True, body=f"![Portrait]({default_storage.url(name)})\n"
    )
    export(tmp_path / "out")
    text = (tmp_path / "out/src/pages/moi/index.md").read_text()
    assert "![Portrait](/img/portrait.png)" in text
    assert (tmp_path / "out/static/img/portrait.png").read_bytes() == png()
    Page.objects.all().delete()
    run = Run(tmp_path / "out")
    assert run.error is None, run.stderr
    body = Page.objects.get(slug="moi").body
    stored = body.split("](")[1].rstrip(")\n")
    assert stored.startswith("/media/posts/")
    assert default_storage.open(stored.removeprefix("/media/")).read() == png()


def test_a_slug_changed_in_the_admin_is_written_back(tmp_path):
    from tests.support.importing import write

    site = tmp_path / "site"
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
    export(tmp_path / "out")
    meta = front_matter(tmp_path / "out/src/pages/about/index.md")
    assert meta == {"templateKey": "about-page", "path": "/qui-suis-je", "title": "A",
                    "inNavigation": False}  # fmt: skip
