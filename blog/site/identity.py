"""Who the site is by, as every page shows it: the identity row (or the settings) and the
navigation's pages, read at most once per request and kept in Django's cache.

Freshness costs no query of its own: the identity's and the pages' stamps ride along in the
one query that already gives every public page its ETag (``blog.site.stamps``). The cache
keys hold those stamps, so a save is seen at once by every worker process, even with the
default per-process local-memory cache, and a stale entry is never read (invalidated on save).
A site with no identity row and no page in its navigation needs no further query at all.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from blog.models import Page, SiteIdentity
from blog.site.stamps import Stamps, public_state, read_stamps

CACHE_SECONDS = 24 * 3600  # the keys change on every save: the timeout only frees memory


@dataclass(frozen=True)
class Link:
    kind: str  # linkedin, upwork, malt, github, email, other
    label: str  # what the link says (« LinkedIn »)
    url: str
    accessible_name: str  # what a screen reader says (« Zoé sur LinkedIn »)


@dataclass(frozen=True)
class NavItem:
    title: str
    url: str


@dataclass(frozen=True)
class Identity:
    """What the templates see: plain values, picklable for the cache."""

    site_name: str
    tagline: str
    author_name: str
    home_heading: str = ""
    introduction: str = ""
    bio: str = ""
    portrait_url: str = ""
    portrait_width: int | None = None
    portrait_height: int | None = None
    portrait_alt: str = ""
    email: str = ""
    links: tuple[Link, ...] = ()
    navigation: tuple[NavItem, ...] = field(default=())

    @property
    def heading(self) -> str:
        return self.home_heading or self.site_name

    @property
    def profiles(self) -> tuple[Link, ...]:
        """Profile links without the email address (shown on its own)."""
        return tuple(link for link in self.links if link.kind != "email")


def load(request=None) -> Identity:
    """The identity for this request: computed once, from the cache when it can."""
    if request is not None and hasattr(request, "_carnet_identity"):
        return request._carnet_identity
    stamps = public_state(request).site if request is not None else read_stamps()
    identity = _identity(stamps)
    if request is not None:
        request._carnet_identity = identity
    return identity


def _identity(stamps: Stamps) -> Identity:
    base = defaults()
    navigation: tuple[NavItem, ...] = ()
    if stamps.identity is None and not stamps.navigation:
        return base
    key = (
        "carnet-identity:" + hashlib.sha1(f"{stamps.key()}|{_settings_key()}".encode()).hexdigest()
    )
    cached = cache.get(key)
    if cached is not None:
        return cached
    row = SiteIdentity.objects.filter(pk=1).first() if stamps.identity is not None else None
    if stamps.navigation:
        navigation = tuple(
            NavItem(page.title, page.get_absolute_url())
            for page in Page.objects.navigation().only("title", "slug")
        )
    identity = from_row(row, base, navigation) if row else replace(base, navigation=navigation)
    cache.set(key, identity, CACHE_SECONDS)
    return identity


def _settings_key() -> str:
    values = (settings.CARNET_SITE_NAME, settings.CARNET_TAGLINE, settings.CARNET_AUTHOR)
    return "|".join(str(value) for value in (*values, get_language()))


def defaults() -> Identity:
    """What a fresh install shows: the settings, never an invented person."""
    return Identity(
        site_name=str(settings.CARNET_SITE_NAME),
        tagline=str(settings.CARNET_TAGLINE),
        author_name=str(settings.CARNET_AUTHOR),
    )


PROFILE_LABELS = {
    "linkedin": "LinkedIn",
    "upwork": "Upwork",
    "malt": "Malt",
    "github": "GitHub",
}


def profile_links(row, owner: str) -> tuple[Link, ...]:
    """The profile links of ``row`` (the identity or an author profile: the same fields)."""
    links = [
        Link(
            kind,
            label,
            getattr(row, kind),
            _("%(owner)s on %(platform)s") % {"owner": owner, "platform": label},
        )
        for kind, label in PROFILE_LABELS.items()
        if getattr(row, kind)
    ]
    if row.other_url:
        label = row.other_label or row.other_url
        name = _("%(owner)s: %(label)s") % {"owner": owner, "label": label}
        links.append(Link("other", label, row.other_url, name))
    if row.email:
        links.append(
            Link(
                "email",
                row.email,
                f"mailto:{row.email}",
                _("Email %(owner)s: %(email)s") % {"owner": owner, "email": row.email},
            )
        )
    return tuple(links)


def from_row(row: SiteIdentity, base: Identity, navigation: tuple[NavItem, ...]) -> Identity:
    author = row.author_name or base.author_name
    site_name = row.site_name or base.site_name
    links = profile_links(row, author or site_name)
    portrait = {}
    if row.portrait:
        portrait = {
            "portrait_url": row.portrait.url,
            "portrait_width": row.portrait_width,
            "portrait_height": row.portrait_height,
            "portrait_alt": row.portrait_alt,
        }
    return Identity(
        site_name=site_name,
        tagline=row.tagline or base.tagline,
        author_name=author,
        home_heading=row.home_heading,
        introduction=row.introduction,
        bio=row.bio,
        email=row.email,
        links=tuple(links),
        navigation=navigation,
        **portrait,
    )
