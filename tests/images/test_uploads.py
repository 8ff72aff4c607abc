"""Uploaded images are checked by content, re-encoded, and written all or nothing."""

import io
import random
import resource
import signal
import struct
import zlib
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse
from PIL import ExifTags, Image

from blog.models import Post, Redirect
from tests.support.factories import make_staff, post_form_data
from tests.support.importing import media_files, stored
from tests.support.s3 import filesystem_only

ADD = reverse("admin:blog_post_add")
UPLOAD = reverse("admin:blog_post_upload")
CHANGELIST = reverse("admin:blog_post_changelist")


def image_bytes(fmt="JPEG", size=(120, 80), mode="RGB", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (200, 120, 40) if mode == "RGB" else 1).save(buffer, fmt, **save)
    return buffer.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def jpeg_with_gps_and_rotation() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # "rotate 90° clockwise to display"
    exif[ExifTags.Base.Make] = "Appareil"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (48.0, 51.0, 24.0)}
    )
    return image_bytes(size=(120, 80), exif=exif.tobytes())


def png_bomb() -> bytes:
    """A 10,000 × 10,000 PNG (100 megapixels) of a few kilobytes, written by hand."""
    width = height = 10_000

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    rows = zlib.compress(b"\x00" * ((width // 8 + 1) * height), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


class BodyImageUploadTests(TestCase):
    """The editor's image button: what is accepted, what is refused, what is stored."""

    def setUp(self):
        self.client.force_login(make_staff())

    def post(self, file):
        return self.client.post(UPLOAD, {"image": file})

    def stored(self, response) -> PurePosixPath:
        """The name the upload was stored under (its URL is MEDIA_URL + that name)."""
        url = response.json()["url"]
        self.assertTrue(url.startswith(settings.MEDIA_URL))
        return PurePosixPath(url.removeprefix(settings.MEDIA_URL))

    def test_each_accepted_type_is_stored_as_itself(self):
        for fmt, ext in [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp"), ("GIF", "gif")]:
            with self.subTest(fmt):
                response = self.post(upload(f"Mon Été.{ext}", image_bytes(fmt)))
                self.assertEqual(response.status_code, 200, response.content)
                path = self.stored(response)
                self.assertEqual(path.suffix, f".{ext}")
                self.assertIn("mon-ete", path.name)
                self.assertEqual(Image.open(io.BytesIO(stored(str(path)))).format, fmt)
                self.assertEqual(
                    response.json()["markdown"], f"![Décrivez l'image]({response.json()['url']})"
                )

    def test_comments_are_not_kept(self):
        """Pillow would copy a JPEG or GIF comment into the re-encoded file: it must not."""
        for fmt, ext in [("JPEG", "jpg"), ("GIF", "gif")]:
            with self.subTest(fmt):
                data = image_bytes(fmt, comment=b"Chez moi, 12 rue des Lilas")
                self.assertIn(b"Lilas", data)
                path = self.stored(self.post(upload(f"note.{ext}", data)))
                self.assertNotIn(b"Lilas", stored(str(path)))

    def test_type_comes_from_the_content_not_the_name(self):
        response = self.post(upload("photo.jpg", image_bytes("PNG")))
        self.assertTrue(self.stored(response).name.endswith(".png"))

    def assert_refused(self, file, message):
        response = self.post(file)
        self.assertEqual(response.status_code, 400)
        self.assertIn(message, response.json()["error"])
        self.assertEqual(media_files(), [])

    def test_renamed_text_file_is_refused(self):
        self.assert_refused(
            upload("notes.jpg", b"Ceci n'est pas une image.\n" * 10),
            "« notes.jpg » n'est pas une image JPEG, PNG, WebP ou GIF",
        )

    def test_svg_is_refused(self):
        svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
        self.assert_refused(upload("logo.svg", svg, "image/svg+xml"), "n'est pas une image JPEG")

    def test_formats_pillow_reads_but_we_do_not_take_are_refused(self):
        for fmt in ["TIFF", "BMP", "ICO", "TGA", "EPS"]:
            with self.subTest(fmt):
                self.assert_refused(
                    upload(f"image.{fmt.lower()}", image_bytes(fmt, mode="RGB")),
                    "n'est pas une image JPEG, PNG, WebP ou GIF",
                )

    def test_decompression_bomb_is_refused(self):
        bomb = png_bomb()
        self.assertLess(len(bomb), 200_000)
        self.assert_refused(
            upload("bombe.png", bomb),
            "« bombe.png » a trop de pixels (10000 × 10000) : la limite est de 40 mégapixels.",
        )

    @override_settings(CARNET_MAX_IMAGE_BYTES=50_000)
    def test_oversize_file_is_refused(self):
        noise = Image.frombytes("RGB", (200, 200), random.Random(1).randbytes(200 * 200 * 3))
        buffer = io.BytesIO()
        noise.save(buffer, "PNG")
        self.assertGreater(len(buffer.getvalue()), 50_000)
        self.assert_refused(
            upload("grande.png", buffer.getvalue()), "« grande.png » est trop lourde"
        )

    def test_gps_and_other_exif_are_gone_and_orientation_applied(self):
        original = Image.open(io.BytesIO(jpeg_with_gps_and_rotation()))
        self.assertIn(ExifTags.IFD.GPSInfo, original.getexif())
        path = self.stored(self.post(upload("vacances.jpg", jpeg_with_gps_and_rotation())))
        data = stored(str(path))
        image = Image.open(io.BytesIO(data))
        self.assertEqual(image.size, (80, 120), "turned upright")
        self.assertEqual(dict(image.getexif()), {})
        self.assertNotIn(b"Appareil", data)

    def test_bytes_appended_to_an_image_are_gone(self):
        polyglot = image_bytes("PNG") + b"<html><script>alert(document.cookie)</script></html>"
        path = self.stored(self.post(upload("piege.png", polyglot)))
        data = stored(str(path))
        self.assertNotIn(b"<script>", data)
        self.assertTrue(data.endswith(b"IEND\xaeB`\x82"))

    def test_only_writers_may_upload(self):
        self.client.logout()
        response = self.post(upload("a.png", image_bytes("PNG")))
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])


def featured_form_data(image, **overrides) -> dict:
    illustrated = {"title": "Illustré", "body": "Texte", "image_alt": "Un bureau en bois"}
    return post_form_data(**(illustrated | {"image": image} | overrides))


class FeaturedImageTests(TestCase):
    """The post form's featured image goes through the same checks, as a form error."""

    def setUp(self):
        self.client.force_login(make_staff())

    def test_renamed_text_file_is_a_french_form_error(self):
        response = self.client.post(ADD, featured_form_data(upload("photo.jpg", b"pas une image")))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["adminform"].form.errors["image"],
            ["« photo.jpg » n'est pas une image JPEG, PNG, WebP ou GIF (ou elle est abîmée)."],
        )
        self.assertFalse(Post.objects.exists())

    def test_stored_featured_image_is_re_encoded_and_thumbnailed(self):
        response = self.client.post(
            ADD, featured_form_data(upload("vacances.jpg", jpeg_with_gps_and_rotation()))
        )
        self.assertRedirects(response, CHANGELIST)
        post = Post.objects.get()
        self.assertEqual((post.image_width, post.image_height), (80, 120))
        self.assertEqual(dict(Image.open(io.BytesIO(stored(post.image.name))).getexif()), {})
        change = self.client.get(reverse("admin:blog_post_change", args=[post.pk]))
        self.assertContains(change, f'<img src="{post.image.url}" alt="" class="carnet-thumb')

    @filesystem_only("the file-size limit standing in for a full disk would hit the database")
    def test_a_full_disk_leaves_no_partial_file(self):
        """A write that fails half-way (the file-size limit stands in for a full disk)."""
        noise = Image.frombytes("RGB", (300, 300), random.Random(2).randbytes(300 * 300 * 3))
        buffer = io.BytesIO()
        noise.save(buffer, "PNG")
        big = buffer.getvalue()
        self.assertGreater(len(big), 100_000)
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, hard))
        try:
            response = self.client.post(ADD, featured_form_data(upload("grande.png", big)))
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
            signal.signal(signal.SIGXFSZ, previous)
        self.assertEqual(response.status_code, 200)
        self.assertIn(
            "L'image n'a pas pu être écrite sur le disque (est-il plein ?). "
            "Rien n'a été enregistré.",
            response.context["adminform"].form.errors["image"],
        )
        self.assertFalse(Post.objects.exists())
        self.assertEqual(media_files(), [])


class UnsavedPostTests(TestCase):
    def test_an_image_of_a_post_not_saved_after_all_is_removed(self):
        """The image is written while the form is checked; an error elsewhere removes it."""
        self.client.force_login(make_staff())
        Redirect.objects.create(old_path="/pris/", new_path="/ailleurs/")
        data = {
            **featured_form_data(upload("photo.png", image_bytes("PNG"))),
            "redirects-TOTAL_FORMS": "1",
            "redirects-0-old_path": "/pris/",
        }
        response = self.client.post(ADD, data)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["inline_admin_formsets"][0].formset.errors[0])
        self.assertFalse(Post.objects.exists())
        self.assertEqual(media_files(), [])
