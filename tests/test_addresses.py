"""Addresses reversed once per process (blog.addresses) are still what reverse() gives now:
under another script prefix (a site mounted under /carnet/) and another URLconf."""

from django.test import SimpleTestCase, override_settings
from django.urls import set_script_prefix

from blog.models import Author
from blog.public.middleware import admin_prefix

urlpatterns = []  # a site without the admin: ROOT_URLCONF="tests.test_addresses"


class AddressTests(SimpleTestCase):
    def test_an_author_address_follows_the_script_prefix(self):
        author = Author(name="Ada Lovelace", slug="ada-lovelace")
        self.assertEqual(author.get_absolute_url(), "/auteurs/ada-lovelace/")
        set_script_prefix("/carnet/")
        self.addCleanup(set_script_prefix, "/")
        self.assertEqual(author.get_absolute_url(), "/carnet/auteurs/ada-lovelace/")

    def test_the_admin_prefix_follows_the_urlconf(self):
        self.assertEqual(admin_prefix(), "/admin/")
        with override_settings(ROOT_URLCONF="tests.test_addresses"):
            self.assertIsNone(admin_prefix())
        self.assertEqual(admin_prefix(), "/admin/")
