"""The contact form's hourly limit cannot be reset by anonymous page views, nor turned against
someone: a message past the limit is kept and flagged in the inbox, never silently dropped.
The page cache keeps only pages of the site, so query strings cannot grow it.
"""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.core.cache import caches
from django.test import TestCase, override_settings
from django.utils import timezone

from blog.models import ContactMessage
from tests.support.factories import make_post, make_staff

VALID = {
    "name": "Camille Martin",
    "email": "camille@example.org",
    "subject": "Un projet",
    "message": "Bonjour, j'aimerais parler d'un projet.",
    "website": "",
}
ATTACKER = "203.0.113.7"
VICTIM = "198.51.100.20"


def page_cache_keys() -> list[str]:
    """The keys the page cache holds right now (the local-memory cache's own table)."""
    return [key for key in caches["default"]._cache if "carnet-page:" in key]


class ContactTestCase(TestCase):
    def setUp(self):
        caches["default"].clear()
        self.addCleanup(caches["default"].clear)

    def send(self, address: str = ATTACKER, **changes):
        return self.client.post("/contact/", {**VALID, **changes}, REMOTE_ADDR=address)


@override_settings(
    CARNET_CONTACT_EMAIL="zoe@example.fr",
    CARNET_CONTACT_MESSAGES_PER_HOUR=3,
    CARNET_PAGE_CACHE_SECONDS=60,
)
class LimitSurvivesPageViewsTests(ContactTestCase):
    def test_a_thousand_anonymous_page_views_neither_grow_the_cache_nor_reset_the_limit(self):
        make_post(title="Un billet")
        for n in range(3):
            self.send(subject=f"Message {n}")
        for n in range(1000):
            self.assertEqual(self.client.get(f"/?x={n}").status_code, 200)
        self.assertEqual(page_cache_keys(), [])
        self.send(subject="Un de trop")
        self.assertEqual(len(mail.outbox), 3)
        self.assertTrue(ContactMessage.objects.get(subject="Un de trop").rate_limited)

    def test_only_pages_of_the_site_are_kept(self):
        make_post(title="Un billet")
        for query in [
            "q=a",
            "q=b",
            "page=1&x=1",
            "page=2&page=3",
            "page=%C2%B2",
            "page=%EF%BC%91",
            "utm_source=x",
            "x",
        ]:
            self.client.get(f"/blog/?{query}")
        self.assertEqual(page_cache_keys(), [])
        self.client.get("/")
        self.client.get("/blog/?page=1")
        self.assertEqual(len(page_cache_keys()), 2)

    def test_a_page_of_the_site_is_still_served_from_the_cache(self):
        make_post(title="Un billet")
        first = self.client.get("/")
        with self.assertNumQueries(1):  # the state query; the page itself comes from the cache
            again = self.client.get("/")
        self.assertEqual(again.content, first.content)
        with self.assertNumQueries(1):
            self.client.get("/?")
        self.client.get("/?utm_source=lettre")
        self.assertEqual(len(page_cache_keys()), 1)


@override_settings(CARNET_CONTACT_EMAIL="zoe@example.fr", CARNET_CONTACT_MESSAGES_PER_HOUR=3)
class NobodyIsSilencedTests(ContactTestCase):
    def test_someone_using_your_address_cannot_silence_you(self):
        for n in range(3):
            self.send(ATTACKER, subject=f"Faux {n}")
        response = self.send(VICTIM, subject="Le vrai message")
        self.assertRedirects(response, "/contact/merci/")
        real = ContactMessage.objects.get(subject="Le vrai message")
        self.assertTrue(real.rate_limited)
        self.assertFalse(real.mailed)
        self.assertEqual(len(mail.outbox), 3)

        self.client.force_login(make_staff())
        inbox = self.client.get("/admin/blog/contactmessage/").content.decode()
        self.assertIn("Le vrai message", inbox)
        self.assertIn("hors limite", inbox)
        flagged = self.client.get("/admin/blog/contactmessage/?rate_limited__exact=1")
        self.assertContains(flagged, "Le vrai message")
        self.assertNotContains(flagged, "Faux 0")
        self.assertContains(flagged, "hors limite")
        opened = self.client.get(f"/admin/blog/contactmessage/{real.pk}/change/")
        self.assertContains(opened, "Hors limite")

    def test_messages_older_than_an_hour_do_not_count(self):
        for n in range(3):
            self.send(subject=f"Ancien {n}")
        ContactMessage.objects.update(created=timezone.now() - dt.timedelta(hours=1, minutes=1))
        self.send(subject="Une heure après")
        self.assertFalse(ContactMessage.objects.get(subject="Une heure après").rate_limited)
        self.assertEqual(len(mail.outbox), 4)

    def test_the_network_address_is_not_stored_in_clear(self):
        self.send(ATTACKER)
        message = ContactMessage.objects.get()
        self.assertNotIn(ATTACKER, message.sender_network)
        self.assertEqual(len(message.sender_network), 64)

    @override_settings(CARNET_CONTACT_MAX_KEPT_PER_HOUR=5)
    def test_a_flood_from_one_network_is_refused_past_the_ceiling(self):
        for n in range(5):
            self.send(ATTACKER, email=f"robot{n}@example.org")
        response = self.send(ATTACKER, email="robot-de-trop@example.org")
        self.assertEqual(response.status_code, 429)
        self.assertContains(
            response, "Trop de messages envoyés depuis votre connexion", status_code=429
        )
        self.assertEqual(ContactMessage.objects.count(), 5)
        # Another network is not held back by the flood.
        self.assertRedirects(self.send(VICTIM, email="vraie@example.org"), "/contact/merci/")
        self.assertFalse(ContactMessage.objects.get(email="vraie@example.org").rate_limited)


class InboxAddressesTests(TestCase):
    def test_a_message_address_that_is_not_a_number_is_not_a_server_error(self):
        self.client.force_login(make_staff())
        for object_id in ["abc", "%C2%B2", "1%00", "99999999999999999999999"]:
            with self.subTest(object_id=object_id):
                response = self.client.get(f"/admin/blog/contactmessage/{object_id}/change/")
                self.assertLess(response.status_code, 500)
