"""On PostgreSQL the public pages' statements are prepared on their connection after a few
requests (site_config/settings.py: server-side parameters, DJANGO_DB_PREPARE_THRESHOLD), and a
page served by prepared statements is the page served without them."""

from __future__ import annotations

import unittest

from django.db import connection
from django.test import TestCase

from tests.support.factories import make_post


@unittest.skipUnless(connection.vendor == "postgresql", "prepared statements: PostgreSQL only")
class PreparedStatementsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.post = make_post(title="Un article préparé", tags=["web", "freelance"])
        make_post(title="Un autre client", body="Un client, deux clients.", tags=["web"])

    def prepared(self) -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
            return [row[0] for row in cursor.fetchall()]

    def test_pages_asked_again_run_prepared_statements_and_show_the_same(self):
        for url in [self.post.get_absolute_url(), "/blog/", "/search/?q=client", "/tags/web/"]:
            with self.subTest(url):
                first = self.client.get(url)
                self.assertEqual(first.status_code, 200)
                for _ in range(6):
                    again = self.client.get(url)
                self.assertEqual(again.status_code, 200)
                self.assertEqual(again.content, first.content)
        statements = self.prepared()
        # The public state (every page), the post by its slug, a list's page, the search, the
        # tag of a tag's page.
        parts = ["AS s_updated", '"blog_post"."slug" = $', "body_start", "ts_rank_cd(",
                 '"taggit_tag"."slug" = $']  # fmt: skip
        for part in parts:
            with self.subTest(part):
                self.assertTrue(any(part in statement for statement in statements), statements)
