"""The admin's forms: the post editor (with checked image uploads), author profiles, tag merge."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override
from taggit.models import Tag

from blog import local_time
from blog.images.uploads import ImageRejected, clean_image, store
from blog.models import Author, Post

ALT_HELP = _(
    "Required with an image. Say what the image shows and why it is here, in one sentence, "
    "as you would to someone on the phone (« A wooden desk with an open laptop and a notebook »). "
    "No « image of… », no file name."
)


# What the editor's image button writes as the image's description, for the author to replace.
BODY_IMAGE_ALT = _("Describe the image")


def placeholder_alts() -> set[str]:
    """The placeholder in every admin language: a post begun in English may be saved in French."""
    found = {str(BODY_IMAGE_ALT)}
    for code, _name in settings.LANGUAGES:
        with override(code):
            found.add(str(BODY_IMAGE_ALT))
    return found


def refuse_placeholder_alt(body: str) -> str:
    """``body`` unchanged, or a form error if an image's description is still the placeholder.

    An empty description (``![](…)``, a decorative image) is the author's choice and passes.
    """
    for placeholder in sorted(placeholder_alts()):
        if re.search(r"!\[\s*" + re.escape(placeholder) + r"\s*\][(\[]", body, re.IGNORECASE):
            raise ValidationError(
                _(
                    "An image's description is still « %(placeholder)s »: replace it, between "
                    "the square brackets, with what the image shows (or leave the brackets empty, "
                    "![](…), for a purely decorative image). Nothing was saved."
                ),
                code="placeholder_alt",
                params={"placeholder": placeholder},
            )
    return body


class BodyImageAltMixin:
    """A ModelForm with a ``body`` whose images' descriptions may not be the placeholder.

    The preview turns the check off: it shows the body as typed, image included."""

    refuse_placeholder_alt = True

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        return refuse_placeholder_alt(body) if self.refuse_placeholder_alt else body


class CheckedImageField(forms.ImageField):
    """An image checked by its content (blog.images.uploads), not by its name or Pillow's
    goodwill."""

    def to_python(self, data):
        upload = forms.FileField.to_python(self, data)
        if upload is None:
            return None
        try:
            upload.carnet_image = clean_image(upload)
        except ImageRejected as exc:
            raise ValidationError(str(exc), code="invalid_image") from None
        upload.content_type = upload.carnet_image.content_type
        return upload


class ThumbnailFileInput(AdminFileWidget):
    """The admin's file input with a thumbnail of the current image."""

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        if value and getattr(value, "url", None):
            thumb = format_html(
                '<img src="{}" alt="" class="carnet-thumb carnet-thumb--form" height="90">',
                value.url,
            )
            return format_html("{}{}", thumb, html)
        return html


class PostAdminForm(BodyImageAltMixin, forms.ModelForm):
    # The preview renders the form's data without writing any file.
    store_uploads = True
    # PostAdmin gives each request's form class a list: files written here that the admin
    # removes again if the post is not saved after all (an inline form with an error).
    stored_files: list[str] | None = None

    class Meta:
        model = Post
        fields = [
            "title",
            "slug",
            "description",
            "body",
            "language",
            "tags",
            "status",
            "pub_date",
            "featured",
            "image",
            "image_alt",
        ]
        field_classes = {"image": CheckedImageField}
        widgets = {"image": ThumbnailFileInput(attrs={"accept": "image/*"})}
        help_texts = {
            "image_alt": ALT_HELP,
            "slug": _(
                "The post's address on the site: /blog/this-slug/. Made from the title (accents "
                "folded) when left empty; you may change it."
            ),
        }
        error_messages = {
            "slug": {"unique": _("Another post already has this address: choose another slug.")}
        }

    def new_image(self):
        image = self.cleaned_data.get("image") if hasattr(self, "cleaned_data") else None
        return getattr(image, "carnet_image", None)

    def clean(self):
        cleaned = super().clean()
        image = self.new_image()
        # Written now, so that a full disk is a form error; only once nothing else is wrong
        # (the alt text is checked by Post.clean, which runs after this).
        if image and self.store_uploads and not self.errors and cleaned.get("image_alt"):
            name = Post._meta.get_field("image").generate_filename(self.instance, image.filename)
            try:
                cleaned["image"] = store(image, name)
                if self.stored_files is not None:
                    self.stored_files.append(cleaned["image"])
            except OSError:
                self.add_error(
                    "image",
                    _(
                        "The image could not be written to the disk (is it full?). "
                        "Nothing was saved."
                    ),
                )
        return cleaned


class HttpsURLField(forms.URLField):
    """« linkedin.com/in/zoe » means https:// (Django 6's default, asked for now)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class AuthorForm(forms.ModelForm):
    """An author profile; the portrait goes through the same checks and re-encoding as post
    images (and the site identity's portrait)."""

    class Meta:
        model = Author
        fields = ["name", "slug", "bio", "portrait", "portrait_alt", "linkedin", "upwork",
                  "malt", "github", "email", "other_url", "other_label", "user"]  # fmt: skip
        field_classes = {
            "portrait": CheckedImageField,
            **{
                name: HttpsURLField
                for name in ("linkedin", "upwork", "malt", "github", "other_url")
            },
        }
        widgets = {"portrait": ThumbnailFileInput(attrs={"accept": "image/*"})}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        others = Author.objects.named(name).exclude(pk=self.instance.pk)
        if name and others.exists():
            raise ValidationError(
                _("Another author is already called « %(name)s » (case and accents aside)."),
                params={"name": others.first().name},
            )
        return name

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("portrait")
        image = getattr(upload, "carnet_image", None)
        if image and not self.errors and not cleaned.get("portrait_alt"):
            self.add_error(
                "portrait_alt", _("Describe the portrait for readers who cannot see it.")
            )
        if image and not self.errors:
            field = Author._meta.get_field("portrait")
            try:
                cleaned["portrait"] = store(
                    image, field.generate_filename(self.instance, image.filename)
                )
            except OSError:
                self.add_error(
                    "portrait", _("The image could not be written to the disk (is it full?).")
                )
        return cleaned


class BodyImageForm(forms.Form):
    image = CheckedImageField()


class MergeTagsForm(forms.Form):
    """Merge the selected tags into one: an existing tag or a new name."""

    name = forms.CharField(
        label=_("Name of the tag to keep"),
        max_length=100,
        help_text=_("One of the selected tags, another existing tag or a new name."),
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(_("Give the tag a name."))
        return name

    def target(self) -> Tag:
        name = self.cleaned_data["name"]
        tag = Tag.objects.filter(name__iexact=name).first()
        return tag or Tag.objects.create(name=name)


class SiteTimeSplitDateTimeField(forms.SplitDateTimeField):
    """The admin's date + time inputs, read in the site's time zone.

    On the nights the clocks change, a typed time may not exist or exist twice: the editor is
    told which and what to pick (Django's own message only says it "may be ambiguous or may not
    exist"), instead of the post being scheduled an hour off.
    """

    def compress(self, data_list):
        if data_list and all(data_list):
            naive = dt.datetime.combine(*data_list)
            kind = local_time.gap_or_overlap(naive)
            when = date_format(naive, "DATETIME_FORMAT")
            zone = local_time.zone_name()
            if kind == "nonexistent":
                # Through UTC: astimezone() to the same zone would hand back 02:30 unchanged.
                instant = local_time.read_naive(naive).astimezone(dt.UTC)
                instead = timezone.localtime(instant, local_time.site_zone())
                raise ValidationError(
                    _(
                        "%(when)s does not exist in the %(zone)s time zone: the clocks go "
                        "forward an hour that night. Pick another time, e.g. %(instead)s."
                    ),
                    code="nonexistent_time",
                    params={"when": when, "zone": zone, "instead": time_format(instead)},
                )
            if kind == "ambiguous":
                raise ValidationError(
                    _(
                        "%(when)s happens twice in the %(zone)s time zone: the clocks go back "
                        "an hour that night. Pick a time outside the repeated hour."
                    ),
                    code="ambiguous_time",
                    params={"when": when, "zone": zone},
                )
        return super().compress(data_list)
