"""Files from elsewhere: symbolic links, SVG, decompression bombs (issue 9).

Import and export go through the real commands; uploads through the admin's real endpoints.
Test images are made in ``tmp_path`` (a 187-megapixel PNG of one colour is ~100 KB, a GIF
with a 7,000 × 7,000 frame ~33 KB): none is committed.
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.urls import reverse
from PIL import Image

from blog.models import Post, SiteIdentity
from tests.support.cases import TemporaryFolders
from tests.support.factories import identity_form_data, make_post, make_staff, post_form_data
from tests.support.importing import Run, media_files, png, stored, write
from tests.support.s3 import filesystem_only

GOOD = "---\ntitle: Bon article\ndate: 2020-05-23\n---\nTexte.\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'


# Images made to measure --------------------------------------------------------------------


def one_colour_lzw(pixels: int, colour: int = 0) -> bytes:
    """GIF image data (LZW, minimum code size 2) for ``pixels`` pixels of one colour.

    Written code by code, without a pixel buffer: runs of 1, 2, 3… pixels, as an LZW encoder
    would emit them, the table reset when full. 49 megapixels take ~33 KB.
    """
    codes, width, next_code, run, left = [(4, 3)], 3, 6, 1, pixels  # 4: clear, 5: end
    while left:
        take = min(run, left)
        codes.append((colour if take == 1 else take + 4, width))
        left -= take
        run, next_code = run + 1, next_code + 1
        if next_code == 4096:
            codes.append((4, width))
            width, next_code, run = 3, 6, 1
        elif next_code > 1 << width:
            width += 1
    codes.append((5, width))
    value = bits = 0
    for code, size in codes:
        value |= code << bits
        bits += size
    data = value.to_bytes((bits + 7) // 8, "little")
    chunks = [data[i : i + 255] for i in range(0, len(data), 255)]
    blocks = b"".join(bytes([len(chunk)]) + chunk for chunk in chunks)
    return b"\x02" + blocks + b"\x00"


def gif(screen: tuple[int, int], frames: list[tuple[int, int, int, int]], delay: int = 10) -> bytes:
    """A GIF with a logical screen and frames (x, y, width, height), colours alternating."""
    out = bytearray(b"GIF89a" + struct.pack("<HH", *screen) + bytes([0x80, 0, 0]))
    out += b"\x10\x20\x30\xff\xff\xff"  # global colour table: 2 colours
    for n, (x, y, w, h) in enumerate(frames):
        out += b"\x21\xf9\x04\x00" + struct.pack("<H", delay) + b"\x00\x00"
        out += b"\x2c" + struct.pack("<HHHH", x, y, w, h) + b"\x00"
        out += one_colour_lzw(w * h, n % 2)
    return bytes(out + b"\x3b")


def gif_bomb() -> bytes:
    """The reported file: a 10 × 10 screen, then one 7,000 × 7,000 frame (49 megapixels)."""
    return gif((10, 10), [(0, 0, 10, 10), (0, 0, 7000, 7000)])


def png_of(width: int, height: int) -> bytes:
    """A 1-bit greyscale PNG of one colour, written by hand: megapixels in a few kilobytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    rows = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def noise_png(size=(120, 120)) -> bytes:
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(buffer, "PNG")
    return buffer.getvalue()


class SiteFolderTestCase(TemporaryFolders, TestCase):
    """``self.site``: a site folder with one good post, beside which each test puts a bad file."""

    def setUp(self):
        super().setUp()
        self.site = self.tmp_path / "site"
        (self.site / "static" / "img").mkdir(parents=True)
        write(self.site, "blog/2020-05-23-bon.md", GOOD)


def titles() -> set[str]:
    return set(Post.objects.values_list("title", flat=True))


# 1. Symbolic links ---------------------------------------------------------------------------


def make_exported_post() -> Post:
    return make_post(title="Exporté", slug="exporte", source_path="src/pages/blog/exporte.md")


def export(outdir: Path) -> tuple[str, str, CommandError | None]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("export_markdown", str(outdir), overwrite=True, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), exc
    return out.getvalue(), err.getvalue(), None


# 2. SVG ---------------------------------------------------------------------------------------


# 2b. Media headers: a file that slips through still runs no script -----------------------


# 3. Animated GIF bomb --------------------------------------------------------------------------


MEDIA_FILES = [
    ("posts/x.svg", SVG, False),
    ("posts/page.html", b"<script>alert(1)</script>", False),
    ("posts/a.png", b"", True),
    ("posts/a.gif", b"", True),
]
TOO_MANY = "« bombe.gif » a trop de pixels"


# 4. Imported images' limits --------------------------------------------------------------------


# Same class: formats Pillow opens that Carnet must not take --------------------------------


class SymlinkImportTests(SiteFolderTestCase):
    """The import never follows a symbolic link out of the folder it was given."""

    def test_import_refuses_a_markdown_link_leading_out_of_the_folder(self):
        """notes.md -> ~/.env: refused by name, its text never published; the others import."""
        secret = write(
            self.tmp_path,
            "home/.env",
            "---\ntitle: Secret\ndate: 2020-01-01\n---\nKEY=abc\n",
        )
        link = self.site / "blog" / "notes.md"
        link.symlink_to(secret)
        run = Run(self.site)
        assert (
            f"error: {link}: is a symbolic link to {secret}, outside {self.site}; refused"
            in run.stderr
        )
        assert "1 file(s) could not be imported" in str(run.error)
        assert titles() == {"Bon article"}
        assert not Post.objects.filter(body__contains="KEY").exists()

    def test_import_refuses_a_folder_link_leading_out_of_the_folder(self):
        outside = self.tmp_path / "elsewhere"
        write(outside, "secret.md", "---\ntitle: Secret\ndate: 2020-01-01\n---\nKEY=abc\n")
        link = self.site / "blog" / "private"
        link.symlink_to(outside, target_is_directory=True)
        run = Run(self.site)
        assert (
            f"error: {link}: is a symbolic link to {outside}, outside {self.site}; refused"
            in run.stderr
        )
        assert "1 file(s) could not be imported" in str(run.error)
        assert titles() == {"Bon article"}

    def test_links_inside_the_folder_still_import(self):
        real = write(
            self.site,
            "drafts/vrai.md",
            "---\ntitle: Vrai\ndate: 2020-01-01\n---\nTexte.\n",
        )
        (self.site / "blog" / "alias.md").symlink_to(real)
        (self.site / "blog" / "tiroir").symlink_to(self.site / "drafts", target_is_directory=True)
        run = Run(self.site)
        assert run.error is None, run.stderr
        assert "Vrai" in titles()

    def test_an_image_link_leading_out_of_the_site_fails_its_file(self):
        private = write(self.tmp_path, "home/private.png", png((9, 9, 9)))
        (self.site / "static" / "img" / "photo.png").symlink_to(private)
        bad = write(
            self.site,
            "blog/photo.md",
            "---\ntitle: Photo\ndate: 2020-01-01\n---\n![p](/img/photo.png)\n",
        )
        run = Run(self.site)
        assert f"error: {bad}: line 5: image '/img/photo.png' is outside the site's folders" in (
            run.stderr
        )
        assert titles() == {"Bon article"}
        assert media_files() == []

    def test_a_static_folder_linked_out_of_the_site_is_not_trusted(self):
        """site/static -> ~ would make every file of the home folder a site image."""
        home = self.tmp_path / "home"
        write(home, "private.png", png((9, 9, 9)))
        root = self.tmp_path / "linked-site"
        root.mkdir()
        (root / "static").symlink_to(home, target_is_directory=True)
        write(
            root,
            "blog/a.md",
            "---\ntitle: A\ndate: 2020-01-01\nfeaturedimage: /private.png\n---\n.",
        )
        run = Run(root)
        assert "Site paths like /img/x.jpg resolve in" not in run.stdout
        assert f"{root / 'static'} is a link out of the site" in run.stderr
        assert media_files() == []


class SymlinkExportTests(TemporaryFolders, TestCase):
    """The export never writes through a symbolic link, to a file or a folder."""

    def test_export_never_writes_through_a_file_link(self):
        make_exported_post()
        victim = write(self.tmp_path, "home/.bashrc", "alias ls=ls\n")
        outdir = self.tmp_path / "out"
        (outdir / "src/pages/blog").mkdir(parents=True)
        (outdir / "src/pages/blog/exporte.md").symlink_to(victim)
        other = make_post(title="Autre", slug="autre", source_path="src/pages/blog/autre.md")
        _, err, error = export(outdir)
        link = outdir / "src/pages/blog/exporte.md"
        assert f"error: {link}: is a symbolic link (to {victim}); not written through" in err
        assert "1 file(s) not written" in str(error)
        assert victim.read_text() == "alias ls=ls\n"
        assert link.is_symlink()
        assert "title: Autre" in (outdir / other.source_path).read_text()

    def test_export_never_writes_through_a_folder_link(self):
        make_exported_post()
        elsewhere = self.tmp_path / "elsewhere"
        elsewhere.mkdir()
        outdir = self.tmp_path / "out"
        outdir.mkdir()
        (outdir / "src").symlink_to(elsewhere, target_is_directory=True)
        _, err, error = export(outdir)
        assert f"error: {outdir / 'src'}: is a symbolic link (to {elsewhere}); not written" in err
        assert error is not None
        assert list(elsewhere.rglob("*")) == []

    def test_export_never_writes_an_image_through_a_link(self):
        assert default_storage.save("posts/abc.png", ContentFile(png())) == "posts/abc.png"
        make_post(
            title="Image",
            source_path="blog/image.md",
            image="posts/abc.png",
            image_alt="Une image",
            source_images={"static_dir": "static", "refs": {"/img/abc.png": "posts/abc.png"}},
        )
        victim = write(self.tmp_path, "home/victim.png", b"not to be replaced")
        outdir = self.tmp_path / "out"
        (outdir / "static" / "img").mkdir(parents=True)
        (outdir / "static" / "img" / "abc.png").symlink_to(victim)
        _, err, error = export(outdir)
        assert "is a symbolic link" in err
        assert error is not None
        assert victim.read_bytes() == b"not to be replaced"


class SvgTests(SiteFolderTestCase):
    """SVG (which can carry scripts) is refused on import and upload; media never runs a script."""

    def test_import_refuses_an_svg_image_by_name(self):
        write(self.site, "blog/x.svg", SVG)
        write(self.site, "static/img/logo.svg", SVG)
        post = write(
            self.site,
            "blog/svg.md",
            "---\ntitle: Svg\ndate: 2020-01-01\nfeaturedimage: /img/logo.svg\n---\n![x](x.svg)\n",
        )
        run = Run(self.site)
        assert f"warning: {post}: line 6: image 'x.svg' is an SVG image, which can carry" in (
            run.stderr
        )
        assert f"warning: {post}: featuredimage '/img/logo.svg' is an SVG image" in run.stderr
        assert run.error is None
        assert media_files() == []
        imported = Post.objects.get(title="Svg")
        assert imported.body == "![x](x.svg)\n"
        assert not imported.image

    def test_svg_upload_is_refused_everywhere(self):
        """Upload endpoint, featured image and portrait: Pillow must identify JPEG/PNG/WebP/GIF."""
        self.client.force_login(make_staff())
        svg = SimpleUploadedFile("logo.svg", SVG, content_type="image/svg+xml")
        response = self.client.post(reverse("admin:blog_post_upload"), {"image": svg})
        assert response.status_code == 400
        assert "« logo.svg » n'est pas une image JPEG" in response.json()["error"]
        svg.seek(0)
        response = self.client.post(
            reverse("admin:blog_post_add"),
            post_form_data(title="Bombe", image_alt="Une image", image=svg),
        )
        assert "« logo.svg » n&#x27;est pas une image JPEG" in response.content.decode()
        SiteIdentity.objects.create()
        svg.seek(0)
        response = self.client.post(
            "/admin/blog/siteidentity/1/change/",
            identity_form_data(portrait=svg, portrait_alt="Moi"),
        )
        assert "« logo.svg » n&#x27;est pas une image JPEG" in response.content.decode()
        assert media_files() == []

    @filesystem_only("the app's /media/ view; a bucket's objects: tests/images/test_s3.py")
    @override_settings(SERVE_MEDIA=True)
    def test_every_media_response_stops_scripts(self):
        for name, content, raster in MEDIA_FILES:
            with self.case(name=name):
                write(self.media_root, name, content or png())
                with self.assertNumQueries(0):  # an image served costs no database query
                    response = self.client.get(f"/media/{name}")
                assert response.status_code == 200
                assert response["X-Content-Type-Options"] == "nosniff"
                assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
                if raster:  # shown, as Django's FileResponse says
                    assert response["Content-Disposition"].startswith("inline")
                else:
                    assert response["Content-Disposition"] == "attachment"


class GifBombTests(SiteFolderTestCase):
    """Animated GIF bombs are refused from their headers, whatever the entry point."""

    def test_a_gif_frame_larger_than_its_screen_counts(self):
        """The reported file: refused from its headers, whatever the entry point."""
        data = gif_bomb()
        assert len(data) < 40_000
        self.client.force_login(make_staff())
        response = self.client.post(
            reverse("admin:blog_post_upload"), {"image": SimpleUploadedFile("bombe.gif", data)}
        )
        assert response.status_code == 400
        assert f"{TOO_MANY} (7000 × 7000, 2 images)" in response.json()["error"]
        response = self.client.post(
            reverse("admin:blog_post_add"),
            post_form_data(
                title="Bombe",
                image_alt="Une image",
                image=SimpleUploadedFile("bombe.gif", data),
            ),
        )
        assert TOO_MANY in response.content.decode()
        assert not Post.objects.exists()
        response = self.client.post(
            reverse("admin:blog_post_preview"),
            post_form_data(
                title="Bombe",
                image_alt="Une image",
                image=SimpleUploadedFile("bombe.gif", data),
            ),
        )
        assert response.status_code == 200
        assert "data:image/jpeg" not in response.content.decode()
        SiteIdentity.objects.create()
        response = self.client.post(
            "/admin/blog/siteidentity/1/change/",
            identity_form_data(portrait=SimpleUploadedFile("bombe.gif", data), portrait_alt="Moi"),
        )
        assert TOO_MANY in response.content.decode()
        assert media_files() == []

    def test_thousands_of_tiny_frames_are_refused(self):
        """1 × 1 pixels each, but every frame costs a decode and a re-encode."""
        self.client.force_login(make_staff())
        data = gif((1, 1), [(0, 0, 1, 1)] * 5000)
        response = self.client.post(
            reverse("admin:blog_post_upload"), {"image": SimpleUploadedFile("bombe.gif", data)}
        )
        assert response.status_code == 400
        assert "« bombe.gif » a trop d'images : la limite est de 1000." in response.json()["error"]
        assert media_files() == []

    def test_a_gif_pillow_cannot_write_back_is_refused_not_a_500(self):
        """Two identical frames of 655 s each: Pillow merges them and cannot write the delay."""
        self.client.force_login(make_staff())
        data = gif((2, 2), [(0, 0, 2, 2), (0, 0, 2, 2)], delay=65535)
        data = data.replace(b"\x10\x20\x30\xff\xff\xff", b"\x10\x20\x30\x10\x20\x30")
        response = self.client.post(
            reverse("admin:blog_post_upload"), {"image": SimpleUploadedFile("long.gif", data)}
        )
        assert response.status_code == 400
        assert "« long.gif »" in response.json()["error"]
        assert media_files() == []

    def test_an_imported_gif_bomb_fails_its_file(self):
        write(self.site, "static/img/bombe.gif", gif_bomb())
        bad = write(
            self.site,
            "blog/bombe.md",
            "---\ntitle: Bombe\ndate: 2020-01-01\n---\n![b](/img/bombe.gif)\n",
        )
        run = Run(self.site)
        assert (
            f"error: {bad}: line 5: image '/img/bombe.gif' has too many pixels "
            "(7000 × 7000, 2 frames; the limit is 40 megapixels)"
        ) in run.stderr
        assert titles() == {"Bon article"}
        assert media_files() == []


class ImageLimitTests(SiteFolderTestCase):
    """Imported and stored images keep the upload limits; renditions never decode past them."""

    def test_a_187_megapixel_png_fails_only_its_file(self):
        """Over twice Pillow's own limit: once an uncaught error that stopped the whole import."""
        bomb = write(self.site, "static/img/bombe.png", png_of(13_700, 13_700))
        assert bomb.stat().st_size < 200_000
        bad = write(
            self.site,
            "blog/bombe.md",
            "---\ntitle: Bombe\ndate: 2020-01-01\nfeaturedimage: /img/bombe.png\n---\nTexte.\n",
        )
        run = Run(self.site)
        assert (
            f"error: {bad}: featuredimage '/img/bombe.png' has too many pixels "
            "(the limit is 40 megapixels)"
        ) in run.stderr
        assert "1 file(s) could not be imported" in str(run.error)
        assert titles() == {"Bon article"}
        assert media_files() == []

    @override_settings(CARNET_MAX_IMAGE_PIXELS=1_000_000, CARNET_MAX_IMAGE_BYTES=20_000)
    def test_the_upload_limits_hold_for_imported_images(self):
        write(self.site, "static/img/large.png", png_of(2000, 1000))
        write(self.site, "static/img/heavy.png", noise_png())
        large = write(
            self.site,
            "blog/large.md",
            "---\ntitle: L\ndate: 2020-01-01\n---\n![l](/img/large.png)\n",
        )
        heavy = write(
            self.site,
            "blog/heavy.md",
            "---\ntitle: H\ndate: 2020-01-01\n---\n![h](/img/heavy.png)\n",
        )
        run = Run(self.site)
        assert (
            f"error: {large}: line 5: image '/img/large.png' has too many pixels "
            "(2000 × 1000; the limit is 1 megapixels)"
        ) in run.stderr
        assert f"error: {heavy}: line 5: image '/img/heavy.png' is too large (" in run.stderr
        assert "the limit is 20000 bytes)" in run.stderr
        assert "2 file(s) could not be imported" in str(run.error)
        assert titles() == {"Bon article"}
        assert media_files() == []

    def test_renditions_never_decode_an_image_over_the_limit(self):
        """An image stored before the limit (or by hand): the page shows, no rendition is made."""
        for name in ["posts/large.png", "posts/large-body.png"]:
            default_storage.save(name, ContentFile(png_of(2000, 1000)))
        media = settings.MEDIA_URL
        post = make_post(
            title="Grande",
            image="posts/large.png",
            image_alt="Grande",
            # Another file: the featured image opening the body would be shown once (the hero).
            body=f"![corps]({media}posts/large-body.png)",
        )
        with self.settings(CARNET_MAX_IMAGE_PIXELS=1_000_000):
            for url in [post.get_absolute_url(), "/", "/feed/"]:
                response = self.client.get(url)
                assert response.status_code == 200, url
            assert media_files("renditions/") == []
            html = self.client.get(post.get_absolute_url()).content.decode()
        assert f'<img alt="corps" src="{media}posts/large-body.png">' in html  # as written
        assert f'src="{media}posts/large.png" alt="Grande" width="2000" height="1000"' in html


class OtherFormatTests(SiteFolderTestCase):
    """Formats Pillow opens but Carnet must not take: stored as JPEG, or not imported."""

    def test_a_multi_picture_jpeg_upload_is_stored_as_a_jpeg_not_a_500(self):
        """Many phones write MPO (a JPEG followed by more pictures): Pillow names it MPO."""
        self.client.force_login(make_staff())
        buffer = io.BytesIO()
        first, second = Image.new("RGB", (40, 30), "red"), Image.new("RGB", (40, 30), "blue")
        first.save(buffer, "MPO", save_all=True, append_images=[second])
        response = self.client.post(
            reverse("admin:blog_post_upload"),
            {"image": SimpleUploadedFile("photo.jpg", buffer.getvalue())},
        )
        assert response.status_code == 200
        (name,) = media_files()
        assert name.endswith("photo.jpg")
        with Image.open(io.BytesIO(stored(name))) as image:
            assert (image.format, image.size) == ("JPEG", (40, 30))

    def test_an_eps_named_like_a_photo_is_not_imported(self):
        """Pillow opens EPS under any name and decodes it by running Ghostscript on it."""
        write(
            self.site,
            "static/img/photo.jpg",
            b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n",
        )
        post = write(
            self.site,
            "blog/eps.md",
            "---\ntitle: Eps\ndate: 2020-01-01\n---\n![e](/img/photo.jpg)\n",
        )
        run = Run(self.site)
        assert f"warning: {post}: line 5: image '/img/photo.jpg' is not a readable image" in (
            run.stderr
        )
        assert media_files() == []
        assert Post.objects.get(title="Eps").body == "![e](/img/photo.jpg)\n"
