"""The database: posts, their authors, tags and redirects; the site's identity, pages, messages.

Models import only the pure helpers (rendering, text, roles), never a service or a view.
"""

from blog.models.authors import Author, AuthorQuerySet, site_author, site_author_name
from blog.models.posts import (
    AUTHOR_LINKS,
    Post,
    PostAuthor,
    PostQuerySet,
    Redirect,
    TaggedPost,
    attach_authors,
    attach_tags,
)
from blog.models.site import ContactMessage, Page, PageQuerySet, SiteIdentity

__all__ = [
    "AUTHOR_LINKS",
    "attach_authors",
    "attach_tags",
    "Author",
    "AuthorQuerySet",
    "PostAuthor",
    "ContactMessage",
    "Page",
    "PageQuerySet",
    "Post",
    "PostQuerySet",
    "Redirect",
    "SiteIdentity",
    "TaggedPost",
    "site_author",
    "site_author_name",
]
