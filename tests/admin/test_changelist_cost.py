"""The post change list's cost does not grow with the number of posts (issue 13).

Its queries are counted at two sizes, and on SQLite each query's work (virtual machine steps,
as tests/public/test_query_plans.py counts them) is the same with 300 posts as with 150, bar
the paginator's count. The date drill-down and the search keep giving the same answers.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from blog.models import Author, Post
from tests.public.test_query_plans import sqlite_steps
from tests.support.factories import make_post, make_staff

CHANGELIST = reverse("admin:blog_post_changelist")
URLS = [
    CHANGELIST,
    f"{CHANGELIST}?q=commun",  # a word in every post
    f"{CHANGELIST}?q=numero+7",
    f"{CHANGELIST}?pub_date__year=2024",
    f"{CHANGELIST}?state=published&q=commun",
    f"{CHANGELIST}?o=5",  # by date, oldest first
    f"{CHANGELIST}?o=1",  # by title
    f"{CHANGELIST}?o=-1",
    f"{CHANGELIST}?o=-3",  # by state, the other way
    f"{CHANGELIST}?o=4",  # featured first
]
# A month's page lists more posts as they grow (it is not full): its count only.
MONTH = f"{CHANGELIST}?pub_date__year=2024&pub_date__month=3"
# The paginator's count of the list (a covering index, or the search's matches, counted).
KNOWN_TO_GROW = re.compile(r'^SELECT COUNT\(\*\)|MAX\("blog_post"\."updated"\)|blog_post_fts MATCH')


def local(year: int, month: int, day: int, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def add_posts(count: int, start: int = 0) -> None:
    """Posts spread over 2024 and 2025 (the same years and months at any size), each by the
    site's author, some by a guest too."""
    author = Author.objects.get_or_create(name="Autrice", defaults={"slug": "autrice"})[0]
    guest = Author.objects.get_or_create(name="Invité", defaults={"slug": "invite"})[0]
    for n in range(start, start + count):
        post = make_post(
            title=f"Article numéro {n}",
            body=f"Un mot commun, et le {n}.",
            tags=["commun", f"groupe{n % 5}"],
            featured=n % 7 == 0,
            pub_date=local(2024, 1, 1) + dt.timedelta(days=(n * 37) % 700, hours=n % 24),
            status=Post.Status.DRAFT if n % 11 == 0 else Post.Status.PUBLISHED,
        )
        post.set_authors([author, guest] if n % 3 == 0 else [author])


class ChangeListCostTests(TestCase):
    def setUp(self):
        self.client.force_login(make_staff())

    def queries(self, url: str) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]

    def test_query_count_is_the_same_at_two_sizes(self):
        """Searching, drilling down by date and sorting: as many queries at 60 posts as at 20."""
        add_posts(20)
        few = {url: len(self.queries(url)) for url in [*URLS, MONTH]}
        add_posts(40, start=20)
        for url in [*URLS, MONTH]:
            with self.subTest(url=url):
                self.assertEqual(len(self.queries(url)), few[url])

    def test_work_does_not_grow_with_posts(self):
        """SQLite: each query of the list (but its count) does the same work at 300 posts as
        at 150: no date truncated per post, no LIKE over every body, no DISTINCT over links."""
        if connection.vendor != "sqlite":
            self.skipTest("SQLite's work counter; PostgreSQL: bench/bench_site.py")
        add_posts(150)
        few = {
            url: [sqlite_steps(sql) for sql in self.queries(url) if not KNOWN_TO_GROW.search(sql)]
            for url in URLS
        }
        add_posts(150, start=150)
        for url in URLS:
            queries = [sql for sql in self.queries(url) if not KNOWN_TO_GROW.search(sql)]
            with self.subTest(url=url):
                self.assertEqual(len(queries), len(few[url]))
                for sql, before in zip(queries, few[url], strict=True):
                    self.assertLessEqual(sqlite_steps(sql), before * 1.25 + 2, sql)


class DateDrillDownTests(TestCase):
    def setUp(self):
        self.client.force_login(make_staff())
        make_post(title="Vieux", pub_date=local(2019, 5, 1))
        make_post(title="Mars", body="Un girafon.", pub_date=local(2021, 3, 31, 23))
        make_post(title="Juin", pub_date=local(2021, 6, 2))
        make_post(title="Brouillon", status=Post.Status.DRAFT, pub_date=local(2022, 1, 1))

    def choices(self, **params) -> list[str]:
        """The drill-down's links (not its « back » link), as the editor reads them."""
        response = self.client.get(CHANGELIST, params)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        start = html.index('<nav class="toplinks">')
        nav = html[start : html.index("</nav>", start)]
        return [t.strip() for t in re.findall(r'<a href="\?[^"]*">([^<]+)</a>', nav)] + [
            t.strip() for t in re.findall(r"\n([^<\n]+)\n", nav) if t.strip()
        ]

    def test_years_with_posts_only(self):
        """Years with posts, drafts included, none for the empty year between them."""
        self.assertEqual(self.choices(), ["2019", "2021", "2022"])

    def test_months_then_days_in_the_sites_zone(self):
        """31 March 23:00 in Paris is 21:00 UTC: still March, and the 31st."""
        self.assertEqual(self.choices(pub_date__year="2021"), ["Mars 2021", "Juin 2021"])
        self.assertEqual(self.choices(pub_date__year="2021", pub_date__month="3"), ["31 mars"])

    def test_under_a_search(self):
        """A search's drill-down starts at its matches' one year and month."""
        self.assertEqual(self.choices(q="girafon"), ["31 mars"])

    def test_with_a_tag_filter(self):
        """A tag filter makes the list DISTINCT (a post has many tags): the probes follow."""
        for title in ("Juin", "Vieux"):
            Post.objects.get(title=title).tags.add("été", "autre")
        tag = Post.objects.get(title="Juin").tags.get(name="été").pk
        self.assertEqual(self.choices(tags__id__exact=tag), ["2019", "2021"])
        self.assertEqual(self.choices(tags__id__exact=tag, pub_date__year="2021"), ["Juin 2021"])
        self.assertEqual(self.choices(tags__id__exact=tag, q="girafon"), [])


class SearchTests(TestCase):
    def setUp(self):
        self.client.force_login(make_staff())

    def titles(self, term: str) -> list[str]:
        response = self.client.get(CHANGELIST, {"q": term})
        return sorted(p.title for p in response.context["cl"].result_list)

    def test_search_ignores_accents_and_finds_drafts(self):
        """« carriere » finds « Carrière », in a draft too (the editor's list shows every state);
        each word is a prefix, all of them must be found."""
        make_post(title="Ma carrière", status=Post.Status.DRAFT)
        make_post(title="Un devis", description="Pour un client exigeant")
        make_post(title="Autre", body="Les clientes et la carrière")
        self.assertEqual(self.titles("carriere"), ["Autre", "Ma carrière"])
        self.assertEqual(self.titles("client"), ["Autre", "Un devis"])
        self.assertEqual(self.titles("client carri"), ["Autre"])

    def test_one_letter_falls_back_to_djangos_search(self):
        make_post(title="Plan B")
        make_post(title="Autre chose")
        self.assertIn("Plan B", self.titles("B"))


class SortTests(TestCase):
    def setUp(self):
        self.client.force_login(make_staff())
        for n, title in enumerate(["Bravo", "Alpha", "Charlie", "Alpha"]):
            make_post(title=title, featured=n == 2)

    def order(self, sort: str) -> list[tuple[str, int]]:
        response = self.client.get(CHANGELIST, {"o": sort})
        return [(p.title, p.pk) for p in response.context["cl"].result_list]

    def test_sorted_by_a_column_ties_by_id_the_same_way(self):
        """Two « Alpha »: the older first going up, the newer first going down."""
        up = self.order("1")
        self.assertEqual([title for title, _ in up], ["Alpha", "Alpha", "Bravo", "Charlie"])
        self.assertLess(up[0][1], up[1][1])
        self.assertEqual(self.order("-1"), up[::-1])
