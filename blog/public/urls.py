"""The blog's URLs (``app_name = "blog"``): home, posts, tags, authors, archives, feeds,
search, sitemap."""

from django.urls import path, register_converter
from django.views.generic import TemplateView

from blog.public import feeds, views
from blog.public.caching import conditional
from blog.public.sitemaps import sitemap_index, sitemap_section

app_name = "blog"


class NameConverter:
    """Like <str:>, without NUL: no slug holds one, and PostgreSQL refuses it in a query."""

    regex = "[^/\x00]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class SitemapSectionConverter:
    """A section of the sitemap: lowercase letters (``posts``; ``posts-2`` is its page 2)."""

    regex = "[a-z]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(NameConverter, "name")
register_converter(SitemapSectionConverter, "sitemap_section")

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("blog/", views.PostListView.as_view(), name="post-list"),
    # <name:slug>, not <slug:slug>: old sites have Unicode slugs; the view finds or redirects them.
    path("blog/<name:slug>/", views.PostDetailView.as_view(), name="post-detail"),
    path("tags/", views.TagListView.as_view(), name="tag-list"),
    path("tags/<name:slug>/", views.TagPostListView.as_view(), name="tag"),
    path("tags/<name:slug>/feed/", conditional(feeds.TagFeed()), name="tag-feed"),
    path("auteurs/", views.AuthorListView.as_view(), name="author-list"),
    path("auteurs/<name:slug>/", views.AuthorPostListView.as_view(), name="author"),
    path("auteurs/<name:slug>/feed/", conditional(feeds.AuthorFeed()), name="author-feed"),
    path("archive/<int:year>/", views.PostYearArchiveView.as_view(), name="archive-year"),
    path(
        "archive/<int:year>/<str:month>/",
        views.PostMonthArchiveView.as_view(),
        name="archive-month",
    ),
    path("search/", views.SearchView.as_view(), name="search"),
    path("feed/", conditional(feeds.LatestPostsFeed()), name="feed"),
    path("feed/atom/", conditional(feeds.LatestPostsAtomFeed()), name="feed-atom"),
    # An index of the sitemap's files, then each file (blog.public.sitemaps).
    path("sitemap.xml", conditional(sitemap_index), name="sitemap"),
    path(
        "sitemap-<sitemap_section:section>.xml",
        conditional(sitemap_section),
        name="sitemap-section",
    ),
    path(
        "sitemap-<sitemap_section:section>-<int:page>.xml",
        conditional(sitemap_section),
        name="sitemap-page",
    ),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
]
