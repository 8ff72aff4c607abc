from django.conf import settings
from django.contrib import admin
from django.http import Http404
from django.urls import include, path, re_path
from django.views.static import serve

from blog.public.middleware import HEALTH_PATH
from blog.public.pages import PageDetailView
from site_config.health import healthz

# Media are served from the site's own origin (the admin's too): a file that a browser would
# run as a document (SVG, HTML) would be stored XSS. Every response gets MEDIA_HEADERS, and
# every type but the raster images an <img> shows is downloaded instead of displayed
# (``attachment`` does not stop an <img> from loading). The same for a front web server, nginx:
#     location /media/ {
#         add_header X-Content-Type-Options nosniff always;
#         add_header Content-Security-Policy "default-src 'none'; sandbox" always;
#         add_header Content-Disposition attachment always;
#         location ~* \.(jpe?g|png|gif|webp|avif)$ {  # add_header here replaces the above
#             add_header X-Content-Type-Options nosniff always;
#             add_header Content-Security-Policy "default-src 'none'; sandbox" always;
#         }
#     }
MEDIA_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}
RASTER_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/avif"}


def media(request, path):
    """Uploaded media, when the site serves them itself (development, small sites).

    Settings are read per request, so tests and deployments can switch it without re-import.
    """
    if not settings.SERVE_MEDIA:
        raise Http404("Media are served by the web server.")
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    for header, value in MEDIA_HEADERS.items():
        response[header] = value
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type not in RASTER_TYPES:
        response["Content-Disposition"] = "attachment"
    return response


urlpatterns = [
    path("admin/", admin.site.urls),
    path(HEALTH_PATH.lstrip("/"), healthz, name="healthz"),
    path("", include("blog.public.urls")),
    re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.*)$", media, name="media"),
    path("contact/", include("blog.public.contact_urls")),
    # Standalone pages (/a-propos/, /products/): LAST, so no page can hide another route.
    path("<slug:slug>/", PageDetailView.as_view(), name="page"),
]
