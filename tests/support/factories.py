"""Plain helpers that make rows for tests: deterministic data reads better in a failure."""

from __future__ import annotations

import datetime as dt
import io
import itertools

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from blog.models import Author, Post

_counter = itertools.count(1)


def make_post(*, tags: list[str] | None = None, **overrides) -> Post:
    """A published post dated yesterday, unless told otherwise."""
    n = next(_counter)
    overrides.setdefault("title", f"Article de test {n}")
    overrides.setdefault("body", f"Le **corps** de l'article {n}.")
    overrides.setdefault("description", f"Description {n}")
    overrides.setdefault("status", Post.Status.PUBLISHED)
    overrides.setdefault("pub_date", timezone.now() - dt.timedelta(days=1, minutes=n))
    post = Post.objects.create(**overrides)
    if tags:
        post.tags.add(*tags)
    return post


def make_author(name: str, *, user=None, **fields) -> Author:
    """An author profile (linked to ``user`` when given)."""
    return Author.objects.create(name=name, user=user, **fields)


def own(post: Post, user) -> Post:
    """Make ``user`` (their profile, made when missing) the post's only author."""
    profile = Author.objects.filter(user=user).first() or make_author(user.username, user=user)
    post.set_authors([profile])
    return post


def make_image(name: str = "photo.jpg", size=(120, 80), fmt: str = "JPEG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, fmt)
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png"}.get(fmt, "application/octet-stream")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def make_staff(username: str = "editrice", **extra):
    extra.setdefault("is_staff", True)
    extra.setdefault("is_superuser", True)
    return get_user_model().objects.create_user(
        username=username, password="mot-de-passe-solide", email=f"{username}@example.org", **extra
    )


def post_form_data(post: Post | None = None, **overrides) -> dict:
    """The admin's post form as a browser sends it: a draft dated 23/05/2020 13:37:58 with no
    redirects, or ``post`` as it stands (its tags left empty); a None value leaves a field out."""
    data = {
        "title": "Titre",
        "slug": "",
        "description": "",
        "body": "Texte.",
        "tags": "",
        "status": "draft",
        "pub_date_0": "23/05/2020",
        "pub_date_1": "13:37:58",
        "image_alt": "",
        "redirects-TOTAL_FORMS": "0",
        "redirects-INITIAL_FORMS": "0",
        # The authors inline (Éditeurs only): none sent, the post keeps its authors.
        "author_links-TOTAL_FORMS": "0",
        "author_links-INITIAL_FORMS": "0",
    }
    if post is not None:
        local = timezone.localtime(post.pub_date)
        data.update(
            title=post.title,
            slug=post.slug,
            description=post.description,
            body=post.body,
            language=post.language,
            status=post.status,
            pub_date_0=local.strftime("%d/%m/%Y"),
            pub_date_1=local.strftime("%H:%M:%S"),
        )
        if post.featured:
            data["featured"] = "on"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def page_form_data(**overrides) -> dict:
    """The admin's page form as a browser sends it: an unpublished page "Tarifs", out of the
    navigation; a None value leaves a field out."""
    data = {"title": "Tarifs", "slug": "tarifs", "body": "", "navigation_order": 0}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


IDENTITY_FIELDS = ("site_name", "tagline", "home_heading", "introduction", "author_name", "bio",
                   "portrait_alt", "linkedin", "upwork", "malt", "github", "email", "other_url",
                   "other_label")  # fmt: skip


def identity_form_data(**overrides) -> dict:
    """The admin's site identity form as a browser sends it: every field empty but ``overrides``."""
    return {name: "" for name in IDENTITY_FIELDS} | overrides
