"""/sitemap.xml lists exactly the public pages; /robots.txt points at it."""

import datetime as dt
import xml.etree.ElementTree as ET

from django.test import TestCase

from blog.models import Post
from tests.support.factories import make_post
from tests.support.site import add_hidden_posts, sitemap_entries, sitemap_files

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
        return sitemap_entries(self.client)

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


class SitemapIndexTests(TestCase):
    """/sitemap.xml is an index of files; the posts come by thousands, each file as cheap."""

    @classmethod
    def setUpTestData(cls):
        now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        # Rows as the importer's batches write them (save() is not what is tested here).
        Post.objects.bulk_create(
            Post(
                title=f"Article {n}",
                slug=f"article-{n}",
                body="x",
                body_html="<p>x</p>",
                status=Post.Status.PUBLISHED,
                pub_date=now - dt.timedelta(hours=n),
            )
            for n in range(1001)
        )
        add_hidden_posts()

    def test_the_index_lists_a_file_per_section_and_per_thousand_posts(self):
        files = sitemap_files(self.client)
        self.assertEqual(
            sorted(files),
            [
                "/sitemap-archives.xml",
                "/sitemap-authors.xml",
                "/sitemap-pages.xml",
                "/sitemap-posts-2.xml",
                "/sitemap-posts.xml",
                "/sitemap-static.xml",
                "/sitemap-tags.xml",
                "/sitemap.xml",
            ],
        )
        newest_first = [f"http://testserver/blog/article-{n}/" for n in range(1001)]
        posts = [
            loc.text
            for address in ("/sitemap-posts.xml", "/sitemap-posts-2.xml")
            for loc in ET.fromstring(files[address]).findall("s:url/s:loc", NS)
        ]
        self.assertEqual(posts, newest_first)
        self.assertNotIn(b"secret", b"".join(files.values()))

    def test_no_page_past_the_end_nor_a_second_address_for_the_first(self):
        for address in ["/sitemap-posts-3.xml", "/sitemap-posts-1.xml", "/sitemap-nulle.xml"]:
            self.assertEqual(self.client.get(address).status_code, 404, address)

    def test_each_file_costs_the_same_queries(self):
        """No count of the posts (the state's), no lastmod over every post (Django's index)."""
        with self.assertNumQueries(2):  # the state, the page of posts
            self.client.get("/sitemap-posts-2.xml")
        self.client.get("/sitemap.xml")  # the tags' counts, kept from then on
        with self.assertNumQueries(1):  # the state only
            self.client.get("/sitemap.xml")

    def test_a_missing_file_says_so_in_french(self):
        response = self.client.get("/sitemap-posts-3.xml")
        self.assertContains(response, "Aucun plan du site à cette adresse.", status_code=404)
