"""What each date means: days in the site's time zone, instants exact everywhere else.

Every test here freezes the clock, so it says the same at any hour it runs (and under
`make test-clock`, which runs the whole suite at the awkward instants).
"""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO
from pathlib import Path

import feedparser
import time_machine
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from blog.models import Post
from tests.support.cases import TemporaryFolders, rolled_back
from tests.support.factories import make_post, make_staff, post_form_data
from tests.support.importing import Run, write
from tests.support.site import sitemap_entries

UTC = dt.UTC
# 00:30 on 1 January 2027 in Paris: the last half hour of 2026 in UTC.
NEW_YEAR = dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
# 00:30 on 15 July 2027 in Paris (summer time, UTC+2).
SUMMER_NIGHT = dt.datetime(2027, 7, 14, 22, 30, tzinfo=UTC)
# 00:30 on 1 March 2028 in Paris, the evening of 29 February in UTC.
LEAP_EVENING = dt.datetime(2028, 2, 29, 23, 30, tzinfo=UTC)
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


class FrozenClock:
    """The clock frozen a while after all the dates used here (they are all in the past)."""

    def setUp(self):
        super().setUp()
        self.enterContext(time_machine.travel(dt.datetime(2028, 6, 1, 12, tzinfo=UTC), tick=False))


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def sitemap(client) -> dict[str, str | None]:
    return {
        loc.removeprefix("http://testserver"): lastmod
        for loc, lastmod in sitemap_entries(client).items()
    }


class ArchiveTests(FrozenClock, TestCase):
    """Archives cut at the site's days: a post belongs to the day, month and year of Paris."""

    def test_a_post_of_new_years_eve_utc_is_in_january_in_paris(self):
        make_post(title="Réveillon", slug="reveillon", pub_date=NEW_YEAR, tags=["fete"])
        make_post(title="Veille", slug="veille", pub_date=NEW_YEAR - dt.timedelta(hours=1))

        january = html(self.client.get("/archive/2027/01/"))
        assert "Réveillon" in january and "Veille" not in january
        assert "1 janvier 2027" in january
        assert 'datetime="2027-01-01T00:30:00+0100"' in january
        december = html(self.client.get("/archive/2026/12/"))
        assert "Veille" in december and "Réveillon" not in december
        assert "31 décembre 2026" in december

        assert "Réveillon" in html(self.client.get("/archive/2027/"))
        assert "Réveillon" not in html(self.client.get("/archive/2026/"))
        assert "1 janvier 2027" in html(self.client.get("/blog/reveillon/"))
        assert "1 janvier 2027" in html(self.client.get("/tags/fete/"))

        # The archive links of the post list and the sitemap agree with the pages.
        listing = html(self.client.get("/blog/"))
        assert 'href="/archive/2027/01/"' in listing and 'href="/archive/2026/12/"' in listing
        assert 'href="/archive/2027/"' in listing
        addresses = sitemap(self.client)
        assert {
            "/archive/2027/",
            "/archive/2027/01/",
            "/archive/2026/",
            "/archive/2026/12/",
        } <= set(addresses)
        assert "/archive/2026/11/" not in addresses

    def test_only_the_new_years_post_makes_its_year(self):
        make_post(title="Réveillon", slug="reveillon", pub_date=NEW_YEAR)
        assert self.client.get("/archive/2026/").status_code == 404
        assert self.client.get("/archive/2026/12/").status_code == 404
        assert "/archive/2026/" not in sitemap(self.client)
        assert "/archive/2027/01/" in sitemap(self.client)

    def test_the_evening_of_29_february_is_1_march_in_paris(self):
        make_post(title="Bissextile", slug="bissextile", pub_date=LEAP_EVENING)
        assert "1 mars 2028" in html(self.client.get("/archive/2028/03/"))
        assert self.client.get("/archive/2028/02/").status_code == 404

    def test_a_summer_night_post_is_dated_the_next_day(self):
        make_post(title="Nuit d'été", slug="nuit-dete", pub_date=SUMMER_NIGHT)
        page = html(self.client.get("/blog/nuit-dete/"))
        assert "15 juillet 2027" in page
        assert 'datetime="2027-07-15T00:30:00+0200"' in page
        assert "Nuit d" in html(self.client.get("/archive/2027/07/"))


class InstantTests(FrozenClock, TestCase):
    """The sitemap and the feeds carry exact instants, with their offset."""

    def test_sitemap_lastmod_is_the_instant_with_its_offset(self):
        for instant, lastmod in [
            (NEW_YEAR, "2027-01-01T00:30:00+01:00"),
            (SUMMER_NIGHT, "2027-07-15T00:30:00+02:00"),
            (LEAP_EVENING, "2028-03-01T00:30:00+01:00"),
        ]:
            with self.subTest(instant=instant), rolled_back():
                with time_machine.travel(instant, tick=False):
                    make_post(title="Daté", slug="date", pub_date=instant)
                with time_machine.travel(instant + dt.timedelta(days=2), tick=False):
                    entries = sitemap(self.client)
                assert entries["/blog/date/"] == lastmod
                assert dt.datetime.fromisoformat(entries["/blog/date/"]) == instant

    def test_sitemap_lastmod_is_the_later_of_edit_and_publication(self):
        with time_machine.travel(NEW_YEAR, tick=False):
            post = make_post(
                title="Modifié", slug="modifie", pub_date=NEW_YEAR - dt.timedelta(days=9)
            )
        with time_machine.travel(SUMMER_NIGHT, tick=False):
            post.save()
        assert sitemap(self.client)["/blog/modifie/"] == "2027-07-15T00:30:00+02:00"

    def test_feeds_carry_the_exact_instant(self):
        make_post(title="Réveillon", slug="reveillon", pub_date=NEW_YEAR)
        for url in ["/feed/", "/feed/atom/"]:
            feed = feedparser.parse(self.client.get(url).content)
            assert not feed.bozo, feed.get("bozo_exception")
            (entry,) = feed.entries
            assert entry.published_parsed[:6] == (2026, 12, 31, 23, 30, 0), url


class UpdatedDateTests(FrozenClock, TestCase):
    """« Mis à jour » shows only when the edit falls on a later day in Paris."""

    def test_an_edit_later_the_same_paris_day_is_not_an_update(self):
        # Published 00:30 on 15 July in Paris (14 July in UTC), edited at 22:00 the same Paris day.
        post = make_post(title="Même jour", slug="meme-jour", pub_date=SUMMER_NIGHT)
        edited = SUMMER_NIGHT + dt.timedelta(hours=21, minutes=30)
        Post.objects.filter(pk=post.pk).update(updated=edited)
        assert "mis à jour" not in html(self.client.get("/blog/meme-jour/"))

    def test_an_edit_after_midnight_in_paris_is_an_update(self):
        # Published 23:00 on 10 May in Paris, edited 00:30 on 11 May in Paris: both on 10 May
        # in UTC.
        published = dt.datetime(2027, 5, 10, 21, 0, tzinfo=UTC)
        post = make_post(title="Lendemain", slug="lendemain", pub_date=published)
        Post.objects.filter(pk=post.pk).update(
            updated=published + dt.timedelta(hours=1, minutes=30)
        )
        page = html(self.client.get("/blog/lendemain/"))
        assert re.search(r"mis à jour le.*11 mai 2027", page), page


class SchedulingTests(TestCase):
    """A scheduled post appears at its instant, not an offset away."""

    def test_a_scheduled_post_appears_at_its_instant_not_an_offset_away(self):
        for instant in [NEW_YEAR, SUMMER_NIGHT, LEAP_EVENING]:
            with self.subTest(instant=instant), rolled_back():
                self.check_appears_at(instant)

    def check_appears_at(self, instant: dt.datetime) -> None:
        with time_machine.travel(instant - dt.timedelta(days=1), tick=False):
            make_post(title="Programmé", slug="programme", pub_date=instant)
        for before in [dt.timedelta(hours=2), dt.timedelta(hours=1), dt.timedelta(seconds=1)]:
            with time_machine.travel(instant - before, tick=False):
                assert self.client.get("/blog/programme/").status_code == 404, before
                assert "Programmé" not in html(self.client.get("/"))
                assert "Programmé" not in self.client.get("/feed/").content.decode()
                assert "/blog/programme/" not in sitemap(self.client)
        with time_machine.travel(instant, tick=False):
            assert self.client.get("/blog/programme/").status_code == 200
            assert "Programmé" in html(self.client.get("/"))
            assert "Programmé" in self.client.get("/feed/").content.decode()
            assert "/blog/programme/" in sitemap(self.client)


class AdminTimeTests(FrozenClock, TestCase):
    """Times typed in the admin are Paris times; a clock-change night's gap or repeat errs."""

    def setUp(self):
        super().setUp()
        self.client.force_login(make_staff())

    def add(self, day: str, time: str):
        data = post_form_data(title="Planifié", status="published", pub_date_0=day, pub_date_1=time)
        return self.client.post("/admin/blog/post/add/", data)

    def test_a_time_typed_in_the_admin_is_read_in_paris(self):
        response = self.add("01/01/2027", "00:30:00")
        assert response.status_code == 302
        assert Post.objects.get().pub_date == NEW_YEAR

    def test_a_missing_or_repeated_hour_is_a_form_error(self):
        for day, message in [
            # 28 March 2027: Paris jumps from 02:00 to 03:00.
            ("28/03/2027", "n’existe pas dans le fuseau horaire Europe/Paris"),
            # 31 October 2027: Paris goes back from 03:00 to 02:00.
            ("31/10/2027", "a lieu deux fois dans le fuseau horaire Europe/Paris"),
        ]:
            with self.subTest(day=day):
                response = self.add(day, "02:30:00")
                assert response.status_code == 200
                page = response.content.decode()
                assert message in page
                assert "errorlist" in page
                assert not Post.objects.exists()

    def test_the_missing_hour_error_suggests_the_time_it_would_be(self):
        response = self.add("28/03/2027", "02:30:00")
        assert "par exemple 03:30" in response.content.decode()

    def test_the_hours_around_a_clock_change_are_accepted(self):
        response = self.add("28/03/2027", "03:30:00")
        assert response.status_code == 302
        assert Post.objects.get().pub_date == dt.datetime(2027, 3, 28, 1, 30, tzinfo=UTC)


class ImportedDateTests(TemporaryFolders, TestCase):
    """An imported date with no zone is the site's, with a zone that instant; both export back."""

    def test_imported_dates_and_their_export(self):
        for written, instant in [
            # No zone: the site's (Paris, summer time in May).
            ("2020-05-23", dt.datetime(2020, 5, 22, 22, 0, tzinfo=UTC)),
            ("2020-05-23 10:00", dt.datetime(2020, 5, 23, 8, 0, tzinfo=UTC)),
            ("2020-01-15 10:00:00", dt.datetime(2020, 1, 15, 9, 0, tzinfo=UTC)),
            # A zone: that instant, whatever the site's zone.
            ("2020-05-23T11:37:58.440Z", dt.datetime(2020, 5, 23, 11, 37, 58, 440000, tzinfo=UTC)),
            ("2020-05-23T11:37:58+02:00", dt.datetime(2020, 5, 23, 9, 37, 58, tzinfo=UTC)),
            ("2020-05-23T11:37:58-0500", dt.datetime(2020, 5, 23, 16, 37, 58, tzinfo=UTC)),
            # Jekyll's spelling, with and without the colon.
            ("2020-05-23 10:00:00 +01:00", dt.datetime(2020, 5, 23, 9, 0, tzinfo=UTC)),
            ("2020-05-23 10:00:00 +0100", dt.datetime(2020, 5, 23, 9, 0, tzinfo=UTC)),
        ]:
            with self.case(written=written):
                write(
                    self.tmp_path,
                    "site/post.md",
                    f"---\ntitle: Daté\ndate: {written}\n---\nTexte\n",
                )
                run = Run(self.tmp_path / "site")
                assert run.error is None, run.stderr
                assert Post.objects.get().pub_date == instant

                out = self.tmp_path / "out"
                call_command("export_markdown", str(out), stdout=StringIO(), stderr=StringIO())
                (exported,) = out.rglob("*.md")
                assert f"date: {written}\n" in exported.read_text(encoding="utf-8")

    @override_settings(TIME_ZONE="America/New_York")
    def test_zone_less_dates_follow_the_configured_time_zone(self):
        write(
            self.tmp_path, "site/post.md", "---\ntitle: New York\ndate: 2020-05-23 10:00\n---\nT\n"
        )
        assert Run(self.tmp_path / "site").error is None
        assert Post.objects.get().pub_date == dt.datetime(2020, 5, 23, 14, 0, tzinfo=UTC)

    def test_an_imported_time_of_a_clock_change_night_is_read_and_said(self):
        for written, instant, said in [
            ("2021-03-28 02:30", dt.datetime(2021, 3, 28, 1, 30, tzinfo=UTC), "does not exist"),
            ("2021-10-31 02:30", dt.datetime(2021, 10, 31, 0, 30, tzinfo=UTC), "happens twice"),
        ]:
            with self.case(written=written):
                source = write(
                    self.tmp_path, "site/post.md", f"---\ntitle: Nuit\ndate: {written}\n---\nT\n"
                )
                run = Run(self.tmp_path / "site", verbosity=2)
                assert run.error is None, run.stderr
                assert Post.objects.get().pub_date == instant
                assert f"{said} in Europe/Paris" in run.stdout + run.stderr
                assert str(source) in run.stdout + run.stderr

    def test_the_seed_article_keeps_its_instant(self):
        seed = Path(__file__).resolve().parent.parent / "fixtures" / "content"
        assert Run(seed).error is None
        post = Post.objects.get(slug="le-debut-dune-carriere-professionnelle")
        # `date: 2020-05-23T11:37:58.440Z` in its front matter: 13:37 in Paris.
        assert timezone.localtime(post.pub_date).strftime("%Y-%m-%d %H:%M") == "2020-05-23 13:37"
