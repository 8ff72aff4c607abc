"""The admin of the freelancer's own pages: site identity, pages (the post editor), inbox."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from blog.admin.editor import editor_config, render_rolled_back, require_writer
from blog.admin.forms import (
    BodyImageAltMixin,
    CheckedImageField,
    HttpsURLField,
    ThumbnailFileInput,
)
from blog.images.uploads import store
from blog.models import Author, ContactMessage, Page, SiteIdentity, site_author_name
from blog.site.sections import sections

PROFILE_FIELDS = ["linkedin", "upwork", "malt", "github", "email", "other_url", "other_label"]


class SiteIdentityForm(forms.ModelForm):
    """The portrait goes through the same checks and re-encoding as post images."""

    class Meta:
        model = SiteIdentity
        fields = [
            "site_name",
            "tagline",
            "home_heading",
            "introduction",
            "author_name",
            "bio",
            "portrait",
            "portrait_alt",
            *PROFILE_FIELDS,
            "site_language",
        ]
        field_classes = {
            "portrait": CheckedImageField,
            **{
                name: HttpsURLField
                for name in PROFILE_FIELDS
                if name not in ("email", "other_label")
            },
        }
        widgets = {"portrait": ThumbnailFileInput(attrs={"accept": "image/*"})}

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("portrait")
        image = getattr(upload, "carnet_image", None)
        if image and not self.errors and cleaned.get("portrait_alt"):
            field = SiteIdentity._meta.get_field("portrait")
            try:
                cleaned["portrait"] = store(
                    image, field.generate_filename(self.instance, image.filename)
                )
            except OSError:
                self.add_error(
                    "portrait", _("The image could not be written to the disk (is it full?).")
                )
        return cleaned


@admin.register(SiteIdentity)
class SiteIdentityAdmin(admin.ModelAdmin):
    """One object: the list leads straight to it (made, empty, on first visit)."""

    form = SiteIdentityForm
    fieldsets = [
        (
            None,
            {"fields": ["site_name", "tagline", "home_heading", "introduction", "site_language"]},
        ),
        (_("Author"), {"fields": ["author_name", "bio", "portrait", "portrait_alt"]}),
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

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        identity = SiteIdentity.objects.filter(pk=1).first()
        if identity is None:
            identity = SiteIdentity()
            identity.save()
        return HttpResponseRedirect(reverse("admin:blog_siteidentity_change", args=[identity.pk]))

    def save_model(self, request, obj, form, change):
        before = site_author_name()
        super().save_model(request, obj, form, change)
        follow_identity_author(before, site_author_name())

    def response_change(self, request, obj):
        if "_continue" not in request.POST:
            self.message_user(request, _("The site identity is saved."), messages.SUCCESS)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)


def follow_identity_author(before: str, after: str) -> None:
    """The site's own author profile keeps the identity's author name: a fresh install's
    profile (named after CARNET_AUTHOR or the site) becomes « Zoé Martin » once the identity
    says so, unless another profile already has that name. Its address follows the name."""
    if after == before:
        return
    profile = Author.objects.named(before).first()
    if profile is None or Author.objects.named(after).exclude(pk=profile.pk).exists():
        return
    profile.name, profile.slug = after, ""
    profile.save()


class PageAdminForm(BodyImageAltMixin, forms.ModelForm):
    class Meta:
        model = Page
        fields = [
            "title",
            "slug",
            "description",
            "body",
            "language",
            "published",
            "in_navigation",
            "navigation_order",
            "show_identity",
        ]
        error_messages = {
            "slug": {"unique": _("Another page already has this address: choose another slug.")}
        }


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    form = PageAdminForm
    list_display = ["title", "address", "published", "in_navigation", "navigation_order", "updated"]
    list_editable = ["navigation_order"]
    list_filter = ["published", "in_navigation"]
    search_fields = ["title", "body"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "description", "body", "language"]}),
        (
            _("Publication"),
            {"fields": ["published", "in_navigation", "navigation_order", "show_identity"]},
        ),
    ]

    class Media:
        css = {"all": ["blog/admin/editor.css"]}
        js = ["blog/admin/editor.js"]

    @admin.display(description=_("address"), ordering="slug")
    def address(self, page):
        return format_html("<code>/{}/</code>", page.slug)

    def get_urls(self):
        def view(func):
            return self.admin_site.admin_view(lambda request, **kw: func(self, request, **kw))

        return [
            path("preview/", view(preview), name="blog_page_preview"),
            path("<path:object_id>/preview/", view(preview), name="blog_page_preview"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["editor_config"] = editor_config(
            preview_url=reverse(
                "admin:blog_page_preview", kwargs={"object_id": obj.pk} if obj else {}
            ),
            preview_label=_("Preview of the page"),
            tags_url="",
            prefill_slug=add,
        )
        return super().render_change_form(request, context, add, change, form_url, obj)


def preview(model_admin, request, object_id=None) -> HttpResponse:
    """The page as it would look with the form's data (saved in a transaction rolled back)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    obj = model_admin.get_object(request, object_id) if object_id else None
    require_writer(model_admin, request, obj)
    form = model_admin.get_form(request, obj, change=obj is not None)(request.POST, instance=obj)
    form.refuse_placeholder_alt = False
    form.is_valid()
    page = form.instance
    if not page.slug or Page.objects.filter(slug=page.slug).exclude(pk=page.pk).exists():
        page.slug = f"apercu-{page.pk or 0}"
    return render_rolled_back(
        request, page.save, "pages/page.html", {"page": page, "sections": sections(page.extras)}
    )


@admin.register(ContactMessage)
class ContactMessageAdmin(admin.ModelAdmin):
    """The inbox: newest first, unread in bold; opening a message marks it read."""

    list_display = ["subject_line", "name", "email", "created", "read", "mailed", "rate_limited"]
    list_display_links = ["subject_line"]
    list_filter = ["read", "mailed", "rate_limited"]
    search_fields = ["name", "email", "subject", "message"]
    readonly_fields = [
        "name",
        "email",
        "subject",
        "message",
        "created",
        "mailed",
        "mail_error",
        "rate_limited",
    ]
    fields = [
        "name",
        "email",
        "subject",
        "message",
        "created",
        "read",
        "mailed",
        "mail_error",
        "rate_limited",
    ]
    actions = ["mark_read", "mark_unread"]
    date_hierarchy = "created"

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description=_("subject"), ordering="subject")
    def subject_line(self, message):
        # Past the hourly limit: not mailed, so the inbox is the only place it shows.
        limited = (
            format_html(' <span class="carnet-state">{}</span>', _gettext("over the limit"))
            if message.rate_limited
            else ""
        )
        if message.read:
            return format_html("{}{}", message.subject, limited)
        return format_html(
            '<strong>{}</strong> <span class="carnet-state">{}</span>{}',
            message.subject,
            _gettext("unread"),
            limited,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # An id that is not a number is the admin's own "not found", not a 500 here.
        if (
            request.method == "GET"
            and self.has_change_permission(request)
            and object_id.isascii()
            and object_id.isdigit()
        ):
            ContactMessage.objects.filter(pk=int(object_id), read=False).update(read=True)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Mark as read"), permissions=["change"])
    def mark_read(self, request, queryset):
        count = queryset.update(read=True)
        self.message_user(
            request,
            ngettext(
                "%(count)d message marked as read.", "%(count)d messages marked as read.", count
            )
            % {"count": count},
        )

    @admin.action(description=_("Mark as unread"), permissions=["change"])
    def mark_unread(self, request, queryset):
        count = queryset.update(read=False)
        self.message_user(
            request,
            ngettext(
                "%(count)d message marked as unread.", "%(count)d messages marked as unread.", count
            )
            % {"count": count},
        )
