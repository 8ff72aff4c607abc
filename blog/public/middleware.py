"""Old addresses keep working: on a 404, a stored Redirect answers with a permanent redirect.

Like django.contrib.redirects' RedirectFallbackMiddleware, without the sites framework: the
lookup runs only when the page was not found, matches the path decoded or percent-encoded,
in either Unicode normal form and with or without its trailing slash, and never leads to a
draft or a scheduled post (that would leak its address).
"""

from django.core.exceptions import DisallowedRedirect
from django.db.models import Q
from django.http import HttpResponsePermanentRedirect
from django.utils import timezone

from blog.models import Post, Redirect
from blog.porting.oldurls import lookup_forms, normalize_path


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
