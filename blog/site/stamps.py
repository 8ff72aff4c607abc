"""When the public site last changed: one aggregate query per request, shared by the ETag
(``blog.public.caching``) and the identity's cache keys (``blog.site.identity``).

The newest ``updated`` and ``pub_date`` of the published posts and their count, with the
identity's, the pages' and the author profiles' stamps (and how many authors have published
posts) riding along as scalar subqueries: still one query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

from django.conf import settings
from django.db.models import Count, F, Func, Max, Q, Subquery

from blog.models import Author, Page, Post, PostAuthor, SiteIdentity


@dataclass(frozen=True)
class Stamps:
    """When the identity and the pages last changed (None: no row)."""

    identity: dt.datetime | None
    pages: dt.datetime | None
    page_count: int
    navigation: bool
    language: str = ""  # the identity's « site language » ("" for DJANGO_LANGUAGE_CODE)
    authors: dt.datetime | None = None  # the last edit of an author profile
    # More than one author has published posts: bylines and author boxes are then shown
    # (a single-author site looks as it did before authors existed).
    several_authors: bool = False

    def key(self) -> str:
        parts = (self.identity, self.pages, self.page_count, self.authors, self.several_authors)
        return "|".join(str(part) for part in parts)


def stamp_aggregates() -> dict:
    """Extra columns for an ``aggregate()``: scalar subqueries wrapped in Max (one row)."""
    pages = Page.objects.order_by()
    return {
        "identity_stamp": Max(Subquery(SiteIdentity.objects.filter(pk=1).values("updated")[:1])),
        "identity_language": _identity_language(),
        "pages_stamp": Max(Subquery(pages.order_by("-updated").values("updated")[:1])),
        "pages_count": Max(
            Subquery(pages.annotate(n=Func(F("id"), function="COUNT")).values("n")[:1])
        ),
        "navigation_stamp": Max(
            Subquery(
                Page.objects.navigation()
                .order_by()
                .annotate(n=Func(F("id"), function="COUNT"))
                .values("n")[:1]
            )
        ),
        "authors_stamp": Max(Subquery(Author.objects.order_by("-updated").values("updated")[:1])),
        "authors_writing": Max(
            Subquery(
                PostAuthor.objects.filter(post__in=Post.objects.published())
                .order_by()
                .annotate(
                    n=Func(
                        F("author_id"),
                        function="COUNT",
                        template="%(function)s(DISTINCT %(expressions)s)",
                    )
                )
                .values("n")[:1]
            )
        ),
    }


def _identity_language() -> Max:
    return Max(Subquery(SiteIdentity.objects.filter(pk=1).values("site_language")[:1]))


def stamps_from(row: dict) -> Stamps:
    return Stamps(
        identity=row.get("identity_stamp"),
        pages=row.get("pages_stamp"),
        page_count=row.get("pages_count") or 0,
        navigation=bool(row.get("navigation_stamp")),
        language=row.get("identity_language") or "",
        authors=row.get("authors_stamp"),
        several_authors=(row.get("authors_writing") or 0) > 1,
    )


def read_stamps() -> Stamps:
    """The stamps on their own, when no published post carries them: one query (two on a
    site with neither posts nor pages)."""
    row = Page.objects.aggregate(
        pages_stamp=Max("updated"),
        pages_count=Count("id"),
        navigation_stamp=Count("id", filter=Q(published=True, in_navigation=True)),
        identity_stamp=Max(Subquery(SiteIdentity.objects.filter(pk=1).values("updated")[:1])),
        identity_language=_identity_language(),
    )
    if not row["pages_count"]:  # no row for the subquery to ride on
        row["identity_stamp"], row["identity_language"] = SiteIdentity.objects.filter(
            pk=1
        ).values_list("updated", "site_language").first() or (None, "")
    return stamps_from(row)


@dataclass(frozen=True)
class PublicState:
    """The published posts' newest edit and publication time and their count, and the site's
    stamps."""

    updated: dt.datetime | None
    published: dt.datetime | None
    count: int
    site: Stamps


def public_state(request) -> PublicState:
    """The public site's state for this request, computed once (one query)."""
    cached = getattr(request, "_carnet_public_state", None)
    if cached is None:
        row = Post.objects.published().aggregate(
            updated=Max("updated"),
            published=Max("pub_date"),
            count=Count("id"),
            **stamp_aggregates(),
        )
        site = stamps_from(row) if row["count"] else read_stamps()
        cached = PublicState(row["updated"], row["published"], row["count"], site)
        request._carnet_public_state = cached
    return cached


def site_language(request) -> str:
    """The public site's language: the identity's « site language », else LANGUAGE_CODE (read
    with the public state's one query, which every public page makes anyway)."""
    return public_state(request).site.language or settings.LANGUAGE_CODE


def share_state(request, state: PublicState) -> None:
    """Give ``request`` a state already read: a static build renders all its pages from one
    unchanging state (blog.publishing), instead of the same query for each page."""
    request._carnet_public_state = state


def read_public_state() -> PublicState:
    """The public state outside a request (the static build reads it once)."""
    return public_state(SimpleNamespace())
