"""Search: accents and case do not matter, best first, highlighted, paginated, never an error."""

import datetime as dt

from django.db import connection
from django.test import TestCase
from django.utils import timezone
from taggit.models import Tag

from blog.admin.tags import merge_tags
from blog.models import Post
from blog.public import search
from tests.support.factories import make_post
from tests.support.site import add_hidden_posts


class SearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.career = make_post(
            title="Le Début d'une Carrière Professionnelle",
            description="Se lancer en freelance",
            body="Étude de marché et compétences.",
            tags=["freelancing"],
        )
        make_post(title="Recettes", body="Une carrière de pâtissier, en passant.", tags=["cuisine"])
        make_post(title="Sans rapport", body="Rien à voir ici.")
        add_hidden_posts()

    def search(self, q, **params):
        response = self.client.get("/search/", {"q": q, **params})
        self.assertEqual(response.status_code, 200)
        return response

    def titles(self, q):
        return [post.title for post in self.search(q).context.get("results") or []]

    def test_accents_and_case_do_not_matter(self):
        for q in ["carriere", "CARRIÈRE", "Carriere", "carrière"]:
            self.assertEqual(self.titles(q)[0], self.career.title, q)

    def test_best_first(self):
        """A match in the title weighs more than one in the body."""
        self.assertEqual(self.titles("carriere"), [self.career.title, "Recettes"])

    def test_searches_description_body_and_tags(self):
        self.assertEqual(self.titles("lancer"), [self.career.title])
        self.assertEqual(self.titles("marche"), [self.career.title])
        self.assertEqual(self.titles("cuisine"), ["Recettes"])

    def test_matched_words_are_highlighted(self):
        response = self.search("carriere")
        self.assertContains(response, "<mark>Carrière</mark>")
        self.assertContains(response, "2 articles trouvés pour « carriere ».")

    def test_drafts_and_scheduled_posts_never_found(self):
        self.assertEqual(self.titles("secret"), [])
        self.assertContains(self.search("secret"), "Aucun article trouvé pour « secret ».")

    def test_empty_and_absurd_queries_get_a_friendly_page(self):
        self.assertContains(self.search(""), "Tapez un ou plusieurs mots")
        for q in ['"', "*", "((", "AND OR NOT", "NEAR(", "a", "x" * 5000, "' OR 1=1 --", "\x00"]:
            response = self.search(q)
            self.assertNotContains(response, "Traceback")
        self.assertContains(self.search("***"), "ne contient aucun mot à chercher")

    def test_html_in_the_query_is_escaped(self):
        response = self.search("<script>alert(1)</script>")
        self.assertNotContains(response, "<script>alert")
        self.assertContains(response, "&lt;script&gt;")

    def test_results_are_paginated(self):
        for n in range(12):
            make_post(title=f"Pagination {n}", body="zèbre")
        response = self.search("zebre")
        self.assertEqual(len(response.context["results"]), 10)
        self.assertContains(response, "12 articles trouvés")
        second = self.search("zebre", page=2)
        self.assertEqual(len(second.context["results"]), 2)
        self.assertEqual(self.client.get("/search/", {"q": "zebre", "page": 3}).status_code, 404)


class SearchIndexTests(TestCase):
    """The index follows every save and delete, whoever makes them."""

    def test_edit_and_delete_are_followed(self):
        post = make_post(title="Girafe")
        self.assertEqual(search.ranked_ids(search.Query("girafe")), [post.pk])
        post.title = "Éléphant"
        post.save()
        self.assertEqual(search.ranked_ids(search.Query("girafe")), [])
        self.assertEqual(search.ranked_ids(search.Query("elephant")), [post.pk])
        post.delete()
        self.assertEqual(search.ranked_ids(search.Query("elephant")), [])

    def test_tags_added_and_removed_are_followed(self):
        post = make_post(title="Sans étiquette")
        post.tags.add("Ornithologie")
        self.assertEqual(search.ranked_ids(search.Query("ornithologie")), [post.pk])
        post.tags.remove("Ornithologie")
        self.assertEqual(search.ranked_ids(search.Query("ornithologie")), [])

    def test_renamed_and_merged_tags_are_followed(self):
        post = make_post(title="Sans étiquette", tags=["Ornitologie"])
        tag = Tag.objects.get(name="Ornitologie")
        tag.name = "Ornithologie"
        tag.save()
        self.assertEqual(search.ranked_ids(search.Query("ornithologie")), [post.pk])
        merge_tags([tag], Tag.objects.create(name="Oiseaux", slug="oiseaux"))
        self.assertEqual(search.ranked_ids(search.Query("ornithologie")), [])
        self.assertEqual(search.ranked_ids(search.Query("oiseaux")), [post.pk])

    def test_publication_and_schedule_are_read_at_search_time(self):
        post = make_post(title="Hérisson", status=Post.Status.DRAFT)
        self.assertEqual(search.ranked_ids(search.Query("herisson")), [])
        Post.objects.filter(pk=post.pk).update(status=Post.Status.PUBLISHED)
        self.assertEqual(search.ranked_ids(search.Query("herisson")), [post.pk])
        Post.objects.filter(pk=post.pk).update(pub_date=timezone.now() + dt.timedelta(days=1))
        self.assertEqual(search.ranked_ids(search.Query("herisson")), [])

    def test_index_objects_exist_after_all_migrations(self):
        """Later migrations that rebuild blog_post must not lose the triggers (post_migrate)."""
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                names = {row[0] for row in cursor.fetchall()}
                self.assertLessEqual(
                    {"blog_post_fts_insert", "blog_post_fts_refresh", "blog_post_fts_delete",
                     "blog_taggedpost_fts_insert", "blog_taggedpost_fts_delete"}, names,
                )  # fmt: skip
            else:
                cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
                names = {row[0] for row in cursor.fetchall()}
                self.assertLessEqual({"blog_post_search", "blog_taggedpost_search"}, names)


class QueryTests(TestCase):
    def test_terms_are_words_only(self):
        query = search.Query('  "Carrière" AND (php*) -- OR x ')
        self.assertEqual(query.terms, ["carrière", "and", "php", "or"])
        self.assertEqual(query.fts5(), '"carrière"* "and"* "php"* "or"*')
        self.assertFalse(search.Query("*** ! ?"))
        self.assertTrue(search.Query("").is_blank)


class BoundedSearchTests(TestCase):
    """A word in more posts than one search ranks: the last added are ranked, the page says so."""

    @classmethod
    def setUpTestData(cls):
        now = timezone.now()
        for n in range(search.MAX_RESULTS + 5):
            make_post(
                title=f"Girafe {n}",
                body="Une girafe.",
                pub_date=now - dt.timedelta(days=n + 1),
            )
        # A draft added after them all does not take a place among the last added.
        make_post(title="Girafe cachée", status=Post.Status.DRAFT)

    def test_the_last_added_matches_are_ranked_and_the_page_says_there_are_more(self):
        response = self.client.get("/search/", {"q": "girafe"})
        self.assertContains(response, "Plus de 100 articles trouvés pour « girafe »")
        self.assertEqual(response.context["paginator"].count, search.MAX_RESULTS)
        self.assertNotContains(response, "cachée")
        shown = []
        for page in range(1, 11):
            listed = self.client.get("/search/", {"q": "girafe", "page": page})
            shown += [post.title for post in listed.context["results"]]
        # The best 100 of the 101 last added (one more tells that there are more).
        last_added = {f"Girafe {n}" for n in range(4, search.MAX_RESULTS + 5)}
        self.assertEqual(len(set(shown)), search.MAX_RESULTS)
        self.assertLessEqual(set(shown), last_added)
        self.assertEqual(self.client.get("/search/", {"q": "girafe", "page": 11}).status_code, 404)

    def test_up_to_the_limit_the_count_is_exact(self):
        Post.objects.filter(title__in=[f"Girafe {n}" for n in range(6)]).delete()  # 99 left
        response = self.client.get("/search/", {"q": "girafe"})
        self.assertContains(response, "99 articles trouvés pour « girafe »")


class SearchWindowTests(TestCase):
    """PostgreSQL tries the newest posts first (search.RECENT_WINDOW): matches found only
    further back are found all the same, the last added of them ranked."""

    def test_matches_older_than_the_window_are_the_last_added_of_them(self):
        now = timezone.now()
        older = search.MAX_RESULTS + 10
        for n in range(older):
            make_post(
                title=f"Zèbre {n}", body="Un zèbre.", pub_date=now - dt.timedelta(days=900 - n)
            )
        for n in range(search.RECENT_WINDOW):
            make_post(
                title=f"Cheval {n}", body="Un cheval.", pub_date=now - dt.timedelta(days=n + 1)
            )
        response = self.client.get("/search/", {"q": "zebre"})
        self.assertContains(response, "Plus de 100 articles trouvés pour « zebre »")
        shown = []
        for page in range(1, 11):
            listed = self.client.get("/search/", {"q": "zebre", "page": page})
            shown += [post.title for post in listed.context["results"]]
        self.assertLessEqual(set(shown), {f"Zèbre {n}" for n in range(9, older)})
        self.assertEqual(len(set(shown)), search.MAX_RESULTS)
