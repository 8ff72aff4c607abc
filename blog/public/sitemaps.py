"""/sitemap.xml: home, published pages and posts (with lastmod), tags, authors, archives."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.db.models import Count
from django.urls import reverse
from taggit.models import Tag

from blog.models import Author, Page, Post


class StaticSitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["blog:home", "blog:post-list", "blog:tag-list", "blog:author-list"]

    def location(self, item):
        return reverse(item)


class PostSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Post.objects.published().only("slug", "updated", "pub_date").order_by("-pub_date")

    def lastmod(self, post):
        return max(post.updated, post.pub_date)


class TagSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return (
            Tag.objects.filter(blog_taggedpost_items__content_object__in=Post.objects.published())
            .annotate(num_posts=Count("blog_taggedpost_items"))
            .order_by("slug")
        )

    def location(self, tag):
        return reverse("blog:tag", kwargs={"slug": tag.slug})


class AuthorSitemap(Sitemap):
    """Authors with at least one published post (the others' pages are 404s)."""

    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Author.objects.with_published_posts().only("slug").order_by("slug")


class ArchiveSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.3

    def items(self):
        published = Post.objects.published()
        years = [d.year for d in published.dates("pub_date", "year", order="DESC")]
        months = list(published.dates("pub_date", "month", order="DESC"))
        return [(year, None) for year in years] + [(m.year, m.month) for m in months]

    def location(self, item):
        year, month = item
        if month is None:
            return reverse("blog:archive-year", kwargs={"year": year})
        return reverse("blog:archive-month", kwargs={"year": year, "month": f"{month:02d}"})


class PageSitemap(Sitemap):
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
