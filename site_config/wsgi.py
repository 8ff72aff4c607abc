"""WSGI entry point (gunicorn site_config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site_config.settings")

application = get_wsgi_application()

from site_config.startup import check_before_serving  # noqa: E402  (needs the settings)

check_before_serving()
