"""Standalone pages at /<slug>/ (about, services…): published ones for readers, all for editors."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.views.generic import DetailView

from blog.models import Page
from blog.public.caching import ConditionalMixin
from blog.public.lookups import not_found
from blog.site.sections import sections


class PageDetailView(ConditionalMixin, DetailView):
    model = Page
    template_name = "pages/page.html"
    context_object_name = "page"

    def get_queryset(self):
        # Those who may edit pages see an unpublished one (marked, never cached).
        return Page.objects.visible_to(self.request.user)

    def get_object(self, queryset=None):
        page = (
            (queryset if queryset is not None else self.get_queryset())
            .filter(slug=self.kwargs["slug"])
            .first()
        )
        if page is None:
            raise not_found(self.request, _("No page at this address."))
        return page

    def get_context_data(self, **kwargs):
        return super().get_context_data(sections=sections(self.object.extras), **kwargs)
