"""Renditions: sized per place, WebP + original format, made once, upright, no location data."""

import io
import re

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from PIL import Image, ImageCms

from blog.images import renditions
from blog.images.storage import read, save_as
from tests.support.factories import make_image, make_post

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def photo_with_exif(size=(1600, 1000)) -> SimpleUploadedFile:
    """A JPEG stored sideways (orientation 6: rotate 90°) with a GPS position and a camera."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[0x010F] = "Appareil"  # Make
    exif[GPS_IFD] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile("gps.jpg", buffer.getvalue(), content_type="image/jpeg")


def opened(rendition) -> io.BytesIO:
    """A rendition's bytes, read back from the media storage (a disk or a bucket)."""
    return io.BytesIO(read(default_storage, rendition.name))


class RenditionTests(TestCase):
    def test_exif_orientation_applied_and_no_metadata_published(self):
        post = make_post(title="GPS", image=photo_with_exif(), image_alt="Un lac")
        picture = renditions.picture(post.image, "hero")
        for rendition in picture.fallback + picture.webp:
            with Image.open(opened(rendition)) as image:
                # Stored 1600 x 1000 sideways: upright it is 1000 wide, 1600 high.
                self.assertGreater(image.height, image.width, rendition.name)
                exif = image.getexif()
                self.assertNotIn(GPS_IFD, exif)
                self.assertNotIn(0x010F, exif)
                self.assertNotIn("exif", image.info)

    def test_renditions_drop_comments_and_keep_the_colour_profile(self):
        icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
        buffer = io.BytesIO()
        Image.new("RGB", (900, 600), (200, 30, 30)).save(
            buffer, "JPEG", comment=b"Chez moi, 12 rue des Lilas", icc_profile=icc
        )
        upload = SimpleUploadedFile("c.jpg", buffer.getvalue(), content_type="image/jpeg")
        post = make_post(title="Profil", image=upload, image_alt="Rouge")
        picture = renditions.picture(post.image, "card")
        for rendition in picture.fallback + picture.webp:
            self.assertNotIn(b"Lilas", opened(rendition).getvalue(), rendition.name)
            with Image.open(opened(rendition)) as image:
                self.assertEqual(image.info.get("icc_profile"), icc, rendition.name)

    def test_sizes_for_each_place_in_webp_and_original_format(self):
        post = make_post(title="Grand", image=make_image(size=(2000, 1500)), image_alt="x")
        card = renditions.picture(post.image, "card")
        self.assertEqual([(r.width, r.height) for r in card.fallback], [(400, 210), (800, 420)])
        self.assertTrue(all(r.url.endswith(".jpg") for r in card.fallback))
        self.assertTrue(all(r.url.endswith(".webp") for r in card.webp))
        with Image.open(opened(card.webp[0])) as webp:
            self.assertEqual((webp.format, webp.size), ("WEBP", (400, 210)))
        hero = renditions.picture(post.image, "hero")
        self.assertEqual([r.width for r in hero.fallback], [672, 1024, 1344])
        self.assertEqual(hero.fallback[0].height, 504)
        social = renditions.picture(post.image, "social", webp=False)
        self.assertEqual((social.largest.width, social.largest.height), (1200, 630))
        thumb = renditions.picture(post.image, "thumbnail")
        self.assertEqual(thumb.fallback[0].width, 160)

    def test_small_images_are_never_upscaled(self):
        post = make_post(title="Petit", image=make_image(size=(500, 300)), image_alt="x")
        hero = renditions.picture(post.image, "hero")
        self.assertEqual([r.width for r in hero.fallback], [500])

    def test_png_keeps_png_as_fallback(self):
        post = make_post(
            title="Logo", image=make_image("logo.png", size=(900, 600), fmt="PNG"), image_alt="x"
        )
        card = renditions.picture(post.image, "card")
        self.assertTrue(card.fallback[0].url.endswith(".png"))

    def test_made_once_then_reused(self):
        post = make_post(title="Une fois", image=make_image(size=(1200, 800)), image_alt="x")
        first = renditions.picture(post.image, "card")
        made = first.fallback + first.webp
        # Marked, to see whether a later call writes them again.
        for rendition in made:
            default_storage.delete(rendition.name)
            save_as(default_storage, rendition.name, b"made before")
        renditions.forget()  # a new process: it only looks whether the files exist
        cache.clear()
        again = renditions.picture(post.image, "card")
        self.assertEqual([r.name for r in again.fallback + again.webp], [r.name for r in made])
        for rendition in again.fallback + again.webp:
            self.assertEqual(read(default_storage, rendition.name), b"made before")
            self.assertEqual(rendition.size, len(b"made before"))

    def test_known_pictures_cost_no_look_at_the_storage(self):
        """Once a picture is known (in the process, or in the shared cache for another
        process), its page asks the storage nothing: on S3 each question is a request."""
        post = make_post(title="Connue", image=make_image(size=(1200, 800)), image_alt="x")
        first = renditions.picture(post.image, "card")
        default_storage.delete(post.image.name)  # a look at the source would now fail
        for rendition in first.fallback + first.webp:
            default_storage.delete(rendition.name)  # and one at the renditions would remake them
        self.assertEqual(renditions.picture(post.image, "card"), first)
        renditions.forget()  # another process, the same cache
        self.assertEqual(renditions.picture(post.image, "card"), first)
        self.assertFalse(any(default_storage.exists(r.name) for r in first.fallback + first.webp))

    def test_a_missing_source_file_does_not_break_the_page(self):
        post = make_post(title="Perdu", image=make_image(size=(800, 600)), image_alt="Perdu")
        default_storage.delete(post.image.name)
        renditions.forget()
        response = self.client.get("/blog/perdu/")
        self.assertEqual(response.status_code, 200)


class PictureMarkupTests(TestCase):
    def test_cards_have_srcset_sizes_dimensions_and_lazy_below_the_fold(self):
        for n in range(3):
            make_post(title=f"Carte {n}", image=make_image(f"c{n}.jpg", size=(1200, 800)),
                      image_alt=f"Alt {n}")  # fmt: skip
        html = self.client.get("/blog/").content.decode()
        pictures = re.findall(r"<picture>.*?</picture>", html, re.S)
        self.assertEqual(len(pictures), 3)
        for index, picture in enumerate(pictures):
            self.assertIn('<source type="image/webp" srcset="', picture)
            self.assertRegex(picture, r'srcset="[^"]+ 400w, [^"]+ 800w"')
            self.assertIn('sizes="', picture)
            self.assertIn('width="800" height="420"', picture)
            self.assertIn('alt="Alt', picture)
            self.assertEqual('loading="lazy"' in picture, index > 0, index)


class BodyImageTests(TestCase):
    def test_images_in_the_body_get_renditions(self):
        name = default_storage.save("posts/corps.jpg", make_image(size=(1800, 1200)))
        url = default_storage.url(name)
        make_post(title="Corps", body=f'Texte\n\n![Une vue]({url} "Titre")\n')
        html = self.client.get("/blog/corps/").content.decode()
        body = html.split('<div class="prose">')[1]
        picture = re.search(r"<picture>.*?</picture>", body, re.S).group(0)
        self.assertIn('type="image/webp"', picture)
        self.assertIn("672w", picture)
        self.assertIn('alt="Une vue"', picture)
        self.assertIn('title="Titre"', picture)
        self.assertIn('loading="lazy"', picture)
        self.assertIn('width="1344" height="896"', picture)

    def test_outside_images_are_left_alone(self):
        make_post(title="Ailleurs", body="![x](https://example.org/a.jpg)")
        html = self.client.get("/blog/ailleurs/").content.decode()
        self.assertIn('src="https://example.org/a.jpg"', html)
