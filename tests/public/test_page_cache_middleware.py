"""Kept pages are served by PageCacheMiddleware, before sessions, auth and the views: a hit
is byte for byte and header for header the page the whole stack answers, in one query."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client, TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.support.factories import make_post, make_staff
from tests.support.site import add_posts

PAGES = {
    "home": "/",
    "list-page-2": "/blog/?page=2",
    "post": "/blog/le-billet-garde/",
    "tag": "/tags/commun/",
    "feed": "/feed/",
    # A file of the sitemap (its index, /sitemap.xml, reads the state alone: nothing to tell a
    # hit from a render by their queries).
    "sitemap": "/sitemap-posts.xml",
}


def seen(response) -> tuple:
    """What a reader gets: the status, the body and every header."""
    return response.status_code, response.content, sorted(response.headers.items())


@override_settings(CARNET_PAGE_CACHE_SECONDS=600)
class PageCacheMiddlewareTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        add_posts(25)
        make_post(title="Le billet gardé", slug="le-billet-garde", tags=["commun"])

    def setUp(self):
        cache.clear()
        self.reader = Client()

    def get(self, url, **headers):
        with CaptureQueriesContext(connection) as queries:
            response = self.reader.get(url, headers=headers)
        return response, len(queries)

    def test_a_hit_is_the_page_the_whole_stack_answers_in_one_query(self):
        for name, url in PAGES.items():
            with self.subTest(name):
                with override_settings(CARNET_PAGE_CACHE_SECONDS=0):
                    uncached, _ = self.get(url)
                first, first_queries = self.get(url)
                hit, hit_queries = self.get(url)
                self.assertEqual(uncached.status_code, 200)
                self.assertEqual(seen(hit), seen(uncached))
                self.assertEqual(seen(hit), seen(first))
                self.assertEqual(hit_queries, 1)
                self.assertGreater(first_queries, 1)
                # Neither the session, auth nor the view ran: no session, no user, no template.
                self.assertTrue(hasattr(first.wsgi_request, "session"))
                self.assertFalse(hasattr(hit.wsgi_request, "session"))
                self.assertFalse(hasattr(hit.wsgi_request, "user"))
                self.assertEqual(hit.templates, [])

    def test_a_304_is_the_one_the_whole_stack_answers_in_one_query(self):
        for name, url in PAGES.items():
            with self.subTest(name):
                page, _ = self.get(url)
                for validator in (
                    {"If-None-Match": page["ETag"]},
                    {"If-Modified-Since": page["Last-Modified"]},
                ):
                    cache.clear()
                    first, _ = self.get(url, **validator)
                    again, queries = self.get(url, **validator)
                    self.assertEqual(first.status_code, 304)
                    self.assertEqual(seen(again), seen(first))
                    self.assertEqual(queries, 1)
                    self.assertFalse(hasattr(again.wsgi_request, "session"))

    def test_a_stale_validator_gets_the_page(self):
        self.get("/")
        hit, queries = self.get("/", **{"If-None-Match": '"ancien"'})
        self.assertEqual(hit.status_code, 200)
        self.assertEqual(queries, 1)

    def test_head_is_served_from_the_kept_page(self):
        page, _ = self.get("/")
        with CaptureQueriesContext(connection) as queries:
            head = self.reader.head("/")
        self.assertEqual(len(queries), 1)
        self.assertEqual(head.status_code, 200)
        self.assertEqual(head.content, b"")
        self.assertEqual(sorted(head.headers.items()), sorted(page.headers.items()))

    def test_a_saved_post_is_a_miss(self):
        post = make_post(title="Bientôt modifié", tags=["commun"])
        before, _ = self.get("/")
        post.title = "Titre tout neuf"
        post.save()
        after, queries = self.get("/")
        self.assertGreater(queries, 1)
        self.assertNotEqual(before["ETag"], after["ETag"])
        self.assertContains(after, "Titre tout neuf")

    def test_a_scheduled_post_going_live_is_a_miss(self):
        """No write at all: the state query's cut-off is the time of each request."""
        when = timezone.now() + dt.timedelta(hours=2)
        make_post(title="Publié tout seul", pub_date=when, tags=["commun"])
        before, _ = self.get("/")
        self.assertNotContains(before, "Publié tout seul")
        with time_machine.travel(when + dt.timedelta(minutes=1), tick=False):
            after, queries = self.get("/")
        self.assertGreater(queries, 1)
        self.assertNotEqual(before["ETag"], after["ETag"])
        self.assertContains(after, "Publié tout seul")

    def test_other_query_strings_are_never_served_from_the_kept_page(self):
        self.get("/")
        self.get("/?x=1")
        other, queries = self.get("/?x=1")
        self.assertEqual(other.status_code, 200)
        self.assertGreater(queries, 1)
        self.assertTrue(hasattr(other.wsgi_request, "session"))

    def test_staff_never_get_a_kept_page(self):
        self.get("/blog/le-billet-garde/")
        editor = Client()
        editor.force_login(make_staff())
        page = editor.get("/blog/le-billet-garde/")
        self.assertEqual(page.status_code, 200)
        self.assertIn("no-store", page["Cache-Control"])
        self.assertTrue(page.wsgi_request.user.is_staff)

    def test_an_address_the_stack_redirects_is_not_served(self):
        self.get("/blog/le-billet-garde/")
        for _ in range(2):
            moved, _ = self.get("/blog/le-billet-garde")
            self.assertEqual(moved.status_code, 301)
            self.assertEqual(moved["Location"], "/blog/le-billet-garde/")
            missing, _ = self.get("/blog/introuvable/")
            self.assertEqual(missing.status_code, 404)

    def test_a_host_not_allowed_is_still_refused(self):
        self.get("/")
        refused = self.reader.get("/", headers={"Host": "evil.example"})
        self.assertEqual(refused.status_code, 400)
