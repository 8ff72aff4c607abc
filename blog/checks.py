"""System checks of Carnet's own settings."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def secret_key_from_environment(app_configs, **kwargs):
    if getattr(settings, "SECRET_KEY_MISSING", False):
        return [
            Error(
                "DJANGO_SECRET_KEY is not set: a server would run with the development key.",
                hint="Set DJANGO_SECRET_KEY in the environment (50 random characters).",
                id="carnet.E001",
            )
        ]
    return []
