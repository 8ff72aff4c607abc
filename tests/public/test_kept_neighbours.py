"""A post's neighbours and related posts, and an archive's neighbouring periods, are kept per
state of the site (issue 13): a page seen again makes none of their queries, and any change
that moves them is seen at once."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.core.cache import cache
from django.test import TestCase

from blog.models import Post
from blog.templatetags import fragments
from tests.public.test_query_plans import page_queries
from tests.support.factories import make_post

NOW = dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC)
NEIGHBOUR_SQL = (
    'ORDER BY "blog_post"."pub_date" DESC, "blog_post"."id" DESC LIMIT 1',
    'AS "shared"',
)


def neighbour_queries(client, url: str) -> list[str]:
    return [q for q in page_queries(client, url) if any(part in q for part in NEIGHBOUR_SQL)]


def period_queries(client, url: str) -> list[str]:
    """Django's lookups of the previous and next periods with posts."""
    ends = ('"pub_date" DESC LIMIT 1', '"pub_date" ASC LIMIT 1')
    return [q for q in page_queries(client, url) if q.endswith(ends)]


class PostNeighboursKeptTests(TestCase):
    def setUp(self):
        cache.clear()
        self.clock = time_machine.travel(NOW, tick=False)
        self.now = self.clock.start()
        self.addCleanup(self.clock.stop)
        make_post(title="Avant", tags=["commun"], pub_date=NOW - dt.timedelta(days=9))
        make_post(title="Sujet", tags=["commun"], pub_date=NOW - dt.timedelta(days=5))
        self.after = make_post(title="Après", tags=["commun"], pub_date=NOW - dt.timedelta(days=1))

    def test_a_page_seen_again_makes_no_neighbour_query(self):
        first = page_queries(self.client, "/blog/sujet/")
        self.assertEqual(len(neighbour_queries(self.client, "/blog/sujet/")), 0)
        again = page_queries(self.client, "/blog/sujet/")
        # previous, next and the related ranking: three queries fewer
        self.assertEqual(len(again), len(first) - 3)
        response = self.client.get("/blog/sujet/")
        self.assertContains(response, '<a rel="prev" href="/blog/avant/">Avant</a>', html=True)
        self.assertContains(response, '<a rel="next" href="/blog/apres/">Après</a>', html=True)

    def test_a_renamed_neighbour_shows_at_once(self):
        self.client.get("/blog/sujet/")
        self.now.shift(dt.timedelta(minutes=1))  # an edit is later than the page it changes
        self.after.title = "Après, revu"
        self.after.save()
        response = self.client.get("/blog/sujet/")
        next_link = '<a rel="next" href="/blog/apres/">Après, revu</a>'
        self.assertContains(response, next_link, html=True)
        self.assertContains(response, '<a href="/blog/apres/">Après, revu</a>')

    def test_an_unpublished_neighbour_goes_at_once(self):
        self.client.get("/blog/sujet/")
        self.now.shift(dt.timedelta(minutes=1))
        self.after.status = Post.Status.DRAFT
        self.after.save()
        response = self.client.get("/blog/sujet/")
        self.assertIsNone(response.context["next_post"])
        self.assertNotContains(response, "Après")

    def test_a_scheduled_post_becomes_the_next_one_when_it_goes_live(self):
        make_post(title="Programmé", tags=["commun"], pub_date=NOW + dt.timedelta(hours=2))
        response = self.client.get("/blog/apres/")
        self.assertIsNone(response.context["next_post"])
        self.assertNotContains(response, "Programmé")
        self.clock.stop()
        with time_machine.travel(NOW + dt.timedelta(hours=3), tick=False):
            response = self.client.get("/blog/apres/")
        self.clock.start()
        self.assertContains(
            response, '<a rel="next" href="/blog/programme/">Programmé</a>', html=True
        )


class ArchiveNeighboursKeptTests(TestCase):
    def setUp(self):
        cache.clear()
        self.clock = time_machine.travel(NOW, tick=False)
        self.clock.start()
        self.addCleanup(self.clock.stop)
        # 23:30 UTC on 31 December is already the new year in Paris: its archive is 2024's.
        make_post(title="Réveillon", pub_date=dt.datetime(2023, 12, 31, 23, 30, tzinfo=dt.UTC))
        make_post(title="Été", pub_date=dt.datetime(2026, 3, 10, tzinfo=dt.UTC))
        make_post(title="Brouillon", status=Post.Status.DRAFT,
                  pub_date=dt.datetime(2025, 5, 1, tzinfo=dt.UTC))  # fmt: skip
        make_post(title="Programmé", pub_date=dt.datetime(2027, 2, 1, tzinfo=dt.UTC))

    def test_years_link_to_the_nearest_years_with_published_posts(self):
        response = self.client.get("/archive/2026/")
        self.assertContains(response, '<a href="/archive/2024/">← 2024</a>', html=True)
        self.assertNotContains(response, "/archive/2027/")  # scheduled: not yet
        response = self.client.get("/archive/2024/")
        self.assertContains(response, '<a href="/archive/2026/">2026 →</a>', html=True)
        self.assertNotContains(response, "/archive/2023/")

    def test_months_link_to_the_nearest_months_with_published_posts(self):
        response = self.client.get("/archive/2026/03/")
        self.assertContains(response, '<a href="/archive/2024/01/">← janvier 2024</a>', html=True)
        self.assertIsNone(response.context["next_month"])
        response = self.client.get("/archive/2024/01/")
        self.assertContains(response, '<a href="/archive/2026/03/">mars 2026 →</a>', html=True)
        self.assertIsNone(response.context["previous_month"])

    def test_the_neighbouring_years_cost_no_query(self):
        self.assertEqual(period_queries(self.client, "/archive/2026/"), [])
        self.assertEqual(period_queries(self.client, "/archive/2026/03/"), [])

    def test_a_post_published_in_between_shows_at_once(self):
        self.client.get("/archive/2026/")
        make_post(title="Entre-deux", pub_date=dt.datetime(2025, 7, 1, tzinfo=dt.UTC))
        response = self.client.get("/archive/2026/")
        self.assertContains(response, '<a href="/archive/2025/">← 2025</a>', html=True)
        response = self.client.get("/archive/2026/03/")
        self.assertContains(response, '<a href="/archive/2025/07/">← juillet 2025</a>', html=True)

    def test_a_new_month_shows_in_its_year_at_once(self):
        fragments.forget()
        response = self.client.get("/archive/2026/")
        self.assertContains(response, '<a href="/archive/2026/03/">mars</a>', html=True)
        self.assertNotContains(response, "/archive/2026/05/")
        make_post(title="Mai", pub_date=dt.datetime(2026, 5, 2, tzinfo=dt.UTC))
        response = self.client.get("/archive/2026/")
        self.assertContains(response, '<a href="/archive/2026/05/">mai</a>', html=True)
        self.assertContains(response, '<a href="/archive/2026/03/">mars</a>', html=True)

    def test_a_scheduled_year_appears_when_its_post_goes_live(self):
        self.client.get("/archive/2026/")
        self.clock.stop()
        with time_machine.travel(dt.datetime(2027, 2, 2, tzinfo=dt.UTC), tick=False):
            response = self.client.get("/archive/2026/")
        self.clock.start()
        self.assertContains(response, '<a href="/archive/2027/">2027 →</a>', html=True)


class ArchiveCountsKeptTests(TestCase):
    """A year's or a month's number of posts comes from the kept months: no COUNT, no EXISTS."""

    def setUp(self):
        cache.clear()
        self.clock = time_machine.travel(NOW, tick=False)
        self.now = self.clock.start()
        self.addCleanup(self.clock.stop)
        for day in range(1, 12):  # 11 posts in March 2026: two pages of ten
            make_post(title=f"Mars {day}", pub_date=dt.datetime(2026, 3, day, 9, tzinfo=dt.UTC))
        make_post(title="Caché", status=Post.Status.DRAFT,
                  pub_date=dt.datetime(2026, 3, 20, tzinfo=dt.UTC))  # fmt: skip

    def counting_queries(self, url: str) -> list[str]:
        return [q for q in page_queries(self.client, url)
                if q.startswith(("SELECT COUNT(*)", 'SELECT 1 AS "a"'))]  # fmt: skip

    def test_a_period_is_paginated_without_counting(self):
        for url in ("/archive/2026/", "/archive/2026/03/"):
            with self.subTest(url=url):
                self.client.get(url)  # the months kept
                self.assertEqual(self.counting_queries(url), [])
                self.assertEqual(len(self.client.get(url).context["object_list"]), 10)
                self.assertContains(self.client.get(f"{url}?page=2"), "Mars 1<")
                self.assertEqual(self.client.get(f"{url}?page=3").status_code, 404)
                self.assertNotContains(self.client.get(f"{url}?page=2"), "Caché")

    def test_a_post_published_or_withdrawn_changes_the_pages_at_once(self):
        self.client.get("/archive/2026/?page=2")
        self.now.shift(dt.timedelta(minutes=1))
        Post.objects.filter(title="Mars 11").update(status=Post.Status.DRAFT)
        self.assertEqual(self.client.get("/archive/2026/?page=2").status_code, 404)
        self.now.shift(dt.timedelta(minutes=1))
        Post.objects.filter(title="Caché").update(status=Post.Status.PUBLISHED)
        response = self.client.get("/archive/2026/03/?page=2")
        self.assertContains(response, "Mars 1<")
        self.assertEqual(self.client.get("/archive/2025/").status_code, 404)
