"""Admin login throttling: django-axes locks a username + address out after repeated failures."""

import math

from axes.backends import AxesStandaloneBackend
from axes.conf import settings as axes_settings
from axes.helpers import get_cool_off, get_failure_limit
from django.contrib import admin
from django.template.response import TemplateResponse


class ThrottledLoginBackend(AxesStandaloneBackend):
    """django-axes' lock-out check for logins made through a request (the login form).

    ``authenticate()`` without a request (the test client's ``login()``, a shell) is not
    reachable from the network, so there is nothing to throttle; axes itself would raise.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def locked_out(request, original_response=None, credentials=None):
    """The lock-out page (AXES_LOCKOUT_CALLABLE): the admin's own header, and how long to wait.

    axes' own response renders the template without the admin site's context (« Administration
    de Django ») and without the cool-off in minutes.
    """
    cool_off = get_cool_off(request)
    context = {
        **admin.site.each_context(request),
        "title": None,
        "failure_limit": get_failure_limit(request, credentials),
        "minutes": math.ceil(cool_off.total_seconds() / 60) if cool_off else None,
    }
    return TemplateResponse(
        request,
        "admin/locked_out.html",
        context,
        status=axes_settings.AXES_HTTP_RESPONSE_CODE,
    ).render()
