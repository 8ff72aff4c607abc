"""Old addresses answer 301 through the real middleware, and only where a page is missing."""

import datetime as dt

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.models import Post, Redirect
from blog.porting.oldurls import kebab_case
from tests.support.factories import make_post


class RedirectMiddlewareTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.post = make_post(title="Le Début d'une Carrière")
        Redirect.objects.create(old_path="/blog/2020-05-23-le-début-dune-carrière/", post=cls.post)
        Redirect.objects.create(old_path="/tags/java-script/", new_path="/tags/javascript/")

    def test_unicode_and_percent_encoded_forms_alike(self):
        """The old Gatsby address answers in every spelling a browser or a link may use."""
        for path in (
            "/blog/2020-05-23-le-début-dune-carrière/",
            "/blog/2020-05-23-le-d%C3%A9but-dune-carri%C3%A8re/",
            "/blog/2020-05-23-le-de%CC%81but-dune-carrie%CC%80re/",  # NFD, as macOS names files
            "/blog/2020-05-23-le-début-dune-carrière",  # without its trailing slash
        ):
            with self.subTest(path=path):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 301)
                self.assertEqual(response["Location"], "/blog/le-debut-dune-carriere/")
        self.assertEqual(self.client.get(response["Location"]).status_code, 200)

    def test_a_stored_percent_encoded_path_matches_too(self):
        Redirect.objects.create(old_path="/vieux/d%C3%A9j%C3%A0/", post=self.post)
        self.assertEqual(self.client.get("/vieux/déjà/").status_code, 301)

    def test_the_query_string_is_kept_and_tag_pages_lead_to_tag_pages(self):
        response = self.client.get("/tags/java-script/?page=2")
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response["Location"], "/tags/javascript/?page=2")

    def test_the_redirect_follows_the_post_when_its_slug_changes(self):
        self.post.slug = "nouvelle-adresse"
        self.post.save()
        response = self.client.get("/blog/2020-05-23-le-début-dune-carrière/")
        self.assertEqual(response["Location"], "/blog/nouvelle-adresse/")

    def test_drafts_and_scheduled_posts_are_never_revealed(self):
        draft = make_post(title="Secret", status=Post.Status.DRAFT)
        later = make_post(title="Demain", pub_date=timezone.now() + dt.timedelta(days=2))
        Redirect.objects.create(old_path="/old-secret/", post=draft)
        Redirect.objects.create(old_path="/old-demain/", post=later)
        self.assertEqual(self.client.get("/old-secret/").status_code, 404)
        self.assertEqual(self.client.get("/old-demain/").status_code, 404)

    def test_no_loop_to_the_same_page_and_no_unsafe_target(self):
        Redirect.objects.create(old_path="/boucle/", new_path="/boucle/")
        Redirect.objects.create(old_path="/danger/", new_path="javascript:alert(1)")
        self.assertEqual(self.client.get("/boucle/").status_code, 404)
        self.assertEqual(self.client.get("/danger/").status_code, 404)

    def test_lookups_run_only_on_404_and_cost_one_query(self):
        with CaptureQueriesContext(connection) as found:
            self.client.get(self.post.get_absolute_url())
        self.assertFalse([q for q in found if "blog_redirect" in q["sql"]])
        with CaptureQueriesContext(connection) as missing:
            response = self.client.get("/nulle-part/")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(len([q for q in missing if "blog_redirect" in q["sql"]]), 1)
        with CaptureQueriesContext(connection) as redirected:
            self.client.get("/blog/2020-05-23-le-début-dune-carrière/")
        # One query: the post's address comes with the redirect (select_related).
        self.assertEqual(len([q for q in redirected if "blog_redirect" in q["sql"]]), 1)


class KebabCaseTests(TestCase):
    def test_as_lodash_makes_gatsby_tag_pages(self):
        for name, slug in {
            "JavaScript": "java-script",
            "web3": "web-3",
            "Éco-conception": "eco-conception",
            "Node.js": "node-js",
            "XMLHttpRequest": "xml-http-request",
            "l'été": "lete",
            "Freelancing": "freelancing",
        }.items():
            with self.subTest(name=name):
                self.assertEqual(kebab_case(name), slug)
