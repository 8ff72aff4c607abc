from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from taggit.admin import TagAdmin as TaggitTagAdmin
from taggit.models import Tag

from blog.models import Post, Redirect


class StateFilter(admin.SimpleListFilter):
    """Draft, scheduled or published: the state a reader would see right now."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", _("Draft")),
            ("scheduled", _("Scheduled")),
            ("published", _("Published")),
        ]

    def queryset(self, request, queryset):
        return {
            "draft": queryset.drafts,
            "scheduled": queryset.scheduled,
            "published": queryset.published,
        }.get(self.value(), queryset.all)()


class RedirectInline(admin.TabularInline):
    model = Redirect
    extra = 0
    fields = ["old_path"]
    verbose_name = _("old address")
    verbose_name_plural = _("old addresses that lead here")


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "state_badge", "featured", "pub_date", "tag_list", "thumbnail"]
    list_display_links = ["title"]
    list_editable = ["featured"]
    list_filter = [StateFilter, "featured", "tags", "pub_date"]
    list_per_page = 50
    search_fields = ["title", "description", "body"]
    date_hierarchy = "pub_date"
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["created", "updated", "source_path"]
    actions = ["publish_now", "unpublish", "feature", "unfeature"]
    inlines = [RedirectInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "description", "body", "tags"]}),
        (_("Publication"), {"fields": ["status", "pub_date", "featured"]}),
        (_("Featured image"), {"fields": ["image", "image_alt"]}),
        (
            _("History"),
            {"fields": ["created", "updated", "source_path"], "classes": ["collapse"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("body_html", "source_meta")

    def get_changelist(self, request, **kwargs):
        # Tags for the whole page in one query, not one per row.
        changelist = super().get_changelist(request, **kwargs)

        class PrefetchingChangeList(changelist):
            def get_queryset(self, request, exclude_parameters=None):
                return super().get_queryset(request, exclude_parameters).prefetch_related("tags")

        return PrefetchingChangeList

    @admin.display(description=_("state"), ordering="status")
    def state_badge(self, post):
        labels = {"draft": _("Draft"), "scheduled": _("Scheduled"), "published": _("Published")}
        return format_html(
            '<span class="carnet-state carnet-state--{}">{}</span>', post.state, labels[post.state]
        )

    @admin.display(description=_("tags"))
    def tag_list(self, post):
        return ", ".join(sorted(tag.name for tag in post.tags.all()))

    @admin.display(description=_("image"))
    def thumbnail(self, post):
        if not post.image:
            return ""
        return format_html(
            '<img src="{}" alt="{}" width="64" height="40" class="carnet-thumb" loading="lazy">',
            post.image.url,
            post.image_alt,
        )

    def _report(self, request, message):
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("Publish now"))
    def publish_now(self, request, queryset):
        now = timezone.now()
        # Drafts and scheduled posts go live now; a post already live keeps its date.
        count = queryset.filter(Q(status=Post.Status.DRAFT) | Q(pub_date__gt=now)).update(
            status=Post.Status.PUBLISHED, pub_date=now
        )
        self._report(
            request,
            ngettext("%(count)d post published.", "%(count)d posts published.", count)
            % {"count": count},
        )

    @admin.action(description=_("Unpublish (back to draft)"))
    def unpublish(self, request, queryset):
        count = queryset.filter(status=Post.Status.PUBLISHED).update(status=Post.Status.DRAFT)
        self._report(
            request,
            ngettext("%(count)d post back to draft.", "%(count)d posts back to draft.", count)
            % {"count": count},
        )

    @admin.action(description=_("Feature on the home page"))
    def feature(self, request, queryset):
        count = queryset.filter(featured=False).update(featured=True)
        self._report(
            request,
            ngettext("%(count)d post featured.", "%(count)d posts featured.", count)
            % {"count": count},
        )

    @admin.action(description=_("Remove from the home page"))
    def unfeature(self, request, queryset):
        count = queryset.filter(featured=True).update(featured=False)
        self._report(
            request,
            ngettext(
                "%(count)d post no longer featured.", "%(count)d posts no longer featured.", count
            )
            % {"count": count},
        )


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin):
    list_display = ["old_path", "post", "new_path", "created"]
    list_select_related = ["post"]
    search_fields = ["old_path", "new_path", "post__title"]
    autocomplete_fields = ["post"]


admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(TaggitTagAdmin):
    list_display = ["name", "slug", "post_count"]
    inlines = []  # taggit's inline lists its generic TaggedItem, which Carnet does not use.
    ordering = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(post_count=Count("blog_taggedpost_items"))

    @admin.display(description=_("posts"), ordering="post_count")
    def post_count(self, tag):
        return tag.post_count
