"""Post cards (``includes/post_card.html``), each rendered once per process for what it shows.

A list page renders ten cards (thirteen on the home page), which cost more than the rest of
the page together: includes, pictures, dates, translations, excerpts, tag links. A card is a
pure function of what it shows (the post's title, address, dates, description or the start of
its body, picture, tags, its authors when bylines are shown) and of where it is shown (heading
level, the first card's eager picture, the language, the time zone, the address prefix): that
tuple is the key of a bounded memory in each process, so the first reader after an edit pays
for the edited card only, and a card seen on the home page is not rendered again for the list.
Nothing is shared between processes: a new deployment starts from nothing, and a key holds
every value the card shows, so a remembered card is the one the template would render now.
A card whose picture could not be resolved is not remembered (it will be once the picture is).
A search result's card (its title and snippet highlighted for the query) is remembered once
per post with stand-ins where the highlighted title and snippet go, which each query's
highlights replace: the markup around them is the same for every query.
"""

from __future__ import annotations

import secrets

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from blog.addresses import urls_key
from blog.memory import Memory

register = template.Library()

TEMPLATE = "includes/post_card.html"
# Cards remembered per process (~3 KB each with their key): the first pages of every list
# stay, a crawl of the deep pages does not grow the process.
MAX_CARDS = 1000
_cards = Memory(MAX_CARDS)


def forget() -> None:
    """Forget every remembered card (as a new process would)."""
    _cards.forget()


# Where a search result's highlighted title and snippet go in its remembered card: random
# per process, so that no post's own text can hold them.
_TITLE = "carnet-title-" + secrets.token_hex(8)
_SNIPPET = "carnet-snippet-" + secrets.token_hex(8)


def card_key(post, level, eager: bool, several_authors: bool) -> tuple | None:
    """Every value the card shows and every setting its rendering reads; None for a card that
    is not remembered (a search result with only one of its title and snippet highlighted)."""
    search = bool(post.title_html or post.snippet_html)
    if search and not (post.title_html and post.snippet_html):
        return None
    excerpt_source = ""
    if search:
        excerpt_source = _SNIPPET  # the snippet stands in for the excerpt
    elif not post.description:
        excerpt_source = getattr(post, "body_start", None)
        if excerpt_source is None:
            excerpt_source = post.body_html
    tags = tuple((tag.slug, tag.name) for tag in post.tags.all())
    authors = tuple((a.slug, a.name) for a in post.byline) if several_authors else ()
    return (
        search,
        get_language(),
        timezone.get_current_timezone_name(),
        *urls_key(),
        settings.MEDIA_URL,
        level,
        eager,
        several_authors,
        post.pk,
        post.slug,
        post.title,
        post.description,
        excerpt_source,
        post.featured,
        post.image.name if post.image else "",
        post.image_alt,
        post.pub_date,
        post.reading_time,
        tags,
        authors,
    )


@register.simple_tag(takes_context=True)
def cards(context, posts, level):
    """Each post's card, as ``{% include "includes/post_card.html" with level=level
    eager=forloop.first %}`` in a loop over ``posts`` renders it (remembered, see above)."""
    card = context.template.engine.get_template(TEMPLATE)
    several_authors = bool(context.get("several_authors"))
    out = []
    for n, post in enumerate(posts):
        eager = n == 0
        key = card_key(post, level, eager, several_authors)
        html = _cards.recall(key) if key is not None else None
        if html is None:
            highlights = (post.title_html, post.snippet_html) if key and key[0] else None
            if highlights:  # rendered with stand-ins, then each query's highlights put in
                post.title_html, post.snippet_html = mark_safe(_TITLE), mark_safe(_SNIPPET)
            try:
                with context.push(post=post, level=level, eager=eager):
                    html = card.render(context)
            finally:
                if highlights:
                    post.title_html, post.snippet_html = highlights
            pictured = not post.image or "<picture>" in html
            if key is not None and pictured:
                _cards.remember(key, html)
        if key is not None and key[0]:
            # Safe: the highlights are escaped by the search (blog.public.search).
            html = html.replace(_TITLE, post.title_html, 1).replace(_SNIPPET, post.snippet_html, 1)
        out.append(html)
    return mark_safe("".join(out))  # safe: rendered by the card template, which escapes
