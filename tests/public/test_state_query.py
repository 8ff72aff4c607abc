"""The public state's one query (blog.site.stamps), run by every public request, cached hits
included: its count of visible posts stays right with many scheduled posts, and on PostgreSQL
its prepared statement keeps one generic plan with thousands of posts instead of being planned
again on every request (0.33 ms of each request at 10,000 posts: bench/README.md)."""

from __future__ import annotations

import datetime as dt
import unittest

from django.db import connection
from django.test import TestCase

from blog.models import Post
from blog.site.stamps import SCHEDULED_AT_ONCE, read_public_state
from tests.support.factories import make_post

PAST = dt.datetime(2020, 5, 23, 9, 0, tzinfo=dt.UTC)
FUTURE = dt.datetime(2100, 1, 1, 9, 0, tzinfo=dt.UTC)  # scheduled at any clock (make test-clock)


def copies(post: Post, count: int, pub_date: dt.datetime) -> None:
    """``count`` rows like ``post`` (slugs numbered), inserted by the database itself."""
    if count < 1:
        return
    # The column's own form of the date (SQLite keeps naive UTC text, as the ORM writes it).
    when = Post._meta.get_field("pub_date").get_db_prep_value(pub_date, connection)
    skip = {"id", "slug", "source_path", "pub_date"}
    columns = ", ".join(f'"{f.column}"' for f in Post._meta.concrete_fields if f.column not in skip)
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s) "
            f'INSERT INTO blog_post ({columns}, "slug", "pub_date") '
            f"SELECT {columns}, slug || '-' || i, %s FROM blog_post, n WHERE id = %s",
            [count, when, post.pk],
        )


class ScheduledCountTests(TestCase):
    def test_the_count_leaves_out_every_scheduled_post(self):
        visible = make_post(title="Visible", pub_date=PAST)
        copies(visible, 2, PAST)
        later = make_post(title="Plus tard", pub_date=FUTURE)
        for scheduled in (1, SCHEDULED_AT_ONCE, SCHEDULED_AT_ONCE + 1, SCHEDULED_AT_ONCE + 40):
            with self.subTest(scheduled=scheduled):
                Post.objects.filter(pub_date=FUTURE).exclude(pk=later.pk).delete()
                copies(later, scheduled - 1, FUTURE)
                self.assertEqual(Post.objects.filter(pub_date=FUTURE).count(), scheduled)
                self.assertEqual(read_public_state().count, 3)
                response = self.client.get("/blog/")
                self.assertContains(response, "Visible")
                self.assertNotContains(response, "Plus tard")


@unittest.skipUnless(connection.vendor == "postgresql", "prepared statements: PostgreSQL only")
class GenericPlanTests(TestCase):
    def test_the_state_query_is_not_planned_again_with_many_posts(self):
        post = make_post(title="Un article parmi dix mille", pub_date=PAST, tags=["web"])
        copies(post, 10_000, PAST)
        make_post(title="Programmé", pub_date=FUTURE)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE blog_post")  # as autovacuum would after such a load
        for _ in range(15):
            self.assertEqual(self.client.get("/tags/").status_code, 200)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                "WHERE statement LIKE %s",
                ["%AS s_updated%"],
            )
            ((generic, custom),) = cursor.fetchall()
        # PostgreSQL plans a prepared statement's first five runs for their values, then keeps
        # a generic plan unless it looks costlier than those.
        self.assertLessEqual(custom, 5)
        self.assertGreater(generic, 0)
