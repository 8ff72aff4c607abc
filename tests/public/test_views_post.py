"""The post page: metadata, body with anchors, neighbours, related posts, old Unicode slugs."""

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory, TestCase
from django.utils import timezone

from blog.models import Post
from tests.support.factories import make_image, make_post, make_staff


class PostPageTests(TestCase):
    def test_updated_date_shown_only_when_it_differs(self):
        post = make_post(title="Revu", pub_date=dt.datetime(2020, 5, 23, 11, 0, tzinfo=dt.UTC))
        self.assertContains(self.client.get("/blog/revu/"), "mis à jour le")
        Post.objects.filter(pk=post.pk).update(updated=post.pub_date + dt.timedelta(hours=1))
        self.assertNotContains(self.client.get("/blog/revu/"), "mis à jour le")

    def test_updated_date_text(self):
        post = make_post(title="Revu", pub_date=dt.datetime(2020, 5, 23, 11, 0, tzinfo=dt.UTC))
        Post.objects.filter(pk=post.pk).update(updated=dt.datetime(2021, 2, 3, 10, tzinfo=dt.UTC))
        self.assertContains(self.client.get("/blog/revu/"), "3 février 2021")

    def test_reading_time_and_tags(self):
        make_post(title="Long", body="mot " * 450, tags=["Carrière", "php"])
        response = self.client.get("/blog/long/")
        self.assertContains(response, "3 min de lecture")
        self.assertContains(response, '<a href="/tags/carriere/">#Carrière</a>', html=True)

    def test_hero_image_is_responsive_with_alt(self):
        make_post(title="Imagé", image=make_image(size=(1600, 900)), image_alt="Un bureau")
        response = self.client.get("/blog/image/")
        html = response.content.decode()
        hero = html.split('<picture><source type="image/webp"')[1].split("</picture>")[0]
        self.assertIn('alt="Un bureau"', hero)
        self.assertIn("672w", hero)
        self.assertIn("1344w", hero)
        self.assertIn('width="1344" height="756"', hero)
        self.assertNotIn("loading=", hero, "the hero is above the fold: not lazy")

    def test_headings_have_anchors(self):
        make_post(title="Plan", body="## Étude de marché\n\nTexte.")
        response = self.client.get("/blog/plan/")
        self.assertContains(
            response,
            '<a class="heading__anchor" href="#etude-de-marche" '
            'aria-label="Lien vers la section « Étude de marché »">#</a>',
            html=True,
        )
        self.assertContains(response, '<h2 id="etude-de-marche">Étude de marché</h2>', html=True)

    def test_previous_and_next_skip_hidden_posts(self):
        now = timezone.now()
        make_post(title="Ancien", pub_date=now - dt.timedelta(days=10))
        make_post(
            title="Brouillon caché", status=Post.Status.DRAFT, pub_date=now - dt.timedelta(days=8)
        )
        make_post(title="Milieu", pub_date=now - dt.timedelta(days=5))
        make_post(title="Récent", pub_date=now - dt.timedelta(days=1))
        make_post(title="Programmé caché", pub_date=now + dt.timedelta(days=1))
        response = self.client.get("/blog/milieu/")
        self.assertEqual(response.context["previous_post"].title, "Ancien")
        self.assertEqual(response.context["next_post"].title, "Récent")
        self.assertContains(response, '<a rel="prev" href="/blog/ancien/">Ancien</a>', html=True)
        self.assertNotContains(response, "caché")
        last = self.client.get("/blog/recent/")
        self.assertIsNone(last.context["next_post"])

    def test_related_posts_share_the_most_tags(self):
        make_post(title="Sujet", tags=["a", "b", "c"])
        make_post(title="Trois communs", tags=["a", "b", "c"])
        make_post(title="Deux communs", tags=["a", "b"])
        make_post(title="Un commun", tags=["c", "z"])
        make_post(title="Un commun aussi", tags=["a"])
        make_post(title="Aucun", tags=["z"])
        make_post(title="Brouillon caché", tags=["a", "b", "c"], status=Post.Status.DRAFT)
        response = self.client.get("/blog/sujet/")
        related = [p.title for p in response.context["related_posts"]]
        self.assertEqual(related[:2], ["Trois communs", "Deux communs"])
        self.assertEqual(len(related), 3)
        self.assertIn(related[2], {"Un commun", "Un commun aussi"})
        self.assertContains(response, "Articles liés")
        self.assertNotContains(response, "caché")

    def test_back_link(self):
        make_post(title="Retour")
        self.assertContains(
            self.client.get("/blog/retour/"),
            '<a href="/blog/">← Retour à tous les articles</a>',
            html=True,
        )

    def test_unicode_slug_from_an_old_site_redirects(self):
        make_post(title="Le Début d'une Carrière")
        response = self.client.get("/blog/le-début-dune-carrière/")
        self.assertRedirects(response, "/blog/le-debut-dune-carriere/", status_code=301)

    def test_unicode_slug_of_a_draft_stays_404(self):
        make_post(title="Carrière cachée", status=Post.Status.DRAFT)
        self.assertEqual(self.client.get("/blog/carrière-cachée/").status_code, 404)

    def test_staff_sees_scheduled_post_marked(self):
        make_post(title="Bientôt", pub_date=timezone.now() + dt.timedelta(days=2))
        self.client.force_login(make_staff())
        response = self.client.get("/blog/bientot/")
        self.assertContains(response, "Programmé : cet article sera publié le")
        self.assertContains(response, '<meta name="robots" content="noindex">', html=False)

    def test_template_renders_from_the_post_alone(self):
        """The admin preview renders post_detail.html with only `post` in the context: its
        article has no key to be remembered under, so two previews are never mixed up
        (blog.templatetags.fragments)."""
        post = make_post(title="Aperçu", body="## Titre\n\nTexte", tags=["x"], status="draft")
        request = RequestFactory().get("/admin/preview/")
        request.user = AnonymousUser()
        html = render_to_string("blog/post_detail.html", {"post": post}, request=request)
        self.assertIn("<h1>Aperçu</h1>", html)
        self.assertIn('href="/tags/x/"', html)
        self.assertIn("noindex", html)
        other = make_post(title="Autre aperçu", status="draft")
        html = render_to_string("blog/post_detail.html", {"post": other}, request=request)
        self.assertIn("<h1>Autre aperçu</h1>", html)
