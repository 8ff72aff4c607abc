"""/sitemap.xml lists exactly the public pages; /robots.txt points at it."""

import datetime as dt
import xml.etree.ElementTree as ET

from django.test import TestCase

from blog.models import Post
from tests.support.factories import make_post
from tests.support.site import add_hidden_posts

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


class SitemapTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_post(title="Mai", tags=["php"], pub_date=dt.datetime(2020, 5, 23, tzinfo=dt.UTC))
        make_post(
            title="Juin", tags=["php", "web"], pub_date=dt.datetime(2021, 6, 2, tzinfo=dt.UTC)
        )
        add_hidden_posts()

    def entries(self) -> dict[str, str | None]:
        response = self.client.get("/sitemap.xml")
        self.assertEqual(response.status_code, 200)
        root = ET.fromstring(response.content)
        return {
            url.find("s:loc", NS).text: getattr(url.find("s:lastmod", NS), "text", None)
            for url in root.findall("s:url", NS)
        }

    def test_posts_match_the_published_posts_with_lastmod(self):
        entries = self.entries()
        posts = {f"http://testserver{p.get_absolute_url()}": p for p in Post.objects.published()}
        listed = {loc for loc in entries if "/blog/" in loc and loc != "http://testserver/blog/"}
        self.assertEqual(listed, set(posts))
        for loc, post in posts.items():
            # A W3C datetime with its offset: the same instant whatever the zone or the hour.
            lastmod = dt.datetime.fromisoformat(entries[loc])
            self.assertIsNotNone(lastmod.utcoffset(), entries[loc])
            self.assertEqual(lastmod, max(post.updated, post.pub_date).replace(microsecond=0))

    def test_home_tags_and_archives(self):
        entries = self.entries()
        for path in ["/", "/blog/", "/tags/", "/tags/php/", "/tags/web/", "/archive/2020/",
                     "/archive/2020/05/", "/archive/2021/06/"]:  # fmt: skip
            self.assertIn(f"http://testserver{path}", entries)

    def test_nothing_hidden_leaks(self):
        entries = " ".join(self.entries())
        self.assertNotIn("secret", entries)
        self.assertNotIn("/tags/commun/", entries)


class RobotsTests(TestCase):
    def test_robots_points_at_the_sitemap_and_keeps_admin_out(self):
        response = self.client.get("/robots.txt")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/plain")
        lines = response.content.decode().splitlines()
        self.assertIn("Disallow: /admin/", lines)
        self.assertIn("Sitemap: http://testserver/sitemap.xml", lines)
