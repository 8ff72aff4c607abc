"""Migration 0009: every existing post gets the site identity's author, nothing invented."""

import datetime as dt

from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase, override_settings

from blog.models import Author, Post


def old_models():
    state = MigrationExecutor(connection).loader.project_state(("blog", "0008_language"))
    return state.apps


def old_post(apps, slug: str):
    return apps.get_model("blog", "Post").objects.create(
        title=slug,
        slug=slug,
        body="Texte.",
        body_html="<p>Texte.</p>",
        status="published",
        pub_date=dt.datetime(2020, 1, 2, 10, tzinfo=dt.UTC),
    )


class AuthorsMigrationTests(TransactionTestCase):
    def setUp(self):
        call_command("migrate", "blog", "0008", verbosity=0)

    def tearDown(self):
        call_command("migrate", "blog", verbosity=0)

    def test_existing_posts_get_the_identitys_author_with_bio_and_links(self):
        apps = old_models()
        apps.get_model("blog", "SiteIdentity").objects.create(
            pk=1,
            site_name="Le carnet de Zoé",
            author_name="Zoé Martin",
            bio="Développeuse à Lyon.",
            github="https://github.com/zoe",
            email="zoe@example.org",
        )
        ids = [old_post(apps, slug).pk for slug in ("un", "deux")]
        call_command("migrate", "blog", verbosity=0)
        author = Author.objects.get()
        self.assertEqual(
            (author.name, author.slug, author.bio, author.github, author.email),
            ("Zoé Martin", "zoe-martin", "Développeuse à Lyon.", "https://github.com/zoe",
             "zoe@example.org"),
        )  # fmt: skip
        for post in Post.objects.filter(pk__in=ids).with_authors():
            self.assertEqual(post.byline, [author])

    @override_settings(CARNET_AUTHOR="", CARNET_SITE_NAME="Carnet de test")
    def test_a_fresh_install_with_no_author_named_uses_the_site_name(self):
        call_command("migrate", "blog", verbosity=0)
        self.assertEqual(list(Author.objects.values_list("name", "slug")),
                         [("Carnet de test", "carnet-de-test")])  # fmt: skip

    @override_settings(CARNET_AUTHOR="Camille Rousseau")
    def test_carnet_author_names_it_when_the_identity_does_not(self):
        apps = old_models()
        old_post(apps, "seul")
        call_command("migrate", "blog", verbosity=0)
        self.assertEqual(Author.objects.get().name, "Camille Rousseau")
        self.assertEqual(Post.objects.get().authors.get().name, "Camille Rousseau")
