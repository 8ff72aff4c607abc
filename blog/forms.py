"""The admin's forms: the post editor (with checked image uploads) and the tag merge form."""

from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from blog.models import Post
from blog.uploads import ImageRejected, clean_image, store

ALT_HELP = _(
    "Required with an image. Say what the image shows and why it is here, in one sentence, "
    "as you would to someone on the phone (« A wooden desk with an open laptop and a notebook »). "
    "No « image of… », no file name."
)


class CheckedImageField(forms.ImageField):
    """An image checked by its content (blog.uploads), not by its name or Pillow's goodwill."""

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


class PostAdminForm(forms.ModelForm):
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
