"""/contact/: stored first, then mailed; robots and floods refused quietly; errors named."""

from __future__ import annotations

import socket

from django.core import mail
from django.core.cache import cache
from django.test import TestCase, override_settings

from blog.models import ContactMessage, SiteIdentity
from tests.support.factories import make_staff

VALID = {
    "name": "Camille Durand",
    "email": "camille@example.org",
    "subject": "Un site pour mon association",
    "message": "Bonjour,\n\nPourriez-vous refaire le site de notre association ?",
    "website": "",
}


def closed_port() -> int:
    """A local port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@override_settings(CARNET_CONTACT_EMAIL="zoe@example.fr", CARNET_CONTACT_MESSAGES_PER_HOUR=3)
class ContactTests(TestCase):
    def setUp(self):
        cache.clear()
        self.addCleanup(cache.clear)

    def send(self, **changes):
        return self.client.post("/contact/", {**VALID, **changes})

    def test_the_form_works_without_javascript(self):
        html = self.client.get("/contact/").content.decode()
        self.assertIn('<form class="contact-form" method="post" action="/contact/"', html)
        self.assertIn('name="csrfmiddlewaretoken"', html)
        for label in ["Votre nom", "Votre adresse e-mail", "Sujet", "Message"]:
            self.assertIn(label, html)
        self.assertNotIn("<script", html)

    def test_a_valid_message_is_stored_then_mailed(self):
        response = self.send()
        self.assertRedirects(response, "/contact/merci/")
        message = ContactMessage.objects.get()
        self.assertEqual(message.email, "camille@example.org")
        self.assertFalse(message.read)
        self.assertTrue(message.mailed)
        self.assertEqual(len(mail.outbox), 1)
        sent = mail.outbox[0]
        self.assertEqual(sent.to, ["zoe@example.fr"])
        self.assertEqual(sent.reply_to, ["camille@example.org"])
        self.assertEqual(sent.subject, "[Carnet] Un site pour mon association")
        self.assertIn("De : Camille Durand <camille@example.org>", sent.body)
        self.assertIn("Pourriez-vous refaire le site", sent.body)

    def test_the_thank_you_page(self):
        response = self.client.post("/contact/", VALID, follow=True)
        self.assertContains(response, "Merci pour votre message")

    def test_gatsby_addresses_keep_working(self):
        self.assertEqual(self.client.get("/contact/").status_code, 200)
        response = self.client.get("/contact/thanks/")
        self.assertRedirects(response, "/contact/merci/", status_code=301)

    def test_the_csrf_token_is_required(self):
        client = self.client_class(enforce_csrf_checks=True)
        self.assertEqual(client.post("/contact/", VALID).status_code, 403)
        self.assertFalse(ContactMessage.objects.exists())

    def test_the_honeypot_refuses_quietly(self):
        response = self.send(website="http://spam.example")
        self.assertRedirects(response, "/contact/merci/")
        self.assertFalse(ContactMessage.objects.exists())
        self.assertEqual(mail.outbox, [])

    def test_past_the_hourly_limit_a_message_is_kept_flagged_not_mailed(self):
        for n in range(3):
            self.assertRedirects(self.send(subject=f"Message {n}"), "/contact/merci/")
        response = self.send(subject="Un de trop")
        self.assertRedirects(response, "/contact/merci/")
        self.assertEqual(ContactMessage.objects.count(), 4)
        self.assertTrue(ContactMessage.objects.get(subject="Un de trop").rate_limited)
        self.assertEqual(ContactMessage.objects.filter(rate_limited=True).count(), 1)
        self.assertEqual(len(mail.outbox), 3)

    def test_the_limit_counts_the_address_whatever_its_case(self):
        for n in range(3):
            self.send(email="Camille@Example.org", subject=f"Message {n}")
        self.send(email="camille@example.org", subject="Un de trop")
        self.assertTrue(ContactMessage.objects.get(subject="Un de trop").rate_limited)
        self.assertEqual(len(mail.outbox), 3)

    def test_the_limit_counts_the_network_address_too(self):
        for n in range(3):
            self.send(email=f"camille{n}@example.org")
        self.send(email="autre@example.org")
        self.assertTrue(ContactMessage.objects.get(email="autre@example.org").rate_limited)
        self.assertEqual(len(mail.outbox), 3)

    def test_invalid_fields_are_named_in_french(self):
        response = self.send(name="", email="pas-une-adresse", message="")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("Le formulaire comporte 3 erreurs :", html)
        self.assertIn('<a href="#id_name">Votre nom</a> : Indiquez votre nom.', html)
        self.assertIn("Cette adresse e-mail ne semble pas correcte (par ex. nom@exemple.fr).", html)
        self.assertIn("Écrivez votre message.", html)
        self.assertIn('aria-describedby="id_email_error id_email_helptext"', html)
        self.assertIn('aria-invalid="true"', html)
        self.assertIn('value="Un site pour mon association"', html)  # what was typed stays
        self.assertFalse(ContactMessage.objects.exists())

    def test_too_long_a_message_is_refused_with_its_length(self):
        response = self.send(message="x" * 5001)
        self.assertContains(response, "5000 caractères au plus, s&#x27;il vous plaît (5001")

    def test_a_subject_cannot_inject_mail_headers(self):
        self.send(subject="Bonjour\nBcc: victime@example.org")
        self.assertEqual(len(mail.outbox), 1)
        headers = mail.outbox[0].message().as_string().split("\n\n")[0].splitlines()
        self.assertFalse([line for line in headers if line.startswith("Bcc")])
        self.assertEqual(mail.outbox[0].recipients(), ["zoe@example.fr"])


@override_settings(CARNET_CONTACT_EMAIL="zoe@example.fr")
class MailFailureTests(TestCase):
    def setUp(self):
        cache.clear()
        self.addCleanup(cache.clear)

    def test_a_mail_server_that_is_down_loses_nothing(self):
        """SMTP refused: the message is kept (with why) and the sender is thanked as usual."""
        with (
            self.settings(
                EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                EMAIL_HOST="127.0.0.1",
                EMAIL_PORT=closed_port(),
                EMAIL_USE_TLS=False,
                EMAIL_USE_SSL=False,
                EMAIL_TIMEOUT=2,
            ),
            self.assertLogs("blog.contact", "WARNING"),
        ):
            response = self.client.post("/contact/", VALID, follow=True)
        self.assertContains(response, "Merci pour votre message")
        message = ContactMessage.objects.get()
        self.assertFalse(message.mailed)
        self.assertIn("ConnectionRefusedError", message.mail_error)

    @override_settings(CARNET_CONTACT_EMAIL="", ADMINS=[])
    def test_without_any_address_the_message_is_still_kept(self):
        self.client.post("/contact/", VALID)
        message = ContactMessage.objects.get()
        self.assertFalse(message.mailed)
        self.assertIn("CARNET_CONTACT_EMAIL", message.mail_error)

    @override_settings(CARNET_CONTACT_EMAIL="")
    def test_the_identity_address_receives_the_messages(self):
        SiteIdentity.objects.create(email="bonjour@zoe.example")
        self.client.post("/contact/", VALID)
        self.assertEqual(mail.outbox[0].to, ["bonjour@zoe.example"])


class InboxTests(TestCase):
    def setUp(self):
        self.client.force_login(make_staff())
        self.old = ContactMessage.objects.create(
            name="A", email="a@example.org", subject="Ancien", message="…"
        )
        self.new = ContactMessage.objects.create(
            name="B", email="b@example.org", subject="Récent", message="…"
        )

    def test_newest_first_with_unread_marked(self):
        html = self.client.get("/admin/blog/contactmessage/").content.decode()
        self.assertLess(html.index("Récent"), html.index("Ancien"))
        self.assertIn("<strong>Récent</strong>", html)

    def test_the_admin_index_counts_unread_messages(self):
        self.assertContains(self.client.get("/admin/"), "2 messages de contact non lus")
        self.client.get(f"/admin/blog/contactmessage/{self.new.pk}/change/")
        self.new.refresh_from_db()
        self.assertTrue(self.new.read)
        self.assertContains(self.client.get("/admin/"), "1 message de contact non lu")

    def test_mark_unread_again(self):
        ContactMessage.objects.update(read=True)
        self.assertNotContains(self.client.get("/admin/"), "non lu")
        self.client.post(
            "/admin/blog/contactmessage/",
            {"action": "mark_unread", "_selected_action": [self.old.pk]},
        )
        self.assertContains(self.client.get("/admin/"), "1 message de contact non lu")
