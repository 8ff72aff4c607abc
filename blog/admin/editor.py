"""The editor's helpers behind PostAdmin.get_urls(): live preview, body image upload, tag names.

All three go through ``admin_site.admin_view`` (staff of the admin only, CSRF-protected, never
cached) and check the post permissions themselves. ``editor_config`` is what editor.js needs, for
the post and the page admins alike (both import it from here, not from each other).
"""

from __future__ import annotations

import base64
import io

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.fields.files import ImageFieldFile
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image
from taggit.models import Tag

from blog.admin.forms import BODY_IMAGE_ALT, BodyImageForm
from blog.images.uploads import CleanImage, body_image_name, store
from blog.models import Post
from blog.rendering import RenderError
from blog.site.stamps import site_language

TOOLBAR_LABELS = {
    "bold": gettext_lazy("Bold"),
    "italic": gettext_lazy("Italic"),
    "heading": gettext_lazy("Heading"),
    "link": gettext_lazy("Link"),
    "list": gettext_lazy("List"),
    "quote": gettext_lazy("Quote"),
    "code": gettext_lazy("Code"),
    "image": gettext_lazy("Insert an image (or drop it on the text)"),
}
TOOLBAR_BUTTONS = {
    "linkButton": gettext_lazy("Link"),
    "imageButton": gettext_lazy("Image"),
}


def editor_config(*, preview_url: str, preview_label, tags_url: str, prefill_slug: bool) -> dict:
    """What blog/static/blog/admin/editor.js needs, for the post and the page forms alike."""
    return {
        "previewUrl": preview_url,
        "uploadUrl": reverse("admin:blog_post_upload"),
        "tagsUrl": tags_url,
        "prefillSlug": prefill_slug,
        "uploadingLabel": str(_("Uploading…")),
        "previewLabel": str(preview_label),
        "toolbarLabel": str(_("Markdown formatting")),
        "toolbar": {name: str(label) for name, label in TOOLBAR_LABELS.items()},
        "placeholders": {
            "bold": str(_("bold")),
            "italic": str(_("italic")),
            "link": str(_("link text")),
            **{key: str(label) for key, label in TOOLBAR_BUTTONS.items()},
        },
    }


TAG_SUGGESTIONS = 10
PREVIEW_IMAGE_WIDTH = 1200


def require_writer(model_admin, request, obj=None) -> None:
    """The form's own rule: an existing object needs the change permission on it (an Auteur's
    draft, not a published post); a new one the add permission; no object, either."""
    if obj is not None:
        allowed = model_admin.has_change_permission(request, obj)
    else:
        allowed = model_admin.has_add_permission(request) or model_admin.has_change_permission(
            request
        )
    if not allowed:
        raise PermissionDenied


def preview(model_admin, request, object_id=None) -> HttpResponse:
    """The post page as it would look with the form's data, rendered by the public template.

    The post and its tags are saved inside a transaction that is rolled back once the page is
    rendered: the template sees a real post (tags, reading time, rendered body) and nothing stays.
    """
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    obj = model_admin.get_object(request, object_id) if object_id else None
    require_writer(model_admin, request, obj)
    form_class = model_admin.get_form(request, obj, change=obj is not None)
    form = form_class(request.POST, request.FILES, instance=obj)
    form.store_uploads = False
    form.refuse_placeholder_alt = False  # the image just inserted is shown; saving refuses it
    form.is_valid()  # whatever is valid is applied to form.instance; the rest keeps its value
    post = form.instance
    post.slug = post.unique_slug(post.slug or post.title)
    new_image = form.new_image()
    if new_image:
        post.image = _InlineImageFile(post, new_image)
    if post.image and not post.image_alt:
        post.image_alt = _("(alt text missing)")

    def save():
        post.save()
        if "tags" in form.cleaned_data:
            post.tags.set(form.cleaned_data["tags"], clear=True)
        if obj is None:  # a new post: by its creator, as saving it would make it
            post.set_authors([model_admin.new_post_author(request)])

    return render_rolled_back(request, save, "blog/post_detail.html", {"post": post})


def render_rolled_back(request, save, template: str, context: dict) -> HttpResponse:
    """Call ``save()``, render ``template``, then roll back: a preview leaves nothing behind.

    The template sees real rows (tags, rendered body, reading time) as the site would; a body
    the pipeline refuses is shown as its message. Never indexed. The page speaks the site's
    language, as readers will see it, whatever the editor's admin language.
    """
    try:
        with transaction.atomic():
            save()
            with translation.override(site_language(request)):
                html = render_to_string(template, context, request=request)
            transaction.set_rollback(True)
    except RenderError as exc:
        html = f'<p class="notice" role="alert">{escape(exc)}</p>'
    response = HttpResponse(html)
    response["X-Robots-Tag"] = "noindex"
    return response


class _InlineImageFile(ImageFieldFile):
    """A featured image chosen but not saved yet, shown in the preview as a data: URL.

    Marked as committed, so saving the post writes no file (and the transaction rolls back).
    """

    def __init__(self, post: Post, image: CleanImage):
        super().__init__(post, Post._meta.get_field("image"), "preview")
        self._committed = True
        self._dimensions_cache = (image.width, image.height)
        self._data_url = _data_url(image)

    @property
    def url(self) -> str:
        return self._data_url


def _data_url(image: CleanImage) -> str:
    """A small JPEG of the image (the preview is rendered again as the editor types)."""
    picture = Image.open(io.BytesIO(image.content))
    picture.thumbnail((PREVIEW_IMAGE_WIDTH, PREVIEW_IMAGE_WIDTH))
    out = io.BytesIO()
    picture.convert("RGB").save(out, "JPEG", quality=80)
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def upload_body_image(model_admin, request) -> JsonResponse:
    """Store an image for a post's body; answer with the Markdown to insert."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    require_writer(model_admin, request)
    if "post" in request.GET:
        # The editor of an existing post names it: only who may change that post adds to it.
        post_id = request.GET["post"]
        post = model_admin.get_object(request, post_id) if post_id.isdigit() else None
        if post is None:
            raise Http404
        require_writer(model_admin, request, post)
    form = BodyImageForm(request.POST, request.FILES)
    if not form.is_valid():
        return JsonResponse({"error": " ".join(form.errors["image"])}, status=400)
    image = form.cleaned_data["image"].carnet_image
    try:
        name = store(image, body_image_name(image))
    except OSError:
        return JsonResponse(
            {"error": _("The image could not be written to the disk (is it full?).")}, status=507
        )
    url = default_storage.url(name)
    alt = str(BODY_IMAGE_ALT)
    return JsonResponse({"url": url, "markdown": f"![{alt}]({url})", "alt": alt})


def tag_suggestions(model_admin, request) -> JsonResponse:
    """Existing tag names starting with (then containing) what is being typed."""
    require_writer(model_admin, request)
    query = request.GET.get("q", "").strip()
    if not query:
        return JsonResponse({"tags": []})
    starting = list(
        Tag.objects.filter(name__istartswith=query)
        .order_by("name")
        .values_list("name", flat=True)[:TAG_SUGGESTIONS]
    )
    containing = (
        Tag.objects.filter(name__icontains=query)
        .exclude(name__istartswith=query)
        .order_by("name")
        .values_list("name", flat=True)[: TAG_SUGGESTIONS - len(starting)]
    )
    return JsonResponse({"tags": starting + list(containing)})
