"""Related posts of a post page with a tag on every post, timed in-process (not a test).

    .venv/bin/python bench/bench_related.py [--posts 1000 10000] [--rounds 20]
        [--database-url postgres://postgres@127.0.0.1:5432/carnet_bench_related]

For each size, a fresh test database (SQLite in memory, or the test database Django makes
beside the one ``--database-url`` names, dropped afterwards) gets N published posts inserted
in bulk, every one tagged « partout », one in five « groupeK », and a post to look at. Timed,
best of the rounds: the old rule (every post sharing a tag, counted), the bounded one
(``PostQuerySet.related_to``: each tag's newest links) and, as the floor, fetching one post
by its key. The whole post page (Django's test client) is timed too. Medians would do as
well; the best is kept because the machine is shared and its slow moments are not ours.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def say(line: object) -> None:
    """The benchmark's report goes to stdout (a script, not a library: T20 is about those)."""
    sys.stdout.write(f"{line}\n")
    sys.stdout.flush()


def best(call: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--database-url", help="PostgreSQL; SQLite in memory without")
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ["CARNET_PAGE_CACHE_SECONDS"] = "0"  # the page's work, not a cached copy
    explain = os.environ.get("BENCH_EXPLAIN")

    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone
    from taggit.models import Tag

    from blog.models import Post, TaggedPost
    from blog.models.posts import RELATED_LINKS_PER_TAG, RELATED_RECENT

    setup_test_environment()
    client = Client()
    say(
        f"{connection.vendor}: candidates {RELATED_RECENT} newest posts + "
        f"{RELATED_LINKS_PER_TAG} newest links a tag; best of {args.rounds}"
    )
    say("posts | floor ms | old rule ms (x floor) | bounded ms (x floor) | post page ms")
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        for size in args.posts:
            now = timezone.now()
            everywhere = Tag.objects.create(name="partout", slug="partout")
            groups = [Tag.objects.create(name=f"groupe{k}", slug=f"groupe{k}") for k in range(5)]
            posts = Post.objects.bulk_create(
                (
                    Post(
                        title=f"Masse {n}",
                        slug=f"masse-{n}",
                        status=Post.Status.PUBLISHED,
                        pub_date=now - dt.timedelta(days=2, minutes=n),
                    )
                    for n in range(size)
                ),
                batch_size=500,
            )
            links = [
                TaggedPost(content_object=p, tag=tag)
                for n, p in enumerate(posts)
                for tag in (everywhere, groups[n % 5])
            ]
            TaggedPost.objects.bulk_create(links, batch_size=500)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")  # as autovacuum would after such an import
            subject = Post.objects.create(
                title="Sujet", status=Post.Status.PUBLISHED, pub_date=now - dt.timedelta(days=1)
            )
            subject.tags.add(everywhere, groups[0])
            tag_ids = [everywhere.id, groups[0].id]

            def old(subject=subject, tag_ids=tag_ids):
                return list(
                    Post.objects.published()
                    .exclude(pk=subject.pk)
                    .filter(tagged_items__tag_id__in=tag_ids)
                    .annotate(shared=Count("tagged_items"))
                    .order_by("-shared", "-pub_date", "-id")[:3]
                )

            def bounded(subject=subject, tag_ids=tag_ids):
                return list(Post.objects.published().related_to(subject, tag_ids)[:3])

            def floor(subject=subject):
                return Post.objects.get(pk=subject.pk)

            def page(subject=subject):
                assert client.get(subject.get_absolute_url()).status_code == 200

            if explain:
                query = Post.objects.published().related_to(subject, tag_ids)[:3]
                say(query.explain(analyze=connection.vendor == "postgresql"))
            assert [p.pk for p in old()] == [p.pk for p in bounded()], "the rules disagree"
            timings = [best(call, args.rounds) * 1000 for call in (floor, old, bounded, page)]
            f, o, b, p = timings
            say(f"{size} | {f:.2f} | {o:.1f} ({o / f:.0f}) | {b:.1f} ({b / f:.0f}) | {p:.1f}")
            Post.objects.all().delete()
            Tag.objects.all().delete()
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
