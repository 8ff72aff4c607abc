"""The admin of author profiles: an Éditeur manages them all; an Auteur edits their own."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from blog.admin.forms import AuthorForm
from blog.models import Author
from blog.roles import may_edit_any_post


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    form = AuthorForm
    list_display = ["name", "slug", "user", "post_count"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "bio", "portrait", "portrait_alt", "user"]}),
        (
            _("Profile links"),
            {
                "fields": [
                    "linkedin",
                    "upwork",
                    "malt",
                    "github",
                    "email",
                    "other_url",
                    "other_label",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").annotate(n=Count("post_links"))

    @admin.display(description=_("posts"), ordering="n")
    def post_count(self, author):
        return author.n

    def has_change_permission(self, request, obj=None) -> bool:
        # An Auteur changes only the profile linked to their own account.
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or may_edit_any_post(request.user):
            return True
        return obj.user_id == request.user.pk

    def get_readonly_fields(self, request, obj=None):
        if may_edit_any_post(request.user):
            return []
        # Who writes as whom is the Éditeur's call (it decides which posts an Auteur may edit).
        return ["user"]
