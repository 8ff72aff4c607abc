"""Conditional GET for public pages: Last-Modified and ETag from the published posts.

One query (a few index entries whatever the number of posts, ``blog.site.stamps``) says when
the public site last changed:
the newest ``updated`` (an edit), the newest ``pub_date`` (a scheduled post going live
by itself, with no write at all) and the count (a deletion). Every public page shows
published posts somewhere (lists, prev/next, related, counts), so they share one
validator; a client that already has the page gets a 304 without the page's own queries.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.core.cache import caches
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import condition

from blog.site.stamps import public_state
from blog.text import page_number

# Bump when templates change in a way that must not be served from a reader's cache.
PAGES_VERSION = "5"


def published_state(request) -> tuple[dt.datetime | None, str]:
    """(last modified, etag) of the public site, computed once per request."""
    cached = getattr(request, "_carnet_state", None)
    if cached is None:
        state = public_state(request)
        site = state.site
        stamps = [stamp for stamp in (state.updated, state.published) if stamp]
        changed = [stamp for stamp in (*stamps, site.identity, site.pages, site.authors) if stamp]
        last_modified = max(changed) if changed else None
        defaults = (settings.CARNET_SITE_NAME, settings.CARNET_TAGLINE, settings.CARNET_AUTHOR)
        key = "|".join(
            str(part)
            for part in (
                PAGES_VERSION,
                site.language or settings.LANGUAGE_CODE,  # the site's, never the reader's
                state.count,
                *stamps,
                settings.DEBUG,
                *defaults,
                site.key(),
            )
        )
        cached = (last_modified, hashlib.sha1(key.encode()).hexdigest()[:20])
        request._carnet_state = cached
    return cached


def _last_modified(request, *args, **kwargs):
    return published_state(request)[0]


def _etag(request, *args, **kwargs):
    return published_state(request)[1]


def is_anonymous(request) -> bool:
    """No session cookie: the page is the public one (staff see drafts, never cached)."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def cache_variant(request) -> str | None:
    """The query string part of the page's cache key, or None: this request is not kept.

    Only what names a page of the site is kept: no query string, or one plain ``?page=N``.
    Anything else (a search, tracking parameters, ``?x=1``…) is rendered every time, so
    query strings cannot fill the cache with copies of one page and push out real ones.
    """
    if not request.GET:
        return ""
    if list(request.GET) != ["page"] or len(request.GET.getlist("page")) != 1:
        return None
    number = page_number(request.GET["page"])
    return None if number is None else f"page={number}"


def page_key(request, variant: str) -> str:
    """The cache key of an anonymous page: the site's state (ETag), the host, the path and the
    variant (``cache_variant``). ``request.get_host()`` raises DisallowedHost for a host not in
    ALLOWED_HOSTS, as it would on the normal path."""
    page = f"{_etag(request)}|{request.get_host()}|{request.path}|{variant}"
    return "carnet-page:" + hashlib.sha1(page.encode()).hexdigest()


def page_cache_seconds() -> int:
    return getattr(settings, "CARNET_PAGE_CACHE_SECONDS", 0)


def mark_keepable(request) -> None:
    """Tell ``PageCacheMiddleware`` that a view answered this anonymous request as a page of the
    site: its final response (200 or 304) may be kept under ``page_key``."""
    request._carnet_page_keepable = True


def is_keepable(request) -> bool:
    return getattr(request, "_carnet_page_keepable", False)


def handled_by_middleware(request) -> bool:
    """``PageCacheMiddleware`` keeps this request's response (with every header of the stack
    below it): the view keeps no copy of its own."""
    return getattr(request, "_carnet_page_key", None) is not None


def _cached(view):
    """Keep the rendered page under its ETag: the same state of the site, the same page.

    The key holds the ETag, so an edit, a deletion or a post going live is a new key and a
    stale page is never served; each worker's local memory is enough (default cache). Only
    pages of the site are kept (``cache_variant``): their number is bounded by the content.
    """

    def serve(request, *args, **kwargs):
        seconds = page_cache_seconds()
        variant = cache_variant(request) if seconds else None
        if variant is None:
            return view(request, *args, **kwargs)
        if handled_by_middleware(request):
            return view(request, *args, **kwargs)
        key = page_key(request, variant)
        cache = caches["default"]
        response = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if response.status_code == 200 and not response.cookies:
                cache.set(key, response, seconds)
        return response

    return serve


def shared_cache_control(request) -> dict:
    """Cache-Control for an anonymous reader's page: revalidated by browsers every time (a new
    post shows at once); kept by proxies and CDNs for CARNET_CACHE_S_MAXAGE seconds when set.

    Only pages of the site (``cache_variant``) are offered to shared caches: a query string
    of tracking parameters would otherwise make a new proxy entry per link shared.
    """
    s_maxage = getattr(settings, "CARNET_CACHE_S_MAXAGE", 0)
    if not s_maxage or cache_variant(request) is None:
        return {"no_cache": True}
    control = {"public": True, "max_age": 0, "s_maxage": s_maxage}
    stale = getattr(settings, "CARNET_CACHE_STALE_WHILE_REVALIDATE", 0)
    if stale:
        control["stale_while_revalidate"] = stale
    return control


def conditional(view):
    """Wrap a view: 304 on a matching If-None-Match / If-Modified-Since, for anonymous readers.

    Anonymous pages are also kept rendered (see ``_cached``) when CARNET_PAGE_CACHE_SECONDS is set.
    Staff (a session cookie) and form posts get ``private, no-store``: a draft must never reach
    a shared cache. Every answer varies on Cookie, so a proxy never gives one to the other.
    """
    wrapped = condition(etag_func=_etag, last_modified_func=_last_modified)(_cached(view))

    def serve(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or not is_anonymous(request):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_store=True)
        else:
            if page_cache_seconds() and cache_variant(request) is not None:
                mark_keepable(request)
            response = wrapped(request, *args, **kwargs)
            patch_cache_control(response, **shared_cache_control(request))
        patch_vary_headers(response, ("Cookie",))
        return response

    serve.__name__ = getattr(view, "__name__", "conditional_view")
    serve.__doc__ = getattr(view, "__doc__", None)
    return serve


class ConditionalMixin:
    """Class-based views: answer conditional requests from ``published_state``."""

    @classmethod
    def as_view(cls, **initkwargs):
        return conditional(super().as_view(**initkwargs))
