"""RSS 2.0 and Atom feeds of the published posts, site-wide, per tag and per author.

Full content (the sanitized ``body_html``, the one rendering pipeline) with every
relative link and image made absolute, the tags as categories and the social-card
rendition of the featured image as the enclosure.
"""

from __future__ import annotations

import re

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from blog.images import renditions
from blog.models import Post
from blog.public.lookups import get_author_or_404, get_tag_or_404
from blog.site import identity

FEED_ITEMS = 20
_RELATIVE_URL = re.compile(r'(\s(?:href|src))="(/[^/"][^"]*|/)"')


def absolutize(html: str, request) -> str:
    """Relative links and images in a post work from a feed reader (absolute URLs)."""
    return _RELATIVE_URL.sub(
        lambda m: f'{m.group(1)}="{request.build_absolute_uri(m.group(2))}"', html
    )


class ContentRss(Rss201rev2Feed):
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


class ContentAtom(Atom1Feed):
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
        self.request = request
        return super().__call__(request, *args, **kwargs)

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

    def items(self):
        return self.posts()[:FEED_ITEMS]

    def posts(self):
        return Post.objects.published().defer("body", "source_meta").with_tags().with_authors()

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
        names = [author.name for author in item.byline]
        return ", ".join(names) if names else self.author_name()

    def item_author_link(self, item):
        """Atom's ``author/uri``: the first author's page."""
        authors = item.byline
        return self.request.build_absolute_uri(authors[0].get_absolute_url()) if authors else None

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]

    def item_enclosures(self, item):
        image = renditions.social_image(item.image)
        if not image:
            return []
        mime = "image/png" if image.name.endswith(".png") else "image/jpeg"
        return [Enclosure(self.request.build_absolute_uri(image.url), str(image.size), mime)]

    def item_extra_kwargs(self, item):
        # A body that opens with the featured image gives it once: as the enclosure, when
        # there is one (without it, the body keeps its image so the reader still sees it).
        body = item.shown_once.body_html
        if body != item.body_html and not self.item_enclosures(item):
            body = item.body_html
        return {
            "content": absolutize(body, self.request),
            "language": item.language if item.language != get_language() else "",
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

    def items(self, tag):
        return self.posts().filter(tagged_items__tag=tag)[:FEED_ITEMS]


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

    def items(self, author):
        return self.posts().by_author(author)[:FEED_ITEMS]
