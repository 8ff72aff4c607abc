"""The blog app: its system checks, signal receivers and triggers, once models load."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = _("Blog")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported once the models are loaded: they register checks and signal receivers.
        from blog import checks  # noqa: F401
        from blog.public import signals  # noqa: F401
        from blog.published_total import ensure_after_migrate as count_after_migrate
        from blog.search_index import ensure_after_migrate

        # A later migration that rebuilds blog_post (SQLite) drops the search triggers, and
        # those of the published total (counted again too).
        post_migrate.connect(ensure_after_migrate, sender=self)
        post_migrate.connect(count_after_migrate, sender=self)
