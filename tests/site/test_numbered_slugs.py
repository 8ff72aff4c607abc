"""A new post's slug is its title's, numbered when taken: found from the slug index, whatever
the number of posts (issue 13: the admin's live preview asks for it on every keystroke)."""

from __future__ import annotations

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from blog.models import Author, Post
from tests.support.factories import make_post


class NumberedSlugTests(TestCase):
    def test_the_first_free_number(self):
        for title in ("Mon métier", "Mon métier", "Mon métier 2", "Mon métiers", "Mon métier"):
            make_post(title=title)
        slugs = sorted(Post.objects.values_list("slug", flat=True))
        self.assertEqual(
            slugs, ["mon-metier", "mon-metier-2", "mon-metier-2-2", "mon-metier-3", "mon-metiers"]
        )
        self.assertEqual(Post(title="x").unique_slug("Mon métier"), "mon-metier-4")
        self.assertEqual(Post(title="x").unique_slug("Mon métier 2"), "mon-metier-2-3")

    def test_a_post_keeps_its_own_slug(self):
        post = make_post(title="Seul")
        self.assertEqual(post.unique_slug("Seul"), "seul")

    def test_authors_too(self):
        Author.objects.create(name="Zoé Martin")
        self.assertEqual(Author(name="Zoé Martin").unique_slug("Zoé Martin"), "zoe-martin-2")

    def test_it_reads_the_slug_index_only(self):
        make_post(title="Mon métier")
        with CaptureQueriesContext(connection) as queries:
            Post(title="x").unique_slug("Mon métier")
        [sql] = [q["sql"] for q in queries.captured_queries]
        self.assertNotIn("ORDER BY", sql)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN QUERY PLAN " + sql)
                plan = " ".join(row[3] for row in cursor.fetchall())
            self.assertIn("USING COVERING INDEX", plan)
            self.assertNotIn("SCAN blog_post", plan)
