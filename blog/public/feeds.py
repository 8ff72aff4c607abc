"""RSS 2.0 and Atom feeds of the published posts, site-wide, per tag and per author.

Full content (the sanitized ``body_html``, the one rendering pipeline) with every
relative link and image made absolute, the tags as categories and the social-card
rendition of the featured image as the enclosure.

Each entry is written once per process for what it shows (``blog.public.feed_entries``): a
feed reads its posts, their tags and their authors as rows (three queries whose SQL is built
once: ``blog.prepared``), runs Django's item methods for the entries it does not
remember only, and puts remembered ones into the XML as they were written.
"""

from __future__ import annotations

import copy
import re
from io import StringIO

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.xmlutils import SimplerXMLGenerator

from blog import prepared
from blog.addresses import urls_key
from blog.images import renditions
from blog.models import Author, Post, PostAuthor, TaggedPost
from blog.public import feed_entries
from blog.public.lookups import get_author_or_404, get_tag_or_404
from blog.site import identity

FEED_ITEMS = 20
_RELATIVE_URL = re.compile(r'(\s(?:href|src))="(/[^/"][^"]*|/)"')


# The order of taggit's prefetch on SQLite (each post's links by the unique index on post and
# tag), and a defined one on PostgreSQL.
def _tags(*pks):
    return (
        TaggedPost.objects.filter(content_object__in=pks)
        .order_by("content_object_id", "tag_id")  # (by the relation: a join to sort by date)
        .values_list("content_object", "tag__name")
    )


def _authors(*pks):
    return (
        PostAuthor.objects.filter(post__in=pks)
        .order_by("position", "id")
        .values_list("post_id", "author__name", "author__slug")
    )


# What an entry shows of the post, and the image's stored size (without it, the image field
# opens the file for it as a post object is made). The bodies come along, remembered entries'
# too: they cost less than a query of their own for the others would, a remembered entry's key
# holds its body, and a feed runs the same queries whatever it remembers.
_SHOWN = {"id", "slug", "title", "description", "language", "pub_date", "updated", "body_html"}
_SHOWN |= {"image", "image_width", "image_height"}
# In the model's order, as ``Post.from_db`` takes them.
ENTRY_FIELDS = tuple(f.attname for f in Post._meta.concrete_fields if f.attname in _SHOWN)


def absolutize(html: str, request) -> str:
    """Relative links and images in a post work from a feed reader (absolute URLs)."""
    return _RELATIVE_URL.sub(
        lambda m: f'{m.group(1)}="{request.build_absolute_uri(m.group(2))}"', html
    )


class RememberedEntries:
    """A feed generator that writes each item as a string once: a remembered one as it is
    (``entry_xml``), a new one remembered under its ``entry_key`` (when it has one)."""

    def write_items(self, handler):
        for item in self.items:
            xml = item.get("entry_xml")
            if xml is None:
                xml = self.entry_xml(item)
                if item.get("entry_key") is not None:
                    feed_entries.remember(item["entry_key"], xml)
            # Written as is: the XML the generator itself made for this item.
            handler.ignorableWhitespace(xml)

    def entry_xml(self, item) -> str:
        """The item's XML, as the generator writes it within the feed."""
        out = StringIO()
        items, self.items = self.items, [item]
        try:
            super().write_items(SimplerXMLGenerator(out, "utf-8", short_empty_elements=True))
        finally:
            self.items = items
        return out.getvalue()


class ContentRss(RememberedEntries, Rss201rev2Feed):
    """RSS with the full post in content:encoded (the description stays a summary)."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
            "xmlns:dc": "http://purl.org/dc/elements/1.1/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content"])
        # RSS has no item language of its own: Dublin Core's, for a post not in the site's.
        if item.get("language"):
            handler.addQuickElement("dc:language", item["language"])


class ContentAtom(RememberedEntries, Atom1Feed):
    def item_attributes(self, item):
        """A post in another language than the feed's: ``<entry xml:lang="en">``."""
        attributes = super().item_attributes(item)
        if item.get("language"):
            attributes["xml:lang"] = item["language"]
        return attributes

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content"], {"type": "html"})


class LatestPostsFeed(Feed):
    feed_type = ContentRss

    def __call__(self, request, *args, **kwargs):
        # A copy per request: the URLconf's instance serves every thread, and a feed keeps
        # its request and its posts on itself.
        feed = copy.copy(self)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    def identity(self):
        """The site identity edited in the admin (settings when it is empty)."""
        return identity.load(self.request)

    def title(self):
        return self.identity().site_name

    def description(self):
        return str(self.identity().tagline)

    def link(self):
        return reverse("blog:home")

    def feed_url(self):
        return self.request.path

    def author_name(self):
        return self.identity().author_name or None

    @staticmethod
    def posts(now):
        """The feed's posts, newest first (the tag's, the author's by the key of either in
        their feeds). Built once per process: ``blog.prepared``."""
        return Post.objects.published(now)

    def get_feed(self, obj, request):
        kind = type(self)
        found = prepared.rows(
            ("feed-posts", kind.__qualname__),
            lambda *values: kind.posts(*values).values_list(*ENTRY_FIELDS)[:FEED_ITEMS],
            (timezone.now(), *([obj.pk] if obj is not None else [])),
        )
        rows = [dict(zip(ENTRY_FIELDS, values, strict=True)) for values in found]
        tags, authors = self.shown_with([row["id"] for row in rows])
        where = self.entry_context()
        remembered = {}
        self.new_posts = []
        for row, values in zip(rows, found, strict=True):
            pk = row["id"]
            # A post object for each, remembered or not: the static build records the posts a
            # page shows as they are made (``post_init``, blog.publishing.reuse).
            post = Post.from_db(None, ENTRY_FIELDS, values)
            enclosure = renditions.social_image(post.image)
            key = self.entry_key(row, tags[pk], authors[pk], enclosure, where)
            xml = feed_entries.recall(key) if key is not None else None
            if xml is not None:
                remembered[pk] = xml
                continue
            post.feed_tags, post.feed_authors = tags[pk], authors[pk]
            post.feed_image, post.entry_key = enclosure, key
            self.new_posts.append(post)
        feed = super().get_feed(obj, request)  # the feed, with the new posts' items only
        written = iter(feed.items)
        # A remembered entry keeps its dates in the list: the feed's own date is the newest.
        feed.items = [
            {
                "entry_xml": remembered[row["id"]],
                "pubdate": row["pub_date"],
                "updateddate": row["updated"],
            }
            if row["id"] in remembered
            else next(written)
            for row in rows
        ]
        return feed

    def shown_with(self, pks: list[int]) -> tuple[dict, dict]:
        """Each post's tag names (by tag, as taggit's prefetch gave them on SQLite) and
        authors (name, slug; in their order, as ``byline``): two queries, no model instance."""
        tags: dict[int, list[str]] = {pk: [] for pk in pks}
        authors: dict[int, list[tuple[str, str]]] = {pk: [] for pk in pks}
        for pk, name in prepared.rows(("feed-tags", len(pks)), _tags, tuple(pks)):
            tags[pk].append(name)
        for pk, name, slug in prepared.rows(("feed-authors", len(pks)), _authors, tuple(pks)):
            authors[pk].append((name, slug))
        return (
            {pk: tuple(names) for pk, names in tags.items()},
            {pk: tuple(names) for pk, names in authors.items()},
        )

    def entry_context(self) -> tuple:
        """Where the entries are shown: every setting their writing reads. Not which feed:
        the site's, a tag's and an author's write a post's entry alike (and share it)."""
        request = self.request
        return (
            self.feed_type,
            get_language(),
            timezone.get_current_timezone_name(),
            request.scheme,
            request.get_host(),
            *urls_key(),
            settings.MEDIA_URL,
            self.author_name(),  # a post without authors shows the site's
        )

    @staticmethod
    def entry_key(row: dict, tags, authors, enclosure, where: tuple) -> tuple | None:
        """Every value the post's entry shows (the post's columns, its body among them, its
        tags and authors, which a rename changes without saving the post, the enclosure's
        rendition) and where it is shown (see ``blog.public.feed_entries``); None for an entry
        not to remember: its enclosure could not be resolved (yet)."""
        if row["image"] and enclosure is None:
            return None
        rendition = (enclosure.name, enclosure.url, enclosure.size) if enclosure else None
        return (*where, *row.values(), tags, authors, rendition)

    def items(self):
        return self.new_posts

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.description or item.title

    def item_pubdate(self, item):
        return item.pub_date

    def item_updateddate(self, item):
        return item.updated

    def item_author_name(self, item):
        """The post's authors (RSS ``dc:creator``, Atom ``author/name``); the site's author
        for a post that names none."""
        names = [name for name, _slug in item.feed_authors]
        return ", ".join(names) if names else self.author_name()

    def item_author_link(self, item):
        """Atom's ``author/uri``: the first author's page."""
        if not item.feed_authors:
            return None
        first = Author(slug=item.feed_authors[0][1])
        return self.request.build_absolute_uri(first.get_absolute_url())

    def item_categories(self, item):
        return list(item.feed_tags)

    def item_enclosures(self, item):
        image = item.feed_image
        if not image:
            return []
        mime = "image/png" if image.name.endswith(".png") else "image/jpeg"
        return [Enclosure(self.request.build_absolute_uri(image.url), str(image.size), mime)]

    def item_extra_kwargs(self, item):
        # A body that opens with the featured image gives it once: as the enclosure, when
        # there is one (without it, the body keeps its image so the reader still sees it).
        body = item.shown_once.body_html
        if body != item.body_html and not item.feed_image:
            body = item.body_html
        return {
            "content": absolutize(body, self.request),
            "language": item.language if item.language != get_language() else "",
            "entry_key": item.entry_key,
        }


class LatestPostsAtomFeed(LatestPostsFeed):
    feed_type = ContentAtom
    subtitle = LatestPostsFeed.description


class TagFeed(LatestPostsFeed):
    def get_object(self, request, slug):
        return get_tag_or_404(slug)

    def title(self, tag):
        return _("%(site)s: posts tagged « %(tag)s »") % {
            "site": self.identity().site_name,
            "tag": tag.name,
        }

    def description(self, tag):
        return self.title(tag)

    def link(self, tag):
        return reverse("blog:tag", kwargs={"slug": tag.slug})

    @staticmethod
    def posts(now, tag_pk):
        return Post.objects.published(now).filter(tagged_items__tag=tag_pk)


class AuthorFeed(LatestPostsFeed):
    def get_object(self, request, slug):
        return get_author_or_404(slug)

    def title(self, author):
        return _("%(site)s: posts by %(author)s") % {
            "site": self.identity().site_name,
            "author": author.name,
        }

    def description(self, author):
        return self.title(author)

    def link(self, author):
        return author.get_absolute_url()

    @staticmethod
    def posts(now, author_pk):
        return Post.objects.published(now).by_author(author_pk)
