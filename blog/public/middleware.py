"""Middleware of the public site: its language, and old addresses that keep working.

``SiteLanguageMiddleware``: public pages, feeds, the sitemap, error pages and the contact
form's emails speak the site's language (the identity's « site language », else
``LANGUAGE_CODE``, read per request), whatever the
reader's browser asks for; only the admin follows its editor's browser.

``RedirectFallbackMiddleware``: on a 404, a stored Redirect answers with a permanent redirect.

Like django.contrib.redirects' RedirectFallbackMiddleware, without the sites framework: the
lookup runs only when the page was not found, matches the path decoded or percent-encoded,
in either Unicode normal form and with or without its trailing slash, and never leads to a
draft or a scheduled post (that would leak its address).
"""

import calendar

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import DisallowedHost, DisallowedRedirect
from django.db.models import Q
from django.http import HttpResponsePermanentRedirect
from django.urls import NoReverseMatch
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import quote_etag

from blog.addresses import address
from blog.models import Post, Redirect
from blog.porting.oldurls import lookup_forms, normalize_path
from blog.public.caching import (
    cache_variant,
    is_anonymous,
    is_keepable,
    page_cache_seconds,
    page_key,
    published_state,
)
from blog.site.stamps import site_language

# The health check (site_config/health.py) needs no language and must not need the database
# before its own probe: no state query for it.
HEALTH_PATH = "/healthz"


def admin_prefix() -> str | None:
    """The admin's address prefix ("/admin/"), or None when no admin is routed."""
    try:
        return address("admin:index")
    except NoReverseMatch:
        return None


class SiteLanguageMiddleware:
    """The site's language on public pages; the editor's browser language in the admin.

    Takes the place of Django's LocaleMiddleware: a public page is the author's publication,
    so it never varies on Accept-Language (one cached page, one ``lang`` for screen readers
    and search engines). Under the admin's prefix, the browser's language among LANGUAGES is
    used (the site's when it asks for none of them), and the response varies on it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        prefix = admin_prefix()
        in_admin = prefix is not None and request.path.startswith(prefix)
        if in_admin:
            language = translation.get_language_from_request(request)
        elif request.path.startswith(settings.MEDIA_URL) or request.path == HEALTH_PATH:
            # A file says nothing: no state query for each image a page loads.
            language = settings.LANGUAGE_CODE
        else:
            language = site_language(request)  # no query of its own
        with translation.override(language):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
        if in_admin:
            patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class RedirectFallbackMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # No stored address holds a NUL (and PostgreSQL refuses one in a query).
        if response.status_code != 404 or "\x00" in request.path:
            return response
        forms = lookup_forms(request.path)
        visible = Q(post__isnull=True) | Q(
            post__status=Post.Status.PUBLISHED, post__pub_date__lte=timezone.now()
        )
        found = {
            redirect.old_path: redirect
            for redirect in Redirect.objects.filter(visible, old_path__in=forms)
            .select_related("post")
            .only("old_path", "new_path", "post__slug")
        }
        # The exact form first, then the others in lookup_forms' order.
        redirect = next((found[form] for form in forms if form in found), None)
        if redirect is None:
            return response
        target = redirect.target_url
        if not target or normalize_path(target) == normalize_path(request.path):
            return response
        query = request.META.get("QUERY_STRING", "")
        try:
            return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)
        except DisallowedRedirect:  # an address typed in the admin with an unsafe scheme
            return response


class PageCacheMiddleware:
    """Kept pages served before sessions, auth, CSRF, messages and the views: one query a hit.

    Placed right after the middleware that set headers on every response (security, CSP,
    permissions policy, WhiteNoise), so a hit still gets theirs. For an anonymous GET or HEAD
    (no session cookie) of a page of the site (``cache_variant``), the key is the view's own
    (``page_key``: the site's ETag, so the one state query, the host, the path, the variant).
    What is kept is the response as the stack below answered it (ETag, Last-Modified,
    Cache-Control, Vary, Content-Language, X-Frame-Options…), and only when a conditional view
    answered 200 (or 304) for this exact host and path: an address CommonMiddleware would
    redirect, a 404, a page that set a cookie or a staff page is never kept. A matching
    If-None-Match / If-Modified-Since gets the kept 304 (the first one goes the whole way).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = self.key(request)
        if key is None:
            return self.get_response(request)
        cache = caches["default"]
        matched = self.not_modified(request)
        kept = cache.get(key + "|304" if matched else key)
        if kept is not None:
            return kept
        request._carnet_page_key = key
        response = self.get_response(request)
        status = 304 if matched else 200
        if (
            is_keepable(request)
            and response.status_code == status
            and not response.cookies
            and not response.streaming
        ):
            cache.set(key + "|304" if matched else key, response, page_cache_seconds())
        return response

    @staticmethod
    def key(request) -> str | None:
        """The page's key, or None when this request is never served from the kept pages."""
        if request.method not in ("GET", "HEAD") or not is_anonymous(request):
            return None
        if not page_cache_seconds():
            return None
        prefix = admin_prefix()
        path = request.path
        if (
            (prefix is not None and path.startswith(prefix))
            or path.startswith(settings.MEDIA_URL)
            or path == HEALTH_PATH
        ):
            return None  # no state query for them (as SiteLanguageMiddleware)
        variant = cache_variant(request)
        if variant is None:
            return None
        try:
            return page_key(request, variant)
        except DisallowedHost:
            return None  # the normal path answers 400, with its own headers

    @staticmethod
    def not_modified(request) -> bool:
        """The request's validators match the site's state (as ``conditional`` would find)."""
        if not (
            request.META.get("HTTP_IF_NONE_MATCH") or request.META.get("HTTP_IF_MODIFIED_SINCE")
        ):
            return False
        last_modified, etag = published_state(request)
        stamp = int(calendar.timegm(last_modified.utctimetuple())) if last_modified else None
        response = get_conditional_response(request, etag=quote_etag(etag), last_modified=stamp)
        return response is not None and response.status_code == 304
