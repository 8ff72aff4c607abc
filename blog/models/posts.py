"""Posts, their tags, and the old addresses that lead to them."""

from __future__ import annotations

import datetime as dt
import math
import operator
import re
from functools import lru_cache, reduce

from django.conf import settings
from django.db import connections, models
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager, _TaggableManager
from taggit.models import TaggedItemBase

from blog.models.authors import Author
from blog.models.base import (
    MarkdownDocument,
    SourceFile,
    alt_required,
    numbered_slug,
    sized_image,
)
from blog.rendering import FeaturedOnce, featured_once
from blog.roles import may_see_unpublished
from blog.text import ascii_slugify, strip_control_chars, visible_text

WORDS_PER_MINUTE = 200
_WORD = re.compile(r"\w+")
_TAG = re.compile(r"<[^>]*>")
# Enough rendered HTML for a card's excerpt (a few sentences), whatever the post's length.
EXCERPT_SOURCE_CHARS = 1500
# Related posts are ranked among this many newest posts and the posts of each tag's newest
# links, this many a tag (PostQuerySet.related_to).
RELATED_RECENT = 50
RELATED_LINKS_PER_TAG = 25


class PostTags(_TaggableManager):
    """A post's tags (``post.tags``), whose prefetch costs one query and no more.

    ``prefetch_related("tags")`` asks each post's manager for its queryset before giving it
    the prefetched rows: taggit's builds its join and filter then (0.1 ms a post, 1 ms of a
    list page of ten cards), to be replaced at once. Here the filter is added only when such
    a queryset is evaluated (``_defer_next_filter``, as Django's own related managers do for
    the same reason); the SQL is taggit's, unchanged.
    """

    def get_queryset(self, extra_filters=None):
        cache = getattr(self.instance, "_prefetched_objects_cache", {})
        if extra_filters or self.instance is None or self.prefetch_cache_name in cache:
            return super().get_queryset(extra_filters)
        queryset = self.through.tag_model().objects.order_by(*self.ordering)
        queryset._defer_next_filter = True
        # What taggit's TaggedItemBase.tags_for() filters on.
        return queryset.filter(**{f"{self.through.tag_relname()}__content_object": self.instance})


class PostQuerySet(models.QuerySet):
    """The read API. Every public page starts from ``published()``, so a draft cannot leak."""

    def published(self, now: dt.datetime | None = None) -> PostQuerySet:
        """Published posts whose publication time has come (scheduled ones appear by themselves)."""
        return self.filter(status=Post.Status.PUBLISHED, pub_date__lte=now or timezone.now())

    def visible_to(self, user) -> PostQuerySet:
        """What ``user`` may read on the public site: drafts too for the admin's writers."""
        return self if may_see_unpublished(user, self.model) else self.published()

    def scheduled(self) -> PostQuerySet:
        return self.filter(status=Post.Status.PUBLISHED, pub_date__gt=timezone.now())

    def drafts(self) -> PostQuerySet:
        return self.filter(status=Post.Status.DRAFT)

    def featured(self) -> PostQuerySet:
        return self.filter(featured=True)

    def with_tags(self) -> PostQuerySet:
        return self.prefetch_related("tags")

    def with_authors(self) -> PostQuerySet:
        """Each post's authors in their order, in one query for all (see ``byline``)."""
        return self.prefetch_related(AUTHOR_LINKS)

    def related_to(self, post: Post, tag_ids: list[int]) -> PostQuerySet:
        """Posts of this queryset sharing tags with ``post``, most shared first, then newest.

        Ranked among bounded candidates, so a tag on every post costs the same with 100 posts
        as with 10,000 (issue 13): the ``RELATED_RECENT`` newest posts (a walk of the date
        index: a common tag's newest posts are there) and the posts of each tag's newest
        ``RELATED_LINKS_PER_TAG`` links (a walk of the tag's index: a rare tag's posts are all
        there, whatever their date). Only an old post whose shared tags are all common drops
        out: a post sharing as many of them, and newer, is among the candidates.
        """
        others = self.exclude(pk=post.pk)
        visible = Exists(others.filter(pk=OuterRef("content_object_id")))
        parts = [others.order_by("-pub_date", "-id").values("pk")[:RELATED_RECENT]]
        parts += [
            TaggedPost.objects.filter(visible, tag_id=tag_id)
            .order_by("-id")
            .values("content_object_id")[:RELATED_LINKS_PER_TAG]
            for tag_id in tag_ids
        ]
        # PostgreSQL reads the candidates from one union, then each post by its key; with an
        # OR of lists it reads every post to test them. SQLite allows no LIMIT in a union's
        # parts, and its OR of lists reads each post by its key (MULTI-INDEX OR).
        if connections[self.db].features.supports_slicing_ordering_in_compound:
            candidates = Q(pk__in=parts[0].union(*parts[1:]))
        else:
            candidates = reduce(operator.or_, (Q(pk__in=part) for part in parts))
        # Counted per candidate (a lookup in the unique post-tag index), and the candidates are
        # posts of this queryset already: a join on the links, or this queryset's filter again,
        # would lead the planner to walk every link of the common tag or every post instead.
        shared = (
            TaggedPost.objects.filter(content_object_id=OuterRef("pk"), tag_id__in=tag_ids)
            .values("content_object_id")
            .annotate(n=Count("id"))
            .values("n")
        )
        return (
            Post.objects.filter(candidates)
            .annotate(shared=Subquery(shared))
            .filter(shared__gt=0)
            .order_by("-shared", "-pub_date", "-id")
        )

    def by_author(self, author) -> PostQuerySet:
        return self.filter(author_links__author=author)

    def written_by(self, user) -> PostQuerySet:
        """Posts one of whose authors is ``user``'s profile (an Auteur's own posts)."""
        return (
            self.filter(author_links__author__user=user) if user.is_authenticated else self.none()
        )

    def cards(self) -> PostQuerySet:
        """What a card needs, in one query: no body, the start of the rendered body for an
        excerpt. Tags are prefetched by the caller (``prefetch_related_objects`` or
        ``with_tags``)."""
        return self.defer("body", "body_html", "body_text", "source_meta").annotate(
            body_start=Substr("body_html", 1, EXCERPT_SOURCE_CHARS)
        )


class Post(MarkdownDocument, SourceFile):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        blank=True,
        help_text=_("The post's address: /blog/<slug>/. Made from the title when left empty."),
    )
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("One or two sentences: shown on cards and as the page's meta description."),
    )
    # What a reader sees of body_html: the search index reads this, never the Markdown, whose
    # comments, link URLs and stripped tags the page does not show (blog/search_index.py).
    body_text = models.TextField(_("body text"), blank=True, editable=False)
    reading_time = models.PositiveSmallIntegerField(_("reading time"), default=1, editable=False)
    pub_date = models.DateTimeField(
        _("publication date"),
        default=timezone.now,
        db_index=True,
        help_text=_("A published post dated in the future stays hidden until then (scheduled)."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    featured = models.BooleanField(
        _("featured"),
        default=False,
        help_text=_("Shown in the « Featured » block of the home page."),
    )
    image, image_width, image_height, image_alt = sized_image(
        _("featured image"),
        name="image",
        upload_to="posts/%Y/",
        help_text=_("Shown at the top of the post, on cards and when the post is shared."),
        alt_verbose_name=_("image alt text"),
        alt_help_text=_(
            "Describe what the image shows for readers who cannot see it. Required with an image."
        ),
    )
    tags = TaggableManager(
        through="TaggedPost", blank=True, verbose_name=_("tags"), manager=PostTags
    )
    authors = models.ManyToManyField(
        Author,
        through="PostAuthor",
        related_name="posts",
        blank=True,
        verbose_name=_("authors"),
        help_text=_("Who wrote the post, in the order the byline names them."),
    )

    # Where an imported post came from (source_path, source_hash, source_format and
    # source_front_matter come from SourceFile).
    source_meta = models.JSONField(
        _("original front matter"), default=dict, blank=True, editable=False
    )
    imported_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Hash of the fields as last imported: differs when the post was edited since (a conflict).
    source_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    # {"static_dir": <relative folder>, "refs": {<reference as written>: <storage name>}}
    source_images = models.JSONField(default=dict, blank=True, editable=False)

    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = PostQuerySet.as_manager()

    derived_fields = ("body_html", "body_text", "reading_time")
    # A search result's highlighted title and snippet (blog.public.search.results); other
    # cards show the title and the excerpt. Empty here, so a card's lookup of them finds
    # something: a failed attribute lookup costs a template a dir() of the post.
    title_html = ""
    snippet_html = ""

    class Meta:
        ordering = ["-pub_date", "-id"]
        get_latest_by = "pub_date"
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        permissions = [("publish_post", _("Can publish, unpublish and feature posts"))]
        indexes = [
            models.Index(fields=["status", "pub_date"], name="post_status_date"),
            # The public state's newest edit of a visible post: read newest first, past the
            # scheduled posts only (blog.site.stamps), pub_date at hand without the row.
            models.Index(fields=["status", "updated", "pub_date"], name="post_status_updated"),
            # The admin list sorted by a column reads a page of this index, not every post
            # (blog/admin/posts.py orders ties by id in the column's direction).
            models.Index(fields=["title", "id"], name="post_title_id"),
            models.Index(fields=["status", "id"], name="post_status_id"),
            models.Index(fields=["featured", "id"], name="post_featured_id"),
        ]
        constraints = [
            alt_required(
                "image", name="post_image_needs_alt", message=_("An image needs its alt text.")
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("blog:post-detail", kwargs={"slug": self.slug})

    def prepare(self) -> None:
        """What ``save()`` derives before writing: clean text, slug, rendered body, its visible
        text and reading time (status and featured derive nothing: ``update()`` may set them)."""
        super().prepare()
        self.image_alt = strip_control_chars(self.image_alt)
        if not self.slug:
            self.slug = self.unique_slug(self.title)
        self.body_text = visible_text(self.body_html)
        self.reading_time = self.estimate_reading_time(self.body_html)

    def field_errors(self) -> dict[str, str]:
        errors = {}
        self.title = strip_control_chars(self.title)
        if not self.title:
            errors["title"] = _("A post needs a title.")
        if self.image and not strip_control_chars(self.image_alt):
            errors["image_alt"] = _("Describe the image for readers who cannot see it.")
        return errors

    @property
    def shown_once(self) -> FeaturedOnce:
        """The hero or not, and the body to show: a body that opens with the featured image
        does not show it a second time (see ``featured_once``; the stored body is unchanged)."""
        name = self.image.name if self.image else ""
        return featured_once(self.body_html, name, settings.MEDIA_URL)

    @property
    def byline(self) -> list[Author]:
        """The post's authors in their order (prefetched by ``with_authors()``: no query)."""
        return [link.author for link in self.author_links.all()]

    def set_authors(self, authors) -> None:
        """Replace the post's authors by ``authors``, in that order (duplicates dropped)."""
        wanted = list(dict.fromkeys(authors))
        self.author_links.all().delete()
        PostAuthor.objects.bulk_create(
            PostAuthor(post=self, author=author, position=n) for n, author in enumerate(wanted)
        )

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.pub_date <= timezone.now()

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.pub_date > timezone.now()

    @property
    def state(self) -> str:
        """draft, scheduled or published: what a reader would see right now."""
        if self.status == self.Status.DRAFT:
            return "draft"
        return "scheduled" if self.is_scheduled else "published"

    def unique_slug(self, title: str) -> str:
        base = ascii_slugify(title)[:190].strip("-") or "article"
        return numbered_slug(Post.objects.exclude(pk=self.pk), base)

    @staticmethod
    def estimate_reading_time(html: str) -> int:
        # The HTML is our own sanitized output: a regex drops its tags as well as strip_tags()
        # (an HTML parser) does, for a word count, in a tenth of the time (bulk imports).
        words = len(_WORD.findall(_TAG.sub(" ", html)))
        return max(1, math.ceil(words / WORDS_PER_MINUTE))


class TaggedPost(TaggedItemBase):
    """django-taggit's custom through model: a real foreign key, so joins stay cheap."""

    content_object = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="tagged_items")

    class Meta:
        verbose_name = _("tagged post")
        verbose_name_plural = _("tagged posts")
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_post_tag")
        ]
        # A tag's newest links first, without reading the others: related posts' candidates
        # (PostQuerySet.related_to). SQLite's index on tag_id holds the id already; PostgreSQL's
        # does not, so it read every link of a tag on every post and sorted them.
        indexes = [models.Index(fields=["tag", "-id"], name="taggedpost_tag_newest")]


class PostAuthor(models.Model):
    """A post's author, in order: the first is named first in the byline."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="author_links", verbose_name=_("post")
    )
    author = models.ForeignKey(
        Author, on_delete=models.PROTECT, related_name="post_links", verbose_name=_("author")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("post author")
        verbose_name_plural = _("post authors")
        constraints = [
            models.UniqueConstraint(fields=["post", "author"], name="unique_post_author")
        ]

    def __str__(self) -> str:
        return f"{self.author} · {self.post}"


# What ``byline`` reads: the links in order, each with its author (one query for many posts).
AUTHOR_LINKS = models.Prefetch(
    "author_links", queryset=PostAuthor.objects.select_related("author").order_by("position", "id")
)


@lru_cache(maxsize=4096)
def _tag(tag_id: int, name: str, slug: str, db: str):
    """A tag as the database gave it, built once per process for these values: a list page
    shows some forty tags, most of them the same ones (pages only read them)."""
    from taggit.models import Tag

    tag = Tag(id=tag_id, name=name, slug=slug)
    tag._state.adding, tag._state.db = False, db
    return tag


def attach_tags(posts: list[Post]) -> list[Post]:
    """Give each post its tags as ``prefetch_related("tags")`` does, so that
    ``post.tags.all()`` makes no query: one query of plain values.

    Django's prefetch runs taggit's queryset with an ``extra()`` column and builds a link row
    per tag to match them up: 1 ms of a list page's 4. Here each tag is built from three
    values (kept as ``_prefetched`` does)."""
    if not posts:
        return posts
    from taggit.models import Tag

    from blog import prepared

    tags: dict[int, list] = {post.pk: [] for post in posts}
    rows = prepared.rows(
        ("post-tags", len(tags)),
        # Each post's by tag: the order taggit's prefetch gave (no ORDER BY; SQLite walks the
        # unique index on post and tag), made the defined one (the feeds list them so too).
        # By the columns: ordering by the relation ("content_object") joined every post to
        # sort by its date (the post's default ordering), to be grouped here by post anyway.
        lambda *ids: (
            TaggedPost.objects.filter(content_object__in=ids)
            .order_by("content_object_id", "tag_id")
            .values_list("content_object_id", "tag_id", "tag__name", "tag__slug")
        ),
        tuple(tags),
    )
    for post_id, tag_id, name, slug in rows:
        tags[post_id].append(_tag(tag_id, name, slug, TaggedPost.objects.db))
    for post in posts:
        _prefetched(post, "tags", Tag.objects.none(), tags[post.pk])
    return posts


def attach_authors(posts: list[Post]) -> list[Post]:
    """Give each post its author links, each with its author, as ``prefetch_related(
    AUTHOR_LINKS)`` does (``byline`` and the author boxes make no query): one query of plain
    values whose SQL is built once (blog.prepared).

    The prefetch compiled its ``select_related`` query on every request: a quarter of the post
    page's profile on PostgreSQL (bench/README.md)."""
    if not posts:
        return posts
    from blog import prepared

    links: dict[int, list[PostAuthor]] = {post.pk: [] for post in posts}
    columns = tuple(field.attname for field in Author._meta.concrete_fields)
    rows = prepared.rows(
        ("post-authors", len(links)),
        lambda *ids: (
            PostAuthor.objects.filter(post__in=ids)
            .order_by("post_id", "position", "id")
            .values_list("id", "post_id", "position", *(f"author__{name}" for name in columns))
        ),
        tuple(links),
    )
    db = PostAuthor.objects.db
    for link_id, post_id, position, *values in rows:
        author = Author.from_db(db, columns, values)
        link = PostAuthor.from_db(db, ("id", "post_id", "author_id", "position"),
                                  (link_id, post_id, author.pk, position))  # fmt: skip
        link._state.fields_cache["author"] = author
        links[post_id].append(link)
    for post in posts:
        _prefetched(post, "author_links", PostAuthor.objects.none(), links[post.pk])
    return posts


def _prefetched(post: Post, name: str, empty: models.QuerySet, items: list) -> None:
    """``post.<name>.all()`` gives ``items`` with no query, as after ``prefetch_related``: an
    empty queryset (``none()``) filled with them, so that a filter chained on it finds nothing
    rather than every row of the table."""
    empty._result_cache, empty._prefetch_done = items, True
    post.__dict__.setdefault("_prefetched_objects_cache", {})[name] = empty


class Redirect(models.Model):
    """An old address (from the previous site, or a changed slug) and where it leads now."""

    old_path = models.CharField(
        _("old address"),
        max_length=500,
        unique=True,
        help_text=_("A path on this site, starting with /, e.g. /blog/2020-05-23-mon-article/."),
    )
    post = models.ForeignKey(
        Post,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="redirects",
        verbose_name=_("post"),
        help_text=_("The post this address leads to (follows the post if its slug changes)."),
    )
    new_path = models.CharField(
        _("new address"),
        max_length=500,
        blank=True,
        help_text=_("Where the address leads when it is not a post (a tag page, a page)."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["old_path"]
        verbose_name = _("redirect")
        verbose_name_plural = _("redirects")
        constraints = [
            models.CheckConstraint(
                condition=Q(post__isnull=False) | ~Q(new_path=""),
                name="redirect_has_target",
                violation_error_message=_("A redirect leads to a post or to an address."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.old_path} → {self.target_url}"

    @property
    def target_url(self) -> str:
        return self.post.get_absolute_url() if self.post_id else self.new_path
