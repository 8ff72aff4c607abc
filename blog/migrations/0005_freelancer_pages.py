# The freelancer's own pages (issue 6): site identity, pages, contact messages, and the draft
# about page a fresh install starts with (to fill in; never an invented biography).
from django.db import migrations, models

ABOUT_BODY = """**Brouillon à compléter.** Cette page n'est pas publiée : personne ne la voit
tant que vous ne l'avez pas remplie et publiée.

Présentez-vous ici, avec vos propres mots : qui vous êtes, ce que vous proposez à vos clients,
comment vous travaillez, et comment vous joindre.
"""


def add_draft_about_page(apps, schema_editor):
    from blog.rendering import render_markdown

    Page = apps.get_model("blog", "Page")
    if Page.objects.filter(slug="a-propos").exists():
        return
    Page.objects.create(
        title="À propos",
        slug="a-propos",
        body=ABOUT_BODY,
        body_html=render_markdown(ABOUT_BODY),
        description="",
        published=False,
        in_navigation=True,
        navigation_order=10,
        show_identity=True,
    )


def remove_draft_about_page(apps, schema_editor):
    Page = apps.get_model("blog", "Page")
    Page.objects.filter(slug="a-propos", published=False, body=ABOUT_BODY).delete()


# The « Éditeur » role (0004) looks after the site's own pages, identity and inbox too.
EDITOR_PERMISSIONS = [
    "add_page",
    "change_page",
    "delete_page",
    "view_page",
    "change_siteidentity",
    "view_siteidentity",
    "change_contactmessage",
    "delete_contactmessage",
    "view_contactmessage",
]


def grant_editor_permissions(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations; the group needs them now.
    app_config = apps.get_app_config("blog")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Éditeur")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="blog", codename__in=EDITOR_PERMISSIONS)
    )


class Migration(migrations.Migration):
    dependencies = [("blog", "0004_authoring")]

    operations = [
        migrations.CreateModel(
            name="ContactMessage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("email", models.EmailField(max_length=254, verbose_name="email address")),
                ("subject", models.CharField(max_length=150, verbose_name="subject")),
                ("message", models.TextField(max_length=5000, verbose_name="message")),
                (
                    "created",
                    models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="received"),
                ),
                ("read", models.BooleanField(db_index=True, default=False, verbose_name="read")),
                (
                    "mailed",
                    models.BooleanField(
                        default=False,
                        help_text="Sent to the owner's mailbox.",
                        verbose_name="mailed",
                    ),
                ),
                ("mail_error", models.TextField(blank=True, verbose_name="mail error")),
            ],
            options={
                "verbose_name": "contact message",
                "verbose_name_plural": "contact messages",
                "ordering": ["-created", "-id"],
            },
        ),
        migrations.CreateModel(
            name="Page",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                (
                    "slug",
                    models.SlugField(
                        help_text="The page's address on the site: « a-propos » gives /a-propos/.",
                        max_length=100,
                        unique=True,
                        verbose_name="slug",
                    ),
                ),
                (
                    "description",
                    models.TextField(
                        blank=True,
                        help_text="One or two sentences for search engines and shared links.",
                        max_length=300,
                        verbose_name="meta description",
                    ),
                ),
                ("body", models.TextField(blank=True, help_text="Markdown.", verbose_name="body")),
                (
                    "body_html",
                    models.TextField(blank=True, editable=False, verbose_name="rendered body"),
                ),
                (
                    "published",
                    models.BooleanField(
                        default=False,
                        help_text="An unpublished page is seen by staff only.",
                        verbose_name="published",
                    ),
                ),
                (
                    "in_navigation",
                    models.BooleanField(
                        default=False,
                        help_text="Show a link to the page in the site's main navigation.",
                        verbose_name="in the navigation",
                    ),
                ),
                (
                    "show_identity",
                    models.BooleanField(
                        default=False,
                        help_text="Portrait, bio and profile links from the site identity.",
                        verbose_name="show the author card",
                    ),
                ),
                (
                    "navigation_order",
                    models.PositiveSmallIntegerField(
                        default=0,
                        help_text="Smaller numbers come first.",
                        verbose_name="order in the navigation",
                    ),
                ),
                (
                    "extras",
                    models.JSONField(
                        blank=True, default=dict, editable=False, verbose_name="extras"
                    ),
                ),
                (
                    "source_path",
                    models.CharField(
                        blank=True,
                        editable=False,
                        max_length=500,
                        null=True,
                        unique=True,
                        verbose_name="source file",
                    ),
                ),
                ("source_hash", models.CharField(blank=True, editable=False, max_length=64)),
                ("source_format", models.CharField(blank=True, editable=False, max_length=10)),
                ("source_front_matter", models.TextField(blank=True, editable=False)),
                ("created", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("updated", models.DateTimeField(auto_now=True, verbose_name="updated")),
            ],
            options={
                "verbose_name": "page",
                "verbose_name_plural": "pages",
                "ordering": ["navigation_order", "title"],
            },
        ),
        migrations.CreateModel(
            name="SiteIdentity",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "site_name",
                    models.CharField(
                        blank=True,
                        help_text="Empty: CARNET_SITE_NAME.",
                        max_length=100,
                        verbose_name="site name",
                    ),
                ),
                (
                    "tagline",
                    models.CharField(
                        blank=True,
                        help_text="Empty: CARNET_TAGLINE.",
                        max_length=200,
                        verbose_name="tagline",
                    ),
                ),
                (
                    "home_heading",
                    models.CharField(
                        blank=True,
                        help_text="The home page's title. Empty: the site name.",
                        max_length=200,
                        verbose_name="home page heading",
                    ),
                ),
                (
                    "introduction",
                    models.TextField(
                        blank=True,
                        help_text="A few sentences at the top of the home page.",
                        max_length=1000,
                        verbose_name="home page introduction",
                    ),
                ),
                (
                    "author_name",
                    models.CharField(
                        blank=True,
                        help_text="Empty: CARNET_AUTHOR.",
                        max_length=100,
                        verbose_name="author name",
                    ),
                ),
                (
                    "bio",
                    models.TextField(
                        blank=True,
                        help_text="Who you are and what you offer, in two or three sentences.",
                        max_length=1000,
                        verbose_name="short bio",
                    ),
                ),
                (
                    "portrait",
                    models.ImageField(
                        blank=True,
                        height_field="portrait_height",
                        help_text="Shown on the about page. JPEG, PNG, WebP or GIF.",
                        upload_to="identity/",
                        verbose_name="portrait",
                        width_field="portrait_width",
                    ),
                ),
                (
                    "portrait_width",
                    models.PositiveIntegerField(blank=True, editable=False, null=True),
                ),
                (
                    "portrait_height",
                    models.PositiveIntegerField(blank=True, editable=False, null=True),
                ),
                (
                    "portrait_alt",
                    models.CharField(
                        blank=True,
                        help_text="Required with a portrait, e.g. « Zoé smiling at her desk ».",
                        max_length=300,
                        verbose_name="portrait alt text",
                    ),
                ),
                ("linkedin", models.URLField(blank=True, verbose_name="LinkedIn profile")),
                ("upwork", models.URLField(blank=True, verbose_name="Upwork profile")),
                ("malt", models.URLField(blank=True, verbose_name="Malt profile")),
                ("github", models.URLField(blank=True, verbose_name="GitHub profile")),
                (
                    "email",
                    models.EmailField(
                        blank=True,
                        help_text="Shown as a link; receives the contact messages too.",
                        max_length=254,
                        verbose_name="public email address",
                    ),
                ),
                ("other_url", models.URLField(blank=True, verbose_name="other link")),
                (
                    "other_label",
                    models.CharField(
                        blank=True,
                        help_text="Required with another link, e.g. « Mon portfolio ».",
                        max_length=60,
                        verbose_name="other link's label",
                    ),
                ),
                ("source_path", models.CharField(blank=True, editable=False, max_length=500)),
                ("source_meta", models.JSONField(blank=True, default=dict, editable=False)),
                ("source_front_matter", models.TextField(blank=True, editable=False)),
                ("updated", models.DateTimeField(auto_now=True, verbose_name="updated")),
            ],
            options={
                "verbose_name": "site identity",
                "verbose_name_plural": "site identity",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("id", 1)), name="site_identity_single_row"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("portrait", ""),
                            models.Q(("portrait_alt", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="site_identity_portrait_needs_alt",
                        violation_error_message="A portrait needs its alt text.",
                    ),
                ],
            },
        ),
        migrations.RunPython(add_draft_about_page, remove_draft_about_page),
        migrations.RunPython(grant_editor_permissions, migrations.RunPython.noop),
    ]
