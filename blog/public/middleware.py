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

from django.conf import settings
from django.core.exceptions import DisallowedRedirect
from django.db.models import Q
from django.http import HttpResponsePermanentRedirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

from blog.models import Post, Redirect
from blog.porting.oldurls import lookup_forms, normalize_path
from blog.site.stamps import site_language

# The health check (site_config/health.py) needs no language and must not need the database
# before its own probe: no state query for it.
HEALTH_PATH = "/healthz"


def admin_prefix() -> str | None:
    """The admin's address prefix ("/admin/"), or None when no admin is routed."""
    try:
        return reverse("admin:index")
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
