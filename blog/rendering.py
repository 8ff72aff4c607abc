"""The one Markdown pipeline: pages, feeds, previews and export all go through it.

Markdown and front matter are untrusted. Python-Markdown passes raw HTML through
and has no safe mode (it ignores ``safe_mode``), so every result is cleaned by an
allow-list sanitizer (nh3, a binding to the Rust ``ammonia`` crate) that keeps only
what a blog post needs: structure, links, images, tables, code highlighting classes,
heading and footnote ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

import markdown
import nh3
from django.conf import settings
from django.utils.translation import gettext as _
from pygments.token import STANDARD_TYPES

from blog.markdown_guards import BoundedHighlightExtension, GuardExtension, RenderError
from blog.text import ascii_slugify

__all__ = ["FeaturedOnce", "RenderError", "featured_once", "render_markdown", "sanitize_html"]


ALLOWED_TAGS = {
    # text and structure
    "p", "br", "hr", "div", "span", "blockquote", "q", "cite", "abbr", "dfn", "time",
    "h1", "h2", "h3", "h4", "h5", "h6",
    "strong", "b", "em", "i", "u", "s", "del", "ins", "mark", "small", "sub", "sup", "kbd",
    "samp", "var", "code", "pre", "wbr",
    "ul", "ol", "li", "dl", "dt", "dd",
    "a", "img", "figure", "figcaption", "picture", "source",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col",
    "details", "summary",
}  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "source": {"srcset", "type", "media", "sizes"},
    "abbr": {"title"},
    "time": {"datetime"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "ol": {"start", "reversed"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "td": {"colspan", "rowspan", "style"},
    "col": {"span"},
    "colgroup": {"span"},
    "details": {"open"},
    # Heading anchors (toc) and footnotes link to ids.
    **{f"h{level}": {"id"} for level in range(1, 7)},
    "li": {"id"},
    "sup": {"id"},
    "div": {"id"},
    "code": {"class"},
    "pre": {"class"},
    "span": {"class"},
}

# Only the classes our own extensions emit: Pygments token classes and a few named ones.
ALLOWED_CLASSES = {
    "span": set(STANDARD_TYPES.values()) - {""},
    "div": {"highlight", "footnote"},
    "pre": {"highlight"},
    "code": set(),
    "a": {"footnote-ref", "footnote-backref", "headerlink"},
    "table": {"highlighttable"},
    "td": {"linenos", "code"},
}

URL_SCHEMES = {"http", "https", "mailto", "tel"}

MARKDOWN_EXTENSIONS = [
    "tables",
    "footnotes",
    "abbr",
    "def_list",
    "toc",
    "mdx_truly_sane_lists",
    "pymdownx.superfences",  # fenced code, also inside list items as GFM allows
    # pymdownx.highlight, colouring only what Pygments handles in bounded time (the guards)
    "pymdownx.tilde",  # ~~strikethrough~~
    "pymdownx.magiclink",  # bare URLs become links, as on GitHub
]

MARKDOWN_CONFIG = {
    "toc": {"slugify": lambda value, separator: ascii_slugify(value), "permalink": False},
    "mdx_truly_sane_lists": {"nested_indent": 2, "truly_sane": True},
    "pymdownx.highlight": {"use_pygments": True, "guess_lang": False, "css_class": "highlight"},
    "footnotes": {"BACKLINK_TITLE": ""},
}


def sanitize_html(html: str) -> str:
    """Keep the allow-listed tags, attributes, classes and URL schemes; drop the rest."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes={tag: attrs - {"class"} for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        filter_style_properties={"text-align"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render_markdown(text: str) -> str:
    """Render Markdown to sanitized HTML, or raise RenderError with a reason a person can act on."""
    text = text or ""
    limit = settings.CARNET_MAX_MARKDOWN_BYTES
    size = len(text.encode("utf-8"))
    if size > limit:
        raise RenderError(
            _("The text is too long to publish (%(size)d KB; the limit is %(limit)d KB).")
            % {"size": size // 1024, "limit": limit // 1024}
        )
    # The guards (blog/markdown_guards.py) refuse, inside the pipeline, what would cost
    # more than about a second.
    highlight = BoundedHighlightExtension(**MARKDOWN_CONFIG["pymdownx.highlight"])
    md = markdown.Markdown(
        extensions=[*MARKDOWN_EXTENSIONS, highlight, GuardExtension()],
        extension_configs=MARKDOWN_CONFIG,
    )
    try:
        html = md.convert(text)
    except RecursionError as exc:
        raise RenderError(_("The text is nested too deeply to be rendered.")) from exc
    return sanitize_html(html)


# The first block of a rendered body when it is an image: in a paragraph or a figure, maybe
# inside a link. Whitespace (and what follows in the same paragraph) is allowed.
_LEAD_IMAGE = re.compile(
    r"\A\s*(?P<open><p>|<figure>)?\s*(?P<link><a\b[^>]*>)?\s*<img\b(?P<attrs>[^>]*)>"
    r"\s*(?(link)</a>\s*)"
)
_SRC = re.compile(r'\bsrc="([^"]*)"')
_EMPTY_PARAGRAPH = re.compile(r"\A\s*<p>\s*</p>\s*")


@dataclass(frozen=True)
class FeaturedOnce:
    """What a post page shows so that its featured image appears once: the hero or not, and
    the body to show (the stored body and its Markdown are never changed)."""

    show_hero: bool
    body_html: str


def featured_once(body_html: str, image_name: str, media_url: str) -> FeaturedOnce:
    """The featured image once, when the body opens with the same stored file.

    Netlify/Decap CMS posts often start their body with their ``featuredimage`` (Gatsby's
    template never showed the featured image); the importer stores each image once by content
    and rewrites the body to its media URL, so the same file has the same name here.

    Which one goes: the body's copy, as the hero has the renditions sized for the top of the
    page, is loaded first and carries the alt text the editor checks. Unless the body's image
    says more than the hero can: a link around it or a caption (a ``<figure>``); then the
    body keeps it and the hero is not shown, so neither the link nor the caption is lost.
    Computed from the rendered body already loaded: no query, nothing stored.
    """
    body_html = body_html or ""
    match = _LEAD_IMAGE.match(body_html) if image_name else None
    src = _SRC.search(match.group("attrs")) if match else None
    if not src or not _same_file(src.group(1), image_name, media_url):
        return FeaturedOnce(show_hero=bool(image_name), body_html=body_html)
    if match.group("link") or match.group("open") == "<figure>":
        return FeaturedOnce(show_hero=False, body_html=body_html)
    rest = (match.group("open") or "") + body_html[match.end() :]
    return FeaturedOnce(show_hero=True, body_html=_EMPTY_PARAGRAPH.sub("", rest, count=1))


def _same_file(src: str, image_name: str, media_url: str) -> bool:
    src = src.replace("&amp;", "&")
    if not src.startswith(media_url):
        return False
    return unquote(src.removeprefix(media_url)) == image_name
