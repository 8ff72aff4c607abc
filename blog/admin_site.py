"""Who gets into the admin: superusers and the « Auteur » / « Éditeur » groups, nobody else.

Installed as Django's default admin site (``CarnetAdminConfig`` in INSTALLED_APPS replaces
``django.contrib.admin``), so ``admin.site`` everywhere is this one.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _

from blog.roles import has_admin_role


class CarnetAdminSite(admin.AdminSite):
    site_header = _("Carnet: writing")
    site_title = _("Carnet")
    index_title = _("Writing")

    def has_permission(self, request) -> bool:
        return has_admin_role(request.user)


class CarnetAdminConfig(AdminConfig):
    default_site = "blog.admin_site.CarnetAdminSite"
