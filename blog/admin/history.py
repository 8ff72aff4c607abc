"""A post's history in the admin: django-reversion's revisions, compared with the current post.

django-reversion (BSD) keeps a revision per save and restores one through its revision view.
The comparison is ours: a few fields, a line diff of the body with difflib, and no dependency
(django-reversion-compare is GPL-3.0 and brings rich, markdown-it-py and diff-match-patch).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from reversion.admin import VersionAdmin
from reversion.errors import RevertError
from reversion.models import Version, _safe_revert  # pinned 6.4.0: its revert, row by row
from taggit.models import Tag

from blog.admin.forms import PostAdminForm
from blog.models import Post, TaggedPost

# What the editor writes: the form's fields, in its order. Derived fields (body_html, image
# size, reading time) and import bookkeeping follow from these and are not compared.
COMPARED_FIELDS = PostAdminForm.Meta.fields
CONTEXT_LINES = 3  # unchanged lines shown around each change of the body


@dataclass
class DiffLine:
    kind: str  # "same", "del" (only in the revision), "ins" (only in the current post), "gap"
    text: str = ""


@dataclass
class FieldComparison:
    name: str
    label: str
    old: str  # as shown: in the revision
    new: str  # as shown: in the current post
    lines: list[DiffLine] = field(default_factory=list)  # the body's line diff, when it changed

    @property
    def changed(self) -> bool:
        return self.old != self.new


def line_diff(old: str, new: str, context: int = CONTEXT_LINES) -> list[DiffLine]:
    """The lines that differ, with a few unchanged lines around each change ("gap" between)."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    lines: list[DiffLine] = []
    for group in matcher.get_grouped_opcodes(context):
        if lines:
            lines.append(DiffLine("gap"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [DiffLine("same", text) for text in old_lines[i1:i2]]
                continue
            lines += [DiffLine("del", text) for text in old_lines[i1:i2]]
            lines += [DiffLine("ins", text) for text in new_lines[j1:j2]]
    return lines


def _shown(name: str, value) -> str:
    """A field's value as the editor reads it (a date in French, a status by its label)."""
    if name == "pub_date":
        return date_format(timezone.localtime(value), "DATETIME_FORMAT") if value else ""
    if name == "status":
        return str(Post.Status(value).label) if value in Post.Status.values else str(value)
    if name == "featured":
        return _("Yes") if value else _("No")
    if name == "image":
        return getattr(value, "name", value) or ""
    return "" if value is None else str(value)


def own_tag_versions(version: Version) -> list[Version]:
    """The tag links of ``version``'s post saved with its revision (not other posts' links)."""
    tagged = version.revision.version_set.filter(
        content_type=ContentType.objects.get_for_model(TaggedPost)
    )
    return [v for v in tagged if str(v.field_dict["content_object_id"]) == str(version.object_id)]


def _revision_tags(version: Version) -> str:
    """The post's tags when the revision was made, from the tag links saved with it."""
    tag_ids = [v.field_dict["tag_id"] for v in own_tag_versions(version)]
    names = dict(Tag.objects.filter(pk__in=tag_ids).values_list("pk", "name"))
    # A tag deleted since cannot be restored with the post; say so rather than hide it.
    return ", ".join(sorted(names.get(pk, _("(deleted tag)")) for pk in tag_ids))


def compare_with_current(version: Version, post: Post) -> list[FieldComparison]:
    """Each compared field of ``post`` as saved in ``version`` and as it is now."""
    saved = version.field_dict
    comparisons = []
    for name in COMPARED_FIELDS:
        if name == "tags":
            old, new = _revision_tags(version), ", ".join(sorted(post.tags.names()))
        else:
            old, new = _shown(name, saved.get(name)), _shown(name, getattr(post, name))
        label = capfirst(Post._meta.get_field(name).verbose_name)
        comparison = FieldComparison(name, label, old, new)
        if name == "body" and comparison.changed:
            comparison.lines = line_diff(old, new)
        comparisons.append(comparison)
    return comparisons


class _OwnRevision:
    """A revision that, reverted, restores one post and its tag links, and nothing else.

    django-reversion reverts every object of the revision, and a list action keeps one revision
    for all the posts it changed: restoring one of them would silently restore (republish,
    unpublish) the others too, past the permission checks made on this one.
    """

    def __init__(self, version: Version):
        self.date_created = version.revision.date_created
        self.post_id = version.object_id
        self.db = version.db
        links = own_tag_versions(version)
        # A tag deleted (or merged) since cannot come back: the post is restored without it, as
        # the comparison page warns, rather than failing on the missing tag.
        tags = set(
            Tag.objects.filter(pk__in=[v.field_dict["tag_id"] for v in links]).values_list(
                "pk", flat=True
            )
        )
        self.versions = [version, *(v for v in links if v.field_dict["tag_id"] in tags)]

    def revert(self, delete: bool = False) -> None:
        with transaction.atomic(using=self.db):
            if delete:  # tag links made since the revision go, as reversion does
                kept = [v.object_id for v in self.versions[1:]]
                TaggedPost.objects.using(self.db).filter(content_object_id=self.post_id).exclude(
                    pk__in=kept
                ).delete()
            _safe_revert(self.versions)


class _OwnVersion:
    """``version`` as django-reversion's revision form view reads it, with an ``_OwnRevision``."""

    def __init__(self, version: Version):
        self._version = version
        self.revision = _OwnRevision(version)

    def __getattr__(self, name):
        return getattr(self._version, name)


class PostHistoryAdmin(VersionAdmin):
    """django-reversion's history and restore, plus « Compare » for each revision."""

    object_history_template = "admin/blog/post/object_history.html"
    compare_template = "admin/blog/post/compare.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            # Before the admin's own URLs: "<path:object_id>/" would swallow this one.
            path(
                "<path:object_id>/history/<int:version_id>/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="{}_{}_compare".format(*info),
            ),
            *super().get_urls(),
        ]

    def _versions(self, request, object_id):
        versions = Version.objects.get_for_object_reference(self.model, object_id)
        return self._reversion_order_version_queryset(request, versions).select_related(
            "revision__user"
        )

    # --- restore: the same roles as the change form -------------------------------------------

    def has_restore_permission(self, request, current, restored) -> bool:
        """Whether the user may change the post both as it is and as it would be restored.

        ``current`` is None when a deleted post is recovered.
        """
        if current is None:
            return self.has_add_permission(request) and self.has_change_permission(
                request, restored
            )
        return self.has_change_permission(request, current) and self.has_change_permission(
            request, restored
        )

    def _restored(self, version: Version):
        """The post as the version would restore it (not saved); RevertError if it cannot load."""
        names = {f.attname for f in self.model._meta.concrete_fields}
        return self.model(**{k: v for k, v in version.field_dict.items() if k in names})

    def _restore(self, request, version: Version, current, template, context):
        """Check both states, then run django-reversion's form on this post's own rows only."""
        try:
            restored = self._restored(version)
        except RevertError as error:  # saved by an older version of the model that no longer loads
            messages.error(request, str(error))
            return redirect(
                f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_changelist"
            )
        if not self.has_restore_permission(request, current, restored):
            raise PermissionDenied
        return self._reversion_revisionform_view(request, _OwnVersion(version), template, context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Restore a version of the post in the URL (404 for any other object's version)."""
        post = self.get_object(request, unquote(object_id))
        if post is None:
            raise Http404
        version = get_object_or_404(self._versions(request, post.pk), pk=version_id)
        context = {"title": _("Revert %(name)s") % {"name": version.object_repr}, "revert": True}
        template = self.revision_form_template or self._reversion_get_template_list(
            "revision_form.html"
        )
        return self._restore(request, version, post, template, {**context, **(extra_context or {})})

    def recover_view(self, request, version_id, extra_context=None):
        """Recover a deleted post: a version of this model whose object no longer exists."""
        version = get_object_or_404(Version.objects.get_for_model(self.model), pk=version_id)
        if self.model._default_manager.filter(pk=version.object_id).exists():
            raise Http404  # not deleted: restoring it is the history's job, with its checks
        context = {"title": _("Recover %(name)s") % {"name": version.object_repr}, "recover": True}
        template = self.recover_form_template or self._reversion_get_template_list(
            "recover_form.html"
        )
        return self._restore(request, version, None, template, {**context, **(extra_context or {})})

    # --- history and compare -------------------------------------------------------------------

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        can_compare = obj is not None and self.has_change_permission(request, obj)
        versions = self._versions(request, unquote(object_id))
        action_list = [
            {
                "revision": version.revision,
                # No restore link to a post the user may not change (the form would refuse).
                "url": self._url("revision", version) if can_compare else "",
                "compare_url": self._url("compare", version) if can_compare else "",
            }
            for version in versions
        ]
        context = {"action_list": action_list, **(extra_context or {})}
        return super().history_view(request, object_id, context)

    def compare_view(self, request, object_id, version_id):
        """A revision beside the current post, field by field, with a way to restore it."""
        post = self.get_object(request, unquote(object_id))
        if post is None:
            raise Http404
        if not self.has_change_permission(request, post):
            raise PermissionDenied
        version = get_object_or_404(self._versions(request, post.pk), pk=version_id)
        history_url = reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_history",
            args=[quote(post.pk)],
        )
        try:
            comparisons = compare_with_current(version, post)
            may_restore = self.has_restore_permission(request, post, self._restored(version))
        except RevertError as error:  # saved by an older version of the model that no longer loads
            messages.error(request, str(error))
            return redirect(history_url)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Compare a version of “%(post)s”") % {"post": post},
            "opts": self.opts,
            "module_name": capfirst(self.opts.verbose_name_plural),
            "object": post,
            "version": version,
            "revision": version.revision,
            "comparisons": comparisons,
            "changed_count": sum(c.changed for c in comparisons),
            # No button to a restore the user may not make (a published version, for an Auteur).
            "restore_url": self._url("revision", version) if may_restore else "",
            "history_url": history_url,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.compare_template, context)

    def _url(self, view: str, version: Version) -> str:
        return reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{view}",
            args=[quote(version.object_id), version.pk],
        )
