"""Search finds and quotes only what a reader sees on the post's page.

The index used to hold the raw Markdown: an HTML comment, a ``<script>`` or ``<style>`` the
sanitizer strips, a link's URL or an attribute could be searched for and quoted in a snippet.
Runs on SQLite (FTS5) and PostgreSQL (tsvector, ts_headline) alike.
"""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TestCase, TransactionTestCase

from blog.models import Post
from blog.rendering import render_markdown
from tests.support.factories import make_post

HIDDEN_BODY = """Un billet sur les devis et la facturation des missions.

<!-- tarif client Dupont 4200 euros -->

<script>var motdepasse = "scriptcache";</script>

<style>.stylecache { color: red }</style>

Voir [la grille publique](https://exemple.fr/urlcachee) et ![une photo](/media/imagecachee.jpg).

<span title="attributcache" data-x="donneecachee">texte visible</span>

<div hidden>Nous livrons en trois semaines.</div>

[grille]: https://exemple.fr/tarifs "definitioncachee"
"""
HIDDEN_WORDS = [
    "Dupont",
    "4200",
    "scriptcache",
    "motdepasse",
    "stylecache",
    "urlcachee",
    "imagecachee",
    "attributcache",
    "donneecachee",
    "definitioncachee",
]


class SearchShowsOnlyVisibleTextTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.post = make_post(title="Devis et facturation", slug="devis", body=HIDDEN_BODY)

    def search(self, q: str):
        response = self.client.get("/search/", {"q": q})
        self.assertEqual(response.status_code, 200)
        return response

    def test_the_post_page_does_not_show_the_hidden_words(self):
        html = self.client.get("/blog/devis/").content.decode()
        for word in ["Dupont", "scriptcache", "stylecache", "donneecachee"]:
            self.assertNotIn(word, html)

    def test_hidden_text_is_neither_found_nor_quoted(self):
        for word in HIDDEN_WORDS:
            with self.subTest(word=word):
                response = self.search(word)
                self.assertEqual(response.context["results"], [], word)
                self.assertNotContains(response, "Devis et facturation")
                self.assertNotContains(response, "tarif client")

    def test_what_the_reader_sees_is_found_and_quoted(self):
        for word, quoted in [
            ("missions", "<mark>missions</mark>"),
            ("grille", "<mark>grille</mark> publique"),
            ("visible", "texte <mark>visible</mark>"),
        ]:
            with self.subTest(word=word):
                response = self.search(word)
                self.assertEqual([p.title for p in response.context["results"]], [self.post.title])
                self.assertContains(response, quoted)
                self.assertNotContains(response, "Dupont")

    def test_an_edit_reindexes_from_the_visible_text(self):
        self.post.body = 'Nouveau texte.\n\n[a]: /x "remarque privee Martin"'
        self.post.save()
        self.assertEqual(self.search("Martin").context["results"], [])
        self.assertEqual(self.search("nouveau").context["results"][0].pk, self.post.pk)
        self.assertEqual(self.search("missions").context["results"], [])

    def test_update_fields_body_also_refreshes_the_index(self):
        self.post.body = 'Autre chose.\n\n[b]: /y "note Durand"'
        self.post.save(update_fields=["body"])
        self.assertEqual(self.search("Durand").context["results"], [])
        self.assertEqual(self.search("chose").context["results"][0].pk, self.post.pk)


class SearchEscapesEverythingTests(TestCase):
    def test_a_title_description_or_body_cannot_inject_html_into_results(self):
        make_post(
            title='<img src=x onerror="alert(1)"> Injection',
            description="<b>gras</b> Injection <script>alert(2)</script>",
            body="Du texte `<svg onload=alert(3)>` Injection, et &lt;i&gt; en clair.",
        )
        response = self.client.get("/search/", {"q": "injection"})
        html = response.content.decode()
        self.assertEqual(len(response.context["results"]), 1)
        self.assertNotIn("<img src=x", html)
        self.assertNotIn("<svg", html)
        self.assertNotIn("<b>gras", html)
        self.assertNotIn("<script>alert", html)
        self.assertIn("&lt;img src=x onerror=", html)
        self.assertIn("<mark>Injection</mark>", html)

    def test_the_query_is_escaped_where_it_is_echoed(self):
        make_post(title="Quelque chose")
        q = '"><script>alert(1)</script><mark>x'
        for query in [q, q + " chose"]:
            with self.subTest(q=query):
                html = self.client.get("/search/", {"q": query}).content.decode()
                self.assertNotIn("<script>alert(1)", html)
                self.assertNotIn('"><script>', html)
                self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", html)
                self.assertNotIn("<mark>x", html)


def _index_finds(word: str) -> list[int]:
    """Ask the index itself (not the view): which rows does the word match?"""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT id FROM blog_post WHERE search_document @@ to_tsquery('carnet_french', %s)",
                [word],
            )
        else:
            cursor.execute(
                "SELECT rowid FROM blog_post_fts WHERE blog_post_fts MATCH %s", [f'"{word}"']
            )
        return [row[0] for row in cursor.fetchall()]


class ReindexMigrationTests(TransactionTestCase):
    """Migration 0006 re-indexes the posts an older version indexed from the Markdown."""

    def tearDown(self):
        call_command("migrate", "blog", verbosity=0)

    def test_existing_posts_are_reindexed_from_their_visible_text(self):
        call_command("migrate", "blog", "0005", verbosity=0)
        # An unused link definition: never rendered, but both databases indexed its words
        # (PostgreSQL's parser skips HTML comments and <script> by itself; not this).
        body = 'Texte public.\n\n[note]: https://exemple.fr/x "tarif client Dupont"\n'
        # Written as the version before 0006 wrote it: its triggers indexed the Markdown.
        state = MigrationExecutor(connection).loader.project_state(
            ("blog", "0005_freelancer_pages")
        )
        old = state.apps.get_model("blog", "Post").objects.create(
            title="Ancien",
            slug="ancien",
            body=body,
            body_html=render_markdown(body),
            status="published",
            pub_date=dt.datetime(2020, 1, 2, 10, tzinfo=dt.UTC),
        )
        post_id = old.pk
        self.assertEqual(_index_finds("dupont"), [post_id])  # the leak, as it was

        call_command("migrate", "blog", verbosity=0)

        self.assertEqual(_index_finds("dupont"), [])
        self.assertEqual(_index_finds("public"), [post_id])
        self.assertEqual(Post.objects.get(pk=post_id).body_text, "Texte public.")
        response = self.client.get("/search/", {"q": "Dupont"})
        self.assertEqual(response.context["results"], [])


class CardExcerptTests(TestCase):
    """A card without a description quotes the body: only its visible text, never a link's
    URL from a tag that the excerpt's fixed-length cut left half-open."""

    def test_a_card_excerpt_never_shows_a_link_url(self):
        secret = "urlsecrete" + "z" * 3000
        make_post(title="Sans description", description="", body=f"Intro. [fin](/{secret})")
        html = self.client.get("/blog/").content.decode()
        self.assertIn('<p class="card__description">Intro.</p>', html)
        self.assertNotIn("&lt;a href", html)
        self.assertEqual(html.count("urlsecrete"), 0)
