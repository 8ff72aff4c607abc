from django.conf import settings
from django.contrib import admin
from django.http import Http404
from django.urls import include, path, re_path
from django.views.static import serve

from blog.pages import PageDetailView


def media(request, path):
    """Uploaded media, when the site serves them itself (development, small sites).

    Settings are read per request, so tests and deployments can switch it without re-import.
    """
    if not settings.SERVE_MEDIA:
        raise Http404("Media are served by the web server.")
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("blog.urls")),
    re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$", media, name="media"),
    path("contact/", include("blog.contact_urls")),
    # Standalone pages (/a-propos/, /products/): LAST, so no page can hide another route.
    path("<slug:slug>/", PageDetailView.as_view(), name="page"),
]
