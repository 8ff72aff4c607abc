"""When the public site last changed: one query per request, shared by the ETag
(``blog.public.caching``) and the identity's cache keys (``blog.site.identity``).

The newest ``updated`` and ``pub_date`` of the visible posts and their count, with the
identity's, the pages' and the author profiles' stamps (and how many authors have published
posts) beside them: scalar subqueries of one query, each reading a few index entries whatever
the number of posts (``_state_sql``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Func, IntegerField, Max, OuterRef, Q, Subquery, Value
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from blog import published_total
from blog.models import Author, Page, Post, PostAuthor, SiteIdentity


@dataclass(frozen=True)
class Stamps:
    """When the identity and the pages last changed (None: no row)."""

    identity: dt.datetime | None
    pages: dt.datetime | None
    page_count: int
    navigation: bool
    language: str = ""  # the identity's « site language » ("" for DJANGO_LANGUAGE_CODE)
    authors: dt.datetime | None = None  # the last edit of an author profile
    # More than one author has published posts: bylines and author boxes are then shown
    # (a single-author site looks as it did before authors existed).
    several_authors: bool = False

    def key(self) -> str:
        parts = (self.identity, self.pages, self.page_count, self.authors, self.several_authors)
        return "|".join(str(part) for part in parts)


def _identity_language() -> Max:
    return Max(Subquery(SiteIdentity.objects.filter(pk=1).values("site_language")[:1]))


def stamps_from(row: dict) -> Stamps:
    return Stamps(
        identity=row.get("identity_stamp"),
        pages=row.get("pages_stamp"),
        page_count=row.get("pages_count") or 0,
        navigation=bool(row.get("navigation_stamp")),
        language=row.get("identity_language") or "",
        authors=row.get("authors_stamp"),
        several_authors=(row.get("authors_writing") or 0) > 1,
    )


def read_stamps() -> Stamps:
    """The stamps on their own, when no published post carries them: one query (two on a
    site with neither posts nor pages)."""
    row = Page.objects.aggregate(
        pages_stamp=Max("updated"),
        pages_count=Count("id"),
        navigation_stamp=Count("id", filter=Q(published=True, in_navigation=True)),
        identity_stamp=Max(Subquery(SiteIdentity.objects.filter(pk=1).values("updated")[:1])),
        identity_language=_identity_language(),
    )
    if not row["pages_count"]:  # no row for the subquery to ride on
        row["identity_stamp"], row["identity_language"] = SiteIdentity.objects.filter(
            pk=1
        ).values_list("updated", "site_language").first() or (None, "")
    return stamps_from(row)


@dataclass(frozen=True)
class PublicState:
    """The published posts' newest edit and publication time and their count, and the site's
    stamps."""

    updated: dt.datetime | None
    published: dt.datetime | None
    count: int
    site: Stamps


# Any fixed instant: the state's SQL is built once with it, then run with the time of the request.
_SENTINEL = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_STATE_SQL: dict[str, tuple[str, list, list[int]]] = {}


def _state_query(now: dt.datetime) -> tuple[str, list]:
    """``_state_sql`` for ``now``, built once per database engine (building it through the ORM cost
    more than running it: ~5 ms of a 7 ms cached hit); only the publication cut-off changes."""
    built = _STATE_SQL.get(connection.vendor)
    if built is None:
        sql, params = _state_sql(_SENTINEL)
        field = Post._meta.get_field("pub_date")
        sentinel = field.get_db_prep_value(_SENTINEL, connection)
        built = (sql, params, [n for n, param in enumerate(params) if param == sentinel])
        _STATE_SQL[connection.vendor] = built
    sql, params, cut_offs = built
    cut_off = Post._meta.get_field("pub_date").get_db_prep_value(now, connection)
    params = list(params)
    for n in cut_offs:
        params[n] = cut_off
    return sql, params


# The scheduled posts the state query counts itself; more are counted by a second query. A
# capped count keeps the query's estimated cost the same whatever the number of posts: with
# an uncapped one, PostgreSQL's generic plan for "scheduled after $1" counted a third of the
# posts (its default guess for an unknown bound), so from some thousands of posts on it judged
# the prepared statement's generic plan too costly and planned it again on every request,
# cached hits included (0.33 ms; at 10,000 posts: 45 custom plans in 50 requests, 0 at 1,000).
SCHEDULED_AT_ONCE = 100


def _scheduled(now: dt.datetime):
    return Post.objects.filter(status=Post.Status.PUBLISHED, pub_date__gt=now).order_by()


def _state_sql(now: dt.datetime) -> tuple[str, list]:
    """One row of scalar subqueries, each a few index entries whatever the number of posts:

    - the newest publication: the first entry of (status, pub_date) before now;
    - the newest edit of a visible post: (status, updated, pub_date) read newest first, past
      the scheduled posts only (a scheduled post may be the newest edit);
    - the count: the published total the database keeps (``blog.published_total``) minus the
      scheduled posts, a range of (status, pub_date) after now (up to ``SCHEDULED_AT_ONCE``).

    An aggregate of the visible posts (MAX, MAX, COUNT) walked all of them on every request:
    0.2 ms at 1,000 posts and 1.5 ms at 10,000 on SQLite (4.7 ms on a loaded machine), 1.1 and
    4.4 ms wall on PostgreSQL; now 0.06 ms at both sizes on SQLite, 0.8 ms on PostgreSQL (the
    bench/README.md figures). The site's stamps sit beside them
    (as ``Max(Subquery(…))`` columns of that aggregate, SQLite ran each subquery once per post).
    """
    visible = Post.objects.published(now)
    scheduled = _scheduled(now).values("id")[: SCHEDULED_AT_ONCE + 1]
    pages = Page.objects.order_by()
    scalars = {
        "s_updated": visible.order_by("-updated").values("updated")[:1],
        "s_published": visible.order_by("-pub_date").values("pub_date")[:1],
        "s_scheduled": scheduled,  # counted, below
        "identity_stamp": SiteIdentity.objects.filter(pk=1).values("updated"),
        "identity_language": SiteIdentity.objects.filter(pk=1).values("site_language"),
        "pages_stamp": pages.annotate(m=Func(F("updated"), function="MAX")).values("m"),
        "pages_count": pages.annotate(n=Func(F("id"), function="COUNT")).values("n"),
        "navigation_stamp": Page.objects.navigation()
        .order_by()
        .annotate(n=Func(F("id"), function="COUNT"))
        .values("n"),
        "authors_stamp": Author.objects.order_by()
        .annotate(m=Func(F("updated"), function="MAX"))
        .values("m"),
    }
    # Whether more than one author has visible posts: each author's links walked (its index)
    # until one leads to such a post (a lookup by key; usually the first link), two authors at
    # most. Counting the distinct authors of the published posts built the list of every
    # published post first, on every request: 5-7 ms at 10,000 posts on SQLite, with no author
    # at all; a join of links and posts led SQLite to walk the posts for each author. Scalar
    # subqueries, not EXISTS: PostgreSQL turns an EXISTS into a join, and hashed every visible
    # post to join them (7.7 ms a request at 10,000 posts); a scalar subquery runs per row.
    one = Value(1, output_field=IntegerField())
    in_sight = (
        Post.objects.published(now).filter(pk=OuterRef("post_id")).order_by().values(one=one)[:1]
    )
    links = (
        PostAuthor.objects.filter(author=OuterRef("pk"))
        .annotate(seen=Subquery(in_sight))
        .filter(seen=1)
        .order_by()
        .values(one=one)[:1]
    )
    writing = (
        Author.objects.annotate(writes=Subquery(links)).filter(writes=1).order_by().values("pk")[:2]
    )
    columns, params = [], []
    for name, queryset in scalars.items():
        sql, more = queryset.query.sql_with_params()
        if name == "s_scheduled":
            columns.append(f"{published_total.TOTAL_SQL} AS s_total")
            columns.append(f"(SELECT COUNT(*) FROM ({sql}) scheduled) AS {name}")
        else:
            columns.append(f"({sql}) AS {name}")
        params += more
    sql, more = writing.query.sql_with_params()
    columns.append(f"(SELECT COUNT(*) FROM ({sql}) w) AS authors_writing")
    params += more
    return f"SELECT {', '.join(columns)}", params


def public_state(request) -> PublicState:
    """The public site's state for this request, computed once (one query)."""
    cached = getattr(request, "_carnet_public_state", None)
    if cached is None:
        now = timezone.now()
        sql, params = _state_query(now)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            names = [column[0] for column in cursor.description]
            row = dict(zip(names, cursor.fetchone(), strict=True))
        for name in ("s_updated", "s_published", "identity_stamp", "pages_stamp", "authors_stamp"):
            row[name] = _datetime(row[name])
        site = stamps_from(row)
        scheduled = row["s_scheduled"]
        if scheduled > SCHEDULED_AT_ONCE:  # rare: counted whole, in a query of its own
            scheduled = _scheduled(now).count()
        count = (row["s_total"] or 0) - scheduled
        cached = PublicState(row["s_updated"], row["s_published"], count, site)
        request._carnet_public_state = cached
    return cached


def _datetime(value) -> dt.datetime | None:
    """A raw column as the ORM gives it (aware, UTC): SQLite gives text, or a naive datetime
    when the column keeps its declared type; PostgreSQL an aware datetime."""
    if value is None:
        return None
    parsed = value if isinstance(value, dt.datetime) else parse_datetime(value)
    return parsed.replace(tzinfo=dt.UTC) if parsed and parsed.tzinfo is None else parsed


def site_language(request) -> str:
    """The public site's language: the identity's « site language », else LANGUAGE_CODE (read
    with the public state's one query, which every public page makes anyway)."""
    return public_state(request).site.language or settings.LANGUAGE_CODE


def share_state(request, state: PublicState) -> None:
    """Give ``request`` a state already read: a static build renders all its pages from one
    unchanging state (blog.publishing), instead of the same query for each page."""
    request._carnet_public_state = state


def read_public_state() -> PublicState:
    """The public state outside a request (the static build reads it once)."""
    return public_state(SimpleNamespace())


# Values kept per state expire with it (a change is a new key): the timeout only frees memory.
STATE_CACHE_SECONDS = 24 * 3600


def state_key(request, kind: str, *more) -> str:
    """A cache key that changes with the published posts (newest edit, newest publication,
    count) and with ``more``: an edit, a deletion or a scheduled post going live is a new key,
    never a stale value."""
    state = public_state(request)
    parts = (state.updated, state.published, state.count, *more)
    return f"carnet-{kind}:" + hashlib.sha1(repr(parts).encode()).hexdigest()


def kept_per_state(request, kind: str, compute: Callable[[], object], *more):
    """``compute()``, from Django's cache while the site has not changed (``state_key``)."""
    key = state_key(request, kind, *more)
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, STATE_CACHE_SECONDS)
    return found
