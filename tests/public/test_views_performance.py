"""Fast by construction: a fixed number of queries per page, and 304 on conditional requests."""

import datetime as dt
import re

import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date

from blog.models import Post
from tests.support.factories import make_post
from tests.support.site import add_hidden_posts, add_posts, count_queries

# Page -> the queries it may run (the same with 3 posts and with 300).
BUDGETS = {
    "/": 4,
    "/blog/": 4,  # its paginator's count is the public state's (issue 13)
    "/blog/article-numero-1/": 7,  # + the post's authors (rel="author", JSON-LD; issue 15)
    "/tags/": 2,
    # Its count from the tag counts kept per state of the site (/tags/, measured before it,
    # keeps them; one query more where none is kept yet).
    "/tags/commun/": 4,
    "/archive/{year}/": 8,
    # Not Django's list of the month's days with posts (no page shows it).
    "/archive/{year}/{month}/": 3,
    # PostgreSQL: + the ten results' texts, to give ts_headline each one's passage only.
    "/search/?q=article": 6 if connection.vendor == "postgresql" else 5,
    "/feed/": 4,  # + the items' authors (issue 15), and the same in the two below
    "/feed/atom/": 4,
    "/tags/commun/feed/": 6,
    # An index, then a file per section (issue 13): the index reads the state only (the
    # posts' count), the tags' and the archive's lists are kept per state of the site.
    "/sitemap.xml": 2,
    "/sitemap-posts.xml": 2,
    "/sitemap-tags.xml": 2,
    "/sitemap-archives.xml": 2,
    "/sitemap-authors.xml": 3,
    "/sitemap-pages.xml": 3,
}


class QueryBudgetTests(TestCase):
    def measure(self) -> dict[str, int]:
        shown = timezone.localtime(Post.objects.published().get(slug="article-numero-1").pub_date)
        return {
            url: count_queries(self.client, url.format(year=shown.year, month=f"{shown.month:02d}"))
            for url in BUDGETS
        }

    def test_queries_do_not_grow_with_posts_or_tags(self):
        """Each page type runs a fixed number of queries, with 3 posts as with 300."""
        add_posts(3, with_image_every=2)
        add_hidden_posts()
        few = self.measure()
        add_posts(297, start=3, with_image_every=50)
        many = self.measure()
        self.assertEqual(few, many)
        for url, budget in BUDGETS.items():
            self.assertLessEqual(many[url], budget, url)

    def test_an_archive_costs_the_same_with_or_without_a_year_before_it(self):
        """Early in a year, the year before may have posts or not: the page costs the same.

        (The previous/next year lookups once prefetched tags, a query only when a post was
        found: the budget test failed on 28 March 2027, not on a November day.)
        """
        when = dt.datetime(2028, 3, 1, tzinfo=dt.UTC)
        with time_machine.travel(when, tick=False):
            make_post(title="Janvier", tags=["a"], pub_date=dt.datetime(2027, 1, 10, tzinfo=dt.UTC))
            alone = count_queries(self.client, "/archive/2027/")
            alone_month = count_queries(self.client, "/archive/2027/01/")
            make_post(title="Avant", tags=["b"], pub_date=dt.datetime(2026, 6, 10, tzinfo=dt.UTC))
            make_post(title="Après", tags=["c"], pub_date=dt.datetime(2028, 2, 10, tzinfo=dt.UTC))
            self.assertEqual(count_queries(self.client, "/archive/2027/"), alone)
            self.assertEqual(count_queries(self.client, "/archive/2027/01/"), alone_month)

    def test_not_found_page_has_a_fixed_cost(self):
        add_posts(3)
        few = count_queries(self.client, "/nulle-part/", status=404)
        add_posts(30, start=3)
        self.assertEqual(count_queries(self.client, "/nulle-part/", status=404), few)


class ListCountTests(TestCase):
    """The post list and a tag page count their posts without a COUNT query: the list from the
    public state, a tag page from the tag counts kept per state of the site (issue 13). The
    pages, their count and their 404s are what a COUNT gave."""

    def setUp(self):
        cache.clear()  # per-state values kept by another test at this same frozen instant
        self.now = dt.datetime(2027, 5, 4, 10, 0, tzinfo=dt.UTC)
        self.enterContext(time_machine.travel(self.now, tick=False))
        add_posts(12)
        add_hidden_posts()

    def test_no_count_query(self):
        paginator_count = re.compile(r"^SELECT COUNT\(\*\)")
        self.client.get("/tags/")  # keeps the tag counts, as any visit of the tag index does
        for url in ("/blog/", "/blog/?page=2", "/tags/commun/", "/tags/commun/?page=2"):
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(url)
            with self.subTest(url=url):
                self.assertEqual(response.status_code, 200)
                counts = [q["sql"] for q in queries if paginator_count.match(q["sql"])]
                self.assertEqual(counts, [])
        self.assertContains(self.client.get("/tags/commun/"), "12 articles avec l'étiquette")
        self.assertEqual(len(self.client.get("/blog/?page=2").context["post_list"]), 2)
        self.assertEqual(self.client.get("/blog/?page=3").status_code, 404)
        self.assertEqual(self.client.get("/tags/commun/?page=3").status_code, 404)
        self.assertEqual(self.client.get("/tags/secret/").status_code, 404)

    def test_a_scheduled_post_going_live_is_counted(self):
        """No write when its time comes: the state's count and the kept tag counts follow."""
        make_post(
            title="Bientôt", tags=["commun", "nouveau"], pub_date=self.now + dt.timedelta(hours=1)
        )
        self.assertEqual(self.client.get("/tags/nouveau/").status_code, 404)
        self.assertContains(self.client.get("/tags/commun/"), "12 articles avec l'étiquette")
        with time_machine.travel(self.now + dt.timedelta(hours=2), tick=False):
            self.assertContains(self.client.get("/tags/nouveau/"), "1 article avec l'étiquette")
            self.assertContains(self.client.get("/tags/commun/"), "13 articles avec l'étiquette")
            self.assertEqual(len(self.client.get("/blog/?page=2").context["post_list"]), 3)


class ConditionalRequestTests(TestCase):
    def setUp(self):
        self.post = make_post(title="Cache")

    def test_pages_send_validators_and_answer_304(self):
        for url in ["/", "/blog/", "/blog/cache/", "/tags/", "/feed/", "/sitemap.xml"]:
            response = self.client.get(url)
            self.assertIn("ETag", response.headers, url)
            self.assertIn("Last-Modified", response.headers, url)
            again = self.client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
            self.assertEqual(again.status_code, 304, url)
            self.assertEqual(again.content, b"")
            since = self.client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
            self.assertEqual(since.status_code, 304, url)

    def test_304_costs_a_single_query(self):
        etag = self.client.get("/").headers["ETag"]
        with self.assertNumQueries(1):
            self.assertEqual(self.client.get("/", HTTP_IF_NONE_MATCH=etag).status_code, 304)

    def test_an_edit_changes_the_validators(self):
        response = self.client.get("/blog/cache/")
        self.post.title = "Cache modifié"
        self.post.save()
        again = self.client.get("/blog/cache/", HTTP_IF_NONE_MATCH=response["ETag"])
        self.assertEqual(again.status_code, 200)
        self.assertContains(again, "Cache modifié")

    def test_a_deletion_changes_the_etag(self):
        other = make_post(title="Autre")
        etag = self.client.get("/").headers["ETag"]
        other.delete()
        self.assertEqual(self.client.get("/", HTTP_IF_NONE_MATCH=etag).status_code, 200)

    def test_a_scheduled_post_going_live_changes_the_etag(self):
        import datetime as dt

        from django.utils import timezone

        soon = make_post(title="Bientôt", pub_date=timezone.now() + dt.timedelta(hours=1))
        response = self.client.get("/")
        # Its time comes (no write to the post, no cron).
        Post.objects.filter(pk=soon.pk).update(pub_date=timezone.now() - dt.timedelta(seconds=1))
        again = self.client.get("/", HTTP_IF_NONE_MATCH=response["ETag"])
        self.assertEqual(again.status_code, 200)
        self.assertContains(again, "Bientôt")

    def test_an_old_if_modified_since_gets_the_page(self):
        response = self.client.get("/", HTTP_IF_MODIFIED_SINCE=http_date(0))
        self.assertEqual(response.status_code, 200)


@override_settings(CARNET_PAGE_CACHE_SECONDS=60)
class PageCacheTests(TestCase):
    def setUp(self):
        from django.core.cache import cache

        cache.clear()
        self.post = make_post(title="Gardé")

    def test_a_page_is_rendered_once_per_state_of_the_site(self):
        first = self.client.get("/blog/garde/")
        with self.assertNumQueries(1):
            again = self.client.get("/blog/garde/")
        self.assertEqual(again.content, first.content)

    def test_an_edit_is_seen_at_once(self):
        self.client.get("/")
        self.post.title = "Gardé puis modifié"
        self.post.save()
        self.assertContains(self.client.get("/"), "Gardé puis modifié")

    def test_staff_pages_are_never_taken_from_the_cache(self):
        from tests.support.factories import make_staff

        make_post(title="Brouillon", status=Post.Status.DRAFT)
        self.client.get("/blog/brouillon/")  # anonymous: 404, not kept
        self.client.force_login(make_staff())
        self.assertContains(self.client.get("/blog/brouillon/"), "Brouillon : seule")

    def test_not_found_pages_are_not_kept(self):
        self.assertEqual(self.client.get("/blog/pas-encore/").status_code, 404)
        make_post(title="Pas encore")
        self.assertEqual(self.client.get("/blog/pas-encore/").status_code, 200)
