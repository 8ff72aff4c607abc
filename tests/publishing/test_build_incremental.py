"""--incremental, --dry-run, scheduled posts, and what the command refuses."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from django.core.management import CommandError
from django.test import TestCase

from blog.models import Post, PostAuthor, Redirect
from tests.support.cases import TemporaryFolders
from tests.support.factories import make_author, make_post
from tests.support.static_site import SITE_NOW, BuiltSite, build, changed, files

NOW = SITE_NOW


class IncrementalTests(BuiltSite, TemporaryFolders, TestCase):
    POSTS = 14

    def linking(self, url: str) -> set[str]:
        """The pages of the output that link ``url`` (lists, tags, archives, neighbours)."""
        found = set()
        for relative in files(self.out):
            if relative.endswith(".html") and f'href="{url}"' in (self.out / relative).read_text():
                found.add(relative)
        return found

    def test_after_one_edit_only_the_pages_that_show_it_are_written(self):
        """The edited post, the lists, tags, archives and feeds that show it, the sitemap."""
        post = self.posts[3]
        showing = self.linking(post.get_absolute_url())
        others = {f"blog/{p.slug}/index.html" for p in self.posts if p != post}
        before = {name: (self.out / name).stat().st_mtime_ns for name in others}
        self.clock.shift(dt.timedelta(hours=1))
        post.body = "Un corps **tout neuf**."
        post.save()

        stdout, _ = build(self.out, "--incremental", "-v", "2")
        written = changed(stdout)["written"]
        expected = {
            f"blog/{post.slug}/index.html",
            "sitemap-posts.xml",  # its lastmod
            "feed/index.html",
            "feed/atom/index.html",
            f"tags/{post.tags.get().slug}/feed/index.html",
        }
        assert expected <= written
        extra = {
            name
            for name in written - expected - showing
            if not name.startswith("pagefind/")  # the search index holds the new text
        }
        assert extra == set(), extra
        assert not written & {"static/blog/carnet.css", "_redirects", "netlify.toml"}
        # The other posts' pages are not even touched (the host sees no change).
        assert {name: (self.out / name).stat().st_mtime_ns for name in others} == before
        summary = stdout.strip().splitlines()[-1]
        assert re.search(rf"{len(written)} written, \d+ unchanged, \d+ deleted", summary)
        assert all(name.startswith("pagefind/") for name in changed(stdout)["deleted"])
        assert "tout neuf" in (self.out / f"blog/{post.slug}/index.html").read_text()
        # Only the pages that showed the post were rendered again...
        pages, rendered = map(int, re.search(r"(\d+) pages \((\d+) rendered\)", summary).groups())
        assert rendered <= len(showing) + 6 < pages
        # ...and the site is the one a full build makes.
        full = self.tmp_path / "full"
        build(full)
        assert files(full) == files(self.out)
        for name in files(full):
            assert (full / name).read_bytes() == (self.out / name).read_bytes(), name

    def test_a_second_build_with_no_change_writes_nothing(self):
        stdout, _ = build(self.out, "--incremental")
        assert re.search(r"pages \(1 rendered\).*: 0 written, \d+ unchanged, 0 deleted", stdout)

    def test_an_unpublished_or_deleted_post_loses_its_files(self):
        gone, hidden = self.posts[0], self.posts[1]
        gone_file = f"blog/{gone.slug}/index.html"
        hidden_file = f"blog/{hidden.slug}/index.html"
        gone.delete()
        hidden.status = Post.Status.DRAFT
        hidden.save()
        stdout, _ = build(self.out, "--incremental", "-v", "2")
        deleted = changed(stdout)["deleted"]
        assert {gone_file, hidden_file} <= deleted
        assert not (self.out / gone_file).exists()
        assert not (self.out / hidden_file).exists()
        assert hidden.get_absolute_url() not in "".join(
            (self.out / f).read_text(errors="replace") for f in files(self.out)
        )

    def test_a_changed_slug_leaves_a_redirect_and_a_stub(self):
        post = self.posts[2]
        old = post.get_absolute_url()
        Redirect.objects.create(old_path=old, post=post)
        post.slug = "un-nouveau-nom"
        post.save()
        build(self.out, "--incremental")
        assert f"{old} /blog/un-nouveau-nom/ 301!" in (self.out / "_redirects").read_text()
        stub = (self.out / old.lstrip("/") / "index.html").read_text()
        assert '<meta http-equiv="refresh" content="0; url=/blog/un-nouveau-nom/">' in stub

    def test_a_dry_run_changes_nothing(self):
        Post.objects.filter(pk=self.posts[0].pk).delete()
        before = {name: (self.out / name).read_bytes() for name in files(self.out)}
        stdout, _ = build(self.out, "--incremental", "--dry-run", "-v", "2")
        assert f"deleted: blog/{self.posts[0].slug}/index.html" in stdout
        assert stdout.strip().splitlines()[-1].startswith("Dry run (nothing changed): ")
        assert {name: (self.out / name).read_bytes() for name in files(self.out)} == before


class ScheduledTests(TemporaryFolders, TestCase):
    def test_a_scheduled_post_appears_in_the_first_build_after_its_time(self):
        out = self.tmp_path / "site"
        with time_machine.travel(NOW, tick=False) as clock:
            make_post(title="Déjà là", pub_date=NOW - dt.timedelta(days=1))
            later = make_post(title="Bientôt", pub_date=NOW + dt.timedelta(hours=2))
            build(out)
            assert not (out / "blog" / later.slug).exists()
            assert "Bientôt" not in (out / "feed" / "index.html").read_text()
            clock.shift(dt.timedelta(hours=3))
            stdout, _ = build(out, "--incremental", "-v", "2")
        assert f"written: blog/{later.slug}/index.html" in stdout
        assert "Bientôt" in (out / "index.html").read_text()
        assert "Bientôt" in (out / "feed" / "index.html").read_text()


class RefusedTests(TemporaryFolders, TestCase):
    def test_a_folder_not_written_by_the_build_is_refused_and_kept(self):
        (self.tmp_path / "mine.txt").write_text("à moi")
        with self.assertRaisesRegex(CommandError, "not written by build_static"):
            build(self.tmp_path)
        assert (self.tmp_path / "mine.txt").read_text() == "à moi"

    def test_a_bad_base_url_is_named(self):
        for bad in ["example.org", "ftp://example.org", "https://example.org/blog/"]:
            with self.subTest(bad=bad), self.assertRaisesRegex(CommandError, "--base-url"):
                build(self.tmp_path / "site", base_url=bad)
        assert not (self.tmp_path / "site").exists()

    def test_a_symbolic_link_in_the_site_stops_the_build_before_any_change(self):
        make_post(title="Bon")
        out = self.tmp_path / "site"
        build(out)
        elsewhere = self.tmp_path / "elsewhere"
        elsewhere.mkdir()
        (out / "tags").rename(elsewhere / "tags")
        (out / "tags").symlink_to(elsewhere / "tags")
        before = {name: (out / name).read_bytes() for name in files(out)}
        make_post(title="Nouveau")
        with self.assertRaisesRegex(CommandError, "a symbolic link in the way"):
            build(out, "--incremental")
        assert {name: (out / name).read_bytes() for name in files(out)} == before
        assert not (out / "blog" / "nouveau").exists()


class AuthorsTests(TemporaryFolders, TestCase):
    def test_a_post_given_to_another_author_moves_to_their_page(self):
        """Reassigning saves no post field: the author pages must still follow (a full build's)."""
        with time_machine.travel(NOW, tick=False):
            alice, bruno = make_author("Alice Martin"), make_author("Bruno Petit")
            make_post(title="D'Alice", pub_date=NOW - dt.timedelta(days=2)).set_authors([alice])
            moved = make_post(title="Passe à Bruno", pub_date=NOW - dt.timedelta(days=1))
            moved.set_authors([alice])
            make_post(title="De Bruno", pub_date=NOW - dt.timedelta(days=3)).set_authors([bruno])
            out = self.tmp_path / "site"
            build(out)
            assert "Passe à Bruno" not in (out / "auteurs/bruno-petit/index.html").read_text()

            PostAuthor.objects.filter(post=moved).update(author=bruno)
            build(out, "--incremental")
            assert "Passe à Bruno" in (out / "auteurs/bruno-petit/index.html").read_text()
            assert "Passe à Bruno" not in (out / "auteurs/alice-martin/index.html").read_text()
            full = self.tmp_path / "full"
            build(full)
        assert files(full) == files(out)
        for name in files(full):
            if not name.startswith("pagefind/"):
                assert (full / name).read_bytes() == (out / name).read_bytes(), name
