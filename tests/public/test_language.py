"""Public pages speak the site's language whatever the reader's browser; the admin, its editor's."""

import datetime as dt

from django.core import mail
from django.core.cache import cache
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from tests.support.factories import make_post, make_staff, post_form_data

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
FRENCH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9"}
SEED_DATE = timezone.make_aware(dt.datetime(2020, 5, 23, 13, 37))


def seed_post():
    return make_post(title="Premier article", pub_date=SEED_DATE, tags=["django"])


class FrenchSiteTests(TestCase):
    """A French site (the default), read with an English browser."""

    def setUp(self):
        cache.clear()
        self.post = seed_post()

    def test_the_article_is_french_for_an_english_browser(self):
        html = self.client.get(self.post.get_absolute_url(), **ENGLISH_BROWSER).content.decode()
        self.assertIn('<html lang="fr">', html)
        self.assertIn("23 mai 2020", html)
        self.assertNotIn("May 23, 2020", html)
        for french in ["Accueil", "Tous les articles", "Étiquettes"]:
            self.assertIn(french, html)
        self.assertNotIn(">Home<", html)

    def test_lists_and_the_404_page_are_french(self):
        for url in ["/", "/blog/", "/tags/", "/tags/django/"]:
            with self.subTest(url=url):
                self.assertContains(self.client.get(url, **ENGLISH_BROWSER), '<html lang="fr">')
        missing = self.client.get("/blog/nulle-part/", **ENGLISH_BROWSER)
        self.assertContains(missing, "Page introuvable", status_code=404)
        self.assertContains(missing, '<html lang="fr">', status_code=404)

    def test_feeds_say_french(self):
        for url in ["/feed/", "/feed/atom/", "/tags/django/feed/"]:
            with self.subTest(url=url):
                response = self.client.get(url, **ENGLISH_BROWSER)
                text = response.content.decode()
                self.assertTrue(
                    "<language>fr</language>" in text or 'xml:lang="fr"' in text, text[:300]
                )
                self.assertNotIn(">en<", text)
                self.assertNotIn('"en"', text)

    def test_the_contact_form_and_its_email_are_french(self):
        with override_settings(CARNET_CONTACT_EMAIL="zoe@example.fr"):
            self.assertContains(self.client.get("/contact/", **ENGLISH_BROWSER), "Votre nom")
            self.client.post(
                "/contact/",
                {
                    "name": "Camille",
                    "email": "camille@example.org",
                    "subject": "Bonjour",
                    "message": "Un message assez long pour passer.",
                    "website": "",
                },
                **ENGLISH_BROWSER,
            )
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("De : Camille <camille@example.org>", mail.outbox[0].body)

    def test_public_pages_do_not_vary_on_the_browser_language(self):
        for url in [self.post.get_absolute_url(), "/", "/feed/", "/sitemap.xml", "/nulle-part/"]:
            with self.subTest(url=url):
                response = self.client.get(url, **ENGLISH_BROWSER)
                self.assertNotIn("accept-language", response.get("Vary", "").lower())
                self.assertEqual(response.get("Content-Language"), "fr")

    def test_the_validator_is_the_same_for_every_browser_language(self):
        url = self.post.get_absolute_url()
        english = self.client.get(url, **ENGLISH_BROWSER)
        french = self.client.get(url, **FRENCH_BROWSER)
        self.assertEqual(english["ETag"], french["ETag"])
        again = self.client.get(url, HTTP_IF_NONE_MATCH=french["ETag"], **ENGLISH_BROWSER)
        self.assertEqual(again.status_code, 304)


@override_settings(CARNET_PAGE_CACHE_SECONDS=60)
class PageCacheLanguageTests(TestCase):
    def setUp(self):
        cache.clear()
        self.addCleanup(cache.clear)
        self.post = seed_post()

    def test_the_kept_page_is_the_same_for_two_browser_languages(self):
        url = self.post.get_absolute_url()
        english = self.client.get(url, **ENGLISH_BROWSER)
        with self.assertNumQueries(1):  # the site's state only: the page comes from the cache
            french = self.client.get(url, **FRENCH_BROWSER)
        self.assertEqual(english.content, french.content)
        self.assertIn("23 mai 2020", french.content.decode())


@override_settings(LANGUAGE_CODE="en")
class EnglishSiteTests(TestCase):
    """DJANGO_LANGUAGE_CODE=en: an English site, whatever the reader's browser says."""

    def setUp(self):
        cache.clear()
        self.post = seed_post()

    def test_the_article_is_english_for_a_french_browser(self):
        for browser in [FRENCH_BROWSER, ENGLISH_BROWSER, {}]:
            with self.subTest(browser=browser):
                response = self.client.get(self.post.get_absolute_url(), **browser)
                html = response.content.decode()
                self.assertIn('<html lang="en">', html)
                self.assertIn('<meta property="og:locale" content="en_US">', html)
                self.assertIn("May 23, 2020", html)
                self.assertNotIn("23 mai 2020", html)
                self.assertIn(">Home<", html)
                self.assertNotIn("Accueil", html)
                self.assertEqual(response.get("Content-Language"), "en")

    def test_feeds_say_english(self):
        rss = self.client.get("/feed/", **FRENCH_BROWSER).content.decode()
        self.assertIn("<language>en</language>", rss)


class AdminLanguageTests(TestCase):
    """The admin speaks the editor's browser language, among French and English."""

    def test_the_login_page_follows_the_browser(self):
        english = self.client.get("/admin/login/", **ENGLISH_BROWSER)
        self.assertContains(english, '<html lang="en"')
        self.assertContains(english, "Log in")
        french = self.client.get("/admin/login/", **FRENCH_BROWSER)
        self.assertContains(french, '<html lang="fr"')
        self.assertContains(french, "Connexion")
        self.assertIn("accept-language", french.get("Vary", "").lower())

    def test_an_unknown_browser_language_gets_the_site_language(self):
        response = self.client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
        self.assertContains(response, '<html lang="fr"')

    @override_settings(LANGUAGE_CODE="en")
    def test_a_french_editor_of_an_english_site_gets_a_french_admin(self):
        self.assertContains(self.client.get("/admin/login/", **FRENCH_BROWSER), "Connexion")

    def test_an_admin_request_leaves_the_public_site_in_its_language(self):
        self.client.get("/admin/login/", **ENGLISH_BROWSER)
        post = seed_post()
        self.assertContains(self.client.get(post.get_absolute_url()), "23 mai 2020")

    def test_the_preview_shows_the_page_as_readers_see_it(self):
        self.client.force_login(make_staff())
        editor = self.client.get("/admin/blog/post/add/", **ENGLISH_BROWSER)
        self.assertContains(editor, '<html lang="en"')
        data = post_form_data(title="Premier article", pub_date_0="2020-05-23")
        preview = self.client.post("/admin/blog/post/preview/", data, **ENGLISH_BROWSER)
        self.assertContains(preview, '<html lang="fr">')
        self.assertContains(preview, "23 mai 2020")
        self.assertContains(preview, "Accueil")

    def test_the_history_quotes_a_revision_comment_in_the_editor_language(self):
        self.client.force_login(make_staff())
        data = post_form_data(title="Premier article", pub_date_0="2020-05-23")
        self.client.post(reverse("admin:blog_post_add"), data, **ENGLISH_BROWSER)
        version = Version.objects.get()
        url = reverse("admin:blog_post_compare", args=[version.object_id, version.pk])
        self.assertContains(self.client.get(url, **ENGLISH_BROWSER), "“Added.”")
        self.assertContains(self.client.get(url, **FRENCH_BROWSER), "« Added. »")
