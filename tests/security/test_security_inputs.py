"""Hostile query strings and paths on every public address: never a 500.

A page number that is not a plain positive ASCII number is a 404 on a list (the reader asked
for a page that does not exist) and is ignored everywhere else (the canonical address, pages
that have no pagination). ``"²".isdigit()`` is True but ``int("²")`` raises: the classic trap.
"""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.test import TestCase
from django.utils import timezone

from blog.models import Page
from tests.support.factories import make_post

# Each is appended to an address after "?".
HOSTILE_QUERIES = [
    "page=%C2%B2",  # ² : isdigit() accepts it, int() refuses it
    "page=%D9%A3",  # Arabic-Indic three: int() accepts it, it is still not our page number
    "page=-1",
    "page=0",
    "page=1e9",
    "page=99999999999999999999999",
    "page=%00",
    "page=1%00",
    "page=%ff%fe",
    "page=2&page=%C2%B2",
    "page=%C2%B2&page=2",
    "q=" + "a" * 10_240,
    "q=" + "mot%20" * 2_000,
    "q=%00",
    "q=abc%00def",
    "q=%ff%fe",
    "q=a&q=b&q=%00",
    "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "x=1&x=2&" * 50 + "y",
    "%ff%fe=%ff",
    "page",
    "=&=&&",
    "p=%C2%B2",  # the sitemap's own page parameter
    "p=-1",
]
# Lists: an invalid page number there is a 404.
LISTS = ["/blog/", "/tags/django/", "/archive/2021/", "/archive/2021/03/"]
BAD_PAGES = [
    "%C2%B2",
    "%D9%A3",
    "-1",
    "0",
    "1e9",
    "99999999999999999999999",
    "%00",
    "1%00",
    "%ff%fe",
    "%EF%BC%92",  # fullwidth two
]


class HostileInputTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        when = timezone.make_aware(dt.datetime(2021, 3, 14, 10, 0))
        for n in range(12):  # two pages of list
            make_post(
                title=f"Billet {n}",
                slug=f"billet-{n}",
                tags=["django"],
                pub_date=when - dt.timedelta(minutes=n),
            )
        Page.objects.create(title="Services", slug="services", body="Du Django.", published=True)

    def setUp(self):
        cache.clear()
        self.addCleanup(cache.clear)

    def public_urls(self) -> list[str]:
        return [
            "/",
            "/blog/",
            "/blog/billet-1/",
            "/tags/",
            "/tags/django/",
            "/tags/django/feed/",
            "/archive/2021/",
            "/archive/2021/03/",
            "/search/",
            "/search/?q=billet",
            "/feed/",
            "/feed/atom/",
            "/sitemap.xml",
            "/robots.txt",
            "/services/",
            "/contact/",
            "/contact/merci/",
            "/nulle-part/",  # the 404 page
            "/admin/login/",
        ]

    def test_no_hostile_query_string_is_a_server_error(self):
        failures = []
        for url in self.public_urls():
            for query in HOSTILE_QUERIES:
                joined = f"{url}{'&' if '?' in url else '?'}{query}"
                response = self.client.get(joined)
                if response.status_code >= 500:
                    failures.append((joined[:120], response.status_code))
        self.assertEqual(failures, [])

    def test_pages_without_pagination_ignore_a_bad_page_number(self):
        for url in ["/", "/blog/billet-1/", "/tags/", "/services/", "/contact/", "/robots.txt"]:
            for page in BAD_PAGES:
                with self.subTest(url=url, page=page):
                    response = self.client.get(f"{url}?page={page}")
                    self.assertEqual(response.status_code, 200)
                    self.assertNotContains(response, "?page=", status_code=200)

    def test_a_bad_page_number_on_a_list_is_a_404(self):
        for url in [*LISTS, "/search/?q=billet"]:
            for page in BAD_PAGES:
                joined = f"{url}{'&' if '?' in url else '?'}page={page}"
                with self.subTest(url=joined):
                    self.assertEqual(self.client.get(joined).status_code, 404)

    def test_the_404_names_the_bad_page_without_control_characters(self):
        response = self.client.get("/blog/?page=%3Cb%3E%00x")
        self.assertContains(response, "pas de page « &lt;b&gt;x »", status_code=404)
        self.assertNotIn(b"\x00", response.content)

    def test_a_good_page_number_still_works(self):
        for url in [*LISTS, "/search/?q=billet"]:
            joined = f"{url}{'&' if '?' in url else '?'}page=2"
            with self.subTest(url=joined):
                response = self.client.get(joined)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, 'rel="canonical"')
                self.assertContains(response, "page=2")

    def test_the_canonical_address_keeps_only_a_real_page_number(self):
        response = self.client.get("/blog/?page=2&utm_source=x")
        self.assertContains(response, '<link rel="canonical" href="http://testserver/blog/?page=2"')
        response = self.client.get("/blog/?page=1")
        self.assertContains(response, '<link rel="canonical" href="http://testserver/blog/"')

    def test_the_search_never_echoes_a_control_character(self):
        response = self.client.get("/search/?q=bil%00let%0D%0Aabc")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(b"\x00", response.content)
        self.assertContains(response, "« billet abc »")

    def test_hostile_paths_are_never_a_server_error(self):
        paths = [
            "/blog/%00/",
            "/blog/a%00b/",
            "/blog/" + "a" * 5000 + "/",
            "/blog/" + "%C3%A9" * 2000 + "/",
            "/blog/%ff%fe/",
            "/blog/le-d%C3%A9but/",
            "/blog/%F0%9F%98%80/",
            "/blog/%E2%80%AE/",
            "/tags/%00/",
            "/tags/%ff%fe/",
            "/tags/" + "b" * 5000 + "/",
            "/tags/%C3%A9t%C3%A9/",
            "/tags/%00/feed/",
            "/tags/%ff/feed/",
            "/archive/0/",
            "/archive/99999999999999999999/",
            "/archive/99999999999999999999/03/",
            "/archive/2021/%C2%B2/",
            "/archive/2021/13/",
            "/archive/2021/00/",
            "/archive/2021/%00/",
            "/archive/10000/01/",
            "/%00/",
            "/%ff%fe/",
            "/" + "c" * 5000 + "/",
            "/media/%00",
            "/media/../../etc/passwd",
            "/media/%2e%2e/%2e%2e/etc/passwd",
            "/contact/%00/",
            "/admin/%00/",
        ]
        failures = []
        for path in paths:
            response = self.client.get(path)
            if response.status_code >= 500:
                failures.append((path[:80], response.status_code))
        self.assertEqual(failures, [])


class AdminHostileInputTests(TestCase):
    """Staff-only, but a 500 all the same: on PostgreSQL a NUL in an admin filter, search or
    id reached a query (``?status__exact=%00``, ``tag-names/?q=%00``, ``/1%00/history/``)."""

    def setUp(self):
        from blog.models import ContactMessage
        from tests.support.factories import make_staff

        self.post = make_post(title="Billet", tags=["django"])
        ContactMessage.objects.create(name="A", email="a@example.org", subject="S", message="M")
        self.client.force_login(make_staff())

    def test_no_hostile_admin_address_is_a_server_error(self):
        pk = self.post.pk
        bases = [
            "/admin/",
            "/admin/blog/post/",
            "/admin/blog/page/",
            "/admin/blog/contactmessage/",
            "/admin/blog/redirect/",
            "/admin/taggit/tag/",
            "/admin/blog/post/tag-names/",
            f"/admin/blog/post/{pk}/change/",
            f"/admin/blog/post/{pk}/history/",
        ]
        queries = [
            "q=%00",
            "q=a%00b",
            "q=%ff%fe",
            "p=%C2%B2",
            "p=-1",
            "o=abc",
            "status__exact=%00",
            "pub_date__year=%C2%B2",
            "created__day=%00",
            "read__exact=%00",
            "tags__id__exact=%00",
            "_changelist_filters=%00",
        ]
        failures = []
        for base in bases:
            for query in queries:
                response = self.client.get(f"{base}?{query}")
                if response.status_code >= 500:
                    failures.append((base, query, response.status_code))
        for path in [
            "/admin/blog/post/%00/change/",
            "/admin/blog/post/abc/change/",
            "/admin/blog/post/1%00/history/",
            "/admin/blog/post/abc/history/",
            f"/admin/blog/post/{pk}/history/%00/",
            "/admin/blog/post/%00/preview/",
            "/admin/blog/page/%00/change/",
            "/admin/taggit/tag/%00/change/",
            "/admin/blog/contactmessage/%00/change/",
            "/admin/blog/contactmessage/abc/change/",
            "/admin/%00/",
        ]:
            response = self.client.get(path)
            if response.status_code >= 500:
                failures.append((path, response.status_code))
        self.assertEqual(failures, [])

    def test_a_nul_in_an_admin_address_is_a_bad_request(self):
        for url in [
            "/admin/blog/post/?status__exact=%00",
            "/admin/blog/post/tag-names/?q=a%00",
            "/admin/blog/post/1%00/history/",
        ]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 400)
