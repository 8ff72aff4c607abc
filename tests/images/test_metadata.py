"""Imported images publish no metadata: GPS, camera, author and comments are removed losslessly.

The images are real files made with Pillow; after stripping, Pillow must open them with the
very same pixels, the orientation and the colour profile kept, and nothing personal left in
the bytes.
"""

import io
import zlib
from functools import lru_cache

from django.conf import settings
from django.core.management import call_command
from django.test import SimpleTestCase, TestCase
from PIL import Image, ImageCms

from blog.images import renditions
from blog.images.metadata import MetadataError, strip_metadata
from blog.models import Post
from tests.support.cases import TemporaryFolders, fresh_media
from tests.support.importing import Run, media_files, stored, write

GPS = 0x8825
ORIENTATION = 0x0112
XMP_NS = b"http://ns.adobe.com/xap"
SERIAL = "SN-4242-SECRET"
XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    b'xmlns:tiff="http://ns.adobe.com/tiff/1.0/" tiff:Orientation="%d" '
    b'xmp:CreatorTool="Darktable"><dc:creator>Jeanne Secret</dc:creator></rdf:Description>'
    b'</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)
# The GPS IFD pointer as a TIFF directory entry (tag, type LONG, count 1), in both byte orders.
GPS_ENTRIES = (b"\x88\x25\x00\x04\x00\x00\x00\x01", b"\x25\x88\x04\x00\x01\x00\x00\x00")
PERSONAL = (SERIAL.encode(), b"Jeanne Secret", b"Darktable", b"SECRET-COMMENT", b"Canon")


def picture(size=(40, 30), mode="RGB") -> Image.Image:
    """Every pixel different from its neighbours, so a changed pixel shows."""
    width, height = size
    data = bytes(
        value
        for y in range(height)
        for x in range(width)
        for value in ((x * 7 + y) % 256, (y * 11 + x * 3) % 256, (x * y) % 256)
    )
    return Image.frombytes("RGB", size, data).convert(mode)


def gps_exif(orientation: int | None = 6) -> Image.Exif:
    exif = Image.Exif()
    if orientation:
        exif[ORIENTATION] = orientation
    exif[0x010F] = "Canon"
    exif[0x0110] = "EOS 5D"
    exif.get_ifd(0x8769)[0xA431] = SERIAL  # BodySerialNumber
    gps = exif.get_ifd(GPS)
    gps.update({1: "N", 2: (48.0, 51.0, 29.6), 3: "E", 4: (2.0, 17.0, 40.2)})
    return exif


@lru_cache(maxsize=1)
def icc() -> bytes:
    """One profile for the whole run: LittleCMS stamps a new one with the current second, so
    two made a second apart differ (a test once compared two such)."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload


def with_segments(jpeg: bytes, *segments: bytes) -> bytes:
    """The segments inserted right after SOI."""
    return jpeg[:2] + b"".join(segments) + jpeg[2:]


def saved(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def tagged_jpeg(orientation: int | None = 6) -> bytes:
    """A camera photo as it comes: EXIF with GPS, XMP, IPTC, a comment, an ICC profile."""
    jpeg = saved(
        picture(), "JPEG", exif=gps_exif(orientation), icc_profile=icc(), comment=b"SECRET-COMMENT"
    )
    xmp = segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + XMP % (orientation or 1))
    iptc = segment(0xED, b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x0eJeanne Secret\x00")
    # Phones append a second, fully tagged picture after the first one's end (MPF).
    trailer = saved(picture((8, 8)), "JPEG", exif=gps_exif())
    return with_segments(jpeg, xmp, iptc) + trailer


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def assert_nothing_personal(data: bytes) -> None:
    assert XMP_NS not in data
    for entry in GPS_ENTRIES:
        assert entry not in data
    for secret in PERSONAL:
        assert secret not in data, secret
    image = opened(data)
    assert GPS not in image.getexif()
    assert not {"xmp", "XML:com.adobe.xmp", "comment", "photoshop"} & set(image.info)


def png_chunks(data: bytes) -> list[bytes]:
    """Chunk types, each CRC checked."""
    kinds, pos = [], 8
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        body = data[pos + 4 : pos + 8 + length]
        crc = int.from_bytes(data[pos + 8 + length : pos + 12 + length], "big")
        assert zlib.crc32(body) == crc, body[:4]
        kinds.append(body[:4])
        pos += 12 + length
    return kinds


class JpegTests(SimpleTestCase):
    """JPEG: GPS, camera, XMP, IPTC and comments go; orientation, profile and scans stay."""

    def test_gps_camera_xmp_iptc_and_comments_are_removed_pixels_are_not(self):
        original = tagged_jpeg()
        assert XMP_NS in original and SERIAL.encode() in original  # the test has teeth
        assert GPS in opened(original).getexif()
        stripped = strip_metadata(original, ".jpg")
        assert_nothing_personal(stripped)
        assert opened(stripped).tobytes() == opened(original).tobytes()
        assert len(stripped) < len(original)

    def test_the_orientation_and_the_colour_profile_are_kept(self):
        stripped = opened(strip_metadata(tagged_jpeg(orientation=6), ".jpg"))
        assert dict(stripped.getexif()) == {ORIENTATION: 6}
        assert stripped.info["icc_profile"] == icc()
        assert stripped.size == (40, 30)  # the stored pixels, sideways as shot

    def test_an_orientation_only_in_xmp_becomes_exif(self):
        jpeg = with_segments(
            saved(picture(), "JPEG"),
            segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + XMP % 8),
        )
        stripped = strip_metadata(jpeg, ".jpg")
        assert XMP_NS not in stripped
        assert dict(opened(stripped).getexif()) == {ORIENTATION: 8}

    def test_stripping_twice_changes_nothing(self):
        for orientation in (None, 1, 3, 6):
            once = strip_metadata(tagged_jpeg(orientation), ".jpg")
            assert strip_metadata(once, ".jpg") == once, orientation

    def test_a_file_without_metadata_comes_back_byte_for_byte(self):
        for options in ({}, {"progressive": True}, {"icc_profile": icc()}):
            jpeg = saved(picture(), "JPEG", **options)
            assert strip_metadata(jpeg, ".jpg") == jpeg

    def test_progressive_jpeg_keeps_every_scan(self):
        jpeg = saved(picture((64, 48)), "JPEG", progressive=True, exif=gps_exif(3))
        stripped = strip_metadata(jpeg, ".jpeg")
        assert opened(stripped).tobytes() == opened(jpeg).tobytes()
        assert dict(opened(stripped).getexif()) == {ORIENTATION: 3}

    def test_a_truncated_jpeg_with_exif_is_refused_clearly(self):
        jpeg = saved(picture(), "JPEG", exif=gps_exif())
        with self.assertRaisesRegex(MetadataError, "cannot be removed safely"):
            strip_metadata(jpeg[: len(jpeg) // 2], ".jpg")

    def test_a_truncated_jpeg_without_metadata_is_left_as_it_is(self):
        jpeg = saved(picture(), "JPEG")[:-40]
        assert strip_metadata(jpeg, ".jpg") == jpeg


class PngTests(SimpleTestCase):
    """PNG: text, time, EXIF and XMP chunks go, CRCs intact; orientation, profile, gamma stay."""

    def original(self, orientation: int | None = 6) -> bytes:
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        info.add_text("Author", "Jeanne Secret")
        info.add_text("Comment", "SECRET-COMMENT", zip=True)  # zTXt
        info.add_itxt("XML:com.adobe.xmp", (XMP % (orientation or 1)).decode())
        info.add(b"tIME", bytes([7, 234, 5, 23, 11, 37, 58]))
        return saved(
            picture(mode="RGBA"), "PNG", pnginfo=info, exif=gps_exif(orientation), icc_profile=icc()
        )

    def test_text_time_exif_and_xmp_chunks_are_removed_crcs_intact(self):
        original = self.original()
        assert {b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"} <= set(png_chunks(original))
        stripped = strip_metadata(original, ".png")
        kinds = png_chunks(stripped)
        assert not {b"tEXt", b"zTXt", b"iTXt", b"tIME"} & set(kinds)
        assert {b"IHDR", b"iCCP", b"IDAT", b"IEND"} <= set(kinds)
        assert_nothing_personal(stripped)
        assert opened(stripped).tobytes() == opened(original).tobytes()

    def test_the_orientation_and_the_profile_are_kept_idempotently(self):
        stripped = strip_metadata(self.original(orientation=5), ".png")
        image = opened(stripped)
        assert dict(image.getexif()) == {ORIENTATION: 5}
        assert image.info["icc_profile"] == icc()
        kinds = png_chunks(stripped)
        assert kinds.index(b"eXIf") < kinds.index(b"IDAT")
        assert strip_metadata(stripped, ".png") == stripped

    def test_gamma_and_transparency_stay(self):
        png = saved(picture(mode="P"), "PNG", transparency=3)
        assert strip_metadata(png, ".png") == png
        image = Image.new("RGB", (4, 4))
        image.info["gamma"] = 0.45455
        png = saved(image, "PNG", dpi=(300, 300))
        assert strip_metadata(png, ".png") == png


class WebpTests(SimpleTestCase):
    """WebP: EXIF and XMP chunks go, the flags and the RIFF size follow; orientation stays."""

    def original(self, orientation: int | None = 6) -> bytes:
        return saved(
            picture(),
            "WEBP",
            lossless=True,
            exif=gps_exif(orientation),
            xmp=XMP % (orientation or 1),
            icc_profile=icc(),
        )

    def test_exif_and_xmp_chunks_go_flags_and_riff_size_follow(self):
        original = self.original(orientation=None)
        assert original[12:16] == b"VP8X" and original[20] & 0x0C == 0x0C
        stripped = strip_metadata(original, ".webp")
        assert b"XMP " not in stripped and b"EXIF" not in stripped
        assert stripped[20] & 0x0C == 0  # neither EXIF nor XMP announced
        assert stripped[20] & 0x20  # the ICC profile still is
        assert int.from_bytes(stripped[4:8], "little") == len(stripped) - 8
        assert_nothing_personal(stripped)
        assert opened(stripped).tobytes() == opened(original).tobytes()
        assert opened(stripped).info["icc_profile"] == icc()

    def test_the_orientation_is_kept_in_a_minimal_exif(self):
        stripped = strip_metadata(self.original(orientation=6), ".webp")
        assert stripped[20] & 0x0C == 0x08
        assert dict(opened(stripped).getexif()) == {ORIENTATION: 6}
        assert_nothing_personal(stripped)
        assert strip_metadata(stripped, ".webp") == stripped

    def test_a_simple_webp_comes_back_byte_for_byte(self):
        webp = saved(picture(), "WEBP", quality=80)
        assert strip_metadata(webp, ".webp") == webp


class GifTests(SimpleTestCase):
    """GIF: comments and XMP go; looping and frames stay."""

    def original(self) -> bytes:
        frames = [picture(mode="P"), picture(mode="P").rotate(90)]
        gif = saved(
            frames[0],
            "GIF",
            save_all=True,
            append_images=frames[1:],
            loop=0,
            duration=200,
            comment=b"SECRET-COMMENT",
        )
        xmp_data = b"XMP DataXMP" + XMP % 1
        blocks = b"".join(
            bytes([len(xmp_data[i : i + 255])]) + xmp_data[i : i + 255]
            for i in range(11, len(xmp_data), 255)
        )
        xmp = b"\x21\xff\x0b" + xmp_data[:11] + blocks + b"\x00"
        return gif[:-1] + xmp + b";" + b"trailing SECRET-COMMENT"

    def test_comments_and_xmp_go_looping_and_frames_stay(self):
        original = self.original()
        stripped = strip_metadata(original, ".gif")
        assert b"XMP DataXMP" not in stripped and b"NETSCAPE2.0" in stripped
        assert_nothing_personal(stripped)
        before, after = opened(original), opened(stripped)
        assert after.n_frames == before.n_frames == 2
        assert after.info["loop"] == 0
        for frame in range(2):
            before.seek(frame)
            after.seek(frame)
            assert after.tobytes() == before.tobytes()
        assert strip_metadata(stripped, ".gif") == stripped


class OtherFormatTests(SimpleTestCase):
    """Formats whose metadata cannot be removed safely are refused when they hold any."""

    def test_a_bmp_has_nothing_to_remove(self):
        bmp = saved(picture(), "BMP")
        assert strip_metadata(bmp, ".bmp") == bmp

    def test_a_tiff_with_gps_is_refused_one_without_is_kept(self):
        with self.assertRaisesRegex(MetadataError, "TIFF"):
            strip_metadata(saved(picture(), "TIFF", exif=gps_exif()), ".tiff")
        plain = saved(picture(), "TIFF")
        assert strip_metadata(plain, ".tif") == plain

    def test_an_svg_with_xmp_is_refused(self):
        svg = b'<svg xmlns="http://www.w3.org/2000/svg"><metadata>' + XMP % 1 + b"</metadata></svg>"
        with self.assertRaisesRegex(MetadataError, "SVG"):
            strip_metadata(svg, ".svg")
        plain = b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>'
        assert strip_metadata(plain, ".svg") == plain


# Importing ----------------------------------------------------------------------------------

POST = "---\ntitle: Au bord du lac\ndate: 2021-06-01\nfeaturedimage: /img/lac.jpg\n---\n"


class ImportTests(TemporaryFolders, TestCase):
    """The importer stores images without their metadata, once, and renditions carry none."""

    def test_the_stored_image_has_no_gps_and_a_rerun_is_unchanged(self):
        original = tagged_jpeg(orientation=6)
        write(self.tmp_path, "static/img/lac.jpg", original)
        write(self.tmp_path, "blog/lac.md", POST + "![Le lac](/img/lac.jpg)\n")
        run = Run(self.tmp_path)
        assert run.error is None, run.stderr
        assert "1 created" in run.summary and "1 images copied" in run.summary
        post = Post.objects.get()
        data = stored(post.image.name)
        assert_nothing_personal(data)
        assert data == strip_metadata(original, ".jpg")
        assert dict(opened(data).getexif()) == {ORIENTATION: 6}
        assert (post.image_width, post.image_height) == (40, 30)
        assert f"{settings.MEDIA_URL}{post.image.name}" in post.body
        assert media_files() == [post.image.name]

        again = Run(self.tmp_path)
        assert again.summary.startswith("0 created, 0 updated, 1 unchanged"), again.summary
        assert media_files() == [post.image.name]

    def test_copies_differing_only_in_metadata_are_stored_once(self):
        bare = saved(picture(), "JPEG")
        write(self.tmp_path, "static/img/lac.jpg", with_segments(bare, segment(0xFE, b"one")))
        write(self.tmp_path, "blog/autre.jpg", with_segments(bare, segment(0xFE, b"two")))
        write(self.tmp_path, "blog/lac.md", POST + "![Le même](autre.jpg)\n")
        run = Run(self.tmp_path)
        assert "1 images copied" in run.summary
        (name,) = media_files()
        assert stored(name) == bare

    def test_an_image_whose_metadata_cannot_be_removed_is_not_imported(self):
        write(self.tmp_path, "static/img/carte.tiff", saved(picture(), "TIFF", exif=gps_exif()))
        write(self.tmp_path, "blog/lac.md", POST.replace("lac.jpg", "carte.tiff"))
        run = Run(self.tmp_path)
        assert run.error is None, run.stderr
        assert "'/img/carte.tiff' not imported: it holds EXIF/XMP metadata" in run.stderr
        assert "1 created" in run.summary
        assert not Post.objects.get().image
        assert media_files() == []

    def test_export_then_import_gives_the_same_image(self):
        write(self.tmp_path, "site/static/img/lac.jpg", tagged_jpeg())
        write(self.tmp_path, "site/blog/lac.md", POST)
        Run(self.tmp_path / "site")
        first = stored(Post.objects.get().image.name)
        call_command("export_markdown", str(self.tmp_path / "out"), stdout=io.StringIO())
        Post.objects.all().delete()
        with fresh_media(self.tmp_path / "media-2"):
            Run(self.tmp_path / "out")
            assert stored(Post.objects.get().image.name) == first

    def test_renditions_are_upright_and_carry_no_metadata(self):
        write(self.tmp_path, "static/img/lac.jpg", tagged_jpeg(orientation=6))
        write(self.tmp_path, "blog/lac.md", POST)
        Run(self.tmp_path)
        post = Post.objects.get()
        hero = renditions.picture(post.image, "hero")
        for rendition in hero.fallback + hero.webp:
            data = stored(rendition.name)
            assert_nothing_personal(data)
            image = opened(data)
            assert image.size == (30, 40)  # turned upright
            assert ORIENTATION not in image.getexif()
