"""What a serving process checks before it takes its first request.

Each of these would otherwise show up as a 500 on every page, or a site in the wrong language,
only once readers arrive; refusing to start names the fix in the server's log instead.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.exceptions import ImproperlyConfigured


def require_secret_key() -> None:
    if settings.SECRET_KEY_MISSING and not settings.DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for development).")


def require_static_manifest() -> None:
    """With DEBUG off, static URLs come from collectstatic's manifest (hashed names).

    Without it every page is a 500 (« Missing staticfiles manifest entry »), and a worker that
    started before it existed would keep failing after it is written.
    """
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return
    if staticfiles_storage.read_manifest() is None:
        manifest = Path(settings.STATIC_ROOT) / staticfiles_storage.manifest_name
        raise ImproperlyConfigured(
            f"No static files manifest ({manifest}): run `make static` (collectstatic as "
            "production serves it) with the same "
            "DJANGO_STATIC_ROOT as the server, then start the server again."
        )


def require_compiled_translations() -> None:
    """The French chrome needs the compiled catalogue (build output, not in the repository)."""
    missing = [
        po.with_suffix(".mo")
        for folder in map(Path, settings.LOCALE_PATHS)
        for po in sorted(folder.glob("*/LC_MESSAGES/*.po"))
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if missing and not settings.DEBUG:
        raise ImproperlyConfigured(
            f"Translations not compiled or older than their .po ({', '.join(map(str, missing))}): "
            "run `make static` (or .venv/bin/python manage.py compile_translations), then start "
            "the server again."
        )


def check_before_serving() -> None:
    require_secret_key()
    require_static_manifest()
    require_compiled_translations()
