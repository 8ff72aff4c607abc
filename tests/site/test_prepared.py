"""Querysets whose SQL is built once (blog.prepared) give what the ORM gives, for any values."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from blog import prepared
from blog.models import Post, TaggedPost
from tests.support.factories import make_post

NOW = dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC)


def listed(now, *ids):
    return Post.objects.published(now).cards().exclude(pk__in=ids)[:3]


def fields(posts) -> list[tuple]:
    return [(p.pk, p.title, p.pub_date, p.body_start, p.featured, p.image.name) for p in posts]


class PreparedRowsTests(TestCase):
    def setUp(self):
        prepared.forget()
        self.old = make_post(title="Ancien", tags=["a"], pub_date=NOW - dt.timedelta(days=3))
        self.mid = make_post(title="Milieu", tags=["a", "b"], pub_date=NOW - dt.timedelta(days=2))
        self.new = make_post(title="Récent", tags=["b"], pub_date=NOW - dt.timedelta(days=1))
        self.later = make_post(title="Plus tard", body="## Titre\n\nTexte **gras**.",
                               pub_date=NOW + dt.timedelta(days=1))  # fmt: skip

    def test_the_same_posts_and_columns_as_the_orm_whatever_the_values(self):
        for now, ids in [(NOW, ()), (NOW + dt.timedelta(days=2), ()), (NOW, (self.new.pk,)),
                         (NOW - dt.timedelta(days=2, hours=12), ())]:  # fmt: skip
            with self.subTest(now=now, ids=ids):
                got = prepared.rows(("test-list", len(ids)), listed, (now, *ids))
                self.assertEqual(fields(got), fields(listed(now, *ids)))
                self.assertTrue(all(not post._state.adding for post in got))

    def test_the_sql_is_built_once_per_shape(self):
        prepared.rows(("test-list", 0), listed, (NOW,))
        calls = []

        def counted(now, *ids):
            calls.append(now)
            return listed(now, *ids)

        with CaptureQueriesContext(connection) as queries:
            later = prepared.rows(("test-list", 0), counted, (NOW + dt.timedelta(days=2),))
        self.assertEqual(calls, [])  # not built again
        self.assertEqual(len(queries), 1)
        self.assertEqual([p.title for p in later], ["Plus tard", "Récent", "Milieu"])

    def test_values_lists_of_ids(self):
        def links(*ids):
            return (
                TaggedPost.objects.filter(content_object__in=ids)
                .order_by("id")
                .values_list("content_object_id", "tag__name")
            )

        for ids in [(self.old.pk, self.mid.pk), (self.new.pk, self.old.pk)]:
            with self.subTest(ids=ids):
                got = prepared.rows(("test-links", len(ids)), links, ids)
                self.assertEqual(got, list(links(*ids)))

    def test_what_it_cannot_prepare_is_left_to_the_orm(self):
        with_tags = prepared.rows(
            ("test-prefetch",), lambda now: Post.objects.published(now).with_tags(), (NOW,)
        )
        self.assertEqual([p.title for p in with_tags], ["Récent", "Milieu", "Ancien"])
        with self.assertNumQueries(0):  # the prefetched tags came with them
            self.assertEqual(sorted(t.name for t in with_tags[1].tags.all()), ["a", "b"])
        empty = prepared.rows(("test-empty",), lambda now: Post.objects.published(now)[:0], (NOW,))
        self.assertEqual(empty, [])
        flags = prepared.rows(
            ("test-bool",), lambda flag: Post.objects.filter(featured=flag), (True,)
        )
        self.assertEqual(flags, list(Post.objects.filter(featured=True)))
