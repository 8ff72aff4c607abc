"""Tags in the admin: counts, rename (the old tag page redirects) and merge."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import transaction
from django.db.models import Count
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from taggit.admin import TagAdmin as TaggitTagAdmin
from taggit.models import Tag

from blog.admin.forms import MergeTagsForm
from blog.models import Post, Redirect, TaggedPost

admin.site.unregister(Tag)


def tag_path(slug: str) -> str:
    return reverse("blog:tag", args=[slug])


def redirect_tag_page(old_slug: str, new_slug: str) -> None:
    """The old tag page leads to the new one; redirects that led to the old page follow."""
    if old_slug == new_slug:
        return
    old, new = tag_path(old_slug), tag_path(new_slug)
    Redirect.objects.filter(old_path=new).delete()  # the new page is a real page now
    Redirect.objects.filter(post__isnull=True, new_path=old).update(new_path=new)
    Redirect.objects.update_or_create(old_path=old, defaults={"post": None, "new_path": new})


@transaction.atomic
def merge_tags(sources, target: Tag) -> int:
    """Move every post of ``sources`` to ``target`` and delete them; return how many were merged."""
    merged = 0
    touched = list(
        Post.objects.filter(tagged_items__tag__in=[tag.pk for tag in sources]).values_list(
            "pk", flat=True
        )
    )
    for tag in sources:
        if tag.pk == target.pk:
            continue
        already = TaggedPost.objects.filter(tag=target).values("content_object")
        TaggedPost.objects.filter(tag=tag).exclude(content_object__in=already).update(tag=target)
        redirect_tag_page(tag.slug, target.slug)
        tag.delete()  # with the rows of posts that already had the target tag
        merged += 1
    # Their pages and search entries change: touch the posts once they have their new tag
    # (cached pages are keyed by `updated`; the search triggers re-read tags on it).
    Post.objects.filter(pk__in=touched).update(updated=timezone.now())
    return merged


@admin.register(Tag)
class TagAdmin(TaggitTagAdmin):
    list_display = ["name", "slug", "post_count"]
    inlines = []  # taggit's inline lists its generic TaggedItem, which Carnet does not use.
    ordering = ["name"]
    actions = ["merge"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(post_count=Count("blog_taggedpost_items"))

    def get_urls(self):
        # taggit's own merge view works on its generic TaggedItem only.
        return [u for u in super().get_urls() if u.name != "taggit_tag_merge_tags"]

    @admin.display(description=_("posts"), ordering="post_count")
    def post_count(self, tag):
        return tag.post_count

    def save_model(self, request, obj, form, change):
        old_slug = form.initial.get("slug") if change else None
        super().save_model(request, obj, form, change)
        if old_slug:
            redirect_tag_page(old_slug, obj.slug)

    @admin.action(description=_("Merge the selected tags"), permissions=["change"])
    def merge(self, request, queryset):
        tags = list(queryset.order_by("name"))
        form = MergeTagsForm(request.POST if "name" in request.POST else None)
        if form.is_bound and form.is_valid():
            target = form.target()
            count = merge_tags(tags, target)
            self.message_user(
                request,
                ngettext(
                    "%(count)d tag merged into « %(name)s ».",
                    "%(count)d tags merged into « %(name)s ».",
                    count,
                )
                % {"count": count, "name": target.name},
                messages.SUCCESS,
            )
            return None
        if not form.is_bound:
            form.initial["name"] = max(tags, key=lambda t: t.post_count).name
        return render(
            request,
            "admin/blog/merge_tags.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Merge tags"),
                "opts": self.model._meta,
                "tags": tags,
                "form": form,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            },
        )
