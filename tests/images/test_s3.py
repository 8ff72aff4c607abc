"""Media in an S3 bucket (CARNET_S3_BUCKET), against moto's S3 server on loopback.

Every object is read back as a reader's browser would: a plain HTTP GET of its URL, answered by
the S3 server itself (Carnet never sees it), so the headers checked are the bucket's. Nothing
is ever written under MEDIA_ROOT. Skipped with the reason where moto's server is missing (a
failure with CARNET_REQUIRE_S3=1, as in CI).
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import urllib.request
import uuid
from pathlib import Path
from unittest import mock

import feedparser
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import TestCase, override_settings
from django.urls import reverse
from PIL import Image

from blog.images import renditions
from blog.images.metadata import strip_metadata
from blog.images.s3 import IMMUTABLE, SHORT
from blog.models import Post, SiteIdentity
from site_config.settings import s3_media
from tests.support.factories import (
    identity_form_data,
    make_image,
    make_post,
    make_staff,
    post_form_data,
)
from tests.support.importing import Run, export, media_files, stored, write
from tests.support.process import run_manage
from tests.support.s3 import MotoServer, free_port

ADD = reverse("admin:blog_post_add")
UPLOAD = reverse("admin:blog_post_upload")


def image_bytes(fmt="JPEG", size=(120, 80), color=(200, 120, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def upload(name: str, data: bytes):
    file = io.BytesIO(data)
    file.name = name
    return file


def fetch(url: str):
    """(status, headers, body) of a plain GET, as a browser would load the image."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers, response.read()


class S3MediaTestCase(TestCase):
    """One moto server for the class; each test gets a new bucket and points the settings at it
    through the real settings code (``s3_media``), with the keys in the environment."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s3 = cls.enterClassContext(MotoServer())

    def setUp(self):
        super().setUp()
        self.bucket = f"media-{uuid.uuid4().hex[:12]}"
        self.s3.create_bucket(self.bucket)
        self.environ = self.s3.environ(self.bucket)
        self.enterContext(mock.patch.dict(os.environ, self.environ))
        self.media_url, storage = s3_media(self.environ)
        self.media_root = Path(self.enterContext(tempfile.TemporaryDirectory())) / "media"
        self.enterContext(
            override_settings(
                MEDIA_URL=self.media_url,
                MEDIA_ROOT=self.media_root,
                STORAGES={**settings.STORAGES, "default": storage},
            )
        )
        self.client.force_login(make_staff())

    def tearDown(self):
        self.assertFalse(self.media_root.exists(), "nothing is written under MEDIA_ROOT")
        super().tearDown()

    def objects(self) -> list[str]:
        listed = self.s3.client().list_objects_v2(Bucket=self.bucket)
        return sorted(item["Key"] for item in listed.get("Contents", []))


@pytest.mark.child_process
class SettingsTests(S3MediaTestCase):
    def test_media_url_is_the_bucket_and_urls_are_built_from_it(self):
        self.assertEqual(self.media_url, f"{self.s3.endpoint_url}/{self.bucket}/")
        self.assertEqual(
            default_storage.url("posts/Été 1.jpg"), f"{self.media_url}posts/%C3%89t%C3%A9%201.jpg"
        )

    def test_a_cdn_address_replaces_the_bucket_address(self):
        media_url, storage = s3_media({**self.environ, "CARNET_MEDIA_URL": "https://cdn.ex.org/m"})
        self.assertEqual(media_url, "https://cdn.ex.org/m/")
        with override_settings(STORAGES={**settings.STORAGES, "default": storage}):
            self.assertEqual(default_storage.url("posts/a.jpg"), "https://cdn.ex.org/m/posts/a.jpg")

    def test_a_media_url_that_is_not_an_address_is_refused_by_name(self):
        for wrong in ["cdn.example.org", "ftp://cdn.example.org/", "https:///media"]:
            with (
                self.subTest(wrong),
                self.assertRaisesMessage(ImproperlyConfigured, "CARNET_MEDIA_URL"),
            ):
                s3_media({**self.environ, "CARNET_MEDIA_URL": wrong})

    def test_the_process_settings_name_the_bucket_in_the_csp_and_serve_no_media_route(self):
        result = run_manage(
            "shell",
            "-c",
            "from django.conf import settings as s; from django.urls import get_resolver; "
            "print(s.MEDIA_URL); print(s.STORAGES['default']['BACKEND']); "
            "print(' '.join(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])); "
            "print('media' in get_resolver().reverse_dict)",
            env={**self.environ, "CARNET_REMOTE_IMAGES": "0"},
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        media_url, backend, img_src, route = result.stdout.split("\n")[-5:-1]
        self.assertEqual(media_url, self.media_url)
        self.assertEqual(backend, "blog.images.s3.MediaS3Storage")
        self.assertEqual(img_src, f"'self' {self.s3.endpoint_url} data: blob:")
        self.assertEqual(route, "False")  # /media/… is not the app's: no media view


class UploadTests(S3MediaTestCase):
    def test_a_featured_image_uploaded_in_the_admin_is_an_object_in_the_bucket(self):
        data = image_bytes()
        response = self.client.post(
            ADD,
            post_form_data(
                title="Illustré", body="Texte", image=upload("Vacances.jpg", data),
                image_alt="Un bureau",
            ),
        )  # fmt: skip
        self.assertEqual(response.status_code, 302, getattr(response, "context", None))
        post = Post.objects.get()
        self.assertEqual(self.objects(), [post.image.name])
        self.assertTrue(post.image.url.startswith(self.media_url))
        status, headers, body = fetch(post.image.url)
        self.assertEqual(status, 200)
        self.assertEqual(body, stored(post.image.name))
        self.assertEqual(headers["Content-Type"], "image/jpeg")
        self.assertEqual(headers["Cache-Control"], SHORT)  # an upload's name may come back
        self.assertIsNone(headers["Content-Disposition"])  # shown in an <img>

    def test_an_image_uploaded_into_a_body_is_served_by_the_bucket(self):
        response = self.client.post(UPLOAD, {"image": upload("carte.png", image_bytes("PNG"))})
        self.assertEqual(response.status_code, 200, response.content)
        url = response.json()["url"]
        self.assertTrue(url.startswith(f"{self.media_url}uploads/"), url)
        status, headers, body = fetch(url)
        self.assertEqual((status, headers["Content-Type"]), (200, "image/png"))
        self.assertEqual(Image.open(io.BytesIO(body)).format, "PNG")

    def test_two_uploads_with_one_name_never_overwrite_each_other(self):
        urls = []
        for color in [(255, 0, 0), (0, 0, 255)]:
            data = image_bytes("PNG", color=color)
            response = self.client.post(UPLOAD, {"image": upload("photo.png", data)})
            urls.append(response.json()["url"])
        self.assertNotEqual(urls[0], urls[1])
        colors = [Image.open(io.BytesIO(fetch(url)[2])).getpixel((0, 0)) for url in urls]
        self.assertEqual(colors, [(255, 0, 0), (0, 0, 255)])

    @override_settings(CARNET_MAX_IMAGE_BYTES=10 * 1024 * 1024)
    def test_the_identity_portrait_goes_to_the_bucket(self):
        SiteIdentity.objects.create()
        response = self.client.post(
            "/admin/blog/siteidentity/1/change/",
            identity_form_data(
                author_name="Zoé", portrait=make_image("moi.jpg"), portrait_alt="Zoé"
            ),
        )
        self.assertEqual(response.status_code, 302)
        portrait = SiteIdentity.objects.get().portrait
        self.assertEqual(self.objects(), [portrait.name])
        self.assertEqual(fetch(portrait.url)[1]["Content-Type"], "image/jpeg")

    def test_a_file_that_is_not_a_raster_image_is_a_download_whatever_its_name(self):
        """The bucket serves it, not Carnet: the object itself must say « download it »."""
        svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
        for name, data in [("posts/logo.svg", svg), ("notes/page.html", b"<script>x</script>")]:
            with self.subTest(name):
                saved = default_storage.save(name, ContentFile(data))
                status, headers, body = fetch(default_storage.url(saved))
                self.assertEqual(body, data)
                self.assertEqual(headers["Content-Type"], "application/octet-stream")
                self.assertEqual(headers["Content-Disposition"], "attachment")
        # And the type of an image comes from its bytes, not its name.
        saved = default_storage.save("posts/vraiment.txt", ContentFile(image_bytes("PNG")))
        headers = fetch(default_storage.url(saved))[1]
        self.assertEqual(headers["Content-Type"], "image/png")
        self.assertIsNone(headers["Content-Disposition"])


class RenditionTests(S3MediaTestCase):
    def picture_urls(self, html: str) -> list[str]:
        srcsets = re.findall(r'srcset="([^"]+)"', html)
        return sorted({part.split()[0] for srcset in srcsets for part in srcset.split(", ")})

    def test_renditions_are_made_in_the_bucket_and_cached_for_a_year(self):
        make_post(title="Photo", image=make_image(size=(1600, 1000)), image_alt="Un bureau")
        html = self.client.get("/blog/photo/").content.decode()
        urls = self.picture_urls(html)
        self.assertGreaterEqual(len(urls), 6)  # hero: 3 widths x (JPEG, WebP)
        for url in urls:
            self.assertTrue(url.startswith(f"{self.media_url}renditions/"), url)
            status, headers, body = fetch(url)
            expected = "image/webp" if url.endswith(".webp") else "image/jpeg"
            self.assertEqual((status, headers["Content-Type"]), (200, expected), url)
            self.assertEqual(headers["Cache-Control"], IMMUTABLE)
            self.assertEqual(Image.open(io.BytesIO(body)).format, expected.split("/")[1].upper())
        self.assertTrue(
            set(media_files("renditions/")) >= {u.removeprefix(self.media_url) for u in urls}
        )

    def test_a_known_picture_asks_the_bucket_nothing(self):
        """Pages do not make one S3 request per image: once a picture is known (in the process
        or, for another process, in the shared cache) it is served from memory."""
        make_post(title="Photo", image=make_image(size=(1600, 1000)), image_alt="Un bureau")
        first = self.client.get("/blog/photo/").content.decode()
        self.assertTrue(self.picture_urls(first))
        # The same bucket and addresses, through an endpoint where nothing answers.
        dead = {**self.environ, "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}"}
        _, storage = s3_media(dead)
        storage["OPTIONS"].update(custom_domain=f"127.0.0.1:{self.s3.port}/{self.bucket}")
        with override_settings(STORAGES={**settings.STORAGES, "default": storage}):
            again = self.client.get("/blog/photo/").content.decode()
            renditions.forget()  # another process: only the cache knows
            other = self.client.get("/blog/photo/").content.decode()
        self.assertEqual(self.picture_urls(again), self.picture_urls(first))
        self.assertEqual(self.picture_urls(other), self.picture_urls(first))

    def test_the_feed_enclosure_is_the_bucket_object_with_its_length(self):
        make_post(title="Photo", image=make_image(size=(1600, 1000)), image_alt="Un bureau")
        (entry,) = feedparser.parse(self.client.get("/feed/").content).entries
        (enclosure,) = entry.enclosures
        self.assertTrue(enclosure.href.startswith(f"{self.media_url}renditions/"), enclosure.href)
        self.assertEqual(int(enclosure.length), len(fetch(enclosure.href)[2]))


class PortingTests(S3MediaTestCase):
    def test_an_imported_folder_puts_its_images_in_the_bucket_and_export_reads_them_back(self):
        site = Path(self.enterContext(tempfile.TemporaryDirectory()))
        photo = image_bytes(size=(64, 48))
        write(site, "static/img/photo.jpg", photo)
        front = "---\ntitle: Un\ndate: 2020-01-01\nfeaturedimage: /img/photo.jpg\n---\n"
        write(site, "blog/un.md", f"{front}![Une vue](/img/photo.jpg)\n")
        front = "---\ntitle: Deux\ndate: 2020-01-02\n---\n"
        write(site, "blog/deux.md", f"{front}![La même](../static/img/photo.jpg)\n")
        run = Run(site)
        self.assertIsNone(run.error, run.stderr)
        (name,) = self.objects()  # one object for both posts: named by its content
        self.assertRegex(name, r"^posts/[0-9a-f]{24}\.jpg$")
        self.assertEqual(stored(name), strip_metadata(photo, ".jpg"))
        headers = fetch(f"{self.media_url}{name}")[1]
        self.assertEqual(
            (headers["Content-Type"], headers["Cache-Control"]), ("image/jpeg", IMMUTABLE)
        )
        self.assertIn(f"({self.media_url}{name})", Post.objects.get(title="Deux").body)

        again = Run(site)
        self.assertTrue(
            again.summary.startswith("0 created, 0 updated, 2 unchanged"), again.summary
        )
        self.assertEqual(self.objects(), [name])

        out = site / "out"
        self.assertIn("2 posts exported", export(out))
        exported = sorted(p for p in out.rglob("*.jpg"))
        self.assertTrue(exported)
        for path in exported:
            self.assertEqual(path.read_bytes(), stored(name), path)  # byte for byte
        self.assertNotIn(self.media_url, (out / "blog" / "deux.md").read_text())
