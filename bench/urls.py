"""The site's URLs plus two floors: /__floor__/ (a bare Django view rendering a 20-item
template) and /__tiny__/ (a bare ``HttpResponse``), both through the same middleware."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from site_config.urls import urlpatterns as site_urlpatterns

ITEMS = [{"title": f"Élément {n}", "url": f"/item/{n}/", "n": n} for n in range(20)]


def floor(request):
    return render(request, "floor.html", {"items": ITEMS})


def tiny(request):
    return HttpResponse("ok")


urlpatterns = [path("__floor__/", floor), path("__tiny__/", tiny), *site_urlpatterns]
