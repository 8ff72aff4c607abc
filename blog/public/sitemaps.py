"""The sitemap: home, published pages and posts (with lastmod), tags, authors, archives.

``/sitemap.xml`` (the address robots.txt names) is a sitemap index: it lists one file per
section, ``/sitemap-posts.xml``, ``/sitemap-tags.xml``…, and the posts by thousands
(``/sitemap-posts-2.xml`` for the second thousand), so that no file's cost grows with the
number of posts (one file of 10,000 posts took half a second). The files are addresses without
a query string: the static build writes each as it is (blog.publishing). The index reads no
post: the public state's count of published posts (``blog.site.stamps``) gives the posts'
pages, and the tags' and the archive's lists are kept per state of the site.
"""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import x_robots_tag
from django.contrib.sites.shortcuts import get_current_site
from django.core.paginator import EmptyPage, Paginator
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from blog.models import Author, Page, Post
from blog.public.lookups import not_found
from blog.site import archive
from blog.site.stamps import public_state
from blog.site.tags import tag_counts

# Posts (and tags) per file: Google takes up to 50,000, a thousand keeps each file cheap.
LIMIT = 1000


class RequestSitemap(Sitemap):
    """A section of the sitemap, made for one request (its lists are kept per state)."""

    limit = LIMIT

    def __init__(self, request):
        self.request = request

    def page_count(self) -> int:
        return 1


class StaticSitemap(RequestSitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["blog:home", "blog:post-list", "blog:tag-list", "blog:author-list"]

    def location(self, item):
        return reverse(item)


class PostSitemap(RequestSitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return (
            Post.objects.published()
            .only("slug", "updated", "pub_date")
            .order_by("-pub_date", "-id")
        )

    @property
    def paginator(self):
        pages = Paginator(self._items(), self.limit)
        pages.count = public_state(self.request).count  # counted by the state's one query
        return pages

    def page_count(self) -> int:
        return self.paginator.num_pages  # from the state's count: no query

    def lastmod(self, post):
        return max(post.updated, post.pub_date)


class TagSitemap(RequestSitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return sorted(tag_counts(self.request), key=lambda tag: tag.slug)

    def page_count(self) -> int:
        return self.paginator.num_pages  # the kept list's length: no query

    def location(self, tag):
        return reverse("blog:tag", kwargs={"slug": tag.slug})


class AuthorSitemap(RequestSitemap):
    """Authors with at least one published post (the others' pages are 404s)."""

    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Author.objects.with_published_posts().only("slug").order_by("slug")


class ArchiveSitemap(RequestSitemap):
    changefreq = "monthly"
    priority = 0.3

    def items(self):
        years = archive.cached_years(self.request)
        return [(year, None) for year, _ in years] + [
            (month.year, month.month) for _, months in years for month in months
        ]

    def location(self, item):
        year, month = item
        if month is None:
            return reverse("blog:archive-year", kwargs={"year": year})
        return reverse("blog:archive-month", kwargs={"year": year, "month": f"{month:02d}"})


class PageSitemap(RequestSitemap):
    """Published standalone pages (/a-propos/…); drafts never."""

    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return Page.objects.published().only("slug", "updated").order_by("navigation_order", "pk")

    def lastmod(self, page):
        return page.updated


SITEMAPS = {
    "static": StaticSitemap,
    "pages": PageSitemap,
    "posts": PostSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
    "archives": ArchiveSitemap,
}


def section_address(section: str, page: int = 1) -> str:
    if page == 1:
        return reverse("blog:sitemap-section", kwargs={"section": section})
    return reverse("blog:sitemap-page", kwargs={"section": section, "page": page})


@x_robots_tag
def sitemap_index(request):
    """/sitemap.xml: the address of each of the sitemap's files."""
    domain = f"{request.scheme}://{get_current_site(request).domain}"
    locations = [
        domain + section_address(section, page)
        for section, sitemap in SITEMAPS.items()
        for page in range(1, sitemap(request).page_count() + 1)
    ]
    return TemplateResponse(
        request,
        "blog/sitemap_index.xml",
        {"locations": locations},
        content_type="application/xml",
    )


@x_robots_tag
def sitemap_section(request, section: str, page: int = 1):
    """One file of the sitemap: a section, or one of its thousands (a page past the end, or
    ``-1``, which is the section's own address, is a 404)."""
    if section not in SITEMAPS or (page < 2 and "page" in request.resolver_match.kwargs):
        raise not_found(request, _("There is no sitemap at this address."))
    sitemap = SITEMAPS[section](request)
    try:
        urls = sitemap.get_urls(page=page, site=get_current_site(request), protocol=request.scheme)
    except EmptyPage:
        raise not_found(request, _("There is no sitemap at this address.")) from None
    # Our template: lastmod as a full W3C datetime with its offset, not Django's bare date
    # (a date alone is ambiguous near midnight: which zone's day?).
    return TemplateResponse(
        request, "blog/sitemap.xml", {"urlset": urls}, content_type="application/xml"
    )
