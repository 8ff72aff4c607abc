"""Who writes: public author profiles, each maybe linked to a user account."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from blog.addresses import address
from blog.models.base import alt_required, numbered_slug, sized_image
from blog.models.site import SiteIdentity
from blog.text import ascii_slugify, name_key, strip_control_chars

# The profile links an author may show, as the site identity has them (same names, same order).
PROFILE_FIELDS = ("linkedin", "upwork", "malt", "github", "email", "other_url", "other_label")


class AuthorQuerySet(models.QuerySet):
    def named(self, name: str) -> AuthorQuerySet:
        """The profile with this name, whatever its case, accents or spacing."""
        return self.filter(name_key=name_key(name))

    def with_published_posts(self) -> AuthorQuerySet:
        """Authors of at least one published post (an author page with none is a 404).

        One probe of each author's links (EXISTS), not a DISTINCT over every link of every
        post: the sitemap's authors cost the same at any number of posts."""
        links = self.model._meta.get_field("post_links").related_model.objects.filter(
            author=models.OuterRef("pk"),
            post__status="published",
            post__pub_date__lte=timezone.now(),
        )
        return self.filter(models.Exists(links))

    def with_published_counts(self) -> AuthorQuerySet:
        """Authors of at least one published post, each with ``num_posts``: how many (drafts
        and scheduled posts never count), in one query."""
        published = models.Q(posts__status="published", posts__pub_date__lte=timezone.now())
        return self.annotate(num_posts=models.Count("posts", filter=published)).filter(
            num_posts__gt=0
        )

    def of_user(self, user) -> AuthorQuerySet:
        return self.filter(user=user) if user.is_authenticated else self.none()


class Author(models.Model):
    """A public author profile: a byline, an author page, the author box under a post."""

    name = models.CharField(_("name"), max_length=100, help_text=_("As shown in bylines."))
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        blank=True,
        help_text=_("The author page's address: /auteurs/<slug>/. Made from the name when empty."),
    )
    # The name as matching compares it (blog.text.name_key): one profile per person.
    name_key = models.CharField(max_length=100, unique=True, editable=False)
    bio = models.TextField(
        _("short bio"),
        max_length=1000,
        blank=True,
        help_text=_("Two or three sentences, shown on the author page and under their posts."),
    )
    portrait, portrait_width, portrait_height, portrait_alt = sized_image(
        _("portrait"),
        name="portrait",
        upload_to="authors/",
        help_text=_("Shown on the author page. JPEG, PNG, WebP or GIF."),
        alt_verbose_name=_("portrait alt text"),
        alt_help_text=_("Required with a portrait, e.g. « Zoé smiling at her desk »."),
    )
    linkedin = models.URLField(_("LinkedIn profile"), blank=True)
    upwork = models.URLField(_("Upwork profile"), blank=True)
    malt = models.URLField(_("Malt profile"), blank=True)
    github = models.URLField(_("GitHub profile"), blank=True)
    email = models.EmailField(_("public email address"), blank=True)
    other_url = models.URLField(_("other link"), blank=True)
    other_label = models.CharField(_("other link's label"), max_length=60, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author_profile",
        verbose_name=_("user account"),
        help_text=_(
            "The account that writes as this author: its new posts are theirs, and an Auteur "
            "edits only the posts they are an author of."
        ),
    )
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = AuthorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        constraints = [
            alt_required(
                "portrait",
                name="author_portrait_needs_alt",
                message=_("A portrait needs its alt text."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.name = strip_control_chars(self.name).strip()
        self.name_key = name_key(self.name)
        self.portrait_alt = strip_control_chars(self.portrait_alt)
        if not self.slug:
            self.slug = self.unique_slug(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return address("blog:author", slug=self.slug)

    def unique_slug(self, name: str) -> str:
        base = ascii_slugify(name)[:90].strip("-") or "auteur"
        return numbered_slug(Author.objects.exclude(pk=self.pk), base)

    @classmethod
    def for_name(cls, name: str) -> Author:
        """The profile with this name (case and accents ignored), made when there is none."""
        name = strip_control_chars(name).strip()[:100]
        found = cls.objects.named(name).first()
        return found or cls.objects.create(name=name)


def site_author_name() -> str:
    """Whose voice the site is: the identity's author, else CARNET_AUTHOR, else the site's name
    (the order of migration 0009, which made the first profile from it)."""
    row = SiteIdentity.objects.filter(pk=1).only("author_name", "site_name").first()
    for candidate in (
        row.author_name if row else "",
        settings.CARNET_AUTHOR,
        row.site_name if row else "",
        settings.CARNET_SITE_NAME,
    ):
        if name := strip_control_chars(str(candidate or "")).strip():
            return name[:100]
    return "Carnet"


def site_author(*, create: bool = True) -> Author | None:
    """The profile a post gets when nobody else is named (an import without ``author``, an
    Éditeur with no profile of their own): the site identity's author, else the oldest
    profile, else one made from ``site_author_name()`` (None if ``create`` is false)."""
    name = site_author_name()
    found = Author.objects.named(name).first() or Author.objects.order_by("pk").first()
    if found is None and create:
        found = Author.for_name(name)
    return found
