"""Template helpers for the public pages: pictures, JSON-LD, heading anchors, excerpts."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from html import escape as escape_html
from urllib.parse import unquote

from django import template
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import to_locale

from blog.addresses import urls_key
from blog.images import renditions
from blog.models import Author, Post
from blog.site import archive
from blog.site.identity import profile_links
from blog.text import visible_text

register = template.Library()

EXCERPT_CHARS = 300
_HEADING = re.compile(r'<(h[2-6]) id="([^"<>]+)">(.*?)</\1>', re.S)
# Escapes that keep JSON inside <script> from closing it (as django.utils.html.json_script).
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def picture(post, spec: str, css_class: str = "", lazy: bool = True):
    """<picture> with WebP and original-format renditions, width/height, srcset and sizes."""
    if not post.image:
        return ""
    try:
        pic = renditions.picture(post.image, spec)
    except Exception:  # a broken image must not break the page
        pic = None
    if pic is None:
        return ""
    img = format_html(
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"{}{}>',
        pic.src.url,
        pic.srcset(),
        pic.sizes,
        pic.largest.width,
        pic.largest.height,
        post.image_alt,
        format_html(' class="{}"', css_class) if css_class else "",
        mark_safe(' loading="lazy" decoding="async"') if lazy else "",
    )
    return format_html(
        '<picture><source type="image/webp" srcset="{}" sizes="{}">{}</picture>',
        pic.srcset("webp"),
        pic.sizes,
        img,
    )


# Open Graph wants language_TERRITORY: the usual territory of a bare language code.
OG_TERRITORIES = {"fr": "FR", "en": "US"}


def og_locale(language: str) -> str:
    """``fr`` -> ``fr_FR``, ``en`` -> ``en_US``, ``en-gb`` -> ``en_GB``."""
    locale = to_locale(language)
    if "_" not in locale and locale in OG_TERRITORIES:
        locale = f"{locale}_{OG_TERRITORIES[locale]}"
    return locale


@register.simple_tag(takes_context=True)
def social_meta(context, post=None, title=None, description=None):
    """Open Graph and Twitter card tags for the page (a post's own, or the site's)."""
    request = context["request"]
    title = title or (post.title if post else context.get("site_name"))
    description = description or (post.description if post else "") or ""
    description = description or str(context.get("site_tagline") or "")
    language = (post.language if post else "") or context.get("LANGUAGE_CODE")
    language = language or settings.LANGUAGE_CODE
    tags = [
        ("property", "og:site_name", context.get("site_name")),
        ("property", "og:locale", og_locale(language)),
        ("property", "og:type", "article" if post else "website"),
        ("property", "og:title", title),
        ("property", "og:description", description),
        ("property", "og:url", context.get("canonical_url")),
    ]
    image = renditions.social_image(post.image) if post else None
    if image:
        tags += [
            ("property", "og:image", request.build_absolute_uri(image.url)),
            ("property", "og:image:width", image.width),
            ("property", "og:image:height", image.height),
            ("property", "og:image:alt", post.image_alt),
            ("name", "twitter:card", "summary_large_image"),
            ("name", "twitter:image", request.build_absolute_uri(image.url)),
            ("name", "twitter:image:alt", post.image_alt),
        ]
    else:
        tags.append(("name", "twitter:card", "summary"))
    tags += [("name", "twitter:title", title), ("name", "twitter:description", description)]
    if post and post.pub_date:
        tags.append(("property", "article:published_time", post.pub_date.isoformat()))
        if post.updated:
            tags.append(("property", "article:modified_time", post.updated.isoformat()))
    # What format_html_join gives, escaped directly: its lazy-aware escaping of these ~50
    # values took a tenth of the post page's time.
    return mark_safe(
        "\n  ".join(
            f'<meta {_escaped(a)}="{_escaped(n)}" content="{_escaped(v)}">' for a, n, v in tags if v
        )
    )


def _escaped(value) -> str:
    """``conditional_escape(value)``: safe strings as they are, anything else escaped."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape_html(str(value))


@register.simple_tag(takes_context=True)
def lang_attribute(context, document, site=False):
    """`` lang="en"`` for a post or page in another language than the page around it (whose
    ``<html lang>`` and navigation stay the site's), else nothing. With ``site``, the site's
    language back, for the site's own words (dates, notices) inside such a post."""
    language = getattr(document, "language", "")
    site_language = context.get("LANGUAGE_CODE") or settings.LANGUAGE_CODE
    if not language or language == site_language.lower():
        return ""
    return format_html(' lang="{}"', site_language if site else language)


@register.simple_tag(takes_context=True)
def post_json_ld(context, post):
    """schema.org BlogPosting, escaped so it cannot close its <script>."""
    request = context["request"]
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": post.title,
        "description": post.description or None,
        "datePublished": post.pub_date.isoformat() if post.pub_date else None,
        "dateModified": post.updated.isoformat() if post.updated else None,
        "url": context.get("canonical_url"),
        "mainEntityOfPage": context.get("canonical_url"),
        "inLanguage": post.language or context.get("LANGUAGE_CODE") or settings.LANGUAGE_CODE,
        "publisher": {"@type": "Organization", "name": context.get("site_name")},
    }
    authors = post.byline if post.pk else []
    if authors:
        people = [
            {
                "@type": "Person",
                "name": author.name,
                "url": request.build_absolute_uri(author.get_absolute_url()),
            }
            for author in authors
        ]
        data["author"] = people[0] if len(people) == 1 else people
    elif context.get("site_author"):
        data["author"] = {"@type": "Person", "name": context["site_author"]}
    if post.pk:
        data["keywords"] = [tag.name for tag in post.tags.all()]
    image = renditions.social_image(post.image)
    if image:
        data["image"] = {
            "@type": "ImageObject",
            "url": request.build_absolute_uri(image.url),
            "width": image.width,
            "height": image.height,
        }
    data = {k: v for k, v in data.items() if v not in (None, [], "")}
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    # Safe: JSON with <, > and & escaped, so it cannot close the script element.
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')


@register.filter
def author_links(author: Author):
    """An author profile's links, as the site identity's are shown."""
    return profile_links(author, author.name)


@register.filter
def heading_anchors(html: str):
    """Give each titled section a visible « # » link to itself (the HTML is already sanitized)."""

    def anchor(match: re.Match) -> str:
        level, anchor_id, inner = match.groups()
        label = _("Link to the section “%(title)s”") % {"title": strip_tags(inner)}
        return format_html(
            '<div class="heading"><{level} id="{id}">{inner}</{level}>'
            '<a class="heading__anchor" href="#{id}" aria-label="{label}">#</a></div>',
            level=level,
            # Safe: both come from the body that the sanitizer already cleaned and escaped.
            id=mark_safe(anchor_id),
            inner=mark_safe(inner),
            label=label,
        )

    return mark_safe(_HEADING.sub(anchor, html or ""))  # safe: sanitized body


_BODY_IMG = re.compile(r"<img ([^>]*)>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_RASTER = (".jpg", ".jpeg", ".png", ".gif", ".webp")


def _body_picture(match: re.Match) -> str:
    attrs = dict(_ATTR.findall(match.group(1)))
    src = attrs.get("src", "")
    media_url = settings.MEDIA_URL
    if not src.startswith(media_url) or not src.lower().endswith(_RASTER):
        return match.group(0)
    name = unquote(src.removeprefix(media_url))
    if ".." in name.split("/"):
        return match.group(0)
    try:
        pic = renditions.picture_of(default_storage, name, "body")
    except Exception:  # a broken image must not break the page
        pic = None
    if pic is None:
        return match.group(0)
    # Attribute values come from the sanitized body: already escaped, kept as they are.
    extra = "".join(f' {key}="{attrs[key]}"' for key in ("title",) if key in attrs)
    return (
        f'<picture><source type="image/webp" srcset="{pic.srcset("webp")}" sizes="{pic.sizes}">'
        f'<img src="{pic.src.url}" srcset="{pic.srcset()}" sizes="{pic.sizes}" '
        f'width="{pic.largest.width}" height="{pic.largest.height}" '
        f'alt="{attrs.get("alt", "")}"{extra} loading="lazy" decoding="async"></picture>'
    )


@register.filter
def body_pictures(html: str):
    """Images of the site's media inside a post's body get their renditions (lazy, sized)."""
    return mark_safe(_BODY_IMG.sub(_body_picture, html or ""))  # safe: sanitized body


@lru_cache(maxsize=2048)
def _tag_item(slug: str, name: str, prefix: str, urlconf: str) -> str:
    url = reverse("blog:tag", args=[slug], urlconf=urlconf)
    return f'<li><a href="{escape_html(url)}">#{escape_html(name)}</a></li>'


@register.simple_tag
def tag_list(tags):
    """A post's tags as links, for a card and a post's header.

    In Python, each tag's item remembered: a list page shows some forty tag links, and an
    include per card plus a ``{% url %}`` per tag cost more than the rest of the card. The
    key holds what ``reverse()`` reads besides the slug (script prefix, URLconf), so an item
    is always what the template gave; ``html.escape`` is what autoescaping applies.
    """
    tags = list(tags)
    if not tags:
        return ""
    key = urls_key()
    items = "".join(_tag_item(tag.slug, tag.name, *key) for tag in tags)
    # Safe: every value above is escaped.
    return mark_safe(f'<ul class="tags" aria-label="{escape_html(_("Tags"))}">{items}</ul>')


@register.filter
def excerpt(post) -> str:
    """The description, or about 300 characters of the body as plain text."""
    if post.description:
        return post.description
    source = getattr(post, "body_start", None)
    if source is None:
        source = post.body_html
    # body_start is cut at a fixed length: a tag cut in half would read as text (its link
    # URL or attributes shown on the card); what is left of it is dropped.
    if source.rfind("<") > source.rfind(">"):
        source = source[: source.rfind("<")]
    return Truncator(visible_text(source)).chars(EXCERPT_CHARS)


@register.inclusion_tag("includes/latest_links.html")
def latest_posts(count: int = 5):
    """A short list of the latest posts (the 404 page): one query, no body."""
    return {"posts": Post.objects.published().only("title", "slug", "pub_date")[:count]}


@register.filter
def w3c_datetime(value) -> str:
    """An instant as a W3C datetime in the site's time zone, with its offset, to the second.

    ``2026-12-01T00:30:00+01:00``: a reader's day and the exact instant, both unambiguous.
    """
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


@register.filter
def update_date(post):
    """The date to show as « updated », or None: only a real edit on a later day counts.

    Re-importing a file or saving without change on the publication day is not an update.
    Days are the site's (its time zone), as the dates the page shows.
    """
    updated, published = getattr(post, "updated", None), post.pub_date
    if not updated or not published:
        return None
    if timezone.localdate(updated) <= timezone.localdate(published):
        return None
    imported = getattr(post, "imported_at", None)
    if imported and abs((updated - imported).total_seconds()) < 60:
        return None
    return updated


@register.simple_tag(takes_context=True)
def archive_links(context):
    """Years and months that have published posts, newest first: kept per state of the site
    (``blog.site.archive``), one query when it changed."""
    return archive.links_html(context.get("request"))


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current address with ?page=N (page 1 is the bare address: one URL per page)."""
    query = context["request"].GET.copy()
    query.pop("page", None)
    if int(number) > 1:
        query["page"] = number
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else context["request"].path
