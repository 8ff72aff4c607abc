from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView
from taggit.models import Tag

from blog.models import Post

HOME_LATEST = 10


class PublishedPostMixin:
    """Every public view starts from published posts: a draft cannot leak by accident."""

    model = Post

    def get_queryset(self):
        return Post.objects.published()


class HomeView(PublishedPostMixin, ListView):
    """« À la une » (featured posts), then the latest posts."""

    template_name = "blog/home.html"
    context_object_name = "latest_posts"

    def get_queryset(self):
        return super().get_queryset().for_listing()[:HOME_LATEST]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["featured_posts"] = super().get_queryset().featured().for_listing()[:3]
        return context


class PostDetailView(PublishedPostMixin, DetailView):
    def get_queryset(self):
        if self.request.user.is_staff:
            # Staff may look at a draft or scheduled post; the page says so and is noindex.
            return Post.objects.with_tags()
        return super().get_queryset().with_tags()

    def get_object(self, queryset=None):
        try:
            return super().get_object(queryset)
        except Http404:
            raise Http404("No post at this address.") from None


class TagPostListView(PublishedPostMixin, ListView):
    """Published posts with one tag."""

    template_name = "blog/tag_post_list.html"
    paginate_by = 10

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag).for_listing()

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)
