"""The admin of posts: the editor with live preview, images, publish workflow, history."""

import reversion
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import connection, models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from blog import search_index
from blog.admin import editor
from blog.admin.forms import PostAdminForm, SiteTimeSplitDateTimeField
from blog.admin.history import PostHistoryAdmin
from blog.models import (
    AUTHOR_LINKS,
    Author,
    Post,
    PostAuthor,
    Redirect,
    TaggedPost,
    site_author,
)
from blog.roles import may_edit_any_post, may_edit_post

# Revisions keep the post and its tags; redirects are not content (restoring must not drop them),
# and neither are its authors (restoring an old version never changes who owns the post).
reversion.register(TaggedPost)
reversion.register(Post, follow=["tagged_items"])

PUBLISH_BUTTONS = {
    "_publish_now": "publish",
    "_unpublish": "unpublish",
    "_feature": "feature",
    "_unfeature": "unfeature",
}


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


class PostAuthorInline(admin.TabularInline):
    """The post's authors, in byline order: the Éditeur's to change (an Auteur sees them)."""

    model = PostAuthor
    extra = 0
    fields = ["author", "position"]
    verbose_name = _("author")
    verbose_name_plural = _("authors")

    def has_view_permission(self, request, obj=None) -> bool:
        return may_edit_any_post(request.user)

    def has_add_permission(self, request, obj=None) -> bool:
        return may_edit_any_post(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return may_edit_any_post(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return may_edit_any_post(request.user)


def creator_author(user) -> Author:
    """Who a new post is by: its creator's profile. An Auteur without one gets one (their name,
    made unique); an Éditeur without one writes as the site's author (``site_author``)."""
    profile = Author.objects.of_user(user).first()
    if profile is not None:
        return profile
    if may_edit_any_post(user):
        return site_author()
    name = (user.get_full_name() or user.get_username()).strip()[:80] or "Auteur"
    if Author.objects.named(name).exists():  # another person's profile: never take it over
        name = f"{name} ({user.get_username()})"[:100]
    return Author.objects.create(name=name, user=user)


class AuthorFilter(admin.SimpleListFilter):
    """Posts by one author (among the authors of the posts this user may see)."""

    title = _("author")
    parameter_name = "author"

    def lookups(self, request, model_admin):
        # One probe of the links' index per author, not a DISTINCT over every post's links.
        links = PostAuthor.objects.filter(author=OuterRef("pk"))
        if not may_edit_any_post(request.user):
            links = links.filter(post__in=Post.objects.written_by(request.user))
        authors = Author.objects.filter(Exists(links))
        return [(str(author.pk), author.name) for author in authors.order_by("name")]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(author_links__author_id=int(self.value()))
        return queryset


@admin.register(Post)
class PostAdmin(PostHistoryAdmin):
    form = PostAdminForm
    # Typed times are read in the site's zone; a clock-change night's missing or repeated hour
    # is a form error that says so.
    formfield_overrides = {models.DateTimeField: {"form_class": SiteTimeSplitDateTimeField}}
    list_display = [
        "title",
        "author_names",
        "state_badge",
        "featured",
        "pub_date",
        "tag_list",
        "thumbnail",
    ]
    list_display_links = ["title"]
    list_editable = ["featured"]
    list_filter = [StateFilter, AuthorFilter, "featured", "tags", "pub_date"]
    list_per_page = 50
    # Searched through the full-text index (get_search_results); Django's LIKE on these
    # fields only for words the index does not take (one letter).
    search_fields = ["title", "description", "body"]
    # « 50 résultats (10 000 au total) » counted every post once more on every page.
    show_full_result_count = False
    # Reversion's list, with a date drill-down that probes the date's index (admin_dates).
    change_list_template = "admin/blog/post/change_list.html"
    date_hierarchy = "pub_date"
    readonly_fields = ["created", "updated", "source_path"]
    actions = ["publish_now", "unpublish", "feature", "unfeature"]
    inlines = [RedirectInline, PostAuthorInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "description", "body", "language", "tags"]}),
        (_("Publication"), {"fields": ["status", "pub_date", "featured"]}),
        (_("Featured image"), {"fields": ["image", "image_alt"]}),
        (
            _("History"),
            {"fields": ["created", "updated", "source_path"], "classes": ["collapse"]},
        ),
    ]

    class Media:
        css = {"all": ["blog/admin/editor.css"]}
        js = ["blog/admin/editor.js"]

    def get_urls(self):
        def view(func):
            return self.admin_site.admin_view(lambda request, **kw: func(self, request, **kw))

        return [
            path("preview/", view(editor.preview), name="blog_post_preview"),
            path("<path:object_id>/preview/", view(editor.preview), name="blog_post_preview"),
            path("upload-image/", view(editor.upload_body_image), name="blog_post_upload"),
            path("tag-names/", view(editor.tag_suggestions), name="blog_post_tag_names"),
            *super().get_urls(),
        ]

    # --- roles -----------------------------------------------------------------------------

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("blog.publish_post")

    def has_view_permission(self, request, obj=None) -> bool:
        # An Auteur sees only their own posts (blog/roles.py): another's is a 403 everywhere.
        return may_edit_post(request.user, obj) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        # An Auteur writes drafts; once a post is published or scheduled, an Éditeur edits it.
        published = obj is not None and obj.status != Post.Status.DRAFT
        if published and not self.has_publish_permission(request):
            return False
        return may_edit_post(request.user, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return may_edit_post(request.user, obj) and super().has_delete_permission(request, obj)

    def recoverlist_view(self, request, extra_context=None):
        # A deleted post has no authors left: only an Éditeur may recover it, or see its title.
        if not may_edit_any_post(request.user):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def has_restore_permission(self, request, current, restored) -> bool:
        # Restoring must not do what the form refuses: « à la une » is the Éditeur's, even on a
        # draft (the restored value of a read-only field is kept).
        if not super().has_restore_permission(request, current, restored):
            return False
        featured_before = current.featured if current is not None else False
        return self.has_publish_permission(request) or restored.featured == featured_before

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            fields += ["status", "featured"]
        if not may_edit_any_post(request.user):
            fields += ["author_names"]
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if may_edit_any_post(request.user):
            return fieldsets
        # An Auteur sees who the post is by, and cannot change it (no authors inline).
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], "author_names"]}), *rest]

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        if not self.has_publish_permission(request):
            changelist.list_editable = ()
        return changelist

    # --- list ------------------------------------------------------------------------------

    def get_queryset(self, request):
        return super().get_queryset(request).defer("body_html", "source_meta")

    def get_search_results(self, request, queryset, search_term):
        """The posts whose title, description, tags or text hold every word (as a prefix,
        accents ignored, as the site's search): the full-text index finds them, where LIKE
        read every post's body (0.2 s at 10,000 posts, three times over for the date links)."""
        query = search_index.Query(search_term)
        if not query:
            return super().get_search_results(request, queryset, search_term)
        request._carnet_unsearched = queryset  # the date links' probes (admin_dates)
        sql, params = search_index.matching_ids(connection, query)
        # ``id + 0``: SQLite then walks the list's date index, newest first, testing each post
        # against the matches (stopping at a page of them), instead of reading every match's
        # row to sort them (48 ms for a word in each of 10,000 posts).
        matching = queryset.alias(match_id=F("id") + 0).filter(match_id__in=RawSQL(sql, params))
        return matching, False

    def get_changelist(self, request, **kwargs):
        # Tags for the whole page in one query, not one per row.
        changelist = super().get_changelist(request, **kwargs)

        class PrefetchingChangeList(changelist):
            def get_queryset(self, request, exclude_parameters=None):
                posts = super().get_queryset(request, exclude_parameters)
                if not may_edit_any_post(request.user):
                    posts = posts.filter(pk__in=Post.objects.written_by(request.user))
                # The list shows none of the long texts.
                posts = posts.defer("body", "body_text")
                return posts.prefetch_related("tags", AUTHOR_LINKS)

            def get_ordering(self, request, queryset):
                # Ties by id in the sorted column's direction (Django adds "-pk" whatever the
                # direction): one index (column, id), read forwards or backwards, then gives a
                # page without sorting every post (a title, a state: 40–200 ms at 10,000).
                ordering = super().get_ordering(request, queryset)
                if len(ordering) == 2 and ordering[-1] == "-pk" and isinstance(ordering[0], str):
                    ordering[-1] = "-pk" if ordering[0].startswith("-") else "pk"
                return ordering

            def unsearched_queryset(self):
                """The list's posts without the search (templatetags/admin_dates.py)."""
                return getattr(request, "_carnet_unsearched", None)

        return PrefetchingChangeList

    @admin.display(description=_("state"), ordering="status")
    def state_badge(self, post):
        labels = {"draft": _("Draft"), "scheduled": _("Scheduled"), "published": _("Published")}
        return format_html(
            '<span class="carnet-state carnet-state--{}">{}</span>', post.state, labels[post.state]
        )

    @admin.display(description=_("authors"))
    def author_names(self, post):
        if post is None or post.pk is None:
            return ""
        return ", ".join(author.name for author in post.byline)

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

    # --- form ------------------------------------------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        state = obj.state if obj else None
        context.update(
            can_publish=self.has_publish_permission(request),
            post_state=state,
            preview_page_url=obj.get_absolute_url() if obj and state != "published" else "",
            editor_config=editor.editor_config(
                preview_url=reverse(
                    "admin:blog_post_preview", kwargs={"object_id": obj.pk} if obj else {}
                ),
                preview_label=_("Preview of the post"),
                tags_url=reverse("admin:blog_post_tag_names"),
                prefill_slug=add,
            ),
        )
        if obj is not None:  # images uploaded here are this post's: its owners' only
            context["editor_config"]["uploadUrl"] += f"?post={obj.pk}"
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.stored_files = getattr(request, "_carnet_stored_files", None)  # a class per call
        return form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # An image is written while the form is checked (a full disk is then a form error);
        # if the post is not saved in the end, the image goes too.
        request._carnet_stored_files = stored = []
        try:
            response = super().changeform_view(request, object_id, form_url, extra_context)
        except BaseException:
            _delete_files(stored)
            raise
        if "adminform" in (getattr(response, "context_data", None) or {}):
            _delete_files(stored)  # the form is shown again: nothing refers to these files
        return response

    def save_model(self, request, obj, form, change):
        button = next((PUBLISH_BUTTONS[b] for b in PUBLISH_BUTTONS if b in request.POST), None)
        if button and self.has_publish_permission(request):
            self._apply_button(request, obj, button)
        old_slug = form.initial.get("slug") if change else None
        was_live = change and Post.objects.published().filter(pk=obj.pk).exists()
        super().save_model(request, obj, form, change)
        if old_slug and old_slug != obj.slug:
            remember_old_address(obj, old_slug, was_live)

    def new_post_author(self, request) -> Author:
        return creator_author(request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A new post is its creator's; a post left with no author (the Éditeur removed them
        # all) falls back the same way, so every post has a byline and an owner.
        post = form.instance
        if not post.author_links.exists():
            post.set_authors([creator_author(request.user)])

    def _apply_button(self, request, post, button) -> None:
        now = timezone.now()
        if button == "publish":
            if post.status == Post.Status.DRAFT or post.pub_date > now:
                post.pub_date = now
            post.status = Post.Status.PUBLISHED
            message = _("The post is published.")
        elif button == "unpublish":
            post.status = Post.Status.DRAFT
            message = _("The post is back to draft.")
        else:
            post.featured = button == "feature"
            message = (
                _("The post is featured.")
                if post.featured
                else _("The post is no longer featured.")
            )
        self.message_user(request, message, messages.SUCCESS)

    def response_change(self, request, obj):
        # A workflow button keeps the editor on the page, like « Save and continue ».
        if any(b in request.POST for b in PUBLISH_BUTTONS):
            request.POST = request.POST.copy()
            request.POST["_continue"] = "1"
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        if any(b in request.POST for b in PUBLISH_BUTTONS):
            request.POST = request.POST.copy()
            request.POST["_continue"] = "1"
        return super().response_add(request, obj, post_url_continue)

    # --- list actions ----------------------------------------------------------------------

    def _report(self, request, message, changed=()):
        """Tell the editor, and keep a revision of each post changed by a list action.

        Actions use ``update()`` (no ``save()``): the changelist view's revision gets the posts.
        They set ``updated`` themselves: the public pages' ETag and cache key are made from it.
        """
        if changed and reversion.is_active():
            for post in Post.objects.filter(pk__in=changed):
                reversion.add_to_revision(post)
            reversion.set_comment(str(message))
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("Publish now"), permissions=["publish"])
    def publish_now(self, request, queryset):
        now = timezone.now()
        # Drafts and scheduled posts go live now; a post already live keeps its date.
        changed = queryset.filter(Q(status=Post.Status.DRAFT) | Q(pub_date__gt=now))
        pks = list(changed.values_list("pk", flat=True))
        count = Post.objects.filter(pk__in=pks).update(
            status=Post.Status.PUBLISHED, pub_date=now, updated=now
        )
        self._report(
            request,
            ngettext("%(count)d post published.", "%(count)d posts published.", count)
            % {"count": count},
            pks,
        )

    @admin.action(description=_("Unpublish (back to draft)"), permissions=["publish"])
    def unpublish(self, request, queryset):
        pks = list(queryset.filter(status=Post.Status.PUBLISHED).values_list("pk", flat=True))
        count = Post.objects.filter(pk__in=pks).update(
            status=Post.Status.DRAFT, updated=timezone.now()
        )
        self._report(
            request,
            ngettext("%(count)d post back to draft.", "%(count)d posts back to draft.", count)
            % {"count": count},
            pks,
        )

    @admin.action(description=_("Feature on the home page"), permissions=["publish"])
    def feature(self, request, queryset):
        pks = list(queryset.filter(featured=False).values_list("pk", flat=True))
        count = Post.objects.filter(pk__in=pks).update(featured=True, updated=timezone.now())
        self._report(
            request,
            ngettext("%(count)d post featured.", "%(count)d posts featured.", count)
            % {"count": count},
            pks,
        )

    @admin.action(description=_("Remove from the home page"), permissions=["publish"])
    def unfeature(self, request, queryset):
        pks = list(queryset.filter(featured=True).values_list("pk", flat=True))
        count = Post.objects.filter(pk__in=pks).update(featured=False, updated=timezone.now())
        self._report(
            request,
            ngettext(
                "%(count)d post no longer featured.", "%(count)d posts no longer featured.", count
            )
            % {"count": count},
            pks,
        )


def _delete_files(names) -> None:
    for name in names:
        default_storage.delete(name)


def remember_old_address(post: Post, old_slug: str, was_live: bool) -> None:
    """A published post's old address keeps leading to it (the importer writes the same rows)."""
    new_path = post.get_absolute_url()
    # Back to an earlier slug: that address is the post's own again, not a redirect. A redirect
    # from there to another post stays: it answers only while this address is a 404 (a draft),
    # and an Auteur's draft must not break a published post's old address.
    Redirect.objects.filter(old_path=new_path, post=post).delete()
    if was_live:
        old_path = reverse("blog:post-detail", kwargs={"slug": old_slug})
        Redirect.objects.update_or_create(
            old_path=old_path, defaults={"post": post, "new_path": ""}
        )


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin):
    list_display = ["old_path", "post", "new_path", "created"]
    list_select_related = ["post"]
    search_fields = ["old_path", "new_path", "post__title"]
    autocomplete_fields = ["post"]
