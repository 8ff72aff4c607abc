"""What Post and Page share, written once: a Markdown body rendered on save, the source file.

Abstract models: their fields are copied into each concrete model's table (a field's
definition here must stay what the migrations say, or ``makemigrations`` sees a change).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from blog.rendering import RenderError, render_markdown
from blog.text import MAX_LANGUAGE_TAG, normalize_language, strip_control_chars


def numbered_slug(others: models.QuerySet, base: str) -> str:
    """``base``, else ``base-2``, ``base-3``…: the first slug no row of ``others`` has."""
    if connections[others.db].vendor == "sqlite":
        # SQLite's LIKE ignores case, so ``startswith`` read every slug (16 ms a save or
        # preview at 10,000 posts); a range of the slug index in its byte order reads only
        # ``base`` and ``base-…`` (« . » follows « - »). PostgreSQL's LIKE has its own index.
        near = others.filter(Q(slug=base) | Q(slug__gt=f"{base}-", slug__lt=f"{base}."))
    else:
        near = others.filter(slug__startswith=base)
    taken = set(near.order_by().values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


class MarkdownDocument(models.Model):
    """A title and a Markdown body whose sanitized HTML ``save()`` renders (the one pipeline).

    ``QuerySet.update()`` and ``bulk_create()`` bypass ``save()``: use them only for fields
    nothing here derives from, or call ``prepare()`` first (as the importer's bulk inserts do).
    """

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True, help_text=_("Markdown."))
    body_html = models.TextField(_("rendered body"), blank=True, editable=False)
    # Stored as ``normalize_language`` spells it (``en``, ``en-us``); "" is the site's language.
    language = models.CharField(
        _("language"),
        max_length=MAX_LANGUAGE_TAG,
        blank=True,
        help_text=_(
            "Only when this text is not in the site's language: a language tag such as en or "
            "en-US. Empty: the site's language."
        ),
    )

    # Saved along with ``body`` when a save names it in ``update_fields``.
    derived_fields: tuple[str, ...] = ("body_html",)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self.prepare()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, *self.derived_fields}  # update_or_create()
        super().save(*args, **kwargs)

    def prepare(self) -> None:
        """What ``save()`` derives before writing: clean text, rendered body."""
        self.title = strip_control_chars(self.title)
        self.description = strip_control_chars(self.description, multiline=True).strip()
        self.body = strip_control_chars(self.body, multiline=True)
        self.body_html = render_markdown(self.body)
        self.language = normalize_language(self.language) or ""

    def clean(self) -> None:
        errors = self.field_errors()
        if normalize_language(self.language) is None:
            errors["language"] = _(
                "Not a language tag: write one such as en, en-US or pt-BR (or leave it empty)."
            )
        try:
            render_markdown(strip_control_chars(self.body, multiline=True))
        except RenderError as exc:
            errors["body"] = str(exc)
        if errors:
            raise ValidationError(errors)

    def field_errors(self) -> dict[str, str]:
        """The model's own checks, before the body's (a body that cannot render)."""
        return {}


class SourceFile(models.Model):
    """Where an imported post or page came from: its identity for re-imports and what export
    writes back (the front matter as written keeps its key order and value types; jsonb keeps
    neither)."""

    source_path = models.CharField(
        _("source file"), max_length=500, null=True, blank=True, unique=True, editable=False
    )
    source_hash = models.CharField(max_length=64, blank=True, editable=False)
    # Front matter syntax (yaml, toml, json, "" for none), so export writes it back in it.
    source_format = models.CharField(max_length=10, blank=True, editable=False)
    source_front_matter = models.TextField(blank=True, editable=False)

    class Meta:
        abstract = True


def sized_image(verbose_name, *, name: str, upload_to: str, help_text, alt_verbose_name,
                alt_help_text) -> tuple[models.Field, ...]:  # fmt: skip
    """An optional image, its stored width and height, and its alt text (required with it: see
    ``alt_required``): ``image, image_width, image_height, image_alt = sized_image(...)``."""
    return (
        models.ImageField(
            verbose_name,
            upload_to=upload_to,
            blank=True,
            width_field=f"{name}_width",
            height_field=f"{name}_height",
            help_text=help_text,
        ),
        models.PositiveIntegerField(null=True, blank=True, editable=False),
        models.PositiveIntegerField(null=True, blank=True, editable=False),
        models.CharField(alt_verbose_name, max_length=300, blank=True, help_text=alt_help_text),
    )


def alt_required(image: str, *, name: str, message) -> models.CheckConstraint:
    """The database's own rule that the image ``image`` never goes without its alt text."""
    return models.CheckConstraint(
        condition=Q(**{image: ""}) | ~Q(**{f"{image}_alt": ""}),
        name=name,
        violation_error_message=message,
    )
