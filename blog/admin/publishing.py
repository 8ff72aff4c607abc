"""« Publier le site statique »: an incremental build of CARNET_STATIC_DIR from the admin.

Its own module and URL (site_config/urls.py), with a button on the admin index: the build is
``blog.publishing``'s, the rule who may is ``blog.roles``'.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from blog.publishing.build import BuildError, BuildRunning, build_site, default_base_url
from blog.publishing.render import BaseUrlError
from blog.roles import may_publish_static_site

# Said in the admin message; the rest is in the server's log.
SHOWN_ERRORS = 5


@require_POST
def publish_static_site(request):
    if not settings.CARNET_STATIC_DIR:
        raise Http404("CARNET_STATIC_DIR is not set.")
    if not may_publish_static_site(request.user):
        raise PermissionDenied
    try:
        report = build_site(
            Path(settings.CARNET_STATIC_DIR),
            base_url=default_base_url(),
            incremental=True,
        )
    except BuildRunning:  # a second click, or another editor's: that build will publish
        messages.warning(
            request,
            _(
                "The static site is being published already (another build is running): "
                "try again when it ends."
            ),
        )
        return redirect("admin:index")
    except (BuildError, BaseUrlError) as exc:
        messages.error(request, _("The static site was not published: %(error)s") % {"error": exc})
        return redirect("admin:index")
    if report.errors:
        messages.error(
            request,
            _("The static site was not published (nothing changed): %(errors)s")
            % {"errors": "; ".join(report.errors[:SHOWN_ERRORS])},
        )
        return redirect("admin:index")
    changes = report.changes
    messages.success(
        request,
        _(
            "Static site published in %(folder)s: %(written)d files written, "
            "%(unchanged)d unchanged, %(deleted)d deleted."
        )
        % {
            "folder": settings.CARNET_STATIC_DIR,
            "written": len(changes.written),
            "unchanged": len(changes.unchanged),
            "deleted": len(changes.deleted),
        },
    )
    if report.warnings:
        messages.warning(
            request,
            _("%(count)d link(s) lead nowhere: %(examples)s")
            % {
                "count": len(report.warnings),
                "examples": "; ".join(report.warnings[:SHOWN_ERRORS]),
            },
        )
    return redirect("admin:index")
