"""Public pages: one mixin over published posts, short subclasses of Django's generic views."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponsePermanentRedirect
from django.utils import timezone
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

from blog import prepared
from blog.models import Author, Post, attach_authors, attach_tags
from blog.public import search
from blog.public.caching import ConditionalMixin
from blog.public.lookups import not_found, page_or_404, tag_by_slug
from blog.publishing.flags import static_build
from blog.roles import may_see_unpublished
from blog.site import archive
from blog.site.identity import profile_links
from blog.site.stamps import kept_per_state, public_state
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


def prepare_cards(request, posts) -> list[Post]:
    """The posts of a list with what their cards show: tags (one query), and the authors
    when bylines are shown."""
    posts = attach_tags(list(posts))
    if bylines_shown(request):
        attach_authors(posts)
    return posts


class PublishedPostMixin(ConditionalMixin):
    """Every public view starts from published posts: a draft cannot leak by accident."""

    model = Post
    date_field = "pub_date"
    paginate_by = PER_PAGE
    make_object_list = True
    month_format = "%m"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.now = timezone.now()  # one instant for every query of the page

    def listed(self, now, *values):
        """The posts this view lists, from ``listed_values()`` alone (their SQL is built
        once: blog.prepared)."""
        return Post.objects.published(now).cards()

    def listed_values(self) -> tuple:
        return ()

    def get_queryset(self):
        return self.listed(self.now, *self.listed_values())

    def known_count(self) -> int | None:
        """The number of posts listed, when known without a query (None: counted)."""
        return None

    def page_of(self, low: int, high: int, *values):
        """The cards of the listed posts ``low`` to ``high``: their ids first (a subquery on
        the indexes), then those posts' columns. Reading the cards' columns while skipping the
        earlier pages made PostgreSQL cut the excerpt out of every skipped post's compressed
        body: 15 ms for page 50 of 1,000 posts, against 0.5 for page 1 (bench/README.md)."""
        return Post.objects.cards().filter(pk__in=self.listed(*values).values("pk")[low:high])

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size, allow_empty_first_page=True)
        known = self.known_count()
        if known is not None:  # no COUNT query: the paginator's count is a cached property
            paginator.count = known
        page = page_or_404(self.request, paginator)
        low, high = page.object_list.query.low_mark, page.object_list.query.high_mark
        posts = prepared.rows(
            (type(self).__qualname__, low, high),
            lambda *values: self.page_of(low, high, *values),
            (self.now, *self.listed_values()),
        )
        # Tags only for the page's cards: the archives' previous/next lookups also start from
        # get_queryset(), and a prefetch there cost a query only when such a post existed.
        page.object_list = prepare_cards(self.request, posts)
        return paginator, page, page.object_list, page.has_other_pages()


class HomeView(PublishedPostMixin, ListView):
    """« À la une » (featured posts), then the latest posts not already shown above them."""

    template_name = "blog/home.html"
    context_object_name = "latest_posts"
    paginate_by = None

    def get_queryset(self):
        # The featured block first, so that « Derniers articles » does not repeat it and still
        # lists HOME_LATEST posts (two queries, as before).
        self.featured = prepared.rows(
            ("home-featured",),
            lambda now: Post.objects.published(now).featured().cards()[:HOME_FEATURED],
            (self.now,),
        )
        shown = [post.pk for post in self.featured]
        return prepared.rows(
            ("home-latest", len(shown)),
            lambda now, *ids: Post.objects.published(now).cards().exclude(pk__in=ids)[:HOME_LATEST],
            (self.now, *shown),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        latest = list(context["latest_posts"])
        featured = self.featured
        # One query for the tags of both blocks.
        prepare_cards(self.request, featured + latest)
        context.update(latest_posts=latest, featured_posts=featured)
        return context


class PostListView(PublishedPostMixin, ListView):
    """All published posts, newest first, 10 a page."""

    def known_count(self) -> int:
        # The visible posts' count is the public state's (read by every page anyway): no
        # COUNT of them (0.3 ms at 1,000 posts, 0.7 ms at 10,000 on SQLite).
        return public_state(self.request).count


class PostDetailView(PublishedPostMixin, DetailView):
    def get_queryset(self):
        # The admin's writers may look at a draft or scheduled post; the page says so (noindex).
        # (Only the old Unicode slugs' redirect below reads it: get_object fetches the post.)
        return Post.objects.visible_to(self.request.user)

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
        # The post by its slug (unique), its SQL built once (blog.prepared); its authors and
        # tags beside it.
        slug = self.kwargs["slug"]
        if may_see_unpublished(self.request.user, Post):
            found = prepared.rows(
                ("post-any",), lambda slug: Post.objects.filter(slug=slug).order_by()[:1], (slug,)
            )
        else:
            found = prepared.rows(
                ("post",),
                lambda now, slug: Post.objects.published(now).filter(slug=slug).order_by()[:1],
                (self.now, slug),
            )
        if not found:
            raise Http404("No post at this address.")
        return attach_tags(attach_authors(found))[0]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.around(self.object))
        context["article_key"] = self.article_key(self.object, context)
        return context

    def article_key(self, post: Post, context: dict) -> tuple:
        """Every value the post's ``<article>`` shows, the key under which it is rendered once
        per process (``{% remember %}``, blog.templatetags.fragments): the post, its tags,
        authors (and their profiles' last edit, for the author boxes), its neighbours and
        related posts, and whether it is published yet (a scheduled post's notice)."""

        def shown(other: Post) -> tuple:
            image = other.image.name if other.image else ""
            return (other.pk, other.slug, other.title, other.pub_date, image, other.image_alt,
                    other.image_width, other.image_height)  # fmt: skip

        def link(other: Post | None) -> tuple | None:  # a neighbour: its title and address
            return None if other is None else (other.pk, other.slug, other.title)

        several = bylines_shown(self.request)  # (the context processors run later)
        state = public_state(self.request)
        return (
            shown(post),
            post.description,
            post.updated,
            post.reading_time,
            post.language,
            post.status,
            post.is_published,
            post.body_html,
            tuple((tag.slug, tag.name) for tag in post.tags.all()),
            several,
            tuple((a.pk, a.slug, a.name) for a in post.byline),
            state.site.authors if several else None,
            link(context["previous_post"]),
            link(context["next_post"]),
            tuple(shown(related) for related in context["related_posts"]),
        )

    def around(self, post: Post) -> dict:
        """The previous and next published posts and up to 3 related ones (sharing the most
        tags, newest first on a tie: ``PostQuerySet.related_to``).

        Kept per state of the site (the published posts' newest edit, publication and count)
        and of this post (its date, edit and tags): any change to a published post is a new
        state, so the kept posts (titles, addresses, pictures) are the ones a query would give.
        Their three queries, the related ranking a union built by the ORM, cost more than the
        rest of the page; a kept page makes none."""
        tag_ids = [tag.id for tag in post.tags.all()]
        return kept_per_state(
            self.request,
            "around",
            lambda: self.find_around(post, tag_ids),
            post.pk,
            post.pub_date,
            post.updated,
            tag_ids,
        )

    def find_around(self, post: Post, tag_ids: list[int]) -> dict:
        published = Post.objects.published().only("title", "slug", "pub_date")
        before = Q(pub_date__lt=post.pub_date) | Q(pub_date=post.pub_date, id__lt=post.id)
        after = Q(pub_date__gt=post.pub_date) | Q(pub_date=post.pub_date, id__gt=post.id)
        fields = ("title", "slug", "pub_date", "image", "image_alt", "image_width", "image_height")
        related = Post.objects.published().related_to(post, tag_ids).only(*fields)[:RELATED]
        return {
            "previous_post": published.filter(before).order_by("-pub_date", "-id").first(),
            "next_post": published.filter(after).order_by("pub_date", "id").first(),
            "related_posts": list(related) if tag_ids else [],
        }


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
        self.tag = tag_by_slug(slug)
        if self.tag is None:
            ascii_slug = ascii_slugify(slug)
            if ascii_slug != slug and Tag.objects.filter(slug=ascii_slug).exists():
                return HttpResponsePermanentRedirect(request.path.replace(slug, ascii_slug, 1))
            raise not_found(request, _("There is no tag at this address."))
        response = super().get(request, *args, **kwargs)
        if not response.context_data["paginator"].count:
            raise not_found(request, _("There is no tag at this address."))
        return response

    def listed(self, now, tag_id):
        return super().listed(now).filter(tagged_items__tag_id=tag_id)

    def listed_values(self) -> tuple:
        return (self.tag.pk,)

    def known_count(self) -> int:
        # The tag's count from the counts kept per state of the site (the tag index's), not a
        # COUNT of its posts' links (0.6 ms at 1,000 posts, 2.8 ms at 10,000 on SQLite); a tag
        # without visible posts is not among them: 0, and a 404 as before.
        slug = self.tag.slug
        return next((t.num_posts for t in tag_counts(self.request) if t.slug == slug), 0)

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

    def listed(self, now, author_id):
        return super().listed(now).by_author(author_id)

    def listed_values(self) -> tuple:
        return (self.author.pk,)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            author=self.author, author_links=profile_links(self.author, self.author.name), **kwargs
        )


class KeptArchiveMixin(PublishedPostMixin):
    """The archives' counts from the months kept per state of the site (blog.site.archive):
    Django asks the database whether the period has posts, then the paginator counts them."""

    def period(self) -> tuple[int, int | None]:
        raise NotImplementedError

    def known_count(self) -> int:
        return archive.count_in(self.request, *self.period())

    def get_dated_queryset(self, **lookup):
        if not self.known_count():
            # Django's words for an empty period (allow_empty is off), without its query.
            raise Http404(
                _("No %(verbose_name_plural)s available")
                % {"verbose_name_plural": Post._meta.verbose_name_plural}
            )
        self.bounds = (lookup["pub_date__gte"], lookup["pub_date__lt"])
        return self.get_queryset()

    def listed(self, now, since=None, until=None):
        posts = super().listed(now)
        return posts if since is None else posts.filter(pub_date__gte=since, pub_date__lt=until)

    def listed_values(self) -> tuple:
        return getattr(self, "bounds", ())


class PostYearArchiveView(KeptArchiveMixin, YearArchiveView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # What the months' links show: their nav is rendered once per process for them.
        context["months_key"] = tuple(context["date_list"])
        return context

    def period(self) -> tuple[int, int | None]:
        return int(self.get_year()), None

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        # The year's months from the archive kept per state of the site; Django's own query
        # (which also answers the 404 of a year without posts) when it has none.
        months = archive.months_of(self.request, int(self.get_year()))
        return months or super().get_date_list(queryset, date_type, ordering)

    # The neighbouring years from the same kept archive: Django looks each up with a query,
    # the previous one walking back over this year's posts.
    def get_previous_year(self, date):
        return archive.neighbour(self.request, date, "year", previous=True)

    def get_next_year(self, date):
        return archive.neighbour(self.request, date, "year", previous=False)


class PostMonthArchiveView(KeptArchiveMixin, MonthArchiveView):
    def period(self) -> tuple[int, int | None]:
        # month_format is "%m": Django has already turned a month that isn't one into a 404.
        return int(self.get_year()), int(self.get_month())

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        # Django lists the month's days with posts (a query, DISTINCT over the month's posts)
        # to tell an empty month, which known_count() has told already; no page shows them.
        return []

    def get_previous_month(self, date):
        return archive.neighbour(self.request, date, "month", previous=True)

    def get_next_month(self, date):
        return archive.neighbour(self.request, date, "month", previous=False)


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
            attach_authors(context["results"])
        return context
