"""The public state (blog.site.stamps): the visible posts' newest edit, newest publication and
count, read from indexes and from the published total the database keeps
(blog.published_total), always equal to an aggregate over the visible posts themselves.

Every way a post changes counts: saves, bulk writes (the importer), raw SQL, loaddata, a
rollback, a flush, and a scheduled post's time coming with no write at all.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import time_machine
from django.core import serializers
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, Max
from django.test import TestCase, TransactionTestCase
from django.utils import timezone

from blog import published_total
from blog.models import Post
from blog.site.stamps import read_public_state
from tests.support.factories import make_post

NOW = dt.datetime(2027, 5, 4, 10, 0, tzinfo=dt.UTC)


def state() -> tuple:
    found = read_public_state()
    return found.updated, found.published, found.count


def expected() -> tuple:
    """What the state meant before it was read from indexes: an aggregate of the visible posts."""
    row = Post.objects.published().aggregate(
        updated=Max("updated"), published=Max("pub_date"), count=Count("id")
    )
    return row["updated"], row["published"], row["count"]


def stored_total() -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT total FROM {published_total.TABLE} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else None


def new_post(n: int, **fields) -> Post:
    """An unsaved post for bulk_create (what the importer writes)."""
    fields.setdefault("status", Post.Status.PUBLISHED)
    fields.setdefault("pub_date", timezone.now() - dt.timedelta(days=n))
    return Post(title=f"En lot {n}", slug=f"en-lot-{n}", body="Corps", **fields)


class PublicStateTests(TestCase):
    def setUp(self):
        self.enterContext(time_machine.travel(NOW, tick=False))
        self.first = make_post(title="Premier")
        self.second = make_post(title="Second")

    def assert_state(self, count: int) -> None:
        self.assertEqual(state(), expected())
        self.assertEqual(state()[2], count)
        self.assertEqual(stored_total(), Post.objects.filter(status=Post.Status.PUBLISHED).count())

    def test_saves_edits_and_deletions(self):
        self.assert_state(2)
        make_post(title="Troisième")
        self.assert_state(3)
        make_post(title="Brouillon", status=Post.Status.DRAFT)
        self.assert_state(3)
        with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
            self.first.title = "Premier, revu"
            self.first.save()
            self.assertEqual(state()[0], NOW + dt.timedelta(minutes=5))
            self.assert_state(3)
        self.second.status = Post.Status.DRAFT
        self.second.save()
        self.assert_state(2)
        self.second.status = Post.Status.PUBLISHED
        self.second.save()
        self.assert_state(3)
        self.first.delete()
        self.assert_state(2)
        Post.objects.get(title="Brouillon").delete()
        self.assert_state(2)

    def test_a_scheduled_post_goes_live_by_itself(self):
        """Edited last and dated in an hour: neither its edit, its date nor itself count until
        then; then all three do, with no write."""
        before = state()
        with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
            make_post(title="Bientôt", pub_date=NOW + dt.timedelta(hours=1))
            self.assertEqual(state(), before)
            self.assert_state(2)
        with time_machine.travel(NOW + dt.timedelta(hours=1, seconds=1), tick=False):
            self.assertEqual(
                state(), (NOW + dt.timedelta(minutes=1), NOW + dt.timedelta(hours=1), 3)
            )
            self.assert_state(3)

    def test_bulk_writes_count(self):
        """bulk_create (the importer), QuerySet.update and QuerySet.delete: no save(), no
        signal, and still counted."""
        Post.objects.bulk_create(
            [new_post(n) for n in range(1, 5)] + [new_post(9, status=Post.Status.DRAFT)]
        )
        self.assert_state(6)
        Post.objects.filter(title__startswith="En lot").update(status=Post.Status.DRAFT)
        self.assert_state(2)
        Post.objects.filter(title__in=["En lot 1", "En lot 9"]).update(status=Post.Status.PUBLISHED)
        self.assert_state(4)
        Post.objects.filter(title__startswith="En lot").delete()
        self.assert_state(2)

    def test_raw_sql_counts(self):
        with connection.cursor() as cursor:
            cursor.execute("UPDATE blog_post SET status = 'draft' WHERE id = %s", [self.first.pk])
        self.assert_state(1)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM blog_post WHERE id = %s", [self.second.pk])
        self.assert_state(0)

    def test_a_rolled_back_write_leaves_the_total(self):
        try:
            with transaction.atomic():
                Post.objects.bulk_create([new_post(n) for n in range(1, 4)])
                self.second.delete()
                self.assert_state(4)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        self.assert_state(2)

    def test_loaddata_counts(self):
        data = serializers.serialize("json", [self.first])
        self.first.delete()
        self.assert_state(1)
        with tempfile.TemporaryDirectory() as folder:
            fixture = Path(folder) / "posts.json"
            fixture.write_text(data)
            call_command("loaddata", str(fixture), verbosity=0)
        self.assertEqual(json.loads(data)[0]["fields"]["title"], "Premier")
        self.assert_state(2)

    def test_without_its_row_the_state_counts_the_posts(self):
        """The triggers never make the row: without it (deleted by hand), the state counts the
        published posts itself, and stays right through writes until ensure() puts it back."""
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {published_total.TABLE}")
        self.assertEqual(state(), expected())
        make_post(title="Sans compteur")
        self.assertEqual(state()[2], 3)
        self.assertIsNone(stored_total())
        published_total.ensure(connection)
        self.assert_state(3)

    def test_ensure_counts_again(self):
        """The state reads the stored total (no walk of the posts); ensure(), run after every
        migrate, corrects a total that writes with triggers disabled left behind."""
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {published_total.TABLE} SET total = 40")
        self.assertEqual(state()[2], 40)
        published_total.ensure(connection)
        self.assert_state(2)

    def test_truncate_sets_the_total_to_zero(self):
        """PostgreSQL's TRUNCATE (Django's flush there) fires no row trigger; SQLite has no
        TRUNCATE, and its flush deletes the rows (their triggers fire)."""
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("TRUNCATE blog_post CASCADE")
            else:
                cursor.execute("DELETE FROM blog_post")
        self.assertEqual(stored_total(), 0)
        self.assert_state(0)
        make_post(title="Après")
        self.assert_state(1)

    def test_one_query(self):
        with self.assertNumQueries(1):
            read_public_state()


class FlushTests(TransactionTestCase):
    """Django's flush (between TransactionTestCases: TRUNCATE on PostgreSQL, DELETE on SQLite,
    in its own order) leaves a right total, even without the recount after it."""

    def test_flush_leaves_a_right_total(self):
        make_post(title="Un")
        make_post(title="Deux", status=Post.Status.DRAFT)
        self.assertEqual(stored_total(), 1)
        call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
        self.assertEqual(stored_total(), 0)
        make_post(title="Trois")
        self.assertEqual(state(), expected())
        self.assertEqual(state()[2], 1)
