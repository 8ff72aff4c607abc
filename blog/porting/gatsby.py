"""A Gatsby site's page formats: which files are pages, and the field maps that import reads
and export writes back (one map per format, so the two cannot drift apart).

Pure functions and constants over front matter; the rows are made by
``blog.porting.importing.pages`` and written back by ``blog.porting.exporting.pages``.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import PurePosixPath

from blog.porting import frontmatter
from blog.text import ascii_slugify

PAGE_TEMPLATES = {"about-page", "product-page", "page"}
IDENTITY_TEMPLATE = "index-page"
TEMPLATES = PAGE_TEMPLATES | {IDENTITY_TEMPLATE}
NAVIGATION_ORDER = {"about-page": 1, "product-page": 2}
# Front matter key, Page field, type: written by export when not the defaults.
FLAG_KEYS = (
    ("draft", "published", bool),
    ("inNavigation", "in_navigation", bool),
    ("navigationOrder", "navigation_order", int),
    ("showIdentity", "show_identity", bool),
)
# index-page key -> identity field (filled only while empty: the admin's word wins).
IDENTITY_FIELDS = {
    "title": "site_name",
    "heading": "home_heading",
    "subheading": "tagline",
    "description": "introduction",
}
# identity field -> the index-page key export writes it under (the same map, reversed)
IDENTITY_KEYS = {name: key for key, name in IDENTITY_FIELDS.items()}


def is_page(key: str | None) -> bool:
    """Gatsby's page templates (index-page, about-page, contact-page, any ``*-page``); any
    other templateKey (blog-post, and til, note, dailyNote… a site's own kinds) is a post."""
    return key is not None and (key in TEMPLATES or key.endswith("-page"))


def defaults(key: str | None) -> dict:
    """The flags a new page of this templateKey gets when its file does not say."""
    return {
        "published": True,
        "in_navigation": True,
        "navigation_order": NAVIGATION_ORDER.get(key or "", 5),
        "show_identity": key == "about-page",
    }


def is_placeholder(page) -> bool:
    """The draft about page a fresh install starts with, never touched since."""
    body = import_module("blog.migrations.0005_freelancer_pages").ABOUT_BODY
    return page.source_path is None and not page.published and page.body == body


def page_slug(meta: dict, relative: str) -> str:
    """Gatsby's ``path: /about`` first, else the folder (about/index.md) or the file name."""
    _, path = frontmatter.lookup(meta, ("path", "slug", "permalink"))
    if isinstance(path, str) and path.strip("/ "):
        return ascii_slugify(path.strip("/ ").split("/")[-1])[:100]
    stem = PurePosixPath(relative)
    name = stem.parent.name if stem.stem.lower() in ("index", "_index") else stem.stem
    return ascii_slugify(name)[:100]
