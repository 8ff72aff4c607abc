"""RSS and Atom feeds, read by feedparser as a feed reader would."""

import datetime as dt
from urllib.parse import urljoin

import feedparser
from django.conf import settings
from django.core.files.storage import default_storage
from django.test import TestCase
from django.utils import timezone

from blog.models import Post, SiteIdentity
from tests.support.factories import make_image, make_post
from tests.support.site import add_hidden_posts


class FeedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.post = make_post(
            title="Le Début d'une Carrière",
            description="Se lancer",
            body="Voir [la liste](/blog/autre/) et ![photo](/media/x.jpg).\n\n"
            "<script>alert(1)</script>",
            tags=["freelancing", "carrière"],
            pub_date=dt.datetime(2020, 5, 23, 11, 37, tzinfo=dt.UTC),
        )
        make_post(title="Autre", tags=["php"])
        add_hidden_posts()

    def parse(self, url):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        feed = feedparser.parse(response.content)
        self.assertFalse(feed.bozo, feed.get("bozo_exception"))
        return response, feed

    def test_rss_has_full_sanitized_content_with_absolute_urls(self):
        response, feed = self.parse("/feed/")
        self.assertEqual(feed.version, "rss20")
        self.assertEqual(feed.feed.title, "Carnet")
        entry = next(e for e in feed.entries if e.title == "Le Début d'une Carrière")
        self.assertEqual(entry.link, "http://testserver/blog/le-debut-dune-carriere/")
        self.assertEqual(entry.summary, "Se lancer")
        content = entry.content[0].value
        self.assertIn('href="http://testserver/blog/autre/"', content)
        self.assertIn('src="http://testserver/media/x.jpg"', content)
        self.assertNotIn("<script", content)
        self.assertEqual({t.term for t in entry.tags}, {"freelancing", "carrière"})
        self.assertEqual(entry.published_parsed[:3], (2020, 5, 23))

    def test_feeds_carry_the_identity_edited_in_the_admin(self):
        SiteIdentity.objects.create(
            site_name="Zoé Martin, développeuse",
            tagline="Sites WordPress",
            author_name="Zoé Martin",
        )
        _, rss = self.parse("/feed/")
        self.assertEqual(rss.feed.title, "Zoé Martin, développeuse")
        self.assertEqual(rss.feed.subtitle, "Sites WordPress")
        _, atom = self.parse("/feed/atom/")
        self.assertEqual(atom.feed.author, "Zoé Martin")
        _, tag_feed = self.parse("/tags/freelancing/feed/")
        self.assertTrue(tag_feed.feed.title.startswith("Zoé Martin"))

    def test_atom_feed(self):
        _, feed = self.parse("/feed/atom/")
        self.assertEqual(feed.version, "atom10")
        entry = next(e for e in feed.entries if e.title == "Le Début d'une Carrière")
        self.assertIn("la liste", entry.content[0].value)
        self.assertEqual({t.term for t in entry.tags}, {"freelancing", "carrière"})

    def test_drafts_and_scheduled_posts_never_in_feeds(self):
        for url in ["/feed/", "/feed/atom/", "/tags/freelancing/feed/"]:
            _, feed = self.parse(url)
            self.assertFalse([e for e in feed.entries if "secret" in e.title], url)

    def test_tag_feed(self):
        _, feed = self.parse("/tags/carriere/feed/")
        self.assertEqual([e.title for e in feed.entries], ["Le Début d'une Carrière"])
        self.assertIn("carrière", feed.feed.title)
        self.assertEqual(self.client.get("/tags/secret/feed/").status_code, 404)
        self.assertEqual(self.client.get("/tags/inconnue/feed/").status_code, 404)

    def test_featured_image_is_an_enclosure(self):
        make_post(title="Photo", image=make_image(size=(1600, 1000)), image_alt="Un bureau")
        _, feed = self.parse("/feed/")
        entry = next(e for e in feed.entries if e.title == "Photo")
        enclosure = entry.enclosures[0]
        self.assertEqual(enclosure.type, "image/jpeg")
        media = urljoin("http://testserver/", settings.MEDIA_URL)  # the site's, or a bucket's
        self.assertTrue(enclosure.href.startswith(f"{media}renditions/"), enclosure.href)
        name = enclosure.href.removeprefix(media)
        self.assertEqual(int(enclosure.length), default_storage.size(name))

    def test_every_page_advertises_the_feeds(self):
        for url in ["/", "/blog/", "/tags/", "/blog/autre/"]:
            response = self.client.get(url)
            self.assertContains(
                response,
                '<link rel="alternate" type="application/rss+xml" title="Carnet (RSS)" '
                'href="/feed/">',
                html=True,
            )
            self.assertContains(response, 'type="application/atom+xml"')
        self.assertContains(self.client.get("/tags/php/"), 'href="/tags/php/feed/"')

    def test_scheduled_post_enters_the_feed_when_its_time_comes(self):
        soon = make_post(title="Plus tard", pub_date=timezone.now() + dt.timedelta(minutes=5))
        _, feed = self.parse("/feed/")
        self.assertNotIn("Plus tard", [e.title for e in feed.entries])
        Post.objects.filter(pk=soon.pk).update(pub_date=timezone.now() - dt.timedelta(seconds=1))
        _, feed = self.parse("/feed/")
        self.assertIn("Plus tard", [e.title for e in feed.entries])
