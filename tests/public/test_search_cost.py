"""What a search costs must not grow with the number of posts: FTS5's own work, on SQLite.

The work counter of test_query_plans (virtual machine steps) does not see inside FTS5: its
lookup is one step whatever it reads. What it holds in memory shows it: FTS5 (3.40) answered a
prefix word (each word of a query is one) by merging the positions of every word it starts,
in every post, into memory before the first row, whatever the LIMIT; bm25() and the snippets
did it again. With prefix indexes (blog/search_index.py, SQLITE_PREFIXES) a prefix is read
like a whole word, lazily, newest first. Time: bench/bench_site.py.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt

from django.core.management import call_command
from django.db import connection
from django.test import TestCase, TransactionTestCase
from django.utils import timezone

from tests.public.test_query_plans import page_queries
from tests.support import required
from tests.support.factories import make_post

# A body where the searched word comes back often, as a long post's common word does.
BODY = "Le client signe le devis; la cliente paie la facture du client. " * 40


def sqlite_allocator():
    """SQLite's C library as this process runs it, for its allocation counters; None when the
    library reachable here is not the one Python's sqlite3 runs (a statically linked copy)."""
    name = ctypes.util.find_library("sqlite3")
    if name is None:
        return None
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    lib.sqlite3_memory_used.restype = ctypes.c_int64
    lib.sqlite3_memory_highwater.restype = ctypes.c_int64
    lib.sqlite3_memory_highwater.argtypes = [ctypes.c_int]
    # The same copy: a megabyte allocated through Django's connection shows in its counters.
    lib.sqlite3_memory_highwater(1)
    before = lib.sqlite3_memory_used()
    with connection.cursor() as cursor:
        cursor.execute("SELECT length(randomblob(1000000))")
        cursor.fetchall()
    if lib.sqlite3_memory_highwater(0) - before < 900_000:
        return None
    return lib


def peak_bytes(lib, sql: str) -> int:
    """How much more memory SQLite held at most while running the query than before it."""
    with connection.cursor() as cursor:
        before = lib.sqlite3_memory_used()
        lib.sqlite3_memory_highwater(1)
        cursor.execute(sql)
        cursor.fetchall()
        return lib.sqlite3_memory_highwater(0) - before


def add_posts(count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        make_post(
            title=f"Mission numéro {n}",
            body=BODY,
            pub_date=timezone.now() - dt.timedelta(days=n + 1),
        )
    # FTS5 keeps its index in segments, merged as it grows; each segment read takes a page of
    # memory. Merged into one, what is left is what a query itself holds.
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO blog_post_fts(blog_post_fts) VALUES ('optimize')")


class SearchMemoryTests(TestCase):
    def test_a_word_in_every_post_is_read_lazily(self):
        """A word (and shorter prefixes of it) in every post, many times each: each of the
        search page's queries holds as much memory with 300 posts as with 150."""
        if connection.vendor != "sqlite":
            self.skipTest("SQLite's FTS5; PostgreSQL: bench/bench_site.py")
        lib = sqlite_allocator()
        if lib is None:
            required.skip_or_fail(
                "SQLITE_COUNTERS",
                "SQLite's allocation counters are not reachable from this Python "
                "(no shared libsqlite3)",
            )
        urls = ["/search/?q=client", "/search/?q=cli", "/search/?q=client+devis"]
        add_posts(150)
        few = {
            url: [peak_bytes(lib, sql) for sql in page_queries(self.client, url)] for url in urls
        }
        add_posts(150, start=150)
        for url in urls:
            queries = page_queries(self.client, url)
            with self.subTest(url=url):
                self.assertEqual(len(queries), len(few[url]))
                for sql, before in zip(queries, few[url], strict=True):
                    self.assertLessEqual(peak_bytes(lib, sql), before * 1.25 + 8192, sql)


class PrefixMigrationTests(TransactionTestCase):
    """Migration 0015 makes an existing index again with the prefix indexes, every post in it."""

    def tearDown(self):
        call_command("migrate", "blog", verbosity=0)

    def test_an_index_without_prefixes_is_rebuilt_with_them(self):
        if connection.vendor != "sqlite":
            self.skipTest("SQLite's FTS5 table")
        call_command("migrate", "blog", "0014", verbosity=0)
        posts = [make_post(title=f"Carrière {n}", body=BODY).pk for n in range(3)]
        with connection.cursor() as cursor:
            # The table as 0003-0014 made it (no prefix option), its entries written again.
            cursor.execute("DROP TABLE blog_post_fts")
            cursor.execute(
                "CREATE VIRTUAL TABLE blog_post_fts USING fts5(title, description, tags, body, "
                "tokenize = 'unicode61 remove_diacritics 2')"
            )
            cursor.execute(
                "INSERT INTO blog_post_fts(rowid, title, description, tags, body) "
                "SELECT id, title, description, '', body_text FROM blog_post"
            )

        call_command("migrate", "blog", verbosity=0)

        with connection.cursor() as cursor:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'blog_post_fts'")
            self.assertIn("prefix = '2 3 4 5 6 7 8'", cursor.fetchone()[0])
            cursor.execute("SELECT rowid FROM blog_post_fts ORDER BY rowid")
            self.assertEqual([row[0] for row in cursor.fetchall()], posts)
        response = self.client.get("/search/", {"q": "carri"})
        self.assertEqual(len(response.context["results"]), 3)
        make_post(title="Kapokier")  # and the triggers are there again
        self.assertEqual(len(self.client.get("/search/", {"q": "kapok"}).context["results"]), 1)
