"""Security headers and HTTPS settings: CSP on every response, HSTS by choice, proxies trusted
only when there are some, and a clean `check --deploy` with the README's production values."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest
import reversion
from django.conf import settings
from django.test import Client, RequestFactory, SimpleTestCase, TestCase, override_settings
from django.urls import reverse
from django.views.defaults import server_error
from reversion.models import Version
from taggit.models import Tag

from blog.models import Post
from blog.rendering import render_markdown
from tests.support.factories import make_image, make_post, make_staff
from tests.support.process import PRODUCTION_ENV, run_manage


def policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def csp_hash(text: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"


class InlineCode(HTMLParser):
    """What a CSP without 'unsafe-inline' would refuse in a page."""

    DATA_TYPES = {"application/json", "application/ld+json"}

    def __init__(self):
        super().__init__()
        self.scripts: list[str] = []  # inline scripts a browser would run
        self.handlers: list[str] = []  # onclick=… and javascript: URLs
        self.style_attributes: list[str] = []
        self.style_elements: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "script" and "src" not in values and values.get("type") not in self.DATA_TYPES:
            self.scripts.append(self.get_starttag_text())
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"{tag} {name}={value}")
            if value and re.match(r"\s*javascript:", value, re.I):
                self.handlers.append(f"{tag} {name}={value}")
        if "style" in values:
            self.style_attributes.append(values["style"] or "")
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.style_elements.append(data)


def inline_code(html: str) -> InlineCode:
    parser = InlineCode()
    parser.feed(html)
    return parser


def assert_allowed_by_policy(response):
    """The page runs and looks the same under its own Content-Security-Policy."""
    directives = policy(response)
    found = inline_code(response.content.decode())
    path = response.request["PATH_INFO"]
    assert found.scripts == [], path
    assert found.handlers == [], path
    for style in found.style_elements:
        assert csp_hash(style) in directives["style-src"], (path, style)
    for style in found.style_attributes:
        assert csp_hash(style) in directives["style-src-attr"], (path, style)


def make_site() -> Post:
    """A published post with a table, an image and a tag; and a draft."""
    post = make_post(
        title="Un tableau",
        body="| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n\n![Bureau](/media/x.jpg)",
        tags=["freelancing"],
        image=make_image(),
        image_alt="Un bureau",
    )
    make_post(title="Brouillon", status=Post.Status.DRAFT)
    return post


def public_urls(post) -> list[str]:
    year = post.pub_date.year
    return [
        "/",
        "/blog/",
        post.get_absolute_url(),
        "/tags/",
        "/tags/freelancing/",
        f"/archive/{year}/",
        "/search/?q=tableau",
        "/contact/",
        "/contact/merci/",
        "/feed/",
        "/sitemap.xml",
        "/robots.txt",
        "/nowhere/",  # 404
        post.image.url,  # media served by Django
        "/static/blog/carnet.css",  # whitenoise
    ]


# Settings are read from the environment at start-up: each case is a fresh process.

SHOW_HTTPS = (
    "from django.conf import settings as s; from django.test import RequestFactory; "
    "r = RequestFactory().get('/', HTTP_X_FORWARDED_PROTO='https'); "
    "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, "
    "r.is_secure())"
)


def https_settings(**env) -> list[str]:
    result = run_manage("shell", "-c", SHOW_HTTPS, env={"DJANGO_SECRET_KEY": "k", **env})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1].split()


SHOW_IMG_SRC = (
    "from django.conf import settings as s; "
    "print(' '.join(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']))"
)


@override_settings(SERVE_MEDIA=True)
class SitePolicyTests(TestCase):
    """Every public and admin page runs under the Content-Security-Policy: inline code by hash."""

    def setUp(self):
        self.post = make_site()

    def test_every_public_response_has_the_policy(self):
        for url in public_urls(self.post):
            response = self.client.get(url)
            assert response.status_code in (200, 404), url
            if url.startswith(settings.MEDIA_URL):  # stricter: no document runs from media
                assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
                continue
            directives = policy(response)
            assert directives["default-src"] == ["'self'"]
            assert directives["script-src"] == ["'self'"], "no inline script, no eval, no host"
            assert "'unsafe-inline'" not in directives["style-src"]
            assert directives["object-src"] == ["'none'"]
            assert directives["base-uri"] == ["'self'"]
            assert directives["form-action"] == ["'self'"]
            assert directives["frame-ancestors"] == ["'none'"]
            assert "'self'" in directives["img-src"]
            if response["Content-Type"].startswith("text/html"):
                assert_allowed_by_policy(response)

    def test_admin_pages_run_under_the_policy(self):
        self.client.force_login(make_staff())
        with reversion.create_revision():
            self.post.save()
        version = Version.objects.get_for_object(self.post).get()
        tag = Tag.objects.get(name="freelancing")
        urls = [
            reverse("admin:index"),
            reverse("admin:blog_post_changelist"),
            reverse("admin:blog_post_add"),
            reverse("admin:blog_post_change", args=[self.post.pk]),
            reverse("admin:blog_post_delete", args=[self.post.pk]),
            reverse("admin:blog_post_history", args=[self.post.pk]),
            reverse("admin:blog_post_compare", args=[self.post.pk, version.pk]),
            reverse("admin:blog_post_revision", args=[self.post.pk, version.pk]),
            reverse("admin:blog_page_changelist"),
            reverse("admin:blog_page_add"),
            reverse("admin:blog_siteidentity_changelist"),
            reverse("admin:blog_contactmessage_changelist"),
            reverse("admin:blog_redirect_changelist"),
            reverse("admin:taggit_tag_changelist"),
            reverse("admin:taggit_tag_change", args=[tag.pk]),
            reverse("admin:password_change"),
        ]
        for url in urls:
            response = self.client.get(url, follow=True)
            assert response.status_code == 200, url
            assert_allowed_by_policy(response)
        merge = self.client.post(
            reverse("admin:taggit_tag_changelist"),
            {"action": "merge", "_selected_action": [tag.pk]},
        )
        assert "admin/blog/merge_tags.html" in [t.name for t in merge.templates]
        assert_allowed_by_policy(merge)
        # The live preview: its HTML goes into the editor's <iframe srcdoc>, under the editor's
        # policy.
        token = self.client.cookies["csrftoken"].value
        preview = self.client.post(
            reverse("admin:blog_post_preview"),
            {"title": "Aperçu", "body": self.post.body, "status": "draft", "tags": ""},
            HTTP_X_CSRFTOKEN=token,
        )
        assert preview.status_code == 200
        assert "text-align:center" in preview.content.decode()
        assert_allowed_by_policy(preview)


class HeaderTests(TestCase):
    """The login, error and CSRF pages keep the policy; the other headers and cookies are strict."""

    def test_login_page_runs_under_the_policy(self):
        response = self.client.get(reverse("admin:login"))
        assert response.status_code == 200
        assert_allowed_by_policy(response)

    def test_the_error_page_style_is_allowed_by_its_hash(self):
        """500.html keeps its few rules inline (no static files, no database when things fail)."""
        response = server_error(RequestFactory().get("/"))
        styles = inline_code(response.content.decode()).style_elements
        assert styles, "500.html has its own style"
        allowed = policy(self.client.get("/robots.txt"))["style-src"]
        for style in styles:
            assert csp_hash(style) in allowed

    def test_csrf_failure_page_is_the_sites_own(self):
        """Django's built-in CSRF page styles itself inline: the policy would strip its look."""
        client = Client(enforce_csrf_checks=True)
        response = client.post(reverse("contact:form"), {"name": "A", "email": "a@example.org"})
        assert response.status_code == 403
        found = inline_code(response.content.decode())
        assert found.style_elements == []
        assert_allowed_by_policy(response)
        assert "La vérification CSRF a échoué" in response.content.decode()
        assert "Le formulaire était trop ancien" in response.content.decode()
        assert 'lang="fr"' in response.content.decode()

    def test_table_alignments_are_the_hashed_values(self):
        """The sanitizer's style values are exactly the ones the policy allows by hash."""
        html = render_markdown("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |")
        styles = set(re.findall(r'style="([^"]*)"', html))
        assert styles == {"text-align:left", "text-align:center", "text-align:right"}
        assert styles <= set(settings.TABLE_ALIGNMENTS)

    def test_other_headers(self):
        response = self.client.get(reverse("admin:login"))
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert "camera=()" in response["Permissions-Policy"]
        assert "geolocation=()" in response["Permissions-Policy"]

    def test_cookies_are_httponly_and_same_site(self):
        make_staff()
        self.client.get(reverse("admin:login"))
        csrf = self.client.cookies["csrftoken"]
        assert csrf["httponly"] is True, "no script reads the CSRF cookie (the form carries it)"
        assert csrf["samesite"] == "Lax"
        self.client.post(
            reverse("admin:login"),
            {"username": "editrice", "password": "mot-de-passe-solide"},
        )
        session = self.client.cookies[settings.SESSION_COOKIE_NAME]
        assert session["httponly"] is True
        assert session["samesite"] == "Lax"


@pytest.mark.child_process
class EnvironmentTests(SimpleTestCase):
    """HTTPS settings come from the environment at start-up: each case is a fresh process."""

    def test_secure_does_not_turn_on_preload_or_subdomains(self):
        """DJANGO_SECURE=1 alone: HSTS off (preload and subdomains are hard to undo)."""
        assert https_settings(DJANGO_SECURE="1")[:3] == ["0", "False", "False"]

    def test_hsts_settings_are_separate(self):
        env = {"DJANGO_SECURE": "1", "DJANGO_HSTS_SECONDS": "3600"}
        assert https_settings(**env)[:3] == ["3600", "False", "False"]
        env |= {"DJANGO_HSTS_INCLUDE_SUBDOMAINS": "1"}
        assert https_settings(**env)[:3] == ["3600", "True", "False"]
        env |= {"DJANGO_HSTS_PRELOAD": "1"}
        assert https_settings(**env)[:3] == ["3600", "True", "True"]

    def test_a_bad_number_in_the_environment_is_named(self):
        for name, value in [
            ("DJANGO_HSTS_SECONDS", "un an"),
            ("CARNET_PROXY_COUNT", "²"),  # str.isdigit() says yes, int() says no
            ("EMAIL_PORT", "smtp"),
            ("CARNET_PAGE_CACHE_SECONDS", "-1"),
        ]:
            with self.subTest(name=name):
                result = run_manage("check", env={"DJANGO_SECRET_KEY": "k", name: value})
                assert result.returncode != 0
                assert f"{name} must be a whole number" in result.stderr
                assert "ValueError" not in result.stderr

    def test_forwarded_proto_is_ignored_without_a_proxy(self):
        """With no proxy in front, anyone could claim HTTPS and skip the SSL redirect."""
        assert https_settings(DJANGO_SECURE="1")[3] == "False"
        assert https_settings(DJANGO_SECURE="1", CARNET_PROXY_COUNT="0")[3] == "False"

    def test_forwarded_proto_is_believed_from_a_trusted_proxy(self):
        assert https_settings(DJANGO_SECURE="1", CARNET_PROXY_COUNT="1")[3] == "True"
        # Behind a TLS proxy without DJANGO_SECURE, addresses still come out as https://.
        assert https_settings(CARNET_PROXY_COUNT="1")[3] == "True"

    def test_deploy_check_is_clean_with_the_production_settings(self):
        result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
        assert result.returncode == 0, result.stderr + result.stdout
        assert "System check identified no issues" in result.stdout

    def test_deploy_check_still_reminds_of_an_undecided_hsts(self):
        """HSTS left at its default is reported, and so is a preload nobody decided on."""
        env = {**PRODUCTION_ENV}
        del env["DJANGO_HSTS_SECONDS"], env["DJANGO_HSTS_PRELOAD"]
        result = run_manage("check", "--deploy", env=env)
        assert "security.W004" in result.stderr
        env["DJANGO_HSTS_SECONDS"] = "3600"
        result = run_manage("check", "--deploy", env=env)
        assert "security.W021" in result.stderr
        assert "security.W005" not in result.stderr  # DJANGO_HSTS_INCLUDE_SUBDOMAINS=0: decided

    def test_imported_posts_keep_their_remote_https_images_unless_refused(self):
        """A post linking an image on another HTTPS host still shows it; the operator may say no."""
        shown = run_manage("shell", "-c", SHOW_IMG_SRC, env={"DJANGO_SECRET_KEY": "k"})
        assert shown.returncode == 0, shown.stderr
        assert "https:" in shown.stdout.split()
        assert "http:" not in shown.stdout.split()
        env = {"DJANGO_SECRET_KEY": "k", "CARNET_REMOTE_IMAGES": "0"}
        refused = run_manage("shell", "-c", SHOW_IMG_SRC, env=env)
        assert "https:" not in refused.stdout.split()
