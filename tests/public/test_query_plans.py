"""What a public page's queries read must not grow with the number of posts.

The query budgets (test_views_performance.py) count queries; these tests look at what each one
reads. SQLite: no full scan of the posts or their tag links in any query plan, and each query's
work (virtual machine steps, counted by SQLite's progress handler) is the same with 300 posts as
with 150. PostgreSQL plans a few hundred rows as whole-table reads whatever the query: its
figures at 10,000 posts are bench/bench_site.py's (--database-url).
"""

from __future__ import annotations

import json
import re
from functools import partial

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from blog.models import Post
from tests.support.factories import make_author, make_post
from tests.support.site import add_hidden_posts, add_posts

PAGES = [
    "/",
    "/blog/",
    "/blog/?page=2",
    "/blog/article-numero-5/",
    "/tags/groupe1/",
    "/archive/{year}/",
    "/search/?q=article",
    "/search/?q=numero+commun",
    "/feed/",
    "/tags/",
    "/sitemap.xml",
    "/sitemap-tags.xml",
    "/sitemap-authors.xml",
    "/sitemap-archives.xml",
    "/sitemap-pages.xml",
    # (/sitemap-posts.xml lists up to a thousand posts a file: tests/public/test_sitemap.py)
]
# Queries whose cost does grow with the posts, each for a reason of its own (issue 13 notes):
KNOWN_TO_GROW = {
    # A paginator's count of an archive's or a search's posts (a covering index, a few bytes a
    # post; the post list and tag pages run none: test_views_performance.ListCountTests).
    "count": re.compile(r"^SELECT COUNT\(\*\)"),
    # Django's archive views look for the previous year or month: SQLite walks back from now
    # (the published() bound) to the period's start, so that period's posts.
    "previous period": re.compile(r'"pub_date" < .* ORDER BY "blog_post"\."pub_date" DESC LIMIT 1'),
    # Every month with posts: computed once per change of the site, then kept (blog.site.archive).
    "archive links": re.compile(r"SELECT django_date_trunc\('month'.* GROUP BY 1 ORDER BY 1 DESC$"),
    # Every tag's count of published posts (the tag index, the sitemap's tags): computed once
    # per change of the site, then kept (blog.site.tags).
    "tag counts": re.compile(r'COUNT\("blog_taggedpost"\."id"\) AS "num_posts"'),
}
FULL_SCAN = re.compile(r"^SCAN (blog_post|blog_taggedpost)\b(?! USING (COVERING )?INDEX)")


def page_queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return [q["sql"] for q in captured.captured_queries if q["sql"].startswith(("SELECT", "WITH"))]


def bounded_queries(client, url: str) -> list[str]:
    queries = page_queries(client, url)
    return [q for q in queries if not any(p.search(q) for p in KNOWN_TO_GROW.values())]


def sqlite_plan(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return [row[3] for row in cursor.fetchall()]


def sqlite_steps(sql: str) -> int:
    """Hundreds of SQLite virtual machine steps the query takes (its work, not its time)."""
    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0  # go on

    raw = connection.connection
    raw.set_progress_handler(tick, 100)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            cursor.fetchall()
    finally:
        raw.set_progress_handler(None, 100)
    return steps[0]


class QueryPlanTests(TestCase):
    def pages(self) -> list[str]:
        year = Post.objects.published().get(slug="article-numero-5").pub_date.year
        return [url.format(year=year) for url in PAGES]

    def test_no_public_query_walks_every_post(self):
        """SQLite: no full scan of blog_post or its tag links in any public page's queries."""
        if connection.vendor != "sqlite":
            self.skipTest("SQLite's query plans")
        add_posts(40)
        add_hidden_posts()
        for url in self.pages():
            for sql in page_queries(self.client, url):
                for line in sqlite_plan(sql):
                    with self.subTest(url=url, plan=line):
                        self.assertIsNone(FULL_SCAN.match(line), sql)

    def test_work_does_not_grow_with_posts(self):
        """Lists, a post, a tag, an archive, the search (a word in every post) and the feed:
        each query but the few known to grow does the same work with 300 posts as with 150."""
        if connection.vendor != "sqlite":
            # Tried with EXPLAIN ANALYZE's rows: for a few hundred rows PostgreSQL's planner
            # reads the whole table and sorts (cheaper there), even with sequential scans
            # disabled, so its rows grow whatever the query.
            self.skipTest("SQLite's work counter; PostgreSQL: bench/bench_site.py")
        add_posts(150)
        add_hidden_posts()
        few = {
            url: [sqlite_steps(sql) for sql in bounded_queries(self.client, url)]
            for url in self.pages()
        }
        add_posts(150, start=150)
        for url in self.pages():
            queries = bounded_queries(self.client, url)
            with self.subTest(url=url):
                self.assertEqual(len(queries), len(few[url]))
                for sql, before in zip(queries, few[url], strict=True):
                    # Some slack: longer numbers in titles, one more page of links, and FTS5
                    # expanding a prefix word (merging the lists of the words it starts).
                    self.assertLessEqual(sqlite_steps(sql), before * 1.25 + 2, sql)

    def test_the_state_reads_the_same_with_twice_the_posts(self):
        """The public state behind every page and ETag (its newest edit, newest publication and
        count, the site's stamps, whether several authors have visible posts) does the same
        work with 300 posts as with 150, scheduled posts and drafts among them. (It walked
        every published post: 4.7 ms a request at 10,000 posts on SQLite.)"""
        if connection.vendor != "sqlite":
            self.skipTest("SQLite's work counter; PostgreSQL: bench/bench_site.py")
        # An author with a visible post, one with a draft only: each author's links are read.
        make_post(title="Signé", tags=["commun"]).set_authors([make_author("Zoé")])
        make_post(title="Pas encore", status=Post.Status.DRAFT).set_authors([make_author("Léa")])
        add_hidden_posts()  # the scheduled one is the newest edit: the state walks past it

        def state_steps() -> int:
            queries = page_queries(self.client, "/blog/")
            return sqlite_steps(next(q for q in queries if "AS authors_writing" in q))

        add_posts(150)
        few = state_steps()
        add_posts(150, start=150)
        self.assertLessEqual(state_steps(), few + 2)


def record(sent: list, execute, sql, params, many, context):
    """An execute wrapper keeping each query's SQL and values (as sent, not interpolated)."""
    sent.append((sql, params))
    return execute(sql, params, many, context)


def postgres_nodes(sql: str, params) -> list[dict]:
    """Every node of PostgreSQL's plan of the query, as run (EXPLAIN ANALYZE, VERBOSE)."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, VERBOSE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = plan if isinstance(plan, list) else json.loads(plan)
    nodes, todo = [], [plan[0]["Plan"]]
    while todo:
        node = todo.pop()
        nodes.append(node)
        todo.extend(node.get("Plans", []))
    return nodes


class DeepPageTests(TestCase):
    """A later page of a list reads the cards' columns of its own posts only: skipping the
    earlier pages walks an index. PostgreSQL cut each skipped post's excerpt out of its body
    (decompressing it): page 50 of 1,000 posts took 15 ms, page 1 0.5 (bench/README.md)."""

    def test_the_excerpts_of_skipped_posts_are_not_read(self):
        if connection.vendor != "postgresql":
            self.skipTest("PostgreSQL's plan as run (EXPLAIN ANALYZE VERBOSE)")
        add_posts(45)
        add_hidden_posts()
        for url in ("/blog/?page=4", "/tags/commun/?page=4", "/tags/groupe1/?page=1"):
            sent: list[tuple] = []
            with connection.execute_wrapper(partial(record, sent)):
                response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
            self.assertContains(response, 'class="card')
            ((sql, params),) = [(sql, params) for sql, params in sent if "SUBSTRING" in sql]
            cut = [
                node
                for node in postgres_nodes(sql, params)
                if any("substring" in column.lower() for column in node.get("Output", []))
            ]
            with self.subTest(url=url):
                self.assertTrue(cut, "the excerpt is computed in the query")
                for node in cut:
                    read = node["Actual Rows"] * node["Actual Loops"]
                    self.assertLessEqual(read, 10, (node["Node Type"], node["Output"]))
