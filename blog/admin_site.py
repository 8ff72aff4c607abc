"""Who gets into the admin: superusers and the « Auteur » / « Éditeur » groups, nobody else.

Installed as Django's default admin site (``CarnetAdminConfig`` in INSTALLED_APPS replaces
``django.contrib.admin``), so ``admin.site`` everywhere is this one. Outside ``blog/admin/`` on
purpose: Django imports this class the first time ``admin.site`` is used, which is while
``blog.admin`` registers its model admins; inside that package, importing it would run the
package's registrations against a first site, then replace that site with a second, empty one.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import BadRequest
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from blog.roles import has_admin_role


class CarnetAdminSite(admin.AdminSite):
    site_header = _("Carnet: writing")
    site_title = _("Carnet")
    index_title = _("Writing")

    def has_permission(self, request) -> bool:
        return has_admin_role(request.user)

    def admin_view(self, view, cacheable=False):
        """Every admin view refuses a NUL in its address (400), before any query sees it.

        PostgreSQL cannot take a NUL in a text parameter: an id, a list filter or a search
        carrying one was a 500 (``?status__exact=%00``, ``/history/`` of ``1%00``).
        """
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def guarded(request, *args, **kwargs):
            if has_nul(request):
                raise BadRequest("NUL character in the address")
            return inner(request, *args, **kwargs)

        return guarded


def has_nul(request) -> bool:
    """A NUL in the path or in any query parameter's name or value."""
    if "\x00" in request.path:
        return True
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    )


class CarnetAdminConfig(AdminConfig):
    default_site = "blog.admin_site.CarnetAdminSite"

    def ready(self) -> None:
        super().ready()
        # Django writes its yes/no/unknown icons' alt text as "True", "False", "None": what a
        # screen reader says, in English. Its callers (change lists, read-only fields) look
        # the function up in admin_list each time, so this one is theirs.
        from django.contrib.admin.templatetags import admin_list

        admin_list._boolean_icon = boolean_icon


def boolean_icon(value) -> str:
    """Django's yes/no/unknown icon, its alt text in the editor's language."""
    name, alt = {True: ("yes", _("Yes")), False: ("no", _("No"))}.get(
        value, ("unknown", _("Unknown"))
    )
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{name}.svg"), alt)
