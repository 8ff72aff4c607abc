"""Parts of a page rendered once per process for what they show: ``{% remember %}``.

The layout's header and footer, and a post's article, cost more to render than the rest of
their page (includes, translations, ``{% url %}``, date filters, pictures), yet they are pure
functions of a few values: the site's identity, a post and its neighbours. As with the post
cards (``blog.templatetags.cards``), those values *are* the key, with every setting the
rendering reads (language, time zone, address prefix, URLconf, media and static addresses), so
a remembered fragment is the one the template would render now: an edit changes the values and
is shown at once, and the first reader after an edit elsewhere pays for nothing but what
changed. Nothing is shared between processes; the memory is bounded.

A fragment with an ``<img>`` outside a ``<picture>`` is not remembered: an image whose
renditions could not be found yet falls back to a plain ``<img>``, and must get its
``<picture>`` once they exist.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from blog.addresses import address, urls_key
from blog.memory import Memory

register = template.Library()

# A few header and footer variants, and some hundreds of articles (~8 KB each): ~10 MB at most.
MAX_FRAGMENTS = 1000
_fragments = Memory(MAX_FRAGMENTS)


def forget() -> None:
    """Forget every remembered fragment (as a new process would)."""
    _fragments.forget()


def settings_key() -> tuple:
    """What a fragment's rendering reads besides its own values."""
    return (
        get_language(),
        timezone.get_current_timezone_name(),
        *urls_key(),
        settings.MEDIA_URL,
        settings.STATIC_URL,
    )


def remembered(key: tuple, render) -> str:
    """The fragment for ``key``, rendered by ``render()`` the first time."""
    html = _fragments.recall(key)
    if html is None:
        html = render()
        if html.count("<img") == html.count("<picture>"):
            _fragments.remember(key, html)
    return html


class RememberNode(template.Node):
    def __init__(self, name: str, values: list, nodelist: template.NodeList):
        self.name, self.values, self.nodelist = name, values, nodelist

    def render(self, context) -> str:
        values = tuple(value.resolve(context, ignore_failures=True) for value in self.values)
        if None in values:
            # A value the context lacks (the admin's preview renders a post's template with
            # the post alone): no key to trust, so rendered every time.
            return self.nodelist.render(context)
        key = (self.name, *values, *settings_key())
        # Safe: the template's own output, escaped as it rendered.
        return mark_safe(remembered(key, lambda: self.nodelist.render(context)))


@register.tag
def remember(parser, token):
    """``{% remember "name" value… %}…{% endremember %}``: the enclosed template, rendered once
    per process for those values (each hashable: strings, numbers, dates, tuples, frozen
    dataclasses). The values must be everything the enclosed part shows; one missing from the
    context (or None) renders the part every time, remembered under no key."""
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'":
        raise template.TemplateSyntaxError("{% remember %} needs a quoted name, then its values.")
    nodelist = parser.parse(("endremember",))
    parser.delete_first_token()
    return RememberNode(bits[1][1:-1], [parser.compile_filter(bit) for bit in bits[2:]], nodelist)


def _contact_url() -> str:
    try:
        return address("contact:form")
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def current_nav_path(context) -> str:
    """The page's path when the main navigation links to it (it is then marked
    ``aria-current``), else "": the header's only part that depends on the page."""
    request = context.get("request")
    if request is None:
        return ""
    path = request.path
    identity = context.get("identity")
    items = identity.navigation if identity is not None else ()
    if path == _contact_url() or any(item.url == path for item in items):
        return path
    return ""
