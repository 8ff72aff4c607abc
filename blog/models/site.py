"""The freelancer's own pages: the site's identity, standalone pages, contact messages."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext_lazy as _

from blog.models.base import MarkdownDocument, SourceFile, alt_required, sized_image
from blog.roles import may_see_unpublished
from blog.text import strip_control_chars

# Addresses the site already uses (or will): a page may not take them. The URL resolver is
# asked too (``clashing_route``), so a route added later is refused without editing this.
RESERVED_SLUGS = {
    "admin",
    "archive",
    "auteurs",
    "blog",
    "contact",
    "feed",
    "media",
    "robots.txt",
    "search",
    "sitemap.xml",
    "static",
    "tags",
}


def clashing_route(slug: str) -> bool:
    """True when /<slug>/ (or anything under it) belongs to another part of the site."""
    if slug.lower() in RESERVED_SLUGS:
        return True
    for path in (f"/{slug}/", f"/{slug}"):
        try:
            match = resolve(path)
        except Resolver404:
            continue
        if match.url_name != "page":
            return True
    return False


class SiteIdentity(models.Model):
    """The one row saying who the site is by: shown in the header, footer, home and about page.

    An empty field falls back to the settings (CARNET_SITE_NAME, CARNET_TAGLINE, CARNET_AUTHOR),
    so a fresh install is not empty. Read it through ``blog.site.identity.load``, never
    directly.
    """

    site_name = models.CharField(
        _("site name"), max_length=100, blank=True, help_text=_("Empty: CARNET_SITE_NAME.")
    )
    tagline = models.CharField(
        _("tagline"), max_length=200, blank=True, help_text=_("Empty: CARNET_TAGLINE.")
    )
    home_heading = models.CharField(
        _("home page heading"),
        max_length=200,
        blank=True,
        help_text=_("The home page's title. Empty: the site name."),
    )
    introduction = models.TextField(
        _("home page introduction"),
        blank=True,
        max_length=1000,
        help_text=_("A few sentences at the top of the home page."),
    )
    author_name = models.CharField(
        _("author name"), max_length=100, blank=True, help_text=_("Empty: CARNET_AUTHOR.")
    )
    bio = models.TextField(
        _("short bio"),
        max_length=1000,
        blank=True,
        help_text=_("Who you are and what you offer, in two or three sentences."),
    )
    portrait, portrait_width, portrait_height, portrait_alt = sized_image(
        _("portrait"),
        name="portrait",
        upload_to="identity/",
        help_text=_("Shown on the about page. JPEG, PNG, WebP or GIF."),
        alt_verbose_name=_("portrait alt text"),
        alt_help_text=_("Required with a portrait, e.g. « Zoé smiling at her desk »."),
    )
    linkedin = models.URLField(_("LinkedIn profile"), blank=True)
    upwork = models.URLField(_("Upwork profile"), blank=True)
    malt = models.URLField(_("Malt profile"), blank=True)
    github = models.URLField(_("GitHub profile"), blank=True)
    email = models.EmailField(
        _("public email address"),
        blank=True,
        help_text=_("Shown as a link; receives the contact messages too."),
    )
    other_url = models.URLField(_("other link"), blank=True)
    other_label = models.CharField(
        _("other link's label"),
        max_length=60,
        blank=True,
        help_text=_("Required with another link, e.g. « My portfolio »."),
    )
    # Read with the public state's one query (blog.site.stamps), before any page renders.
    site_language = models.CharField(
        _("site language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_(
            "The language of the public site (pages, dates, feeds, emails), whatever the "
            "reader's browser. Empty: DJANGO_LANGUAGE_CODE."
        ),
    )
    # Where the identity came from (a Gatsby index-page), so export can write it back.
    source_path = models.CharField(max_length=500, blank=True, editable=False)
    source_meta = models.JSONField(default=dict, blank=True, editable=False)
    source_front_matter = models.TextField(blank=True, editable=False)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("site identity")
        verbose_name_plural = _("site identity")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="site_identity_single_row"),
            alt_required(
                "portrait",
                name="site_identity_portrait_needs_alt",
                message=_("A portrait needs its alt text."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Site identity"))

    def save(self, *args, **kwargs) -> None:
        """There is one identity: whatever the caller says, it is row 1."""
        self.pk = 1
        for name in ("site_name", "tagline", "home_heading", "author_name", "other_label"):
            setattr(self, name, strip_control_chars(getattr(self, name)))
        for name in ("introduction", "bio"):
            setattr(self, name, strip_control_chars(getattr(self, name), multiline=True).strip())
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = {}
        if self.portrait and not self.portrait_alt.strip():
            errors["portrait_alt"] = _("Describe the portrait for readers who cannot see it.")
        if self.other_url and not self.other_label.strip():
            errors["other_label"] = _("Give the other link a label.")
        if errors:
            raise ValidationError(errors)


class PageQuerySet(models.QuerySet):
    def published(self) -> PageQuerySet:
        return self.filter(published=True)

    def visible_to(self, user) -> PageQuerySet:
        """What ``user`` may read on the public site: unpublished pages too for their editors."""
        return self if may_see_unpublished(user, self.model) else self.published()

    def navigation(self) -> PageQuerySet:
        """Published pages shown in the main navigation, in their order."""
        return self.published().filter(in_navigation=True).order_by("navigation_order", "title")


class Page(MarkdownDocument, SourceFile):
    """A standalone page (about, services…) at /<slug>/: never in feeds or post lists."""

    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        help_text=_("The page's address on the site: « a-propos » gives /a-propos/."),
    )
    description = models.TextField(
        _("meta description"),
        blank=True,
        max_length=300,
        help_text=_("One or two sentences for search engines and shared links."),
    )
    published = models.BooleanField(
        _("published"), default=False, help_text=_("An unpublished page is seen by staff only.")
    )
    in_navigation = models.BooleanField(
        _("in the navigation"),
        default=False,
        help_text=_("Show a link to the page in the site's main navigation."),
    )
    show_identity = models.BooleanField(
        _("show the author card"),
        default=False,
        help_text=_("Portrait, bio and profile links from the site identity."),
    )
    navigation_order = models.PositiveSmallIntegerField(
        _("order in the navigation"), default=0, help_text=_("Smaller numbers come first.")
    )
    # Structured extras from a Gatsby page (blurbs, pricing plans, testimonials, images), shown
    # by the page template and written back by export: {"template": ..., "meta": {...}}.
    extras = models.JSONField(_("extras"), default=dict, blank=True, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = PageQuerySet.as_manager()

    class Meta:
        ordering = ["navigation_order", "title"]
        verbose_name = _("page")
        verbose_name_plural = _("pages")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("page", kwargs={"slug": self.slug})

    def field_errors(self) -> dict[str, str]:
        errors = {}
        if self.slug and clashing_route(self.slug):
            errors["slug"] = _(
                "The address /%(slug)s/ is already used by the site (blog, tags, search, "
                "feeds, contact, admin…): choose another slug."
            ) % {"slug": self.slug}
        return errors


class ContactMessage(models.Model):
    """A message sent through /contact/: stored before it is mailed, so nothing is lost."""

    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("email address"))
    subject = models.CharField(_("subject"), max_length=150)
    message = models.TextField(_("message"), max_length=5000)
    created = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    read = models.BooleanField(_("read"), default=False, db_index=True)
    mailed = models.BooleanField(
        _("mailed"), default=False, help_text=_("Sent to the owner's mailbox.")
    )
    mail_error = models.TextField(_("mail error"), blank=True)
    # Past the hourly limit the message is kept and flagged, not dropped: otherwise anyone
    # could send three messages with someone's address and silence that person for an hour.
    rate_limited = models.BooleanField(
        _("over the limit"),
        default=False,
        db_index=True,
        help_text=_(
            "Sent past the hourly limit for its address or its network: kept here, not mailed."
        ),
    )
    # A keyed hash of the sender's network address (never the address itself): what the
    # hourly limit counts besides the email address (blog.public.contact).
    sender_network = models.CharField(max_length=64, blank=True, editable=False, db_index=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("contact message")
        verbose_name_plural = _("contact messages")

    def __str__(self) -> str:
        return f"{self.name}: {self.subject}"
