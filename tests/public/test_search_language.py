"""Search stems each post in its own language (PostgreSQL; issue 12).

SQLite's FTS5 index has no stemming (unicode61, each word a prefix): « run » finds « running »
there, « running » does not find « runs ». Those tests run on PostgreSQL only.
"""

from django.core.management import call_command
from django.db import connection
from django.test import TestCase, TransactionTestCase, override_settings

from blog import search_index
from blog.models import Post, SiteIdentity
from blog.public import search
from tests.support.factories import make_post

POSTGRES_ONLY = "PostgreSQL's stemming; SQLite's FTS5 index does not stem"


def found(words: str) -> list[int]:
    return search.ranked_ids(search.Query(words))


def config_of(post: Post) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_config::text FROM blog_post WHERE id = %s", [post.pk])
        return cursor.fetchone()[0]


class LanguageStemmingTests(TestCase):
    def setUp(self):
        if connection.vendor != "postgresql":
            self.skipTest(POSTGRES_ONLY)

    def test_an_english_post_is_found_by_an_english_inflection(self):
        post = make_post(title="Morning habits", body="She runs every morning.", language="en")
        self.assertEqual(config_of(post), "carnet_english")
        self.assertEqual(found("running"), [post.pk])
        self.assertEqual(found("run"), [post.pk])
        response = self.client.get("/search/", {"q": "running"})
        self.assertContains(response, "<mark>runs</mark>", html=False)

    def test_a_regional_tag_reads_as_its_language(self):
        post = make_post(title="Colors", body="Running errands.", language="en-US")
        self.assertEqual(config_of(post), "carnet_english")
        self.assertEqual(found("runs"), [post.pk])

    def test_french_posts_are_found_as_before(self):
        site = make_post(title="Carrière", body="Des compétences.")
        french = make_post(title="Les carrières", body="Étude de marché.", language="fr")
        self.assertEqual((config_of(site), config_of(french)), ("carnet_french", "carnet_french"))
        for q in ["carriere", "carrières", "CARRIERES", "carri"]:
            self.assertEqual(sorted(found(q)), sorted([site.pk, french.pk]), q)
        self.assertEqual(found("competence"), [site.pk])
        # The English stem of « running » is « run »; French keeps « running »: not found.
        make_post(title="Sans rapport", body="Il runs le matin.")
        self.assertEqual(found("running"), [])

    def test_other_languages_and_unknown_ones(self):
        german = make_post(title="Häuser", body="Wir bauen Häuser.", language="de")
        basque = make_post(title="Etxeak", body="Etxe berriak.", language="eu")
        self.assertEqual(config_of(german), "carnet_german")
        self.assertEqual(config_of(basque), "carnet_simple")
        self.assertEqual(found("haus"), [german.pk])
        self.assertEqual(found("etxe"), [basque.pk])  # a prefix, no stemming

    def test_a_post_whose_language_changes_is_reindexed(self):
        post = make_post(title="Notes", body="She runs every morning.")
        self.assertEqual(found("running"), [])
        post.language = "en"
        post.save()
        self.assertEqual(found("running"), [post.pk])
        Post.objects.filter(pk=post.pk).update(language="")
        self.assertEqual(found("running"), [])

    def test_posts_in_the_sites_language_follow_the_identity(self):
        post = make_post(title="Notes", body="She runs every morning.")
        other = make_post(title="Notes", body="She runs every evening.", language="fr")
        identity = SiteIdentity.objects.create(pk=1, site_language="en")
        self.assertEqual(found("running"), [post.pk])
        identity.site_language = "fr"
        identity.save()
        self.assertEqual(found("running"), [])
        self.assertEqual(config_of(other), "carnet_french")

    def test_drafts_and_scheduled_posts_are_never_found(self):
        make_post(title="Running", body="She runs.", language="en", status=Post.Status.DRAFT)
        self.assertEqual(found("running"), [])
        response = self.client.get("/search/", {"q": "runs"})
        self.assertNotContains(response, "She runs")


@override_settings(LANGUAGE_CODE="en")
class SiteLanguageSettingTests(TestCase):
    def test_language_code_is_the_last_resort(self):
        if connection.vendor != "postgresql":
            self.skipTest(POSTGRES_ONLY)
        # The function reads LANGUAGE_CODE when made (every migrate): re-made here.
        search_index.ensure(connection)
        post = make_post(title="Notes", body="She runs every morning.")
        self.assertEqual(config_of(post), "carnet_english")
        self.assertEqual(found("running"), [post.pk])


class LanguageMigrationTests(TransactionTestCase):
    """Migration 0010 re-indexes existing posts; going back restores French for all."""

    def setUp(self):
        if connection.vendor != "postgresql":
            self.skipTest(POSTGRES_ONLY)

    def tearDown(self):
        call_command("migrate", "blog", verbosity=0)

    def test_back_and_forward(self):
        post = make_post(title="Notes", body="She runs every morning.", language="en")
        french = make_post(title="Carrière", body="Des compétences.")
        self.assertEqual(found("running"), [post.pk])
        call_command("migrate", "blog", "0009", verbosity=0)
        self.assertEqual((config_of(post), config_of(french)), ("carnet_french",) * 2)
        self.assertEqual(found("running"), [])
        self.assertEqual(found("carrieres"), [french.pk])
        call_command("migrate", "blog", verbosity=0)  # 0010 re-indexes the existing posts
        self.assertEqual(config_of(post), "carnet_english")
        self.assertEqual(found("running"), [post.pk])
        self.assertEqual(found("carrieres"), [french.pk])
        # Back before 0008: its `language` column can go (no trigger declared on it any more).
        call_command("migrate", "blog", "0007", verbosity=0)
        call_command("migrate", "blog", verbosity=0)
        self.assertEqual(config_of(post), "carnet_french")
        self.assertEqual(found("carrieres"), [french.pk])


class SqliteNoStemmingTests(TestCase):
    """SQLite: no stemming in any language, each word of the query a prefix."""

    def test_a_prefix_finds_inflections_a_longer_inflection_does_not(self):
        if connection.vendor != "sqlite":
            self.skipTest("SQLite's FTS5 index")
        post = make_post(title="Morning habits", body="She is running.", language="en")
        make_post(title="Evening habits", body="She runs.", language="en")
        self.assertEqual(found("running"), [post.pk])
        self.assertEqual(len(found("run")), 2)
