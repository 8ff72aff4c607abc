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
import hashlib
from itertools import groupby

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from blog.models import Post
from blog.site.stamps import public_state

CACHE_SECONDS = 24 * 3600  # the keys change on every change: the timeout only frees memory
TEMPLATE = "includes/archive_links.html"
# Bump when the template changes: a cache shared between deployments (Redis) keeps old HTML.
VERSION = "1"


def _key(kind: str, request, *more) -> str | None:
    """A cache key that changes with the published posts (None without a request)."""
    if request is None:
        return None
    state = public_state(request)
    parts = (VERSION, state.updated, state.published, state.count, settings.TIME_ZONE, *more)
    return f"carnet-archive-{kind}:" + hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()


def years(request=None) -> list[tuple[int, list]]:
    """[(year, [month dates, newest first]), …], newest year first: one query over every post,
    kept per state of the site when ``request`` is given."""
    key = _key("years", request)
    found = cache.get(key) if key else None
    if found is None:
        months = Post.objects.published().dates("pub_date", "month", order="DESC")
        found = [(year, list(group)) for year, group in groupby(months, lambda d: d.year)]
        if key:
            cache.set(key, found, CACHE_SECONDS)
    return found


def months_of(request, year: int) -> list[dt.datetime]:
    """The months of ``year`` that have published posts, oldest first, as the year archive's
    ``date_list`` (aware datetimes at their local start, as ``QuerySet.datetimes`` gives):
    from ``years()``, kept per state of the site, instead of a ``DISTINCT`` over the year's
    posts on every view of the page (a Python function per post on SQLite: 8 ms at 1,000)."""
    months = next((months for y, months in years(request) if y == year), [])
    return [timezone.make_aware(dt.datetime(d.year, d.month, 1)) for d in reversed(months)]


def links_html(request=None) -> SafeString:
    """The archive links (``includes/archive_links.html``), from the cache when the site has
    not changed since they were rendered (no query then)."""
    key = _key("links", request, get_language(), settings.DEBUG)
    if key is not None:
        html = cache.get(key)
        if html is not None:
            return mark_safe(html)  # safe: our own template's output, stored below
    html = render_to_string(TEMPLATE, {"years": years(request)})
    if key is not None:
        cache.set(key, str(html), CACHE_SECONDS)
    return mark_safe(html)  # safe: rendered by the template, which escapes
