"""After an import, PostgreSQL's planner knows how many posts there are (issue 13): without
statistics it takes the posts for a handful and reads every one to show a page of ten."""

from unittest import skipUnless

from django.db import connection
from django.test import TestCase

from blog.models import Post
from tests.support.cases import TemporaryFolders
from tests.support.importing import Run, write


def planned_rows(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


@skipUnless(connection.vendor == "postgresql", "PostgreSQL's planner statistics")
class ImportStatisticsTests(TemporaryFolders, TestCase):
    def write_posts(self, count: int, start: int = 0) -> None:
        for n in range(start, start + count):
            write(self.tmp_path, f"posts/article-{n}.md",
                  f"---\ntitle: Article {n}\ndate: 2021-03-{n % 28 + 1:02d}\ntags: [a, b]\n---\n"
                  f"Corps {n}\n")  # fmt: skip

    def test_an_import_leaves_the_tables_analyzed(self):
        self.write_posts(12)
        run = Run(self.tmp_path)
        self.assertIsNone(run.error, run.stderr)
        self.assertEqual(Post.objects.count(), 12)
        self.assertEqual(planned_rows("blog_post"), 12)
        self.assertEqual(planned_rows("blog_taggedpost"), 24)

    def test_a_dry_run_analyzes_nothing(self):
        before = planned_rows("blog_post")
        self.write_posts(3)
        Run(self.tmp_path, dry_run=True)
        self.assertEqual(Post.objects.count(), 0)
        self.assertEqual(planned_rows("blog_post"), before)
