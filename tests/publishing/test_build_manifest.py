"""--incremental's manifest: beside OUTDIR, each page's links, and what it lets a build skip."""

from __future__ import annotations

import datetime as dt
import json

from django.test import SimpleTestCase, TestCase

from blog.publishing import search
from tests.support.cases import TemporaryFolders
from tests.support.static_site import SITE_NOW, BuiltSite, build, files

NOW = SITE_NOW


def read_manifest(out) -> dict:
    return json.loads((out.parent / f".{out.name}.carnet-static").read_text())


def links_of(manifest: dict, relative: str) -> set[str]:
    return {manifest["addresses"][index] for index in manifest["pages"][relative]["links"]}


class ManifestTests(BuiltSite, TemporaryFolders, TestCase):
    POSTS = 12

    def edit(self, post, body: str) -> None:
        self.clock.shift(dt.timedelta(hours=1))
        post.body = body
        post.save()

    def assert_same_as_a_full_build(self) -> None:
        full = self.tmp_path / "full"
        build(full)
        assert files(full) == files(self.out)
        for name in files(full):
            assert (full / name).read_bytes() == (self.out / name).read_bytes(), name

    def test_the_manifest_is_beside_the_site_not_in_it(self):
        """No host serves it: it names every page and what each loaded."""
        assert not (self.out / ".carnet-static").exists()
        assert ".carnet-static" not in (self.out / "_redirects").read_text()
        manifest = read_manifest(self.out)
        post = self.posts[2]
        page = f"blog/{post.slug}/index.html"
        assert manifest["pages"][page]["address"] == post.get_absolute_url()
        assert {"/tags/django/", self.posts[1].get_absolute_url()} <= links_of(manifest, page)

    def test_a_kept_page_still_leads_the_crawl_to_what_it_links(self):
        """A page kept as it is is not read again: its links come from the manifest, so a file
        only it links (an attachment in a post's text) stays in the site."""
        (self.media_root / "docs").mkdir(parents=True)
        (self.media_root / "docs" / "plan.txt").write_text("Le plan.")
        linking = self.posts[3]
        self.edit(linking, "Voir [le plan](/media/docs/plan.txt).")
        build(self.out, "--incremental")
        page = f"blog/{linking.slug}/index.html"
        assert "/media/docs/plan.txt" in links_of(read_manifest(self.out), page)
        kept_since = (self.out / page).stat().st_mtime_ns

        self.edit(self.posts[10], "Un autre corps, loin du premier.")
        stdout, _ = build(self.out, "--incremental", "-v", "2")
        assert f"written: blog/{self.posts[10].slug}/index.html" in stdout
        assert (self.out / page).stat().st_mtime_ns == kept_since  # kept, not rendered
        assert (self.out / "media/docs/plan.txt").read_text() == "Le plan."
        self.assert_same_as_a_full_build()

    def test_a_page_changed_by_hand_in_the_site_is_rendered_again(self):
        """The manifest records each file's size and date: a page someone replaced in OUTDIR
        since (other links, other text) is not kept on the manifest's word."""
        edited = self.posts[3]
        pages = read_manifest(self.out)["pages"]
        other = next(  # a post page that does not show the edited post: kept, unless changed
            f"blog/{post.slug}/index.html"
            for post in self.posts
            if edited.pk not in pages[f"blog/{post.slug}/index.html"]["posts"]
        )
        (self.out / other).write_text('<html><a href="/ailleurs/">changé à la main</a></html>')
        self.edit(edited, "Un corps **tout neuf**.")
        stdout, _ = build(self.out, "--incremental", "-v", "2")
        assert f"written: {other}" in stdout
        assert "changé à la main" not in (self.out / other).read_text()
        self.assert_same_as_a_full_build()

    def test_the_search_index_is_kept_only_while_it_is_the_one_recorded(self):
        """No post page changed: the previous index is kept (Pagefind is not run), unless its
        files are not those the manifest recorded (a publish cut short, a hand edit)."""
        index = self.out / "pagefind" / "pagefind-entry.json"
        recorded = read_manifest(self.out)["files"]["pagefind/pagefind-entry.json"]
        assert recorded[:2] == [index.stat().st_size, index.stat().st_mtime_ns]
        original = index.read_bytes()
        index.write_bytes(b"{}")
        build(self.out, "--incremental")
        assert index.read_bytes() == original
        self.assert_same_as_a_full_build()

    def test_a_manifest_left_inside_the_site_by_an_older_build_is_taken_out(self):
        old = self.out / ".carnet-static"
        manifest = self.out.parent / ".site.carnet-static"
        manifest.rename(old)
        stdout, _ = build(self.out, "--incremental")  # still recognised as the build's folder
        assert not old.exists()
        assert manifest.is_file()


class IndexedPagesTests(SimpleTestCase):
    def test_only_post_pages_are_indexed(self):
        assert search.is_indexed("blog/un-billet/index.html")
        for other in ["blog/index.html", "blog/page/2/index.html", "tags/x/index.html", "x.html"]:
            assert not search.is_indexed(other), other

    def test_the_index_is_built_again_when_an_indexed_page_changes(self):
        pages = {"blog/a/index.html": "1", "blog/b/index.html": "2"}
        key = search.index_key("fr", pages)
        assert key == search.index_key("fr-fr", dict(reversed(pages.items())))
        assert key != search.index_key("fr", {**pages, "blog/b/index.html": "3"})
        assert key != search.index_key("fr", {"blog/a/index.html": "1"})
        assert key != search.index_key("en", pages)
        assert search.index_key("fr", {}) == ""
