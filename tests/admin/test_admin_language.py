"""Every admin page Carnet has speaks the editor's language: no English left in French, and
no French in English (third-party apps, Django's own icons, permissions and axes' rows too)."""

from __future__ import annotations

from html.parser import HTMLParser

import reversion
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from reversion.models import Version
from taggit.models import Tag

from blog.models import Author, ContactMessage, Redirect
from tests.support.cases import TemporaryFolders
from tests.support.factories import make_post, make_staff

FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}

# What the French admin showed in English before: whole words a reader sees or hears.
ENGLISH_WORDS = {
    "Taggit",  # the apps' headings, breadcrumbs, « Administration de … »
    "Axes",
    "Search",  # the magnifier's alt text
    "True",  # the yes/no icons' alt text
    "False",
    "Author",  # the post's authors' column
    "HTTP Accept :",  # django-axes' fields
    "User Agent",
}
# ... and in part of a longer text.
ENGLISH_PARTS = {
    "Can add",  # permissions, as stored
    "Can change",
    "Can view",
    "Can delete",
    "Locked Out",  # django-axes: a filter, a status
    "Access Log for",  # axes' rows, named by their __str__
    "Failed access:",
    "Attempted Access",
    "tagged with",
    "Étiquette à changer",  # taggit's French: « Sélectionnez l'objet Étiquette à changer »
}
# Their French, where the English was.
FRENCH_TEXTS = {
    "Étiquettes",
    "Sécurité des connexions",
    "Rechercher",
    "Oui",
    "Non",
    "Auteur",
    "Blog | article | Peut modifier",
    "Blog | article | Peut publier, dépublier et mettre à la une des articles",
    "Verrouillé",
    "Navigateur (User-Agent)",
    "En-tête HTTP Accept",
    "Connexion de root le",
    "Échec de connexion de intrus le",
    "Échecs de connexion de intrus depuis 203.0.113.9",
    "Sélectionnez l’objet étiquette à changer",
    "Fusionner les étiquettes",  # the merge page
    "Trop de tentatives échouées",  # the lock-out page
    "Site statique publié",  # the publish page's message
    "Comparer",  # history
}
# What the English admin must not show: Carnet's own French, and the translations above (the
# groups « Auteur » and « Éditeur » are rows, named in French by their migration).
FRENCH_IN_ENGLISH = {
    "Étiquettes",
    "Sécurité des connexions",
    "Rechercher",
    "Peut modifier",
    "Verrouillé",
    "Connexion de root",
    "« À la une »",  # in help texts
    "Mon portfolio",
    "Article",
    "Brouillon",
    "Publié",
    "Enregistrer",
}


class _Text(HTMLParser):
    """The words a reader sees or hears: text, and the alt, title, aria-label and placeholder
    attributes, and buttons' values."""

    def __init__(self):
        super().__init__()
        self.chunks: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self.hidden += 1
        values = dict(attrs)
        for name in ("alt", "title", "aria-label", "placeholder"):
            if values.get(name):
                self.chunks.append(values[name])
        if values.get("type") in ("submit", "button") and values.get("value"):
            self.chunks.append(values["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.chunks.append(" ".join(data.split()))


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.chunks


class AdminLanguageTests(TemporaryFolders, TestCase):
    """A superuser walks every admin page in French, then in English."""

    @classmethod
    def setUpTestData(cls):
        cls.user = make_staff("root")
        with reversion.create_revision():
            cls.post = make_post(title="Un article", tags=["Cuisine", "Voyage"])
            reversion.set_user(cls.user)
        Author.objects.create(name="Ada")
        Redirect.objects.create(old_path="/vieux/", new_path="/neuf/")
        ContactMessage.objects.create(name="Lou", email="lou@example.org", message="Bonjour")
        details = {"user_agent": "Firefox", "ip_address": "203.0.113.9", "http_accept": "*/*"}
        AccessAttempt.objects.create(
            username="intrus", get_data="", post_data="", failures_since_start=5, **details
        )
        AccessFailureLog.objects.create(username="intrus", locked_out=True, **details)
        AccessLog.objects.create(username="root", **details)

    def setUp(self):
        super().setUp()
        self.enterContext(override_settings(CARNET_STATIC_DIR=str(self.tmp_path / "public")))

    def walk(self, language: dict) -> dict[str, list[str]]:
        """Each page's visible text, by address: every model's list, add, change, history and
        delete pages, the index, the apps, password change, the history's comparison, the tag
        merge, the static publication and the lock-out page."""
        client = Client(**language)
        client.force_login(self.user)
        version = Version.objects.get_for_object(self.post).get()
        urls = [
            reverse("admin:index"),
            reverse("admin:password_change"),
            reverse("admin:blog_post_compare", args=[self.post.pk, version.pk]),
            reverse("admin:blog_post_recoverlist"),
        ]
        for model, model_admin in admin.site._registry.items():
            info = model._meta.app_label, model._meta.model_name
            urls.append(reverse("admin:app_list", args=[info[0]]))
            urls.append(reverse("admin:{}_{}_changelist".format(*info)))
            if model_admin.has_add_permission(_Request(self.user)):
                urls.append(reverse("admin:{}_{}_add".format(*info)))
            if first := model._default_manager.first():
                for page in ("change", "history", "delete"):
                    urls.append(reverse(f"admin:{info[0]}_{info[1]}_{page}", args=[first.pk]))
        pages = {}
        for url in dict.fromkeys(urls):
            response = client.get(url, follow=True)
            assert response.status_code == 200, (url, response.status_code)
            pages[url] = visible_text(response.content.decode())
        merge = client.post(
            reverse("admin:taggit_tag_changelist"),
            {"action": "merge", "_selected_action": [tag.pk for tag in Tag.objects.all()]},
        )
        pages["merge"] = visible_text(merge.content.decode())
        published = client.post(reverse("publish-static"), follow=True)
        pages["publish"] = visible_text(published.content.decode())
        pages["lock-out"] = self.locked_out(language)
        return pages

    def locked_out(self, language: dict) -> list[str]:
        client = Client(**language)
        for _ in range(settings.AXES_FAILURE_LIMIT):
            response = client.post(
                reverse("admin:login"), {"username": "root", "password": "mauvais"}
            )
        assert response.status_code == 429
        return visible_text(response.content.decode())

    def test_the_french_admin_has_no_english_left(self):
        pages = self.walk(FRENCH)
        found = [
            (url, chunk)
            for url, chunks in pages.items()
            for chunk in chunks
            if chunk in ENGLISH_WORDS or any(part in chunk for part in ENGLISH_PARTS)
        ]
        assert found == [], found
        text = "\n".join(chunk for chunks in pages.values() for chunk in chunks)
        missing = [french for french in FRENCH_TEXTS if french not in text]
        assert missing == [], missing

    def test_the_english_admin_has_no_french_left(self):
        pages = self.walk(ENGLISH)
        found = [
            (url, chunk)
            for url, chunks in pages.items()
            for chunk in chunks
            if chunk in FRENCH_IN_ENGLISH
            or any(french in chunk for french in FRENCH_IN_ENGLISH if " " in french)
        ]
        assert found == [], found
        text = "\n".join(chunk for chunks in pages.values() for chunk in chunks)
        for english in ("Tags", "Login security", "Blog | post | Can change", "Locked Out"):
            assert english in text, english


class _Request:
    """Just enough of a request for a model admin's permission checks."""

    def __init__(self, user):
        self.user = user
