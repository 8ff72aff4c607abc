"""Admin logins are throttled after repeated failures; the lock-out ends by itself."""

import datetime as dt

from axes.models import AccessAttempt
from django.conf import settings
from django.test import RequestFactory, SimpleTestCase, TestCase, override_settings
from django.utils import timezone

from blog.client_address import client_ip
from tests.support.factories import make_staff

LOGIN = "/admin/login/"


class ThrottlingTests(TestCase):
    def setUp(self):
        make_staff("editrice")

    def attempt(self, password):
        return self.client.post(
            LOGIN, {"username": "editrice", "password": password, "next": "/admin/"}
        )

    def test_good_password_logs_in(self):
        self.assertRedirects(self.attempt("mot-de-passe-solide"), "/admin/")

    def test_locked_out_after_repeated_failures_even_with_the_right_password(self):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            self.assertEqual(self.attempt("mauvais").status_code, 200)
        locked = self.attempt("mauvais")
        self.assertEqual(locked.status_code, 429)
        self.assertContains(locked, "Trop de tentatives échouées", status_code=429)
        self.assertContains(locked, "Elle se débloque d'elle-même", status_code=429)
        self.assertEqual(self.attempt("mot-de-passe-solide").status_code, 429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_the_lock_out_page_has_the_admin_header_and_the_real_wait(self):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            locked = self.attempt("mauvais")
        self.assertContains(
            locked,
            '<div id="site-name"><a href="/admin/">Carnet : écriture</a></div>',
            html=True,
            status_code=429,
        )
        self.assertNotContains(locked, "Django", status_code=429)
        self.assertContains(locked, "réessayez dans 15 minutes.", status_code=429)

    @override_settings(AXES_COOLOFF_TIME=dt.timedelta(minutes=1))
    def test_the_wait_follows_the_setting(self):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            locked = self.attempt("mauvais")
        self.assertContains(locked, "réessayez dans 1 minute.", status_code=429)

    def test_the_lock_out_expires_by_itself(self):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self.attempt("mauvais")
        self.assertEqual(self.attempt("mot-de-passe-solide").status_code, 429)
        # Time passes: the failures are now older than the cool-off period.
        AccessAttempt.objects.update(
            attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=1)
        )
        self.assertRedirects(self.attempt("mot-de-passe-solide"), "/admin/")

    def test_test_client_login_still_works(self):
        self.assertTrue(self.client.login(username="editrice", password="mot-de-passe-solide"))


PROXY = "10.0.0.1"  # what REMOTE_ADDR says for every request behind the reverse proxy


@override_settings(CARNET_PROXY_COUNT=1)
class BehindOneProxyTests(TestCase):
    """Behind a reverse proxy, each reader is throttled on their own address, not the proxy's."""

    def setUp(self):
        make_staff("editrice")

    def attempt(self, forwarded_for, password):
        return self.client.post(
            LOGIN,
            {"username": "editrice", "password": password, "next": "/admin/"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )

    def test_two_readers_behind_the_proxy_are_locked_out_separately(self):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self.attempt("203.0.113.5", "mauvais")
        self.assertEqual(self.attempt("203.0.113.5", "mot-de-passe-solide").status_code, 429)
        self.assertRedirects(self.attempt("198.51.100.7", "mot-de-passe-solide"), "/admin/")
        self.assertEqual(
            list(AccessAttempt.objects.values_list("ip_address", flat=True)), ["203.0.113.5"]
        )

    def test_an_address_written_by_the_client_is_not_believed(self):
        # The proxy appends the address it saw; what the client sent itself stays on the left.
        for n in range(settings.AXES_FAILURE_LIMIT):
            self.attempt(f"192.0.2.{n}, 203.0.113.5", "mauvais")
        locked = self.attempt("192.0.2.99, 203.0.113.5", "mot-de-passe-solide")
        self.assertEqual(locked.status_code, 429)


class DirectTests(TestCase):
    """Without a proxy (the default), X-Forwarded-For is anybody's to write: it is ignored."""

    def test_the_header_does_not_escape_a_lock_out(self):
        self.assertEqual(settings.CARNET_PROXY_COUNT, 0)
        make_staff("editrice")
        for n in range(settings.AXES_FAILURE_LIMIT + 1):
            last = self.client.post(
                LOGIN,
                {"username": "editrice", "password": "mauvais", "next": "/admin/"},
                REMOTE_ADDR="203.0.113.5",
                HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
            )
        self.assertEqual(last.status_code, 429)
        self.assertEqual(AccessAttempt.objects.get().ip_address, "203.0.113.5")


class ClientAddressTests(SimpleTestCase):
    """The reader is the N-th address from the right of X-Forwarded-For with N proxies."""

    def address(self, proxies, forwarded_for=None):
        extra = {"REMOTE_ADDR": PROXY}
        if forwarded_for is not None:
            extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
        with self.settings(CARNET_PROXY_COUNT=proxies):
            return client_ip(RequestFactory().post(LOGIN, **extra))

    def test_resolution(self):
        cases = [
            (0, "203.0.113.5", PROXY),  # direct: the header is ignored
            (1, "203.0.113.5", "203.0.113.5"),
            (1, "192.0.2.1, 203.0.113.5", "203.0.113.5"),  # the left one is the client's own
            (2, "192.0.2.1, 203.0.113.5, 10.0.0.2", "203.0.113.5"),  # CDN then nginx
            (2, "203.0.113.5", "203.0.113.5"),  # came in through the inner proxy only
            (1, None, PROXY),  # not through the proxy: the peer
            (1, "not-an-address", PROXY),
            (1, "2001:DB8::1", "2001:db8::1"),
        ]
        for proxies, header, expected in cases:
            with self.subTest(proxies=proxies, header=header):
                self.assertEqual(self.address(proxies, header), expected)
