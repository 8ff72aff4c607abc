"""Every page: language, title, description, canonical, social cards, JSON-LD, landmarks."""

import datetime as dt
import json
import re
from pathlib import Path
from urllib.parse import urljoin

from django.conf import settings
from django.test import TestCase, override_settings

from tests.support.factories import make_image, make_post

PAGES = ["/", "/blog/", "/blog/le-debut/", "/tags/", "/tags/freelancing/", "/archive/2020/",
         "/search/?q=debut"]  # fmt: skip


class EveryPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        import datetime as dt

        make_post(
            title="Le Début",
            description="Se lancer en freelance",
            tags=["freelancing"],
            pub_date=dt.datetime(2020, 5, 23, 11, tzinfo=dt.UTC),
        )

    def test_head_and_landmarks(self):
        for url in PAGES:
            response = self.client.get(url)
            html = response.content.decode()
            self.assertEqual(response.status_code, 200, url)
            self.assertIn('<html lang="fr">', html, url)
            self.assertRegex(html, r"<title>[^<]+</title>", url)
            self.assertRegex(html, r'<meta name="description" content="[^"]+">', url)
            self.assertIn('<link rel="canonical" href="http://testserver/', html, url)
            self.assertIn('<meta property="og:title"', html, url)
            self.assertIn('<meta name="twitter:card"', html, url)
            for landmark in ("<header", "<nav", "<main", "<footer", 'role="search"'):
                self.assertIn(landmark, html, (url, landmark))
            self.assertIn('<a class="skip-link" href="#content">Aller au contenu</a>', html)
            self.assertEqual(html.count("<h1"), 1, url)
            self.assertNotIn("<script src", html, "no JavaScript needed to read")
            self.assertNotRegex(html, r'(href|src)="https?://(?!testserver)', url)

    def test_canonical_drops_tracking_parameters_but_keeps_the_page(self):
        for n in range(12):
            make_post(title=f"Plus {n}")
        response = self.client.get("/blog/?page=2&utm_source=x")
        self.assertContains(
            response, '<link rel="canonical" href="http://testserver/blog/?page=2">', html=True
        )
        response = self.client.get("/blog/?utm_source=x")
        self.assertContains(
            response, '<link rel="canonical" href="http://testserver/blog/">', html=True
        )


class PostMetadataTests(TestCase):
    def test_open_graph_and_twitter_card_use_the_featured_image(self):
        make_post(
            title="Photo", description="Résumé", image=make_image(size=(1600, 1000)),
            image_alt="Un bureau en bois",
        )  # fmt: skip
        html = self.client.get("/blog/photo/").content.decode()
        self.assertIn('<meta property="og:type" content="article">', html)
        self.assertIn('<meta property="og:description" content="Résumé">', html)
        image = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
        media = urljoin("http://testserver/", settings.MEDIA_URL)  # the site's, or a bucket's
        self.assertTrue(image.startswith(f"{media}renditions/"), image)
        self.assertTrue(image.endswith("-social-1200.jpg"))
        self.assertIn('<meta property="og:image:width" content="1200">', html)
        self.assertIn('<meta property="og:image:height" content="630">', html)
        self.assertIn('<meta property="og:image:alt" content="Un bureau en bois">', html)
        self.assertIn('<meta name="twitter:card" content="summary_large_image">', html)
        self.assertIn('<meta name="twitter:image:alt" content="Un bureau en bois">', html)

    @override_settings(CARNET_AUTHOR="Zoé")
    def test_json_ld_blog_posting(self):
        post = make_post(title="Données </script><b>", description="Desc", tags=["php"])
        html = self.client.get(post.get_absolute_url()).content.decode()
        payload = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        data = json.loads(payload.group(1))
        self.assertEqual(data["@type"], "BlogPosting")
        self.assertEqual(data["headline"], "Données </script><b>")
        self.assertEqual(data["author"], {"@type": "Person", "name": "Zoé"})
        self.assertEqual(data["keywords"], ["php"])
        self.assertEqual(data["url"], f"http://testserver{post.get_absolute_url()}")
        self.assertIn("datePublished", data)
        self.assertNotIn("</script><b>", payload.group(1))

    def test_no_blog_posting_elsewhere(self):
        """The home page describes the site (WebSite, issue 6), never a post."""
        make_post()
        self.assertNotContains(self.client.get("/"), "BlogPosting")
        self.assertNotContains(self.client.get("/blog/"), "application/ld+json")


class ErrorPageTests(TestCase):
    def test_404_is_helpful(self):
        make_post(title="Dernier article")
        response = self.client.get("/ancienne/adresse/")
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "Page introuvable", status_code=404)
        self.assertContains(response, 'name="q"', status_code=404)
        self.assertContains(response, "Dernier article", status_code=404)
        self.assertContains(response, '<meta name="robots" content="noindex">', status_code=404)

    def test_404_never_lists_hidden_posts(self):
        from tests.support.site import add_hidden_posts

        add_hidden_posts()
        self.assertNotContains(self.client.get("/nulle-part/"), "secret", status_code=404)

    def test_500_shows_no_internals(self):
        from django.urls import path

        from tests.public import test_seo

        def boom(request):
            raise RuntimeError("secret internals: password=hunter2")

        test_seo.urlpatterns = [path("boom/", boom)]
        self.client.raise_request_exception = False
        with self.settings(ROOT_URLCONF="tests.public.test_seo"):
            response = self.client.get("/boom/")
        self.assertEqual(response.status_code, 500)
        body = response.content.decode()
        self.assertIn("Une erreur est survenue", body)
        self.assertIn('lang="fr"', body)
        self.assertNotIn("hunter2", body)
        self.assertNotIn("RuntimeError", body)
        self.assertNotIn("Traceback", body)


class StaticAssetsTests(TestCase):
    def test_stylesheet_has_focus_dark_scheme_and_no_remote_fonts(self):
        from django.contrib.staticfiles import finders

        css = Path(finders.find("blog/carnet.css")).read_text(encoding="utf-8")
        self.assertIn(":focus-visible", css)
        self.assertIn("prefers-color-scheme: dark", css)
        self.assertNotIn("@import", css)
        self.assertNotIn("url(http", css)
        self.assertNotIn("@font-face", css)


class EnglishTests(TestCase):
    @override_settings(LANGUAGE_CODE="en")
    def test_english_works_by_switching_language_code(self):
        make_post(title="Hello", pub_date=dt.datetime(2020, 5, 23, 12, tzinfo=dt.UTC))
        response = self.client.get("/blog/")
        self.assertContains(response, '<html lang="en">')
        self.assertContains(response, "All posts")
        self.assertContains(response, "Read more")
        self.assertContains(response, "May 23, 2020")
