"""The database: posts and their tags and redirects, the site's identity, pages and messages.

Models import only the pure helpers (rendering, text, roles), never a service or a view.
"""

from blog.models.posts import Post, PostQuerySet, Redirect, TaggedPost
from blog.models.site import ContactMessage, Page, PageQuerySet, SiteIdentity

__all__ = [
    "ContactMessage",
    "Page",
    "PageQuerySet",
    "Post",
    "PostQuerySet",
    "Redirect",
    "SiteIdentity",
    "TaggedPost",
]
