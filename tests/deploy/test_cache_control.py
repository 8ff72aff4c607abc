"""Cache-Control for proxies and CDNs: public pages may be kept by shared caches when
CARNET_CACHE_S_MAXAGE is set, one copy for every reader; staff, admin and form pages never."""

from __future__ import annotations

from django.test import TestCase, override_settings

from blog.models import Page, Post
from tests.support.factories import make_post, make_staff

PUBLIC_PAGES = ["/", "/blog/", "/blog/publie/", "/tags/", "/tags/commun/", "/?page=1", "/feed/"]
PUBLIC_PAGES += ["/sitemap.xml", "/services/"]


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


class CacheControlTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_post(title="Publié", tags=["commun"])
        make_post(title="Brouillon", status=Post.Status.DRAFT)
        Page.objects.create(title="Services", slug="services", body="Moi.", published=True)

    def test_by_default_every_reader_revalidates(self):
        """Off by default: browsers and proxies ask every time (a new post shows at once)."""
        for url in PUBLIC_PAGES:
            with self.subTest(url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(directives(response), {"no-cache"})
                self.assertEqual(response["Vary"], "Cookie")
                self.assertIn("ETag", response)

    @override_settings(CARNET_CACHE_S_MAXAGE=300, CARNET_CACHE_STALE_WHILE_REVALIDATE=60)
    def test_shared_caches_may_keep_public_pages(self):
        expected = {"public", "max-age=0", "s-maxage=300", "stale-while-revalidate=60"}
        for url in PUBLIC_PAGES:
            with self.subTest(url):
                # A French reader and an English one: one copy (no Accept-Language in Vary).
                response = self.client.get(
                    url, HTTP_ACCEPT_LANGUAGE="en", HTTP_ACCEPT_ENCODING="gzip"
                )
                self.assertEqual(response.status_code, 200)
                self.assertEqual(directives(response), expected)
                self.assertEqual(response["Vary"], "Cookie")
                again = self.client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
                self.assertEqual(again.status_code, 304)
                self.assertEqual(directives(again), expected)

    @override_settings(CARNET_CACHE_S_MAXAGE=300)
    def test_stale_while_revalidate_is_optional(self):
        response = self.client.get("/")
        self.assertEqual(directives(response), {"public", "max-age=0", "s-maxage=300"})

    @override_settings(CARNET_CACHE_S_MAXAGE=300)
    def test_tracking_parameters_do_not_make_new_shared_copies(self):
        for url in ["/?utm_source=newsletter", "/blog/?page=1&fbclid=abc", "/?page=x"]:
            with self.subTest(url):
                self.assertEqual(directives(self.client.get(url)), {"no-cache"})

    @override_settings(CARNET_CACHE_S_MAXAGE=300)
    def test_staff_pages_are_private(self):
        """A draft seen by its editor never reaches a shared cache."""
        self.client.force_login(make_staff())
        for url in ["/", "/blog/publie/", "/blog/brouillon/", "/feed/", "/services/"]:
            with self.subTest(url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertTrue({"private", "no-store"} <= directives(response), url)
                self.assertNotIn("public", directives(response))
                self.assertNotIn("s-maxage=300", directives(response))
                self.assertIn("Cookie", response["Vary"])

    @override_settings(CARNET_CACHE_S_MAXAGE=300)
    def test_forms_and_admin_are_private(self):
        for url in ["/contact/", "/search/", "/search/?q=publie", "/admin/login/"]:
            with self.subTest(url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertTrue({"private", "no-store"} <= directives(response), url)
                self.assertNotIn("public", directives(response))
