"""Keep what readers see in step when something other than a post's own save changes it.

Public pages are validated and cached by the newest ``Post.updated`` (blog/public/caching.py),
and the search index is refreshed by a trigger on posts: a renamed tag changes every page that
shows it, so its posts are touched (``updated`` only, no other field); so does a deleted tag
(before its links go with it), from the admin's delete page or its list action alike.
"""

from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver
from django.utils import timezone
from taggit.models import Tag

from blog.models import Post


@receiver(post_save, sender=Tag, dispatch_uid="carnet-tag-renamed")
def touch_posts_of_tag(sender, instance, created, raw=False, **kwargs):
    if created or raw:
        return
    Post.objects.filter(tagged_items__tag=instance).update(updated=timezone.now())


@receiver(pre_delete, sender=Tag, dispatch_uid="carnet-tag-deleted")
def touch_posts_of_deleted_tag(sender, instance, **kwargs):
    Post.objects.filter(tagged_items__tag=instance).update(updated=timezone.now())
