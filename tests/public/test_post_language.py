"""A post or page in another language than the site's: its own ``lang``, in the site's frame.

The ``language`` field (blank = the site's) is filled by the importer from ``lang``,
``language`` or ``locale``, edited in the admin, written back by export under its key.
"""

import datetime as dt
import json
import re

from django.core.cache import cache
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from blog.models import Page, Post, SiteIdentity
from tests.support.cases import TemporaryFolders
from tests.support.factories import make_post, make_staff, post_form_data
from tests.support.importing import Run, export, write

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
FRENCH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9"}
SEED_DATE = timezone.make_aware(dt.datetime(2020, 5, 23, 13, 37))


def json_ld(html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


class EnglishPostOnAFrenchSiteTests(TestCase):
    def setUp(self):
        cache.clear()
        self.post = make_post(
            title="An English post", pub_date=SEED_DATE, language="en", tags=["django"]
        )

    def test_the_article_is_english_in_a_french_page(self):
        html = self.client.get(self.post.get_absolute_url(), **ENGLISH_BROWSER).content.decode()
        self.assertIn('<html lang="fr">', html)
        self.assertIn('<article class="post" lang="en">', html)
        # The site's own words inside the article say they are French.
        self.assertRegex(html, r'<p class="meta" lang="fr">\s*<time[^>]*>23 mai 2020</time>')
        for french in ["Accueil", "Tous les articles", "Étiquettes"]:
            self.assertIn(french, html)
        self.assertEqual(json_ld(html)["inLanguage"], "en")
        self.assertIn('<meta property="og:locale" content="en_US">', html)

    def test_a_french_post_has_no_lang_of_its_own(self):
        for language in ["", "fr"]:
            with self.subTest(language=language):
                post = make_post(language=language)
                html = self.client.get(post.get_absolute_url()).content.decode()
                self.assertIn('<article class="post">', html)
                self.assertNotIn('lang="en"', html)
                self.assertEqual(json_ld(html)["inLanguage"], "fr")

    def test_feed_entries_carry_the_post_language(self):
        make_post(title="Un article français")
        atom = self.client.get("/feed/atom/").content.decode()
        self.assertIn('xml:lang="fr"', atom)  # the feed's
        self.assertEqual(atom.count('<entry xml:lang="en">'), 1)
        self.assertEqual(atom.count("<entry>"), 1)
        rss = self.client.get("/feed/").content.decode()
        self.assertIn("<language>fr</language>", rss)
        self.assertEqual(rss.count("<dc:language>en</dc:language>"), 1)

    def test_a_page_in_english(self):
        page = Page.objects.create(
            title="About", slug="about", body="Hello.", published=True, language="en-US"
        )
        html = self.client.get(page.get_absolute_url()).content.decode()
        self.assertIn('<html lang="fr">', html)
        self.assertIn('<article class="post page" lang="en-us">', html)


class LanguageFieldTests(TestCase):
    def test_tags_are_stored_lower_case_with_hyphens(self):
        for written, stored in [("en", "en"), ("en-US", "en-us"), ("en_US", "en-us"),
                                (" PT_br ", "pt-br"), ("", "")]:  # fmt: skip
            with self.subTest(written=written):
                self.assertEqual(make_post(language=written).language, stored)


class AdminLanguageTests(TestCase):
    def setUp(self):
        self.client.force_login(make_staff())

    def test_the_editor_sets_and_clears_the_language(self):
        post = make_post()
        url = reverse("admin:blog_post_change", args=[post.pk])
        self.assertContains(self.client.get(url), 'name="language"')
        response = self.client.post(url, post_form_data(post, language="en_US"))
        self.assertEqual(response.status_code, 302)
        post.refresh_from_db()
        self.assertEqual(post.language, "en-us")
        self.client.post(url, post_form_data(post, language=""))
        post.refresh_from_db()
        self.assertEqual(post.language, "")

    def test_a_garbage_language_is_a_form_error(self):
        post = make_post()
        url = reverse("admin:blog_post_change", args=[post.pk])
        response = self.client.post(url, post_form_data(post, language="english please"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("language", response.context["adminform"].form.errors)
        post.refresh_from_db()
        self.assertEqual(post.language, "")

    def test_a_page_language_is_editable(self):
        page = Page.objects.create(title="About", slug="about", body="Hello.", published=True)
        url = reverse("admin:blog_page_change", args=[page.pk])
        self.assertContains(self.client.get(url), 'name="language"')


class ImportExportLanguageTests(TemporaryFolders, TestCase):
    def post_file(self, name: str, line: str) -> None:
        write(
            self.tmp_path / "site",
            f"blog/{name}.md",
            f"---\ntitle: {name}\ndate: 2020-01-02\n{line}\n---\nBody of {name}.\n",
        )

    def test_lang_language_and_locale_fill_the_field(self):
        for name, line in [("a", "lang: en"), ("b", "Language: en_US"), ("c", "locale: en-US"),
                           ("d", "LANG: zh-Hant-TW"), ("e", "title2: none")]:  # fmt: skip
            self.post_file(name, line)
        run = Run(self.tmp_path / "site")
        self.assertIsNone(run.error, run.stderr)
        self.assertEqual(
            dict(Post.objects.values_list("title", "language")),
            {"a": "en", "b": "en-us", "c": "en-us", "d": "zh-hant-tw", "e": ""},
        )

    def test_a_garbage_language_warns_and_is_left_empty(self):
        self.post_file("a", "lang: english please")
        self.post_file("b", "locale: [en, fr]")
        run = Run(self.tmp_path / "site")
        self.assertIsNone(run.error, run.stderr)
        self.assertIn("lang: 'english please' is not a language tag", run.stderr)
        self.assertIn("locale: 'list' is not a language tag", run.stderr)
        self.assertEqual(set(Post.objects.values_list("language", flat=True)), {""})

    def test_export_writes_the_original_key_back(self):
        lines = {"a": "Language: en_US", "b": "lang: nonsense!", "c": "locale: en-US"}
        for name, line in lines.items():
            self.post_file(name, line)
        self.post_file("d", "tags: [x]")
        Run(self.tmp_path / "site")
        export(self.tmp_path / "out")
        for name, line in lines.items():
            text = (self.tmp_path / f"out/blog/{name}.md").read_text()
            self.assertIn(f"\n{line}\n", text)
        # Edited in the admin: written under the file's key, or lang for a file with none.
        Post.objects.filter(title="c").update(language="fr-ca")
        Post.objects.filter(title="d").update(language="en")
        export(self.tmp_path / "out2")
        self.assertIn("\nlocale: fr-ca\n", (self.tmp_path / "out2/blog/c.md").read_text())
        self.assertIn("\nlang: en\n", (self.tmp_path / "out2/blog/d.md").read_text())
        Post.objects.filter(title="a").update(language="")
        export(self.tmp_path / "out3")
        self.assertNotIn("anguage", (self.tmp_path / "out3/blog/a.md").read_text())

    def test_round_trip_keeps_the_language(self):
        self.post_file("a", "Language: en_US")
        Run(self.tmp_path / "site")
        export(self.tmp_path / "out")
        Post.objects.all().delete()
        Run(self.tmp_path / "out")
        self.assertEqual(Post.objects.get().language, "en-us")


class SiteLanguageFieldTests(TestCase):
    """The identity's « site language » overrides DJANGO_LANGUAGE_CODE on the public site."""

    def setUp(self):
        cache.clear()
        self.post = make_post(title="Post", pub_date=SEED_DATE, language="en")

    def test_an_english_site_by_its_identity(self):
        SiteIdentity.objects.create(site_language="en")
        html = self.client.get(self.post.get_absolute_url(), **FRENCH_BROWSER).content.decode()
        self.assertIn('<html lang="en">', html)
        self.assertIn("May 23, 2020", html)
        self.assertIn(">Home<", html)
        self.assertIn('<article class="post">', html)  # the post is in the site's language now
        self.assertEqual(json_ld(html)["inLanguage"], "en")
        atom = self.client.get("/feed/atom/", **FRENCH_BROWSER).content.decode()
        self.assertIn('xml:lang="en"', atom)
        self.assertIn("<entry>", atom)

    def test_empty_is_the_setting(self):
        SiteIdentity.objects.create(site_language="")
        html = self.client.get(self.post.get_absolute_url(), **ENGLISH_BROWSER).content.decode()
        self.assertIn('<html lang="fr">', html)
        self.assertIn("23 mai 2020", html)

    def test_the_override_costs_no_query(self):
        url = self.post.get_absolute_url()
        identity = SiteIdentity.objects.create(site_language="")
        counts = {}
        for language in ["", "en"]:
            identity.site_language = language
            identity.save()
            cache.clear()
            with CaptureQueriesContext(connection) as queries:
                self.assertContains(self.client.get(url), f'<html lang="{language or "fr"}">')
            counts[language] = len(queries)
        self.assertEqual(counts["en"], counts[""])

    def test_the_admin_edits_it(self):
        self.client.force_login(make_staff())
        url = "/admin/blog/siteidentity/1/change/"
        SiteIdentity.objects.create()
        self.assertContains(self.client.get(url), 'name="site_language"')
        response = self.client.post(url, {"site_language": "en"})
        self.assertEqual(response.status_code, 302, response.content.decode()[-3000:])
        self.assertEqual(SiteIdentity.objects.get().site_language, "en")
        self.client.logout()
        self.assertContains(self.client.get("/", **FRENCH_BROWSER), '<html lang="en">')
