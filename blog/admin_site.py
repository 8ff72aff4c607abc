"""Who gets into the admin: superusers and the « Auteur » / « Éditeur » groups, nobody else.

Installed as Django's default admin site (``CarnetAdminConfig`` in INSTALLED_APPS replaces
``django.contrib.admin``), so ``admin.site`` everywhere is this one.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _

AUTHOR_GROUP = "Auteur"
EDITOR_GROUP = "Éditeur"
ROLE_GROUPS = (AUTHOR_GROUP, EDITOR_GROUP)


class CarnetAdminSite(admin.AdminSite):
    site_header = _("Carnet: writing")
    site_title = _("Carnet")
    index_title = _("Writing")

    def has_permission(self, request) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        if user.is_superuser:
            return True
        # Cached on the request: the admin asks several times per page.
        if not hasattr(request, "_carnet_has_role"):
            request._carnet_has_role = user.groups.filter(name__in=ROLE_GROUPS).exists()
        return request._carnet_has_role


class CarnetAdminConfig(AdminConfig):
    default_site = "blog.admin_site.CarnetAdminSite"
