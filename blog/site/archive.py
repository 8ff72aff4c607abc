"""The archive's years and months, as the post list shows them: rendered once per state of the
site, then kept in Django's cache.

Listing the months that have published posts reads every published post (a ``DISTINCT`` over
their dates, through a Python function per row on SQLite): 5 ms at 1,000 posts, 50 at 10,000,
and then the links themselves take milliseconds to render. The answer only changes when the
published posts do, which the public state's one query already tells (``blog.site.stamps``):
the newest edit, the newest publication and the count of published posts are the cache key, so
an edit, a deletion or a scheduled post going live is a new key, never a stale list.
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from django.conf import settings
from django.db.models import Count, DateField
from django.db.models.functions import TruncMonth
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from blog.models import Post
from blog.site.stamps import kept_per_state

TEMPLATE = "includes/archive_links.html"
# Bump when the template changes: a cache shared between deployments (Redis) keeps old HTML.
VERSION = "2"  # 2: months kept with their counts


def month_counts() -> list[tuple[dt.date, int]]:
    """[(first day of a month, its number of published posts), …], newest month first: one
    query over every post (its month in the current time zone, as ``QuerySet.dates()``)."""
    rows = (
        Post.objects.published()
        .order_by()
        .annotate(month=TruncMonth("pub_date", output_field=DateField()))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("-month")
    )
    return [(row["month"], row["n"]) for row in rows]


def _years(counts: list[tuple[dt.date, int]]) -> list[tuple[int, list]]:
    return [
        (year, [month for month, _ in group])
        for year, group in groupby(counts, lambda row: row[0].year)
    ]


def years() -> list[tuple[int, list]]:
    """[(year, [month dates, newest first]), …], newest year first: one query over every post."""
    return _years(month_counts())


def cached_month_counts(request) -> list[tuple[dt.date, int]]:
    """``month_counts()``, kept per state of the site (read once per request: an archive page
    asks for its count, its months and its neighbours)."""
    found = getattr(request, "_carnet_month_counts", None)
    if found is None:
        found = kept_per_state(request, "archive-months", month_counts, *_settings())
        request._carnet_month_counts = found
    return found


def count_in(request, year: int, month: int | None = None) -> int:
    """How many published posts a year (or one of its months) has, from the kept counts: an
    archive page's paginator needs it, and Django asks the database twice (exists, count)."""
    return sum(
        n
        for first, n in cached_month_counts(request)
        if first.year == year and (month is None or first.month == month)
    )


def months_of(request, year: int) -> list[dt.datetime]:
    """The months of ``year`` that have published posts, oldest first, as the year archive's
    ``date_list`` (aware datetimes at their local start, as ``QuerySet.datetimes`` gives):
    from ``cached_years()``, kept per state of the site, instead of a ``DISTINCT`` over the
    year's posts on every view of the page (a Python function per post on SQLite: 8 ms at 1,000)."""
    months = next((months for y, months in cached_years(request) if y == year), [])
    return [timezone.make_aware(dt.datetime(d.year, d.month, 1)) for d in reversed(months)]


def neighbour(request, date: dt.date, period: str, previous: bool) -> dt.date | None:
    """The first day of the nearest earlier (``previous``) or later year or month with published
    posts, as Django's archive views' ``get_previous_year``/``get_next_month``… give it (their
    ``allow_empty`` is off), from ``cached_years()`` instead of a query each."""
    if period == "year":
        starts = [dt.date(year, 1, 1) for year, _ in cached_years(request)]
        current = dt.date(date.year, 1, 1)
    else:
        starts = [month for _, months in cached_years(request) for month in months]
        current = dt.date(date.year, date.month, 1)
    # Newest first: the previous period is the first one before, the next the last one after.
    if previous:
        return next((start for start in starts if start < current), None)
    return next((start for start in reversed(starts) if start > current), None)


def _settings() -> tuple:
    """What the archive's rendering reads besides the posts."""
    return (VERSION, settings.TIME_ZONE, get_language(), settings.DEBUG)


def cached_years(request) -> list[tuple[int, list]]:
    """``years()``, from the counts kept per state of the site (the sitemap lists them)."""
    return _years(cached_month_counts(request))


def links_html(request=None) -> SafeString:
    """The archive links (``includes/archive_links.html``), from the cache when the site has
    not changed since they were rendered (no query then)."""
    if request is None:
        html = render_to_string(TEMPLATE, {"years": years()})
    else:
        html = kept_per_state(
            request,
            "archive",
            lambda: str(render_to_string(TEMPLATE, {"years": cached_years(request)})),
            *_settings(),
        )
    return mark_safe(html)  # safe: rendered by our template, which escapes
