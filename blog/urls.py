from django.urls import path

from blog import views

app_name = "blog"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    # <str:slug>, not <slug:slug>: old sites have Unicode slugs; the view finds or redirects them.
    path("blog/<str:slug>/", views.PostDetailView.as_view(), name="post-detail"),
    path("tags/<str:slug>/", views.TagPostListView.as_view(), name="tag"),
]
