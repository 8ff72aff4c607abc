from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = _("Blog")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from blog import checks, signals  # noqa: F401  (registers the checks and receivers)
        from blog.search_index import ensure_after_migrate

        # A later migration that rebuilds blog_post (SQLite) drops the search triggers.
        post_migrate.connect(ensure_after_migrate, sender=self)
