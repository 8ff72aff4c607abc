"""The site's URLs plus /__floor__/: a bare Django view rendering a 20-item template."""

from django.shortcuts import render
from django.urls import path

from site_config.urls import urlpatterns as site_urlpatterns

ITEMS = [{"title": f"Élément {n}", "url": f"/item/{n}/", "n": n} for n in range(20)]


def floor(request):
    return render(request, "floor.html", {"items": ITEMS})


urlpatterns = [path("__floor__/", floor), *site_urlpatterns]
