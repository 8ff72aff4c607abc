"""Feed entries remembered per process (blog/public/feed_entries.py): the XML a reader gets is
byte for byte what the feed wrote before it remembered anything, and every change of what an
entry shows is in the next feed.

The clock is frozen: every save gives the same ``updated``, so an entry remembered under its
post's ``updated`` alone (or without any other value it shows) would be served stale here.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from unittest import mock

import feedparser
import time_machine
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import TestCase, override_settings
from django.utils.http import http_date
from taggit.models import Tag

from blog.images import renditions
from blog.models import Post, SiteIdentity
from blog.public import feed_entries
from tests.public import test_snapshots as snapshots
from tests.support.factories import make_author, make_image, make_post
from tests.support.site import count_queries

NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC)
FEEDS = {
    "feed-entries-rss": "/feed/",
    "feed-entries-atom": "/feed/atom/",
    "feed-entries-tag": "/tags/freelance/feed/",
    "feed-entries-author": "/auteurs/zoe-martin/feed/",
}


class FeedEntriesCase(TestCase):
    def setUp(self):
        feed_entries.forget()
        cache.clear()
        clock = time_machine.travel(NOW, tick=False)
        clock.start()
        self.addCleanup(clock.stop)
        self.zoe = make_author("Zoé Martin")
        self.marc = make_author("Marc Lefèvre")
        self.duo = make_post(
            title="Une carrière à deux",
            description="Deux indépendants.",
            body="Voir [la liste](/blog/) et ![plan](/media/plan.png).\n\nPuis *la suite*.",
            tags=["freelance", "carrière"],
            pub_date=NOW - dt.timedelta(days=2),
        )
        self.duo.set_authors([self.zoe, self.marc])
        self.alone = make_post(
            title="Sans auteur",
            description="",
            body="Un article du site.",
            tags=["freelance"],
            pub_date=NOW - dt.timedelta(days=3),
        )
        self.pictured = make_post(
            title="Photo du bureau",
            description="Le bureau, rangé.",
            body="Un bureau *rangé*.",
            image=make_image("bureau.jpg", size=(900, 600)),
            image_alt="Un bureau en bois",
            tags=["bureau"],
            pub_date=NOW - dt.timedelta(days=1),
        )
        self.pictured.set_authors([self.zoe])
        self.english = make_post(
            title="In English",
            description="A post in English.",
            body="Some *English* text.",
            language="en",
            tags=["freelance"],
            pub_date=NOW - dt.timedelta(days=4),
        )
        self.english.set_authors([self.zoe])
        make_post(
            title="Brouillon caché", description="", status=Post.Status.DRAFT, tags=["freelance"]
        )
        make_post(
            title="Programmé caché",
            description="",
            tags=["freelance"],
            pub_date=NOW + dt.timedelta(hours=1),
        ).set_authors([self.zoe])

    def get(self, url: str, **extra) -> bytes:
        response = self.client.get(url, **extra)
        self.assertEqual(response.status_code, 200, url)
        return response.content

    def entry(self, url: str, title: str, **extra):
        feed = feedparser.parse(self.get(url, **extra))
        self.assertFalse(feed.bozo, feed.get("bozo_exception"))
        return next(e for e in feed.entries if e.title == title)


class SameBytesTests(FeedEntriesCase):
    def test_feeds_match_their_golden_files_written_and_remembered(self):
        """RSS, Atom, a tag's and an author's feed are what the feeds wrote before entries
        were remembered (golden files recorded then), on the first request and the next."""
        folder = snapshots.SNAPSHOTS / connection.vendor
        for name, url in FEEDS.items():
            for attempt in ("written", "remembered"):
                with self.subTest(feed=name, attempt=attempt):
                    xml = snapshots.normalise(self.get(url).decode())
                    self.assertNotIn("caché", xml)
                    golden = folder / f"{name}.xml"
                    if os.environ.get("CARNET_UPDATE_SNAPSHOTS") == "1":
                        golden.write_text(xml, encoding="utf-8")
                        continue
                    expected = golden.read_text(encoding="utf-8")
                    if xml != expected:
                        diff = difflib.unified_diff(
                            expected.splitlines(True), xml.splitlines(True), golden.name, url
                        )
                        self.fail("".join(diff)[:4000])

    def test_an_entry_is_remembered_once_for_all_feeds_of_its_format(self):
        """The tag's feed reuses the site feed's entries: the same bytes for the same post."""
        site = self.get("/feed/")
        remembered = feed_entries.count()
        self.assertEqual(remembered, 4)
        tag = self.get("/tags/freelance/feed/")
        self.assertEqual(feed_entries.count(), remembered)
        start = site.index(b"<item><title>Sans auteur")
        item = site[start : site.index(b"</item>", start)]
        self.assertIn(item, tag)

    def test_the_feed_date_is_its_newest_entry_written_or_remembered(self):
        """Last-Modified and the feed's own date come from every entry, remembered ones too."""
        edited = NOW - dt.timedelta(hours=5)
        Post.objects.filter(pk=self.english.pk).update(updated=edited)
        Post.objects.exclude(pk=self.english.pk).update(updated=NOW - dt.timedelta(days=9))
        for attempt in ("written", "remembered"):
            with self.subTest(attempt=attempt):
                response = self.client.get("/feed/atom/")
                self.assertEqual(response["Last-Modified"], http_date(edited.timestamp()))
                self.assertIn(
                    b"<updated>2026-06-15T05:00:00+00:00</updated><subtitle>", response.content
                )


class StaleEntryTests(FeedEntriesCase):
    """Each change below leaves the post's ``updated`` as it was (frozen clock, or no save of
    the post at all): the entry's key must hold the changed value itself."""

    def test_an_edited_post_is_seen_in_the_next_feed(self):
        self.get("/feed/")
        self.get("/feed/atom/")
        self.duo.title = "Une carrière à trois"
        self.duo.description = "Trois indépendants."
        self.duo.body = "Un *autre* texte."
        self.duo.save()
        for url in ("/feed/", "/feed/atom/"):
            entry = self.entry(url, "Une carrière à trois")
            self.assertEqual(entry.summary, "Trois indépendants.")
            self.assertIn("<em>autre</em>", entry.content[0].value)
            self.assertNotIn(b"Une carri\xc3\xa8re \xc3\xa0 deux", self.get(url))

    def test_a_tag_added_or_renamed_without_saving_the_post(self):
        self.get("/feed/")
        self.duo.tags.add("nouveau")
        entry = self.entry("/feed/", "Une carrière à deux")
        self.assertEqual({t.term for t in entry.tags}, {"freelance", "carrière", "nouveau"})
        # As the importer renames a tag (an update: no signal touches its posts).
        Tag.objects.filter(name="freelance").update(name="Indépendance")
        entry = self.entry("/feed/", "Une carrière à deux")
        self.assertEqual({t.term for t in entry.tags}, {"Indépendance", "carrière", "nouveau"})

    def test_an_author_renamed_or_replaced(self):
        self.get("/feed/")
        self.get("/feed/atom/")
        self.zoe.name = "Zoé Martin-Durand"
        self.zoe.save()
        self.assertEqual(
            self.entry("/feed/", "Une carrière à deux").author, "Zoé Martin-Durand, Marc Lefèvre"
        )
        atom = self.entry("/feed/atom/", "Une carrière à deux")
        self.assertEqual(atom.author, "Zoé Martin-Durand, Marc Lefèvre")
        self.assertEqual(atom.author_detail.href, "http://testserver/auteurs/zoe-martin/")
        self.duo.set_authors([self.marc])
        atom = self.entry("/feed/atom/", "Une carrière à deux")
        self.assertEqual(atom.author, "Marc Lefèvre")
        self.assertEqual(atom.author_detail.href, "http://testserver/auteurs/marc-lefevre/")

    def test_the_identity_author_name_for_a_post_without_authors(self):
        self.get("/feed/")
        SiteIdentity.objects.create(author_name="Camille Rousseau")
        self.assertEqual(self.entry("/feed/", "Sans auteur").author, "Camille Rousseau")
        # A post with authors names them, not the site's author.
        self.assertEqual(self.entry("/feed/", "In English").author, "Zoé Martin")

    def test_the_site_language_decides_an_entry_own_language(self):
        rss = self.get("/feed/")
        self.assertIn(b"<dc:language>en</dc:language>", rss)
        SiteIdentity.objects.create(site_language="en")
        rss = self.get("/feed/")
        self.assertIn(b"<language>en</language>", rss)
        self.assertNotIn(b"<dc:language>", rss)

    @override_settings(ALLOWED_HOSTS=["testserver", "blog.example.org"])
    def test_absolute_addresses_follow_the_host_and_scheme_asked(self):
        self.get("/feed/")
        entry = self.entry("/feed/", "Une carrière à deux", HTTP_HOST="blog.example.org")
        self.assertEqual(entry.link, "http://blog.example.org/blog/une-carriere-a-deux/")
        self.assertIn('href="http://blog.example.org/blog/"', entry.content[0].value)
        entry = self.entry("/feed/", "Photo du bureau", secure=True)
        self.assertTrue(entry.link.startswith("https://testserver/"))
        self.assertTrue(entry.enclosures[0].href.startswith("https://testserver/media/"))

    def test_an_enclosure_not_resolved_yet_is_not_remembered(self):
        """A featured image whose file cannot be read yet: the entry goes without enclosure
        and is written again next time, with it once the file is there."""
        name = self.pictured.image.name
        content = default_storage.open(name).read()
        default_storage.delete(name)
        renditions.forget()  # a new process: the picture was never resolved
        cache.clear()
        entry = self.entry("/feed/", "Photo du bureau")
        self.assertEqual(entry.enclosures, [])
        self.assertEqual(feed_entries.count(), 3)
        default_storage.save(name, ContentFile(content))
        entry = self.entry("/feed/", "Photo du bureau")
        self.assertEqual(len(entry.enclosures), 1)
        self.assertEqual(entry.enclosures[0].type, "image/jpeg")
        self.assertIn("/media/renditions/", entry.enclosures[0].href)
        self.assertEqual(feed_entries.count(), 4)


class PublicationTests(FeedEntriesCase):
    def test_drafts_and_scheduled_posts_never_appear_until_published(self):
        for url in [*FEEDS.values()]:
            self.assertNotIn("caché".encode(), self.get(url), url)
        with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
            for url in ("/feed/", "/feed/atom/", "/tags/freelance/feed/"):
                xml = self.get(url)
                self.assertIn("Programmé caché".encode(), xml, url)
                self.assertNotIn("Brouillon caché".encode(), xml, url)
            self.assertIn("Programmé caché".encode(), self.get("/auteurs/zoe-martin/feed/"))


class CostTests(FeedEntriesCase):
    def test_queries_are_the_same_written_or_remembered_with_few_posts_or_many(self):
        """The state, the posts (bodies along), their tags, their authors: four queries, and
        the tag's and author's feeds their row and whether it has a published post."""
        budgets = {"/feed/": 4, "/feed/atom/": 4, "/tags/freelance/feed/": 6}
        budgets["/auteurs/zoe-martin/feed/"] = 6
        for url, budget in budgets.items():
            with self.subTest(url=url, posts="few"):
                self.assertEqual(count_queries(self.client, url), budget)  # written
                self.assertEqual(count_queries(self.client, url), budget)  # remembered
        for n in range(30):
            post = make_post(title=f"Article {n}", tags=["freelance", f"sujet-{n}"])
            post.set_authors([self.zoe, self.marc] if n % 2 else [self.zoe])
        for url, budget in budgets.items():
            with self.subTest(url=url, posts="many"):
                self.assertEqual(count_queries(self.client, url), budget)
                self.assertEqual(count_queries(self.client, url), budget)

    def test_remembered_entries_are_bounded(self):
        for n in range(30):
            make_post(title=f"Article {n}", tags=["freelance"])
        with mock.patch.object(feed_entries._entries, "size", 5):
            rss = feedparser.parse(self.get("/feed/"))
            self.assertEqual(feed_entries.count(), 5)
            again = feedparser.parse(self.get("/feed/"))
            self.assertEqual(feed_entries.count(), 5)
        self.assertEqual(len(rss.entries), 20)
        self.assertEqual(
            [(e.title, e.summary, e.content[0].value) for e in again.entries],
            [(e.title, e.summary, e.content[0].value) for e in rss.entries],
        )
