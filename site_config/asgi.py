"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_config.settings")

application = get_asgi_application()

from site_config.startup import check_before_serving  # noqa: E402  (needs the settings)

check_before_serving()
