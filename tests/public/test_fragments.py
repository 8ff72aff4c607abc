"""The layout's header and footer and a post's article are rendered once per process for what
they show (``{% remember %}``, issue 13), and never shown stale."""

from __future__ import annotations

import datetime as dt
import io

import time_machine
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import TestCase
from PIL import Image
from taggit.models import Tag

from blog.models import Page, Post, SiteIdentity
from blog.templatetags import cards, fragments
from tests.support.factories import make_author, make_post, make_staff

# Tomorrow at noon: later than the rows the migrations made (the site's own author), so that
# an edit under the frozen clock is the newest one, as it is in real life.
NOW = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).replace(hour=12, minute=0, second=0)
BYLINE = "includes/byline.html"


def rendered(response, name: str) -> int:
    return sum(1 for used in response.templates if used.name == name)


class RememberedArticleTests(TestCase):
    def setUp(self):
        fragments.forget()
        cards.forget()
        cache.clear()
        self.clock = time_machine.travel(NOW, tick=False)
        self.now = self.clock.start()
        self.addCleanup(self.clock.stop)
        self.zoe, self.lea = make_author("Zoé Martin"), make_author("Léa Dubois")
        self.post = make_post(title="Sujet", tags=["métier"], pub_date=NOW - dt.timedelta(days=2))
        self.post.set_authors([self.zoe])
        other = make_post(title="Autre", tags=["métier"], pub_date=NOW - dt.timedelta(days=4))
        other.set_authors([self.lea])
        self.now.shift(dt.timedelta(minutes=1))

    def later(self) -> None:
        """An edit comes after the page it changes (the clock is frozen)."""
        self.now.shift(dt.timedelta(minutes=1))

    def test_an_article_seen_once_is_not_rendered_again(self):
        first = self.client.get("/blog/sujet/")
        self.assertEqual(rendered(first, BYLINE), 1)
        again = self.client.get("/blog/sujet/")
        self.assertEqual(rendered(again, BYLINE), 0)
        self.assertEqual(again.content, first.content)

    def test_what_the_article_shows_is_seen_at_once(self):
        self.client.get("/blog/sujet/")
        self.later()
        self.zoe.name = "Zoé Martin-Roy"
        self.zoe.save()
        response = self.client.get("/blog/sujet/")
        self.assertContains(response, "Zoé Martin-Roy", count=3)  # <link>, byline, author box
        self.later()
        self.zoe.bio = "Tisserande à Lyon."
        self.zoe.save()
        self.assertContains(self.client.get("/blog/sujet/"), "<p>Tisserande à Lyon.</p>", html=True)
        self.later()
        Tag.objects.filter(name="métier").update(name="Métier d'art")
        response = self.client.get("/blog/sujet/")
        self.assertContains(response, "#Métier d&#x27;art")
        self.later()
        Post.objects.filter(pk=self.post.pk).update(body_html="<p>Un corps réécrit.</p>")
        self.assertContains(self.client.get("/blog/sujet/"), "<p>Un corps réécrit.</p>")

    def test_a_draft_then_published_loses_its_notice(self):
        staff = self.client
        staff.force_login(make_staff())
        self.later()
        Post.objects.filter(pk=self.post.pk).update(status=Post.Status.DRAFT)
        self.assertContains(staff.get("/blog/sujet/"), "Brouillon")
        Post.objects.filter(pk=self.post.pk).update(status=Post.Status.PUBLISHED)
        self.assertNotContains(staff.get("/blog/sujet/"), "Brouillon")

    def test_an_image_whose_renditions_come_later_gets_its_picture(self):
        self.later()
        Post.objects.filter(pk=self.post.pk).update(
            body_html='<p><img src="/media/plus-tard.jpg" alt="Plus tard"></p>'
        )
        response = self.client.get("/blog/sujet/")
        self.assertContains(response, '<img src="/media/plus-tard.jpg" alt="Plus tard">')
        buffer = io.BytesIO()
        Image.new("RGB", (900, 600), (10, 120, 200)).save(buffer, "JPEG")
        default_storage.save("plus-tard.jpg", ContentFile(buffer.getvalue()))
        self.addCleanup(default_storage.delete, "plus-tard.jpg")
        response = self.client.get("/blog/sujet/")
        self.assertNotContains(response, '<img src="/media/plus-tard.jpg" alt="Plus tard">')
        self.assertContains(response, 'alt="Plus tard" loading="lazy"')


class RememberedLayoutTests(TestCase):
    def setUp(self):
        fragments.forget()
        cache.clear()
        make_post(title="Sujet")

    def test_a_page_added_to_the_navigation_shows_at_once_and_is_marked_current(self):
        self.client.get("/blog/")
        Page.objects.create(title="Services", slug="services", body="Offre.",
                            published=True, in_navigation=True)  # fmt: skip
        response = self.client.get("/blog/")
        self.assertContains(response, '<li><a href="/services/">Services</a></li>', html=True)
        self.assertNotContains(response, "aria-current")
        response = self.client.get("/services/")
        self.assertContains(
            response, '<li><a href="/services/" aria-current="page">Services</a></li>', html=True
        )
        response = self.client.get("/contact/")
        self.assertContains(
            response, '<li><a href="/contact/" aria-current="page">Contact</a></li>', html=True
        )
        self.assertNotContains(self.client.get("/blog/"), "aria-current")

    def test_the_site_name_shows_at_once(self):
        self.assertContains(self.client.get("/blog/"), "<p>Carnet</p>", html=True)
        SiteIdentity.objects.update_or_create(pk=1, defaults={"site_name": "Atelier Zoé"})
        response = self.client.get("/blog/")
        self.assertContains(response, '<a class="site-name" href="/">Atelier Zoé</a>', html=True)
        self.assertContains(response, 'title="Atelier Zoé (RSS)"')
        self.assertContains(response, "<p>Atelier Zoé</p>", html=True)
