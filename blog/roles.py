"""Who may do what: one rule for the admin and the public site's « staff may look at a draft ».

The admin lets in active staff who are superusers or in a role group (« Auteur », « Éditeur »);
inside, each model's view/change permissions decide. The public site shows a draft, a scheduled
post or an unpublished page only to someone the admin would show it to: ``is_staff`` alone
(a staff account with no role, which the admin refuses) is not enough.
"""

from __future__ import annotations

AUTHOR_GROUP = "Auteur"
EDITOR_GROUP = "Éditeur"
ROLE_GROUPS = (AUTHOR_GROUP, EDITOR_GROUP)


def has_admin_role(user) -> bool:
    """Active staff who are superusers or in a role group: who gets into the admin."""
    if not (user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    # Cached on the user (one per request): the admin asks several times per page.
    if not hasattr(user, "_carnet_has_role"):
        user._carnet_has_role = user.groups.filter(name__in=ROLE_GROUPS).exists()
    return user._carnet_has_role


def may_see_unpublished(user, model) -> bool:
    """Whether ``user`` may read ``model``'s rows that readers cannot see yet.

    The admin's own rule: in the admin, with the view or change permission on the model.
    """
    if not has_admin_role(user):
        return False
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or user.has_perm(
        f"{opts.app_label}.change_{opts.model_name}"
    )


def may_edit_any_post(user) -> bool:
    """Éditeurs (who may publish) and superusers edit and reassign every post."""
    return user.is_superuser or user.has_perm("blog.publish_post")


def may_edit_post(user, post) -> bool:
    """Whether ``user`` may open, preview, restore or add images to ``post`` at all.

    An Auteur only touches the posts they are an author of (their profile is linked to their
    account); a post not saved yet is the one they are writing. The model permissions and the
    draft rule come on top of this (blog/admin/posts.py).
    """
    if may_edit_any_post(user):
        return True
    if post is None or post.pk is None:
        return True
    return user.is_authenticated and post.author_links.filter(author__user=user).exists()


def may_publish_static_site(user) -> bool:
    """Who may publish the static site from the admin: those who may publish a post (Éditeur).

    The static site is what readers see: an Auteur, who never changes that, may not.
    """
    return has_admin_role(user) and user.has_perm("blog.publish_post")
