"""The static search index in bounded batches: beyond CARNET_STATIC_SEARCH_BATCH post pages,
one Pagefind bundle per bucket (pagefind/, pagefind-1/…), merged by the search page; an
incremental build runs Pagefind again only over the bucket of an edited page."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections import Counter
from io import StringIO
from pathlib import Path

import time_machine
from django.core.management import call_command
from django.test import TestCase, override_settings

from blog.models import Post
from blog.publishing import search
from tests.support.browser import BrowserTestCase
from tests.support.cases import TemporaryFolders
from tests.support.factories import make_post
from tests.support.importing import CONTENT
from tests.support.static_site import FolderServer, build

NOW = dt.datetime(2026, 3, 10, 9, 30, tzinfo=dt.UTC)


def bundles(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.is_dir() and p.name.startswith("pagefind"))


def indexed_urls(bundle: Path) -> list[str]:
    """The address of every page a bundle holds, from its fragments."""
    urls = []
    for fragment in (bundle / "fragment").iterdir():
        data = gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd")
        urls.append(json.loads(data)["url"])
    return urls


def states(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


@override_settings(CARNET_STATIC_SEARCH_BATCH=2)
class BatchedIndexTests(TemporaryFolders, TestCase):
    def setUp(self):
        super().setUp()
        self.clock = self.enterContext(time_machine.travel(NOW, tick=False))
        self.posts = [
            make_post(title=f"Billet {n}", pub_date=NOW - dt.timedelta(days=n + 1))
            for n in range(5)
        ]
        self.out = self.tmp_path / "site"
        build(self.out)

    def bundle_of(self, post: Post) -> str:
        url = post.get_absolute_url()
        return next(b for b in bundles(self.out) if url in indexed_urls(self.out / b))

    def test_several_bundles_each_post_page_in_exactly_one(self):
        found = bundles(self.out)
        assert len(found) >= 2
        assert found[0] == "pagefind"
        counts = Counter(url for b in found for url in indexed_urls(self.out / b))
        assert counts == Counter(post.get_absolute_url() for post in self.posts)
        listed = json.loads((self.out / search.BUNDLES).read_text())
        assert listed == [f"/{b}/" for b in found if b != "pagefind"]
        pages = sum(
            json.loads((self.out / b / "pagefind-entry.json").read_text())["languages"]["fr"][
                "page_count"
            ]
            for b in found
        )
        assert pages == 5
        assert (self.out / "pagefind" / "pagefind-ui.js").is_file()

    def test_an_edit_reindexes_only_its_bucket(self):
        post = self.posts[2]
        edited = self.bundle_of(post)
        before = {b: states(self.out / b) for b in bundles(self.out)}
        assert len(before) >= 2
        self.clock.shift(dt.timedelta(hours=1))
        post.body = "Un corps tout neuf : ornithorynque."
        post.save()

        build(self.out, "--incremental")

        assert bundles(self.out) == sorted(before)
        for name, state in before.items():
            if name != edited:
                assert states(self.out / name) == state, name
        assert states(self.out / edited) != before[edited]
        fragments = (self.out / edited / "fragment").iterdir()
        assert any(b"ornithorynque" in gzip.decompress(f.read_bytes()) for f in fragments)

    def test_stale_bundles_are_deleted_when_the_site_shrinks(self):
        Post.objects.exclude(pk__in=[self.posts[0].pk, self.posts[1].pk]).delete()

        build(self.out, "--incremental")

        assert bundles(self.out) == ["pagefind"]
        assert json.loads((self.out / search.BUNDLES).read_text()) == []
        assert sorted(indexed_urls(self.out / "pagefind")) == sorted(
            p.get_absolute_url() for p in self.posts[:2]
        )


class SingleBundleTests(TemporaryFolders, TestCase):
    def test_up_to_the_batch_size_one_bundle_as_before(self):
        posts = [make_post(title=f"Billet {n}") for n in range(5)]
        out = self.tmp_path / "site"
        build(out)
        assert bundles(out) == ["pagefind"]
        assert json.loads((out / search.BUNDLES).read_text()) == [], "no other bundle to fetch"
        assert len(indexed_urls(out / "pagefind")) == len(posts)


SEED_TITLE = "Le Début d'une Carrière Professionnelle"
SEED_PATH = "/blog/le-debut-dune-carriere-professionnelle/"


@override_settings(CARNET_STATIC_SEARCH_BATCH=2)
class BatchedSearchBrowserTests(TemporaryFolders, BrowserTestCase):
    def test_a_post_of_another_bundle_is_found(self):
        """The seed article sits in bundle 1 (its path's hash, 4 buckets for 6 pages)."""
        call_command("import_markdown", str(CONTENT), stdout=StringIO())
        for n in range(5):
            make_post(title=f"Billet {n}")
        out = self.tmp_path / "site"
        build(out, base_url="http://127.0.0.1")
        holding = [b for b in bundles(out) if SEED_PATH in indexed_urls(out / b)]
        assert holding and holding != ["pagefind"], holding
        server = FolderServer(out)
        self.addCleanup(server.stop)
        self.page.goto(server.url + "/search/?q=carriere")
        link = self.page.get_by_role("link", name=SEED_TITLE)
        link.first.wait_for(timeout=20_000)
        assert link.first.get_attribute("href") == SEED_PATH
