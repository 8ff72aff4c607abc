"""/contact/: a plain HTML form (no JavaScript needed) whose messages are stored, then mailed.

A message is written to the database first (the admin's inbox), then sent through Django's
email settings; a mail server that is down loses nothing and the sender still gets the
thank-you page. Robots that fill the hidden field get the same page and nothing is stored.

The hourly limit (CARNET_CONTACT_MESSAGES_PER_HOUR, per email address and per network
address) counts the messages stored in the last hour: the database is shared by every worker
process, survives restarts, and no page can evict it (a count in the default cache could be
wiped by 300 page-cache entries). A message past the limit is stored, flagged « hors limite »
in the inbox and not mailed: dropping it would let anyone silence a person by sending three
messages with that person's address. The sender sees the same thank-you page. Only past
CARNET_CONTACT_MAX_KEPT_PER_HOUR messages from one network address is a message refused
(the form says to try again later), so a flood cannot fill the database.
"""

from __future__ import annotations

import datetime as dt
import logging

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, RedirectView, TemplateView

from blog.client_address import client_ip
from blog.models import ContactMessage, SiteIdentity
from blog.site import identity
from blog.text import strip_control_chars

logger = logging.getLogger("blog.contact")  # its name before the move: log filters keep working
HOUR = dt.timedelta(hours=1)
TOO_MANY_REQUESTS = 429


class ContactForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"),
        max_length=100,
        error_messages={"required": _("Tell me your name.")},
    )
    email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("To answer you; never shown or shared."),
        error_messages={
            "required": _("Give an email address so that I can answer you."),
            "invalid": _("This email address does not look right (e.g. nom@exemple.fr)."),
        },
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=150,
        error_messages={"required": _("Give your message a subject.")},
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Write your message.")},
    )
    # The honeypot: hidden from people (CSS and aria-hidden), filled in by robots.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "email", "subject", "message"):
            field = self.fields[name]
            field.widget.attrs.update(required=True)
            if field.max_length:
                field.error_messages["max_length"] = _(
                    "At most %(limit_value)d characters, please (%(show_value)d now)."
                )
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def full_clean(self) -> None:
        super().full_clean()
        # Screen readers read the error with the field (Django marks it aria-invalid).
        for name in self.errors:
            if name in self.fields:
                bound = self[name]
                ids = [f"{bound.auto_id}_error"]
                if self.fields[name].help_text:
                    ids.append(f"{bound.auto_id}_helptext")
                self.fields[name].widget.attrs["aria-describedby"] = " ".join(ids)

    def clean_subject(self) -> str:
        subject = strip_control_chars(self.cleaned_data["subject"])
        if not subject:
            raise ValidationError(_("Give your message a subject."))
        return subject

    def clean_name(self) -> str:
        name = strip_control_chars(self.cleaned_data["name"])
        if not name:
            raise ValidationError(_("Tell me your name."))
        return name

    def clean_message(self) -> str:
        return strip_control_chars(self.cleaned_data["message"], multiline=True).strip()

    @property
    def is_robot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


def limit_per_hour() -> int:
    return int(getattr(settings, "CARNET_CONTACT_MESSAGES_PER_HOUR", 3))


def kept_per_hour() -> int:
    """Messages kept per network address and hour, flagged ones included; more are refused."""
    return int(getattr(settings, "CARNET_CONTACT_MAX_KEPT_PER_HOUR", 30))


def sender_network(request) -> str:
    """A keyed hash of the sender's network address: enough to count, not to tell who."""
    return salted_hmac(
        "carnet.contact.network", client_ip(request) or "", algorithm="sha256"
    ).hexdigest()


def sent_last_hour(email: str, network: str) -> tuple[int, int]:
    """(by this email address, whatever its case; from this network), in one query."""
    counts = ContactMessage.objects.filter(created__gte=timezone.now() - HOUR).aggregate(
        by_address=Count("id", filter=Q(email__iexact=email)),
        by_network=Count("id", filter=Q(sender_network=network)),
    )
    return counts["by_address"], counts["by_network"]


def recipients() -> list[str]:
    """Where messages go: CARNET_CONTACT_EMAIL, else the identity's address, else ADMINS."""
    if settings.CARNET_CONTACT_EMAIL:
        return [settings.CARNET_CONTACT_EMAIL]
    email = SiteIdentity.objects.filter(pk=1).values_list("email", flat=True).first()
    if email:
        return [email]
    return [address for _, address in settings.ADMINS]


def send(message: ContactMessage, site_name: str) -> None:
    """Mail a stored message to the owner; a failure is recorded on it, never raised."""
    to = recipients()
    if not to:
        message.mail_error = gettext("No address to send it to (set CARNET_CONTACT_EMAIL).")
        message.save(update_fields=["mail_error"])
        return
    mail = EmailMessage(
        subject=f"[{site_name}] {message.subject}",
        body=gettext("From: %(name)s <%(email)s>\n\n%(message)s")
        % {"name": message.name, "email": message.email, "message": message.message},
        to=to,
        reply_to=[message.email],
    )
    try:
        mail.send()
    except Exception as exc:  # SMTP down, refused, timed out, bad credentials…: kept, told
        logger.warning("Contact message %s not mailed: %s", message.pk, exc)
        message.mail_error = f"{type(exc).__name__}: {exc}"[:1000]
        message.save(update_fields=["mail_error"])
        return
    message.mailed = True
    message.save(update_fields=["mailed"])


@method_decorator(never_cache, name="dispatch")
class ContactView(FormView):
    """Never cached (private, no-store): the form carries the reader's CSRF token."""

    form_class = ContactForm
    template_name = "contact/contact.html"

    def form_valid(self, form):
        if form.is_robot:
            return redirect("contact:thanks")
        network = sender_network(self.request)
        by_address, by_network = sent_last_hour(form.cleaned_data["email"], network)
        if by_network >= kept_per_hour():
            form.add_error(
                None,
                gettext(
                    "Too many messages were sent from your connection in the last hour: "
                    "please try again later."
                ),
            )
            response = self.form_invalid(form)
            response.status_code = TOO_MANY_REQUESTS
            return response
        limit = limit_per_hour()
        over_limit = by_address >= limit or by_network >= limit
        message = ContactMessage.objects.create(
            **{key: form.cleaned_data[key] for key in ("name", "email", "subject", "message")},
            rate_limited=over_limit,
            sender_network=network,
        )
        if not over_limit:  # a flood never reaches the owner's mailbox; the inbox shows it
            send(message, identity.load(self.request).site_name)
        return redirect("contact:thanks")


class ThanksView(TemplateView):
    template_name = "contact/thanks.html"


class OldThanksView(RedirectView):
    """Gatsby's /contact/thanks/ keeps working."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return reverse("contact:thanks")
