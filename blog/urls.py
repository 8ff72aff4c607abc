from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.generic import TemplateView

from blog import feeds, views
from blog.caching import conditional
from blog.sitemaps import SITEMAPS

app_name = "blog"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("blog/", views.PostListView.as_view(), name="post-list"),
    # <str:slug>, not <slug:slug>: old sites have Unicode slugs; the view finds or redirects them.
    path("blog/<str:slug>/", views.PostDetailView.as_view(), name="post-detail"),
    path("tags/", views.TagListView.as_view(), name="tag-list"),
    path("tags/<str:slug>/", views.TagPostListView.as_view(), name="tag"),
    path("tags/<str:slug>/feed/", conditional(feeds.TagFeed()), name="tag-feed"),
    path("archive/<int:year>/", views.PostYearArchiveView.as_view(), name="archive-year"),
    path(
        "archive/<int:year>/<str:month>/",
        views.PostMonthArchiveView.as_view(),
        name="archive-month",
    ),
    path("search/", views.SearchView.as_view(), name="search"),
    path("feed/", conditional(feeds.LatestPostsFeed()), name="feed"),
    path("feed/atom/", conditional(feeds.LatestPostsAtomFeed()), name="feed-atom"),
    path(
        "sitemap.xml",
        conditional(sitemap),
        # Our template: lastmod as a full W3C datetime with its offset, not Django's bare date
        # (a date alone is ambiguous near midnight: which zone's day?).
        {"sitemaps": SITEMAPS, "template_name": "blog/sitemap.xml"},
        name="sitemap",
    ),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
]
