"""Public pages: one mixin over published posts, short subclasses of Django's generic views."""

from __future__ import annotations

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Q, prefetch_related_objects
from django.http import Http404, HttpResponsePermanentRedirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import (
    DetailView,
    ListView,
    MonthArchiveView,
    TemplateView,
    YearArchiveView,
)
from taggit.models import Tag

from blog.models import AUTHOR_LINKS, Author, Post
from blog.public import search
from blog.public.caching import ConditionalMixin
from blog.public.lookups import not_found, page_or_404
from blog.publishing.flags import static_build
from blog.site import archive
from blog.site.identity import profile_links
from blog.site.stamps import STATE_CACHE_SECONDS, public_state, state_key
from blog.site.tags import tag_counts
from blog.text import ascii_slugify

HOME_LATEST = 10
HOME_FEATURED = 3
PER_PAGE = 10
RELATED = 3


def bylines_shown(request) -> bool:
    """Cards name their authors only on a site with several (read with the page's state query):
    a single-author site's lists cost no query more than before authors existed."""
    return public_state(request).site.several_authors


def card_prefetches(request) -> tuple:
    return ("tags", AUTHOR_LINKS) if bylines_shown(request) else ("tags",)


class PublishedPostMixin(ConditionalMixin):
    """Every public view starts from published posts: a draft cannot leak by accident."""

    model = Post
    date_field = "pub_date"
    paginate_by = PER_PAGE
    make_object_list = True
    month_format = "%m"

    def get_queryset(self):
        return Post.objects.published().cards()

    def paginate_queryset(self, queryset, page_size):
        # Tags only for the page's cards: the archives' previous/next lookups also start from
        # get_queryset(), and a prefetch there cost a query only when such a post existed.
        queryset = queryset.prefetch_related(*card_prefetches(self.request))
        paginator = self.get_paginator(queryset, page_size, allow_empty_first_page=True)
        page = page_or_404(self.request, paginator)
        return paginator, page, page.object_list, page.has_other_pages()


class HomeView(PublishedPostMixin, ListView):
    """« À la une » (featured posts), then the latest posts not already shown above them."""

    template_name = "blog/home.html"
    context_object_name = "latest_posts"
    paginate_by = None

    def get_queryset(self):
        # The featured block first, so that « Derniers articles » does not repeat it and still
        # lists HOME_LATEST posts (two queries, as before).
        self.featured = list(Post.objects.published().featured().cards()[:HOME_FEATURED])
        shown = [post.pk for post in self.featured]
        return Post.objects.published().cards().exclude(pk__in=shown)[:HOME_LATEST]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        latest = list(context["latest_posts"])
        featured = self.featured
        # One query for the tags of both blocks.
        prefetch_related_objects(featured + latest, *card_prefetches(self.request))
        context.update(latest_posts=latest, featured_posts=featured)
        return context


class PostListView(PublishedPostMixin, ListView):
    """All published posts, newest first, 10 a page."""

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        # The visible posts' count is the public state's (read by every page anyway): no
        # COUNT of them (0.3 ms at 1,000 posts, 0.7 ms at 10,000 on SQLite).
        paginator.count = public_state(self.request).count
        return paginator


class PostDetailView(PublishedPostMixin, DetailView):
    def get_queryset(self):
        # The admin's writers may look at a draft or scheduled post; the page says so (noindex).
        return Post.objects.visible_to(self.request.user).with_tags().with_authors()

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # Old sites had Unicode slugs (/blog/le-début/): lead them to the ASCII one.
            ascii_slug = ascii_slugify(kwargs["slug"])
            if ascii_slug and ascii_slug != kwargs["slug"]:
                post = self.get_queryset().filter(slug=ascii_slug).only("slug").first()
                if post:
                    return HttpResponsePermanentRedirect(post.get_absolute_url())
            raise not_found(request, _("No post at this address.")) from None

    def get_object(self, queryset=None):
        try:
            return super().get_object(queryset)
        except Http404:
            raise Http404("No post at this address.") from None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        post = self.object
        published = Post.objects.published().only("title", "slug", "pub_date")
        before = Q(pub_date__lt=post.pub_date) | Q(pub_date=post.pub_date, id__lt=post.id)
        after = Q(pub_date__gt=post.pub_date) | Q(pub_date=post.pub_date, id__gt=post.id)
        context["previous_post"] = published.filter(before).order_by("-pub_date", "-id").first()
        context["next_post"] = published.filter(after).order_by("pub_date", "id").first()
        context["related_posts"] = self.related(post)
        return context

    def related(self, post: Post) -> list[Post]:
        """Up to 3 published posts sharing the most tags with this one, newest first on a tie
        (among each tag's newest posts: ``PostQuerySet.related_to``).

        Which posts they are is kept per state of the site (the published posts' newest edit,
        publication and count) and of this post (its edit and tags): the ranking query, a union
        built by the ORM, cost more than the rest of the page. Then one query by key."""
        tag_ids = [tag.id for tag in post.tags.all()]
        if not tag_ids:
            return []
        key = state_key(self.request, "related", post.pk, post.updated, tag_ids)
        fields = ("title", "slug", "pub_date", "image", "image_alt", "image_width", "image_height")
        ids = cache.get(key)
        if ids is None:
            found = list(Post.objects.published().related_to(post, tag_ids).only(*fields)[:RELATED])
            cache.set(key, [related.pk for related in found], STATE_CACHE_SECONDS)
            return found
        by_id = Post.objects.published().only(*fields).in_bulk(ids)
        return [by_id[pk] for pk in ids if pk in by_id]


class TagListView(ConditionalMixin, TemplateView):
    """Every tag with its count of published posts, most used first."""

    template_name = "blog/tag_list.html"

    def get_context_data(self, **kwargs):
        # Counted once per state of the site (blog.site.tags), not over every link each time.
        return super().get_context_data(tags=tag_counts(self.request), **kwargs)


class TagPostListView(PublishedPostMixin, ListView):
    """Published posts with one tag; a tag with none is a 404 (drafts' tags stay private)."""

    template_name = "blog/tag_post_list.html"

    def get(self, request, *args, **kwargs):
        slug = kwargs["slug"]
        self.tag = Tag.objects.filter(slug=slug).first()
        if self.tag is None:
            ascii_slug = ascii_slugify(slug)
            if ascii_slug != slug and Tag.objects.filter(slug=ascii_slug).exists():
                return HttpResponsePermanentRedirect(request.path.replace(slug, ascii_slug, 1))
            raise not_found(request, _("There is no tag at this address."))
        response = super().get(request, *args, **kwargs)
        if not response.context_data["paginator"].count:
            raise not_found(request, _("There is no tag at this address."))
        return response

    def get_queryset(self):
        return super().get_queryset().filter(tagged_items__tag=self.tag)

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        # The tag's count from the counts kept per state of the site (the tag index's), not a
        # COUNT of its posts' links (0.6 ms at 1,000 posts, 2.8 ms at 10,000 on SQLite); a tag
        # without visible posts is not among them: 0, and a 404 as before.
        slug = self.tag.slug
        paginator.count = next((t.num_posts for t in tag_counts(self.request) if t.slug == slug), 0)
        return paginator

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class AuthorListView(ConditionalMixin, TemplateView):
    """Every author of a published post, with their portrait, bio and count, most posts first."""

    template_name = "blog/author_list.html"

    def get_context_data(self, **kwargs):
        authors = Author.objects.with_published_counts().order_by("-num_posts", "name")
        return super().get_context_data(authors=list(authors), **kwargs)


class AuthorPostListView(PublishedPostMixin, ListView):
    """An author's published posts, paginated as a tag's; an author with none is a 404 (a
    profile whose posts are all drafts stays private)."""

    template_name = "blog/author_post_list.html"

    def get(self, request, *args, **kwargs):
        self.author = Author.objects.filter(slug=kwargs["slug"]).first()
        if self.author is None:
            raise not_found(request, _("There is no author at this address."))
        response = super().get(request, *args, **kwargs)
        if not response.context_data["paginator"].count:
            raise not_found(request, _("There is no author at this address."))
        return response

    def get_queryset(self):
        return super().get_queryset().by_author(self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            author=self.author, author_links=profile_links(self.author, self.author.name), **kwargs
        )


class PostYearArchiveView(PublishedPostMixin, YearArchiveView):
    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        # The year's months from the archive kept per state of the site; Django's own query
        # (which also answers the 404 of a year without posts) when it has none.
        months = archive.months_of(self.request, int(self.get_year()))
        return months or super().get_date_list(queryset, date_type, ordering)


class PostMonthArchiveView(PublishedPostMixin, MonthArchiveView):
    pass


@method_decorator(never_cache, name="dispatch")
class SearchView(TemplateView):
    """Full-text search over published posts: ranked, highlighted, paginated.

    A reader's query is their own: never kept by a browser or a shared cache (no-store).
    """

    template_name = "blog/search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        raw = self.request.GET.get("q", "")
        query = search.Query(raw)
        context.update(query=query, q=query.text)
        if static_build(self.request):
            # Pagefind makes no index of a site without posts: no script to load, and it says so.
            context["nothing_to_search"] = not Post.objects.published().exists()
        if not query:
            return context
        ids = search.ranked_ids(query)
        # A word in more posts than one search ranks: the last added are, and the page says so.
        context["more_than"] = search.MAX_RESULTS if len(ids) > search.MAX_RESULTS else None
        paginator = Paginator(ids[: search.MAX_RESULTS], PER_PAGE)
        page = page_or_404(self.request, paginator)
        context.update(
            paginator=paginator,
            page_obj=page,
            is_paginated=page.has_other_pages(),
            results=search.results(query, list(page.object_list)),
        )
        if bylines_shown(self.request):
            prefetch_related_objects(context["results"], AUTHOR_LINKS)
        return context
